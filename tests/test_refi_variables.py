"""REFI-QDA cases and variables: accord -> qdpx -> accord keeps every variable, value and case;
speakers are cases over their turns; another tool's cases and variables are imported."""

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from accord.demo import build_demo
from accord.store import Project

from conftest import digest, run

NS = {"q": "urn:QDA-XML:project:1.0"}
S1, S4, S5, S6 = "session01_cbt_panic", "session04_withdrawal_repair", "session05_interview_consent", "session06_ending"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    """The demo with variables of every type, an odd value or two, and a whole-transcript case."""
    path = tmp_path_factory.mktemp("refivars") / "study.db"
    build_demo(path)
    with Project.open(path) as p, p.transaction():
        p.define_variable("first seen", "transcript", "date")
        p.define_variable("dose", "case", "number")
        p.define_variable("notes", "case", "text")
        p.add_case("observer", [("session03_medication_review", None)], "Sat in on one session.")
        p.set_values([("first seen", S1, "2025-01-14"), ("first seen", S6, "2025-06-30"),
                      ("dose", "client C", "0.00001"), ("dose", "client D", "12.5"),
                      ("notes", "client A", "Says \"fine\" <often> & means\nnot fine."), ("notes", "observer", "x")])
    return path


def export(study: Path, out: Path) -> etree._Element:
    run("export", "qdpx", out, "-p", study, "--reveal")
    with zipfile.ZipFile(out) as zf:
        return etree.fromstring(zf.read("project.qde"))


def test_the_export_is_valid_and_says_what_nvivo_and_maxqda_read(study, tmp_path, refi_dir):
    qde = export(study, tmp_path / "s.qdpx")
    assert etree.XMLSchema(etree.parse(str(refi_dir / "Project.xsd"))).validate(qde)
    types = {v.get("name"): v.get("typeOfVariable") for v in qde.iterfind("q:Variables/q:Variable", NS)}
    assert types == {"session": "Integer", "client": "Text", "phase": "Text", "age": "Integer", "referral": "Text",
                     "first seen": "Date", "dose": "Float", "notes": "Text"}
    guid = {v.get("name"): v.get("guid") for v in qde.iterfind("q:Variables/q:Variable", NS)}
    source = qde.find(f"q:Sources/q:TextSource[@name='{S6}']", NS)
    values = {vv.find("q:VariableRef", NS).get("targetGUID"): vv[1] for vv in source.iterfind("q:VariableValue", NS)}
    assert values[guid["session"]].tag.endswith("IntegerValue") and values[guid["session"]].text == "12"
    assert values[guid["first seen"]].tag.endswith("DateValue") and values[guid["first seen"]].text == "2025-06-30"
    cases = {c.get("name"): c for c in qde.iterfind("q:Cases/q:Case", NS)}
    c = cases["client C"]
    dose = [vv[1].text for vv in c.iterfind("q:VariableValue", NS)
            if vv.find("q:VariableRef", NS).get("targetGUID") == guid["dose"]]
    assert dose == ["0.00001"]  # xsd:decimal: no exponent
    # client A's case codes each of its speaker's turns, in both sessions, and nothing else
    selections = {s.get("guid"): (src.get("name"), int(s.get("startPosition")), int(s.get("endPosition")))
                  for src in qde.iterfind("q:Sources/q:TextSource", NS) for s in src.iterfind("q:PlainTextSelection", NS)}
    with Project.open(study) as p:
        turns = {(t, u.start, u.end) for t in (S1, S6) for u in p.transcript(t).utterances if u.speaker == "Client"}
        therapist = [u for u in p.transcript(S4).utterances if u.speaker == "T"]
    assert {selections[r.get("targetGUID")] for r in cases["client A"].iterfind("q:SelectionRef", NS)} == turns
    assert [r.get("targetGUID") for r in cases["observer"].iterfind("q:SourceRef", NS)] == \
        [qde.find("q:Sources/q:TextSource[@name='session03_medication_review']", NS).get("guid")]
    # a speaker in no case is still a case over their turns, so per-speaker queries keep working
    speaker = cases[f"T ({S4})"]
    assert len(speaker.findall("q:SelectionRef", NS)) == len(therapist)


def test_round_trip_keeps_every_variable_value_and_case(study, tmp_path):
    out = tmp_path / "s.qdpx"
    export(study, out)
    back = tmp_path / "back.db"
    run("init", "-p", back)
    summary = json.loads(run("import", out, "-p", back, "--json").stdout)[0]
    assert summary["not_imported"] == {} and summary["variables"] == 8 and summary["cases"] == 6
    with Project.open(study) as a, Project.open(back) as b:
        strip = lambda vs: [{k: v[k] for k in ("guid", "name", "applies_to", "type", "categories", "description")}  # noqa: E731
                            for v in vs]
        assert strip(b.variables()) == strip(a.variables())
        assert b.variable_values() == a.variable_values()
        assert [{k: c[k] for k in ("guid", "name", "description", "members")} for c in b.cases()] == \
            [{k: c[k] for k in ("guid", "name", "description", "members")} for c in a.cases()]  # no speaker cases added
        assert b.case_of() == a.case_of()
    before = digest(back)
    again = json.loads(run("import", out, "-p", back, "--json").stdout)[0]
    assert (again["variables"], again["cases"], again["variable_values"]) == (0, 0, 0)
    # and once more out of the copy: the same variables and cases, by guid
    qde_a, qde_b = export(study, tmp_path / "a.qdpx"), export(back, tmp_path / "b.qdpx")
    assert [etree.tostring(e) for e in qde_a.iterfind("q:Variables/q:Variable", NS)] == \
        [etree.tostring(e) for e in qde_b.iterfind("q:Variables/q:Variable", NS)]
    assert digest(back) == before  # importing the same file again changed nothing


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="foreign" origin="another tool">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="ana"/></Users>
  <Variables>
    <Variable guid="22222222-2222-2222-2222-000000000001" name="Mandated" typeOfVariable="Boolean"/>
    <Variable guid="22222222-2222-2222-2222-000000000002" name="Sessions" typeOfVariable="Integer"/>
    <Variable guid="22222222-2222-2222-2222-000000000003" name="Interviewed" typeOfVariable="Date"/>
    <Variable guid="22222222-2222-2222-2222-000000000004" name="Site" typeOfVariable="Text"/>
    <Variable guid="22222222-2222-2222-2222-000000000005" name="Score" typeOfVariable="Float"/>
  </Variables>
  <Cases>
    <Case guid="33333333-3333-3333-3333-000000000001" name="P1">
      <Description>First participant</Description>
      <VariableValue><VariableRef targetGUID="22222222-2222-2222-2222-000000000001"/><BooleanValue>1</BooleanValue></VariableValue>
      <VariableValue><VariableRef targetGUID="22222222-2222-2222-2222-000000000002"/><IntegerValue>7</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="22222222-2222-2222-2222-000000000005"/><FloatValue>2.50</FloatValue></VariableValue>
      <SelectionRef targetGUID="44444444-4444-4444-4444-000000000002"/>
    </Case>
    <Case guid="33333333-3333-3333-3333-000000000002" name="Everyone">
      <SelectionRef targetGUID="44444444-4444-4444-4444-000000000003"/>
    </Case>
    <Case guid="33333333-3333-3333-3333-000000000003" name="Interview">
      <SourceRef targetGUID="55555555-5555-5555-5555-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="55555555-5555-5555-5555-000000000001" name="interview1.txt">
      <PlainTextContent>I: How did you come here?
P: The court sent me.
I: And now?
P: Now I come for myself.</PlainTextContent>
      <PlainTextSelection guid="44444444-4444-4444-4444-000000000002" startPosition="29" endPosition="46"/>
      <PlainTextSelection guid="44444444-4444-4444-4444-000000000003" startPosition="0" endPosition="46"/>
      <VariableValue><VariableRef targetGUID="22222222-2222-2222-2222-000000000003"/><DateValue>2024-11-02</DateValue></VariableValue>
      <VariableValue><VariableRef targetGUID="22222222-2222-2222-2222-000000000004"/><TextValue>Leeds</TextValue></VariableValue>
    </TextSource>
  </Sources>
</Project>
"""


def test_another_tools_cases_and_variables_are_imported(tmp_path):
    qdpx = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(qdpx, "w") as zf:
        zf.writestr("project.qde", FOREIGN)
    path = tmp_path / "p.db"
    run("init", "-p", path)
    summary = json.loads(run("import", qdpx, "-p", path, "--json").stdout)[0]
    # the case over a passage of two speakers' turns is the one thing left out, and said so
    assert summary["not_imported"] == {"case passages that are not one speaker's turns": 1}
    assert any("not one speaker's turns" in n for n in summary["notes"])
    with Project.open(path) as p:
        kinds = {v["name"]: (v["applies_to"], v["type"], v["categories"]) for v in p.variables()}
        assert kinds == {"Mandated": ("case", "category", ["false", "true"]), "Sessions": ("case", "number", []),
                         "Interviewed": ("transcript", "date", []), "Site": ("transcript", "text", []),
                         "Score": ("case", "number", [])}
        values = p.variable_values()
        assert values["Mandated"] == {"P1": "true"} and values["Sessions"] == {"P1": "7"}
        assert values["Score"] == {"P1": "2.5"}
        assert values["Interviewed"] == {"interview1": "2024-11-02"} and values["Site"] == {"interview1": "Leeds"}
        cases = {c["name"]: c for c in p.cases()}
        assert cases["P1"]["members"] == [("interview1", "P")] and cases["P1"]["description"] == "First participant"
        assert cases["Interview"]["members"] == [("interview1", None)]
        assert cases["Everyone"]["members"] == []
        assert p.case_of()[("interview1", "P")] == "P1"


def test_a_variable_value_pointing_nowhere_is_refused(tmp_path):
    qdpx = tmp_path / "bad.qdpx"
    bad = FOREIGN.replace('<VariableRef targetGUID="22222222-2222-2222-2222-000000000004"/>',
                          '<VariableRef targetGUID="22222222-2222-2222-2222-000000000099"/>')
    with zipfile.ZipFile(qdpx, "w") as zf:
        zf.writestr("project.qde", bad)
    path = tmp_path / "p.db"
    run("init", "-p", path)
    before = digest(path)
    result = run("import", qdpx, "-p", path, code=2)
    assert "which is not in <Variables>" in result.output and "project.qde):" in result.output
    assert digest(path) == before
