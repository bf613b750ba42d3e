"""REFI-QDA export: schema-valid files, and export -> import giving back the same project."""

import hashlib
import json
import re
from datetime import datetime
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from accord.demo import build_demo
from accord.interchange import read_qdc, read_qdpx, write_qdc, write_qdpx
from accord.interchange.descriptions import code_description, parse_description
from accord.store import Project

from conftest import run

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """Two coders with overlapping work, coding memos, and a memo on an utterance."""
    path = tmp_path_factory.mktemp("refi") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        for i, c in enumerate(p.codings(coder="reference")[::2]):
            p.apply_code(c.transcript, c.code, "bob", c.start, c.end, memo="bob: " + c.code if i % 3 == 0 else "")
        p.set_utterance_memo("session01_cbt_panic", 4, "bob", "Hands the agenda back <again> & again.")
        p.set_utterance_memo("session01_cbt_panic", 4, "reference", "Deference.")
        p.set_mode("reconciliation")  # coding is done: compare and export both (blind mode: tests/test_blind.py)
    return path


def schema(refi_dir: Path, name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(refi_dir / name)))


def to_second(stamp: str) -> datetime:
    """A stored date as the instant REFI keeps: to the second (files carry no fractions)."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(microsecond=0)


def snapshot(p: Project) -> dict:
    """Everything a round trip must keep, field by field."""
    book = p.codebook()
    return {
        "transcripts": [
            (t.name, t.text, t.utterances, t.roles, t.format, t.encoding, t.source, t.notes, t.sha256)
            for t in (p.transcript(r["name"]) for r in p.transcripts())
        ],
        "codebook": (book.name, book.version, book.description, book.codes, book.ratings),
        "coders": [c["name"] for c in p.coders()],
        "guids": (p.guids("transcripts"), p.guids("codes"), p.guids("coders")),
        "codings": sorted(
            (r["guid"], r["transcript"], r["code"], r["coder"], r["start"], r["end"], r["memo"], to_second(r["created_at"]))
            for r in p.coding_records()
        ),
        "memos": sorted((m["transcript"], m["utterance"] or 0, m["coder"], m["text"]) for m in p.memo_records()),
        "ratings": [(r["transcript"], r["scale"], r["segment"], r["coder"], r["value"], r["created_at"], r["updated_at"])
                    for r in p.rating_records()],
    }


def test_qdpx_validates_and_two_coders_are_two_users(demo, tmp_path, refi_dir):
    out = tmp_path / "demo.qdpx"
    result = run("export", "qdpx", out, "-p", demo)
    assert "2 coders" in result.output
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        qde = etree.fromstring(zf.read("project.qde"))
        texts = {n: zf.read(n).decode("utf-8") for n in names if n.startswith("sources/")}
    project_schema = schema(refi_dir, "Project.xsd")
    assert project_schema.validate(qde), project_schema.error_log
    users = {u.get("name"): u.get("guid") for u in qde.iterfind("q:Users/q:User", NS)}
    assert set(users) == {"reference", "bob"}
    with Project.open(demo) as p:
        records = p.coding_records()
        assert len(texts) == len(p.transcripts())
        by_guid = {r["guid"]: r for r in records}
        transcripts = {name: p.transcript(name) for name in {r["transcript"] for r in records}}
    codings = qde.findall(".//q:PlainTextSelection/q:Coding", NS)
    assert len(codings) == len(records)
    for coding in codings:
        r = by_guid[coding.get("guid")]
        sel = coding.getparent()
        assert coding.get("creatingUser") == users[r["coder"]] == sel.get("creatingUser")
        # always xs:dateTime in UTC without fractions (QualCoder misreads others), the same instant
        written = coding.get("creationDateTime")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", written)
        assert datetime.fromisoformat(written.replace("Z", "+00:00")) == \
            datetime.fromisoformat(r["created_at"]).replace(microsecond=0)
        assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) == (r["start"], r["end"])
        source = sel.getparent()
        assert texts[f"sources/{source.get('guid')}.txt"] == transcripts[r["transcript"]].text
    notes = {n.get("guid"): n.findtext("q:PlainTextContent", namespaces=NS) for n in qde.iterfind("q:Notes/q:Note", NS)}
    memo_refs = [notes[ref.get("targetGUID")] for ref in qde.iterfind(".//q:Coding/q:NoteRef", NS)]
    assert sorted(memo_refs) == sorted(r["memo"] for r in records if r["memo"])
    # utterance memos as QualCoder reads annotations: a note holding its passage, referenced from the source
    passages = {n.get("guid"): n.find("q:PlainTextSelection", NS) for n in qde.iterfind("q:Notes/q:Note", NS)}
    utterance_notes = [notes[ref.get("targetGUID")] for ref in qde.iterfind("q:Sources/q:TextSource/q:NoteRef", NS)
                       if passages[ref.get("targetGUID")] is not None]
    assert sorted(utterance_notes) == ["Deference.", "Hands the agenda back <again> & again."]
    # every source names its creating user (else QualCoder invents a "default" owner)
    assert all(src.get("creatingUser") in users.values() for src in qde.iterfind("q:Sources/q:TextSource", NS))
    # a selection holding one coding carries that coding's memo as its Description (QualCoder's place)
    for coding in codings:
        sel = coding.getparent()
        if len(sel.findall("q:Coding", NS)) == 1:
            assert (sel.findtext("q:Description", namespaces=NS) or "") == by_guid[coding.get("guid")]["memo"]


def test_export_import_round_trip_is_exact(demo, tmp_path):
    out = tmp_path / "demo.qdpx"
    wrote = run("export", "qdpx", out, "-p", demo).output
    run("init", "-p", tmp_path / "back.db")
    result = run("import", out, "-p", tmp_path / "back.db")
    assert "6 transcripts" in result.output and "2 memos on utterances" in result.output
    # the export's count of memos is the import's, on utterances and on codings together
    import re

    exported = int(re.search(r"(\d+) memos? \(on codings and utterances\)", wrote).group(1))
    on_utterances, on_codings = map(int, re.search(r"(\d+) memos? on utterances and (\d+) on codings", result.output).groups())
    assert exported == on_utterances + on_codings and on_codings > 0
    with Project.open(demo) as a, Project.open(tmp_path / "back.db") as b:
        before, after = snapshot(a), snapshot(b)
        for key in before:
            assert after[key] == before[key], key
        assert len(before["ratings"]) == 40 and before["codebook"][-1]  # the demo's ratings and scale
        assert all(r["origin"] == "import" for r in b.coding_records())
    # and back out again: the same file, apart from when it was made
    again = tmp_path / "again.qdpx"
    run("export", "qdpx", again, "-p", tmp_path / "back.db", "--reveal")  # a new project is blind

    def qde(path):
        with zipfile.ZipFile(path) as zf:
            text = zf.read("project.qde").decode()
        return re.sub(r'(name|modifiedDateTime|creationDateTime)="[^"]*"', "", text.split("\n", 2)[2])

    assert qde(again) == qde(out)


def test_importing_twice_changes_nothing_and_undo_takes_a_coders_import_back(demo, tmp_path):
    out = tmp_path / "demo.qdpx"
    with Project.open(demo) as p:
        write_qdpx(p, out)
    bundle = read_qdpx(out)
    with Project.create(tmp_path / "twice.db") as p:
        first = p.import_bundle(bundle)
        second = p.import_bundle(bundle)
        assert first["codings"] == len(bundle.codings) and second["codings"] == 0
        assert second["codings_skipped"] == len(bundle.codings)
        assert second["transcripts_reused"] == 6 and second["memos"] == 0
        n_bob = len(p.codings(coder="bob"))
        p.undo("bob")
        assert p.codings(coder="bob") == [] and len(p.codings(coder="reference")) == len(bundle.codings) - n_bob


def test_export_only_some_coders(demo, tmp_path):
    out = tmp_path / "bob.qdpx"
    run("export", "qdpx", out, "-p", demo, "--coders", "bob")
    bundle = read_qdpx(out)
    assert [name for name, _ in bundle.coders] == ["bob"]
    assert {c["coder"] for c in bundle.codings} == {"bob"}
    assert "no coder named 'zed'" in run("export", "qdpx", out, "-p", demo, "--coders", "zed", code=1).output


def test_qdc_validates_and_round_trips_the_codebook(demo, tmp_path, refi_dir):
    out = tmp_path / "codebook.qdc"
    run("export", "qdc", out, "-p", demo)
    codebook_schema = schema(refi_dir, "Codebook.xsd")
    doc = etree.parse(str(out))
    assert codebook_schema.validate(doc), codebook_schema.error_log
    with Project.open(demo) as p:
        book, guids = p.codebook(), p.guids("codes")
    bundle = read_qdc(out)
    assert bundle.codebook.codes == book.codes
    assert (bundle.codebook.name, bundle.codebook.version) == (book.name, book.version)
    assert bundle.code_guids == guids
    # without accord's extras (as another tool would save it) the descriptions still carry the fields
    bare = tmp_path / "bare.qdc"
    stripped = etree.parse(str(out), etree.XMLParser(remove_pis=True))
    bare.write_bytes(etree.tostring(stripped, xml_declaration=True, encoding="utf-8"))
    assert b"accord-extras" in out.read_bytes() and b"accord-extras" not in bare.read_bytes()
    plain = read_qdc(bare).codebook
    assert [(c.name, c.parent, c.color) for c in plain.codes] == [(c.name, c.parent, c.color) for c in book.codes]
    for got, want in zip(plain.codes, book.codes):
        assert (got.definition, got.when_to_use, got.when_not_to_use, got.examples, got.counter_examples) == (
            want.definition, want.when_to_use, want.when_not_to_use, want.examples, want.counter_examples)
        assert got.hotkey is None and got.patterns == []  # accord-only, gone with the extras


def test_description_text_round_trip():
    from accord.model import Code

    code = Code("X", definition="Line one.\nLine two.", when_to_use="Always.", examples=["a", "b c"],
                counter_examples=["no"])
    text = code_description(code)
    assert text.startswith("Line one.\nLine two.\n\nWhen to use: Always.\n\nExamples:\n- a\n- b c")
    assert parse_description(text) == {"definition": "Line one.\nLine two.", "when_to_use": "Always.",
                                       "examples": ["a", "b c"], "counter_examples": ["no"]}
    assert parse_description("Just a description from NVivo.") == {"definition": "Just a description from NVivo."}


def test_written_files_are_stable_and_atomic(demo, tmp_path):
    with Project.open(demo) as p:
        write_qdc(p.codebook(), p.guids("codes"), tmp_path / "a.qdc")
        write_qdc(p.codebook(), p.guids("codes"), tmp_path / "b.qdc")
    digest = lambda f: hashlib.sha256(f.read_bytes()).hexdigest()  # noqa: E731
    assert digest(tmp_path / "a.qdc") == digest(tmp_path / "b.qdc")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["a.qdc", "b.qdc"]  # no temporary files left


def test_journal_and_description_travel_both_ways(tmp_path, refi_dir):
    demo = tmp_path / "journal.db"
    build_demo(demo)
    with Project.open(demo) as p:
        p.set_description("Six sample sessions, coded for alliance ruptures.")
        p.add_project_note("Codebook v2", "Merged two withdrawal codes.\nSee the memo on session 3.", "reference")
        p.add_project_note("Unsigned", "Nobody signed this one.")
    out = tmp_path / "demo.qdpx"
    run("export", "qdpx", out, "-p", demo)
    with zipfile.ZipFile(out) as zf:
        qde = etree.fromstring(zf.read("project.qde"))
        files = set(zf.namelist())
    assert schema(refi_dir, "Project.xsd").validate(qde)
    assert qde.findtext("q:Description", namespaces=NS) == "Six sample sessions, coded for alliance ruptures."
    journal = [n for n in qde.iterfind("q:Notes/q:Note", NS) if n.get("name") in ("Codebook v2", "Unsigned")]
    assert len(journal) == 2 and all(f"sources/{n.get('guid')}.txt" in files for n in journal)  # where QualCoder reads
    assert {r.get("targetGUID") for r in qde.iterfind("q:NoteRef", NS)} == {n.get("guid") for n in journal}
    back = tmp_path / "back.db"
    run("init", "-p", back)
    summary = json.loads(run("import", out, "-p", back, "--json").stdout)[0]
    assert summary["journal"] == 2 and summary["description"] == "set" and summary["not_imported"] == {}
    with Project.open(demo) as a, Project.open(back) as b:
        assert [(n["guid"], n["title"], n["text"], n["coder"]) for n in a.project_notes()] == \
            [(n["guid"], n["title"], n["text"], n["coder"]) for n in b.project_notes()]
        assert b.description == a.description
    again = json.loads(run("import", out, "-p", back, "--json").stdout)[0]
    assert again["journal"] == 0  # importing twice adds nothing


def qualcoder_reading(qdpx: Path) -> dict:
    """What QualCoder 4.0's REFI import keeps of a file's memos, by its rules (src/qualcoder/refi.py):
    a coding's memo is its selection's Description; an annotation is a Note referenced from a
    TextSource that holds a PlainTextSelection and PlainTextContent; a journal is a named Note
    with a plainTextPath, read from that file; a file memo is the TextSource's Description."""
    with zipfile.ZipFile(qdpx) as zf:
        qde = etree.fromstring(zf.read("project.qde"))
        files = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    users = {u.get("guid"): u.get("name") for u in qde.iterfind("q:Users/q:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in qde.iter("{*}Code")}
    notes = {n.get("guid"): n for n in qde.iterfind("q:Notes/q:Note", NS)}
    out = {"coding_memos": Counter(), "annotations": Counter(), "journals": Counter(), "file_memos": {}}
    annotated = set()
    for source in qde.iterfind("q:Sources/q:TextSource", NS):
        text = files[f"sources/{source.get('guid')}.txt"]
        out["file_memos"][source.get("name")] = source.findtext("q:Description", default="", namespaces=NS)
        for sel in source.iterfind("q:PlainTextSelection", NS):
            memo = sel.findtext("q:Description", default="", namespaces=NS)
            for coding in sel.iterfind("q:Coding", NS):
                if memo:
                    words = text[int(sel.get("startPosition")):int(sel.get("endPosition"))]
                    out["coding_memos"][(users[coding.get("creatingUser")],
                                         codes[coding.find("q:CodeRef", NS).get("targetGUID")], words, memo)] += 1
        for ref in source.iterfind("q:NoteRef", NS):
            note = notes[ref.get("targetGUID")]
            passage, content = note.find("q:PlainTextSelection", NS), note.findtext("q:PlainTextContent", namespaces=NS)
            annotated.add(note.get("guid"))
            if passage is not None and content is not None:
                out["annotations"][(source.get("name"), users.get(note.get("creatingUser")), int(passage.get("startPosition")),
                                    int(passage.get("endPosition")), content)] += 1
    for guid, note in notes.items():
        if guid not in annotated and note.get("plainTextPath") and note.get("name"):
            path = "sources/" + note.get("plainTextPath").split("internal://")[1]
            out["journals"][(note.get("name"), files[path])] += 1
    return out


def test_what_qualcoder_reads_of_an_export_keeps_every_memo(tmp_path):
    path = tmp_path / "memos.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        coded = p.codings(coder="reference")
        p.apply_code(coded[0].transcript, coded[0].code, "bob", coded[0].start, coded[0].end, memo="bob's memo")
        # two codes on one span by one coder, each with its own memo
        other = next(c.name for c in p.codebook().codes if c.codable and c.name != coded[0].code)
        p.apply_code(coded[0].transcript, other, "bob", coded[0].start, coded[0].end, memo="a second memo")
        p.set_utterance_memo("session01_cbt_panic", 4, "bob", "Hands the agenda back.")
        p.add_project_note("Week 1", "First impressions.", "bob")
        p.set_mode("reconciliation")
        texts = {t["name"]: p.transcript(t["name"]) for t in p.transcripts()}
        expected_memos = Counter((r["coder"], r["code"], texts[r["transcript"]].text[r["start"]:r["end"]], r["memo"])
                                 for r in p.coding_records() if r["memo"])
        u = texts["session01_cbt_panic"].utterances[3]
    out = tmp_path / "memos.qdpx"
    run("export", "qdpx", out, "-p", path)
    seen = qualcoder_reading(out)
    assert len(expected_memos) > 2 and seen["coding_memos"] == expected_memos
    assert seen["annotations"] == Counter({("session01_cbt_panic", "bob", u.start, u.end, "Hands the agenda back."): 1})
    assert seen["journals"] == Counter({("Week 1", "First impressions."): 1})
