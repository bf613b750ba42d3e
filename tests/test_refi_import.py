"""Importing REFI-QDA files from other tools: the shared samples, real tools' deviations, bad files."""

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
from lxml import etree

from accord.interchange import read_qdpx
from accord.store import Project

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = "T: How are you today?\nC: Fine, I guess. Whatever.\nT: You guess?\nC: Yes.\n"
G = {k: f"{i:08X}-0000-4000-8000-{i:012X}" for i, k in enumerate(
    ["project", "user", "code1", "code2", "src", "sel1", "sel2", "sel3", "c1", "c2", "c3", "n1", "n2", "n3", "n4", "pic"], 1)}


@pytest.fixture
def project(tmp_path) -> Path:
    path = tmp_path / "study.db"
    run("init", "-p", path)
    return path


def write_qdpx(path: Path, qde: str, files: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def project_xml(selections: str, *, source_attrs: str = f'plainTextPath="internal://{G["src"]}.txt"',
                users: bool = True, extra: str = "", ns: bool = True) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project {'xmlns="urn:QDA-XML:project:1.0"' if ns else ''} name="From another tool">
  {f'<Users><User guid="{G["user"]}" name="Ann"/></Users>' if users else ''}
  <CodeBook><Codes>
    <Code guid="{G['code1']}" name="Minimal" isCodable="true"><Description>Short answers.</Description>
      <Code guid="{{{G['code2'].lower()}}}" name="Shrug" isCodable="true" color="not a colour"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{G['src']}" name="s1.txt" {source_attrs}>
      {selections}
    </TextSource>
    {extra}
  </Sources>
</Project>"""


def selection(key: str, start: int, end: int, code: str = "code1", user: str | None = "user", inner: str = "") -> str:
    creator = f' creatingUser="{G[user]}"' if user else ""
    return (f'<PlainTextSelection guid="{G[key]}" startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="{G["c" + key[-1]]}"{creator} creationDateTime="2024-02-01T10:00:00Z">'
            f'<CodeRef targetGUID="{G[code]}"/>{inner}</Coding></PlainTextSelection>')


# --- the shared samples --------------------------------------------------------------------------


def test_ten_coder_sample_imports_every_coding(refi_dir, project):
    sample = refi_dir / "samples" / "annomi_027_10coders.qdpx"
    result = run("import", sample, "-p", project, "--json")
    summary = json.loads(result.stdout)[0]
    assert summary["transcripts"] == 1 and summary["coders"] == 10 and summary["codings"] == 230
    with zipfile.ZipFile(sample) as zf:
        qde = etree.fromstring(zf.read("project.qde"))
        text = zf.read(next(n for n in zf.namelist() if n.startswith("sources/"))).decode("utf-8")
    users = {u.get("guid"): u.get("name") for u in qde.iterfind("q:Users/q:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in qde.iterfind(".//q:Code", NS)}
    expected = Counter(
        (users[c.get("creatingUser")], codes[c.find("q:CodeRef", NS).get("targetGUID")],
         int(c.getparent().get("startPosition")), int(c.getparent().get("endPosition")))
        for c in qde.iterfind(".//q:Coding", NS)
    )
    with Project.open(project) as p:
        got = Counter((r["coder"], r["code"], r["start"], r["end"]) for r in p.coding_records())
        assert got == expected
        assert [c["name"] for c in p.coders()] == [f"AnnoMI annotator {i}" for i in range(10)]
        assert {c["codings"] for c in p.coders()} == {23}
        t = p.transcript("annomi_027")
        assert t.text == text and len(t.utterances) == 23
        assert t.roles == {"T": "therapist", "C": "client"}
        assert [u.speaker for u in t.utterances[:3]] == ["T", "C", "T"]
        # each sample selection is one utterance: the spans line up with accord's turns
        assert {(u.start, u.end) for u in t.utterances} == {(s, e) for _, _, s, e in expected}
        book = p.codebook()
        assert [c.name for c in book.children(None)] == ["Therapist behaviour (main)", "Client talk type"]
        assert [c.name for c in book.children("Client talk type")] == ["change", "neutral", "sustain"]
        assert book.by_name()["reflection"].color == "#1F77B4"
        assert p.guids("codes")["reflection"] == "F5302BEF-F8AB-558C-83D3-680C9E52DBA9"
        assert p.guids("coders")["AnnoMI annotator 0"] == "810AD489-15AA-5888-8232-4190C618B99B"
    before = digest(project)
    again = json.loads(run("import", sample, "-p", project, "--json").stdout)[0]
    assert again["codings"] == 0 and again["codings_skipped"] == 230
    assert digest(project) == before


def test_qdc_sample_makes_or_extends_the_codebook(refi_dir, project, tmp_path):
    sample = refi_dir / "samples" / "annomi_mi_codes.qdc"
    run("import", sample, "-p", project)
    with Project.open(project) as p:
        book = p.codebook()
        assert len(book.codes) == 9 and book.by_name()["sustain"].parent == "Client talk type"
    other = tmp_path / "alliance.db"
    run("init", "-p", other, "--codebook", ROOT / "codebooks" / "alliance.yaml")
    result = run("import", sample, "-p", other)
    assert "9 new codes" in result.output
    with Project.open(other) as p:
        names = [c.name for c in p.codebook().codes]
        assert names[-9:] == [c.name for c in book.codes] and "Minimal response" in names


# --- deviations real tools produce ---------------------------------------------------------------


def test_inclusive_ends_missing_users_and_optional_elements_are_tolerated(project, tmp_path):
    a, b = span(TEXT, "How are you today?")
    c, d = span(TEXT, "Fine, I guess.")
    e, f = span(TEXT, "You guess?")
    sels = (selection("sel1", a, b - 1, user=None) + selection("sel2", c, d - 1, "code2", user=None)
            + selection("sel3", e, f - 1, user=None))
    path = write_qdpx(tmp_path / "inclusive.qdpx", project_xml(sels, users=False, ns=False),
                      {f"sources/{G['src']}.txt": TEXT})
    result = run("import", path, "-p", project)
    assert "inclusive" in result.output and "unattributed" in result.output and "not #RRGGBB" in result.output
    with Project.open(project) as p:
        got = sorted((r["start"], r["end"], r["code"], r["coder"]) for r in p.coding_records())
        assert got == [(a, b, "Minimal", "unattributed"), (c, d, "Shrug", "unattributed"),
                       (e, f, "Minimal", "unattributed")]
        assert p.codebook().by_name()["Shrug"].color is None
        assert p.codebook().by_name()["Minimal"].definition == "Short answers."


def test_crlf_text_notes_and_other_sources(project, tmp_path):
    crlf = TEXT.replace("\n", "\r\n")
    a, b = span(crlf, "Fine, I guess.")
    c, d = span(crlf, "Yes.")
    notes = f"""<Notes>
      <Note guid="{G['n1']}" creatingUser="{G['user']}"><PlainTextContent>Flat tone.</PlainTextContent></Note>
      <Note guid="{G['n2']}" creatingUser="{G['user']}"><PlainTextContent>Look again here.</PlainTextContent></Note>
      <Note guid="{G['n3']}"><PlainTextContent>About the whole session.</PlainTextContent></Note>
      <Note guid="{G['n4']}"><PlainTextContent>A project note.</PlainTextContent></Note>
    </Notes>"""
    sels = (selection("sel1", a, b, inner=f'<NoteRef targetGUID="{G["n1"]}"/>')
            + f'<PlainTextSelection guid="{G["sel2"]}" startPosition="{c}" endPosition="{d}" creatingUser="{G["user"]}">'
              f'<NoteRef targetGUID="{G["n2"]}"/></PlainTextSelection>'
            + f'<NoteRef targetGUID="{G["n3"]}"/>')
    qde = project_xml(sels, extra=f'<PictureSource guid="{G["pic"]}" path="internal://x.png"/>')
    qde = qde.replace("</Sources>", "</Sources>" + notes)
    path = write_qdpx(tmp_path / "crlf.qdpx", qde, {f"sources/{G['src']}.txt": crlf.encode("utf-8")})
    result = run("import", path, "-p", project)
    for words in ("CRLF", "PictureSource", "1 note(s) attached to nothing kept as journal entries"):
        assert words in result.output
    with Project.open(project) as p:
        t = p.transcript("s1")
        assert t.text == TEXT
        [r] = p.coding_records()
        assert TEXT[r["start"] : r["end"]] == "Fine, I guess." and r["memo"] == "Flat tone."
        assert r["coder"] == "Ann" and r["created_at"] == "2024-02-01T10:00:00Z"
        memos = {(m["utterance"], m["coder"], m["text"]) for m in p.memo_records()}
        assert memos == {(4, "Ann", "Look again here."), (None, "unattributed", "About the whole session.")}
        assert [(n["text"], n["coder"]) for n in p.project_notes()] == [("A project note.", None)]
    # the memos go out again as REFI notes
    out = tmp_path / "out.qdpx"
    run("export", "qdpx", out, "-p", project, "--reveal")  # Ann's and unattributed memos, in blind mode
    back = read_qdpx(out)
    assert sorted(m["text"] for m in back.memos) == ["About the whole session.", "Look again here."]


def test_docx_only_source_is_read_as_paragraphs(project, tmp_path):
    document = docx.Document()
    for line in TEXT.strip().split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    plain = TEXT.rstrip("\n")
    a, b = span(plain, "You guess?")
    path = write_qdpx(tmp_path / "word.qdpx",
                      project_xml(selection("sel1", a, b), source_attrs=f'richTextPath="internal://{G["src"]}.docx"'),
                      {f"sources/{G['src']}.docx": buffer.getvalue()})
    assert "only a Word file" in run("import", path, "-p", project).output
    with Project.open(project) as p:
        t = p.transcript("s1")
        [r] = p.coding_records()
        assert t.text[r["start"] : r["end"]] == "You guess?" and [u.speaker for u in t.utterances] == ["T", "C", "T", "C"]


def test_unreadable_source_kind_is_reported_and_skipped(project, tmp_path):
    path = write_qdpx(tmp_path / "rtf.qdpx", project_xml("", source_attrs='richTextPath="internal://x.rtf"'),
                      {"sources/x.rtf": b"{\\rtf1 hello}"})
    result = run("import", path, "-p", project)
    assert "source 's1.txt' not imported" in result.output and "cannot read .rtf files" in result.output


# --- bad files: clear message, exit 2, project untouched ------------------------------------------

BAD = {
    "malformed XML": (lambda p: write_qdpx(p, '<Project name="x">\n<Users>\n</Project>'), "malformed XML", ":3:"),
    "zip without project.qde": (lambda p: write_qdpx_only(p, {"readme.txt": "hi"}), "no project.qde inside", ""),
    "not a zip": (lambda p: (p.write_bytes(b"PK but not really a zip"), p)[1], "not a zip archive", ""),
    "selection outside its source": (
        lambda p: write_qdpx(p, project_xml(selection("sel1", 3, 9999)), {f"sources/{G['src']}.txt": TEXT}),
        "is outside source 's1'", ":11: <PlainTextSelection guid="),
    "unknown code": (
        lambda p: write_qdpx(p, project_xml(selection("sel1", 3, 9, code="pic")), {f"sources/{G['src']}.txt": TEXT}),
        "which is not in the <CodeBook>", ":11: <CodeRef"),
    "position not a number": (
        lambda p: write_qdpx(p, project_xml(selection("sel1", 3, 9).replace('"9"', '"nine"')),
                             {f"sources/{G['src']}.txt": TEXT}),
        "must be whole numbers", ":11:"),
    "source file missing": (lambda p: write_qdpx(p, project_xml(selection("sel1", 3, 9))),
                            "is not in the archive", ":10: <TextSource name=\"s1.txt\""),
    "a codebook inside a qdpx": (lambda p: write_qdpx(p, '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'),
                                 "expected <Project> (a codebook: save it as .qdc)", ":1:"),
}


def write_qdpx_only(path: Path, files: dict) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_qdpx_exits_2_names_where_and_changes_nothing(case, project, tmp_path):
    make, message, where = BAD[case]
    path = make(tmp_path / "bad.qdpx")
    before = digest(project)
    result = run("import", path, "-p", project, code=2)
    assert message in result.output and "bad.qdpx" in result.output and where in result.output
    assert "Nothing imported" in result.output
    assert digest(project) == before


def test_bad_qdc_and_mixed_files(project, tmp_path):
    before = digest(project)
    wrong = tmp_path / "wrong.qdc"
    wrong.write_text('<?xml version="1.0"?>\n<Project name="x"/>')
    assert "expected <CodeBook> (a project: save it as .qdpx)" in run("import", wrong, "-p", project, code=2).output
    broken = tmp_path / "broken.qdc"
    broken.write_text('<CodeBook><Codes><Code name="a"></Codes></CodeBook>')
    assert "broken.qdc:1: malformed XML" in run("import", broken, "-p", project, code=2).output
    text = tmp_path / "s.txt"
    text.write_text(TEXT)
    assert "on their own" in run("import", wrong, text, "-p", project, code=2).output
    assert digest(project) == before


def test_a_transcript_name_taken_by_other_text_is_refused(project, tmp_path):
    other = tmp_path / "s1.txt"
    other.write_text("T: Something else entirely.\n")
    run("import", other, "-p", project)
    before = digest(project)
    path = write_qdpx(tmp_path / "clash.qdpx", project_xml(selection("sel1", 3, 9)), {f"sources/{G['src']}.txt": TEXT})
    assert "differs from transcript 's1'" in run("import", path, "-p", project, code=1).output
    assert digest(project) == before
