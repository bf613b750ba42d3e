"""Session and participant variables: the store, `accord variables` and `accord cases`, CSV
import (refused whole, naming file and line, when anything is wrong), and the long CSV."""

import csv
import io
import json
from pathlib import Path

import pytest

from accord.demo import build_demo
from accord.errors import AccordError
from accord.store import Project
from accord.variables import ValueProblem, canonical, infer_type

from conftest import digest, run

S1, S4, S6 = "session01_cbt_panic", "session04_withdrawal_repair", "session06_ending"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vars") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        for c in p.codings(coder="reference")[::4]:
            p.apply_code(c.transcript, c.code, "bob", c.start, c.end)
    return path


@pytest.fixture
def fresh(tmp_path) -> Path:
    path = tmp_path / "p.db"
    build_demo(path)
    return path


def test_values_are_kept_in_one_written_form():
    assert canonical("number", " 12.0 ") == "12" and canonical("number", "2.50") == "2.5"
    assert canonical("number", "-3") == "-3" and canonical("number", "1e3") == "1000"
    assert canonical("date", "2025-03-04") == "2025-03-04"
    assert canonical("category", "EARLY", ["early", "late"]) == "early"
    for kind, bad in (("number", "twelve"), ("number", "1,5"), ("number", "1_000"), ("number", "nan"),
                      ("date", "03/04/2025"), ("date", "2025-02-30")):
        with pytest.raises(ValueProblem):
            canonical(kind, bad)
    with pytest.raises(ValueProblem, match="not one of the categories"):
        canonical("category", "middle", ["early", "late"])
    assert infer_type(["1", " 2.5", ""]) == "number" and infer_type(["2025-01-01", ""]) == "date"
    assert infer_type(["1", "two"]) == "text"


def test_the_demo_has_session_and_participant_variables(demo):
    with Project.open(demo) as p:
        values = p.variable_values()
        assert values["session"][S6] == "12" and values["phase"][S6] == "late" and values["client"][S6] == "client A"
        assert values["age"]["client A"] == "34" and values["referral"]["client D"] == "court"
        cases = {c["name"]: c["members"] for c in p.cases()}
        assert cases["client A"] == [(S1, "Client"), (S6, "Client")]
        assert p.case_of()[(S4, "C")] == "client D"
        kinds = {v["name"]: (v["applies_to"], v["type"]) for v in p.variables()}
        assert kinds == {"session": ("transcript", "number"), "client": ("transcript", "text"),
                         "phase": ("transcript", "category"), "age": ("case", "number"),
                         "referral": ("case", "category")}


def test_store_changes_are_logged_and_checked(fresh):
    with Project.open(fresh) as p:
        assert p.set_value("session", S1, "2.0") == 1
        event = p.events(action="variables.set", limit=1)[0]
        assert [{k: c[k] for k in ("variable", "of", "before", "after")} for c in event["data"]["changes"]] == [
            {"variable": "session", "of": S1, "before": "1", "after": "2"}]
        assert event["coder_id"] is None  # set by nobody in particular: no coder's undo takes it back
        assert p.set_value("session", S1, "2") == 0  # the same value: nothing changes, nothing logged
        assert p.events(action="variables.set", limit=1)[0]["id"] == event["id"]
        with pytest.raises(AccordError, match="not a number"):
            p.set_values([("phase", S1, "late"), ("session", S4, "eight")])
        assert p.variable_values()["phase"][S1] == "early"  # the batch was refused whole
        with pytest.raises(AccordError, match="already a number variable of transcripts"):
            p.define_variable("session", "case", "number")
        with pytest.raises(AccordError, match="already belongs to case 'client A'"):
            p.add_case("someone", [(S1, "Client")])
        with pytest.raises(AccordError, match="no speaker 'Nobody'"):
            p.add_case("someone else", [(S1, "Nobody")])
        assert p.set_value("session", S1, "") == 1 and S1 not in p.variable_values()["session"]


def test_set_and_list_from_the_command_line(fresh):
    run("variables", "set", "mandated", "yes", "--transcript", S4, "--type", "category", "--categories", "yes,no",
        "-p", fresh)
    run("variables", "set", "mandated", "No", "--transcript", S1, "-p", fresh)
    run("cases", "add", "therapist T", "--speaker", "T", "--transcripts", S4, "-p", fresh)
    run("variables", "set", "years", "11", "--case", "therapist T", "--type", "number", "-p", fresh)
    listed = {v["name"]: v for v in json.loads(run("variables", "list", "--json", "-p", fresh).stdout)}
    assert listed["mandated"]["values"] == {S4: "yes", S1: "no"} and listed["mandated"]["categories"] == ["yes", "no"]
    assert listed["years"] == {"name": "years", "of": "case", "type": "number", "categories": [],
                               "values": {"therapist T": "11"}}
    text = run("variables", "-p", fresh).output
    assert "Participant variables: age (number)" in text and "therapist T" in text
    assert "therapist T: T in session04_withdrawal_repair" in run("cases", "-p", fresh).output
    with Project.open(fresh) as p:
        assert {e["action"] for e in p.events()} >= {"variable.define", "variables.set", "case.add", "case.members"}


@pytest.mark.parametrize("args, message", [
    (("session", "four", "--transcript", S4), "'four' is not a number"),
    (("phase", "final", "--transcript", S4), "not one of the categories"),
    (("visit", "4/2/2025", "--transcript", S4, "--type", "date"), "YYYY-MM-DD"),
])
def test_a_bad_value_is_refused_and_the_project_left_as_it_was(fresh, args, message):
    before = digest(fresh)
    result = run("variables", "set", *args, "-p", fresh, code=2)
    assert message in result.output
    assert digest(fresh) == before


def test_an_unknown_transcript_or_case_is_refused(fresh):
    before = digest(fresh)
    assert "no transcript named 'session99'" in run("variables", "set", "session", "1", "--transcript", "session99",
                                                    "-p", fresh, code=1).output
    assert "no case named 'client Z'" in run("variables", "set", "age", "1", "--case", "client Z", "-p", fresh,
                                             code=1).output
    assert digest(fresh) == before


def test_import_one_row_per_transcript_and_per_case(fresh, tmp_path):
    sessions = tmp_path / "sessions.csv"
    sessions.write_text("transcript,session,arm:category,start:date,notes\n"
                        f"{S1},1,CBT,2025-01-14,first\n"
                        f"{S4},3,MI,2025-02-04,\"two\nlines\"\n", encoding="utf-8")
    out = json.loads(run("variables", "import", sessions, "--json", "-p", fresh).stdout)
    assert out["types"] == {"arm": "category", "start": "date", "notes": "text"}  # session is the demo's number
    clients = tmp_path / "clients.csv"
    clients.write_text("\ufeffcase,speaker,transcripts,age,mandated:category\n"
                       f"therapist T,T,{S4},55,\n"
                       f"client A,,,35,no\n", encoding="utf-8")
    out = json.loads(run("variables", "import", clients, "--json", "-p", fresh).stdout)
    assert out["new_cases"] == ["therapist T"] and out["types"] == {"mandated": "category"}
    with Project.open(fresh) as p:
        values = p.variable_values()
        assert values["session"][S4] == "3" and values["arm"] == {S1: "CBT", S4: "MI"}
        assert values["notes"][S4] == "two\nlines" and values["start"][S1] == "2025-01-14"
        assert values["age"] == {"client A": "35", "client B": "27", "client C": "52", "client D": "41",
                                 "participant E": "29", "therapist T": "55"}
        assert values["mandated"] == {"client A": "no"}
        assert p.case_of()[(S4, "T")] == "therapist T"
        assert [v["categories"] for v in p.variables() if v["name"] == "arm"] == [["CBT", "MI"]]
        event = p.events(action="variables.set", limit=1)[0]
        assert event["data"]["source"] == str(clients)


def test_import_semicolons_and_spreadsheet_leftovers(fresh, tmp_path):
    """Excel in a German or French locale separates cells with `;`, and leaves empty columns."""
    path = tmp_path / "excel.csv"
    path.write_text(f"transcript;session;;\r\n{S1};3;;\r\n{S4};\"9\";;\r\n;;;\r\n", encoding="utf-8")
    run("variables", "import", path, "-p", fresh)
    with Project.open(fresh) as p:
        assert p.variable_values()["session"][S1] == "3" and p.variable_values()["session"][S4] == "9"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"transcript;session\n{S1};3,5\n", encoding="utf-8")  # a decimal comma is not taken
    assert f"{bad}:2: session: '3,5' is not a number" in run("variables", "import", bad, "-p", fresh, code=2).output


@pytest.mark.parametrize("content, line, message", [
    (f"transcript,session\n{S1},1\n{S4},1,2\n", 3, "3 cells, but the header has 2 columns"),
    (f"transcript,session\n{S1},1\nsession99,2\n", 3, "no transcript named 'session99'"),
    (f"transcript,session\n{S1},1\n{S4},eight\n", 3, "session: 'eight' is not a number"),
    (f"transcript,visit:date\n{S1},2025-01-01\n\n{S4},14/01/2025\n", 4, "not a date written YYYY-MM-DD"),
    (f"transcript,visit:weekday\n{S1},monday\n", 1, "unknown type 'weekday'"),
    (f"session,phase\n{S1},early\n", 1, "first column must be headed 'transcript'"),
    (f"transcript,phase\n{S1},early\n{S1},late\n", 3, "appears twice (first on line 2)"),
    (f"transcript,phase\n{S1},final\n", 2, "not one of the categories"),
    ("case,session\nclient A,3\n", 1, "belongs to transcripts, not cases"),
    (f"case,speaker,transcripts\nclient Z,Client,{S1}\n", 2, "already belongs to case 'client A'"),
    (f"case,speaker,transcripts\nclient Z,Nobody,{S1}\n", 2, "no speaker 'Nobody'"),
    ("", 1, "empty"),
])
def test_a_bad_csv_is_refused_whole_naming_file_and_line(fresh, tmp_path, content, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = digest(fresh)
    result = run("variables", "import", path, "-p", fresh, code=2)
    assert f"{path}:{line}: " in result.output and message in result.output
    assert digest(fresh) == before


def test_a_binary_or_missing_file_is_refused(fresh, tmp_path):
    before = digest(fresh)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01transcript\x00")
    assert "x.csv" in run("variables", "import", binary, "-p", fresh, code=2).output
    assert "file not found" in run("variables", "import", tmp_path / "none.csv", "-p", fresh, code=2).output
    assert digest(fresh) == before


def _long(demo, *args):
    out = run("export", "csv", "-", "--table", "long", *args, "-p", demo).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_long_csv_has_every_utterance_with_its_variables(demo):
    with Project.open(demo) as p:
        p.set_value("client", S4, "=HYPERLINK(\"x\")")  # a formula cell is made inert
        transcripts = {t["name"]: t for t in p.transcripts()}
        codes = [c.name for c in p.codebook().codes]
        reference = p.codings(coder="reference")
        t4 = p.transcript(S4)
    try:
        rows = _long(demo, "--coders", "reference")
        assert len(rows) == sum(t["utterances"] for t in transcripts.values())
        header = list(rows[0])
        assert header[:9] == ["transcript", "utterance", "speaker", "role", "case", "time_start", "time_end", "words", "coder"]
        assert header[9:] == codes + ["session", "client", "phase", "age", "referral"]
        client = [r for r in rows if r["transcript"] == S4 and r["speaker"] == "C"]
        therapist = [r for r in rows if r["transcript"] == S4 and r["speaker"] == "T"]
        assert all(r["case"] == "client D" and r["age"] == "41" and r["referral"] == "court" for r in client)
        assert all(r["case"] == "" and r["age"] == "" and r["session"] == "8" and r["phase"] == "middle" for r in therapist)
        assert all(r["client"] == "'=HYPERLINK(\"x\")" for r in client)
        assert sum(int(r["words"]) for r in rows if r["transcript"] == S4) == t4.words
        # a 1 wherever a reference coding overlaps the utterance, and nowhere else
        expected = {(c.transcript, u.number, c.code) for c in reference for u in p_utterances(demo, c.transcript)
                    if u.start < c.end and c.start < u.end}
        marked = {(r["transcript"], int(r["utterance"]), code) for r in rows for code in codes if r[code] == "1"}
        assert marked == expected
    finally:
        with Project.open(demo) as p:
            p.set_value("client", S4, "client D")


_UTTERANCES = {}


def p_utterances(path, name):
    if name not in _UTTERANCES:
        with Project.open(path) as p:
            _UTTERANCES[name] = p.transcript(name).utterances
    return _UTTERANCES[name]


def test_long_csv_in_blind_mode_is_one_coders_own(demo, tmp_path):
    blind = tmp_path / "blind.db"
    blind.write_bytes(demo.read_bytes())
    with Project.open(blind) as p:
        p.set_mode("blind")
    before = digest(blind)
    refused = run("export", "csv", "-", "--table", "long", "-p", blind, code=1)
    assert "blind mode" in refused.output
    assert digest(blind) == before
    rows = _long(blind, "--coders", "bob")
    assert {r["coder"] for r in rows} == {"bob"}
    with Project.open(blind) as p:
        bob = p.codings(coder="bob")
        codes = [c.name for c in p.codebook().codes]
    expected = {(c.transcript, u.number, c.code) for c in bob for u in p_utterances(demo, c.transcript)
                if u.start < c.end and c.start < u.end}
    marked = {(r["transcript"], int(r["utterance"]), code) for r in rows for code in codes if r[code] == "1"}
    assert marked == expected and len(expected) > 10  # bob's codes only, not the reference's


def test_deleting_a_transcript_takes_its_values_and_case_turns_and_undo_brings_them_back(tmp_path):
    from accord.model import Transcript, Utterance

    def transcript(name):
        return Transcript(name, "T: How are you?\nC: Fine.\n", [Utterance(1, "T", 3, 15), Utterance(2, "C", 19, 24)], "text")

    with Project.create(tmp_path / "d.db") as p:
        p.add_coder("alice")
        p.import_transcript(transcript("wrong file"))
        p.define_variable("session", "transcript", "number")
        p.set_value("session", "wrong file", "3")
        p.add_case("client A", [("wrong file", "C")])
        p.delete_transcript("wrong file", "alice")
        assert p.variable_values()["session"] == {} and p.cases()[0]["members"] == []
        p.undo("alice")
        assert p.variable_values()["session"] == {"wrong file": "3"}
        assert p.case_of() == {("wrong file", "C"): "client A"}
        p.redo("alice")
        p.import_transcript(transcript("new file"))  # may take the deleted transcript's id
        assert p.variable_values()["session"] == {} and p.case_of() == {}


def test_a_coders_values_are_undone_and_redone_unless_changed_since(fresh):
    with Project.open(fresh) as p:
        p.add_coder("alice")
        before = p.variable_values()["session"][S1]
        assert p.set_values([("session", S1, "7"), ("phase", S1, "")], coder="alice") == 2
        assert p.undo("alice")["action"] == "variables.set"
        assert p.variable_values()["session"][S1] == before and p.variable_values()["phase"][S1] == "early"
        p.redo("alice")
        assert p.variable_values()["session"][S1] == "7" and S1 not in p.variable_values()["phase"]
        p.set_value("session", S1, "9")  # someone else changed it since: undo leaves theirs
        p.undo("alice")
        assert p.variable_values()["session"][S1] == "9" and p.variable_values()["phase"][S1] == "early"
