"""Word exports, opened again with python-docx and checked against the project they came from."""

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest

from accord.demo import build_demo
from accord.export.codebook_report import codebook_report
from accord.export.excerpts import excerpts_report
from accord.export.pseudonyms import Scrubber, aliases
from accord.export.select import select
from accord.model import Transcript, Utterance
from accord.store import Project

from conftest import run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo project plus a second coder, bob, with some codings and memos of his own."""
    path = tmp_path_factory.mktemp("word") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        for c in p.codings(coder="reference")[::4]:
            p.apply_code(c.transcript, c.code, "bob", c.start, c.end, memo="bob agrees")
        p.set_utterance_memo("session02_fees_rupture", 5, "bob", "Sam hesitates; Dr. Okafor moves on.")
        p.set_mode("reconciliation")  # coding is done: compare and export both (blind mode: tests/test_blind.py)
    return path


def headings(document) -> list[tuple[int, str]]:
    return [(int(p.style.name.split()[-1]), p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]


def sections(document) -> dict[str, list]:
    """Heading text -> the paragraphs up to the next heading."""
    out, current = {}, None
    for p in document.paragraphs:
        if p.style.name.startswith("Heading"):
            current = out.setdefault(p.text, [])
        elif current is not None:
            current.append(p)
    return out


def all_text(document) -> str:
    """Every w:t of body, tables, headers and footers."""
    parts = [document.element.body, *(s.footer._element for s in document.sections)]
    return "\n".join(t.text or "" for part in parts for t in part.iter(W + "t"))


def test_excerpts_report_follows_codebook_and_matches_every_coding(demo, tmp_path):
    out = tmp_path / "excerpts.docx"
    run("export", "excerpts", out, "--project", demo)
    document = docx.Document(out)
    with Project.open(demo) as p:
        book = p.codebook()
        codings = p.codings()
        texts = {n: p.transcript(n).text for n in {c.transcript for c in codings}}
    # title page: project, codebook and version, coders
    assert document.paragraphs[0].style.name == "Title" and document.paragraphs[0].text == "Coded excerpts"
    facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert facts["Project"] == "demo"
    assert facts["Codebook"] == f"{book.name}, version {book.version}"
    assert facts["Coders"] == "reference, bob"
    one = tmp_path / "one.docx"
    run("export", "excerpts", one, "--project", demo, "--coders", "bob", "--codes", "Minimal response")
    one_facts = {row.cells[0].text: row.cells[1].text for row in docx.Document(one).tables[0].rows}
    assert one_facts["Coder"] == "bob" and "Coders" not in one_facts  # one coder: singular
    assert one_facts["Only code"] == "Minimal response" and not any("coder" in k.lower() for k in one_facts if k != "Coder")
    assert facts["Excerpts"] == str(len(codings))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", facts["Date"])
    # real heading styles, in codebook order, one level per depth of the hierarchy
    expected = []

    def walk(parent, depth):
        for c in book.children(parent):
            expected.append((depth, c.name))
            walk(c.name, depth + 1)

    walk(None, 1)
    # then the reference coder's ratings of the demo: each scale, each transcript rated
    with Project.open(demo) as p:
        rated = list(dict.fromkeys(r["transcript"] for r in p.ratings()))
    ratings = [(1, "Ratings"), *((2, s.name) for s in book.ratings), *((3, name) for name in rated)]
    assert headings(document) == expected + ratings
    # each code: its definition, its count, and exactly its codings' words as quotes
    by_code = sections(document)
    counts = Counter(c.code for c in codings)
    for code in book.codes:
        paras = by_code[code.name]
        if code.definition:
            assert paras[0].text == code.definition
        count_line = next(p.text for p in paras if p.style.name == "Excerpt Source")
        n = counts.get(code.name, 0)
        assert count_line.startswith(f"{n} excerpt" if n else "No excerpts")
        quotes = [p.text for p in paras if p.style.name == "Quote"]
        mine = [c for c in codings if c.code == code.name]
        assert len(quotes) == len(mine)
        flat = lambda s: re.sub(r"\s*\n\s*", " ", s.strip())  # noqa: E731
        assert sorted(quotes) == sorted(flat(texts[c.transcript][c.start : c.end]) for c in mine)
    # where each excerpt is from: transcript, utterance, time, speaker and coder
    sources = [p.text for p in document.paragraphs if p.style.name == "Excerpt Source" and " \u00b7 " in p.text]
    assert len(sources) == len(codings)
    assert "session01_cbt_panic \u00b7 utterance 3 \u00b7 00:00:34 \u00b7 Therapist \u00b7 reference" in sources
    memos = [p.text for p in document.paragraphs if p.style.name == "Excerpt Memo"]
    assert len(memos) == sum(1 for c in codings if c.memo)
    # navigation: a contents page written out as text (every heading to level 3, in order; no
    # TOC field, whose placeholder LibreOffice shows as "Update Field"), and page numbers
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Contents") + 1
    listed = texts[start : start + len([h for h in expected + ratings if h[0] <= 3])]
    assert listed == [name for depth, name in expected + ratings if depth <= 3]
    assert not any("Update Field" in t for t in texts)
    assert "TOC" not in " ".join(t.text for t in document.element.body.iter(W + "instrText"))
    footer = " ".join(t.text for t in document.sections[0].footer._element.iter(W + "instrText"))
    assert "PAGE" in footer


def test_context_shows_neighbours_and_emphasises_coded_words(demo, tmp_path):
    with Project.open(demo) as p:
        sel = select(p, codes=["Minimal response"], coders=["reference"])
        out = tmp_path / "context.docx"
        excerpts_report(sel, out, context=1)
        coding = next(c for c in p.codings(coder="reference", code="Minimal response"))
        t = p.transcript(coding.transcript)
    document = docx.Document(out)
    paras = sections(document)["Minimal response"]
    quotes = [p for p in paras if p.style.name == "Quote"]
    assert len(quotes) == 3 * len(sel.excerpts)  # the coded utterance and one either side
    bold = [r.text for p in quotes for r in p.runs if r.bold]
    assert len(bold) == len(sel.excerpts)
    assert re.sub(r"\s*\n\s*", " ", t.text[coding.start : coding.end]) in bold
    u = next(u for u in t.utterances if u.start <= coding.start < u.end)
    before = t.utterances[u.number - 2]
    assert quotes[0].text.endswith(t.text[before.start : before.end].replace("\n", " ")[-30:])
    assert quotes[0].runs[0].italic  # the speaker label


def test_filters_codes_with_subcodes_coders_speaker_transcripts(demo, tmp_path):
    with Project.open(demo) as p:
        book = p.codebook()
        subs = {c.name for c in book.codes if c.parent == "Withdrawal rupture"} | {"Withdrawal rupture"}
        sel = select(p, codes=["withdrawal rupture"])  # names match regardless of case
        assert {c.name for c in sel.codes} == subs
        assert {e.coding["code"] for e in sel.excerpts} <= subs
        assert len(sel.excerpts) == sum(1 for c in p.codings() if c.code in subs)
        bob = select(p, coders=["bob"])
        assert bob.coders == ["bob"] and len(bob.excerpts) == len(p.codings(coder="bob"))
        client = select(p, speakers=["client"])
        assert client.excerpts and all(e.transcript.roles.get(e.first.speaker) == "client" for e in client.excerpts)
        one = select(p, transcripts=["session04_withdrawal_repair"])
        assert {e.transcript.name for e in one.excerpts} == {"session04_withdrawal_repair"}
    out = tmp_path / "bob.docx"
    run("export", "excerpts", out, "--project", demo, "--coders", "bob", "--codes", "Withdrawal rupture")
    document = docx.Document(out)
    assert [h for _, h in headings(document)] == [c.name for c in sel.codes]
    assert all(p.text.endswith("\u00b7 bob") for p in document.paragraphs
               if p.style.name == "Excerpt Source" and " \u00b7 " in p.text)


def test_unknown_names_and_missing_consensus_are_clear_errors(demo, tmp_path):
    out = tmp_path / "x.docx"
    assert "no code named 'Nope'" in run("export", "excerpts", out, "-p", demo, "--codes", "Nope", code=1).output
    assert "no coder named 'carol'" in run("export", "excerpts", out, "-p", demo, "--coders", "carol", code=1).output
    result = run("export", "excerpts", out, "-p", demo, "--consensus", code=1)
    assert "no coder named 'consensus'" in result.output and "reconcile" in result.output
    assert "no transcript named 'x'" in run("export", "excerpts", out, "-p", demo, "--transcripts", "x", code=1).output
    assert not out.exists()


def test_pseudonymise_replaces_speaker_names_everywhere(demo, tmp_path):
    out = tmp_path / "pseudo.docx"
    run("export", "excerpts", out, "-p", demo, "--transcripts", "session02_fees_rupture", "--context", "2",
        "--pseudonymise")
    text = all_text(docx.Document(out))
    assert "Therapist:" in text and "Speaker 1:" in text
    assert "Okafor" not in text and not re.search(r"\bSam\b", text)
    plain = tmp_path / "plain.docx"
    run("export", "excerpts", plain, "-p", demo, "--transcripts", "session02_fees_rupture", "--context", "2")
    assert "Dr. Okafor" in all_text(docx.Document(plain))


def test_aliases_are_roles_or_stable_ids():
    t = Transcript("t", "x", [Utterance(1, "Dr. Lee", 0, 1), Utterance(2, "Ann", 0, 1), Utterance(3, "Bo", 0, 1),
                              Utterance(4, "P1", 0, 1), Utterance(5, "P2", 0, 1)], "text",
                   roles={"Dr. Lee": "therapist", "P1": "participant", "P2": "participant"})
    names = aliases(t)
    assert names == {"Dr. Lee": "Therapist", "Ann": "Speaker 1", "Bo": "Speaker 2",
                     "P1": "Participant 1", "P2": "Participant 2"}
    assert aliases(t) == names  # stable
    scrub = Scrubber(names)
    assert scrub("Ann told Dr. Lee that Lee and Bob were late") == "Speaker 1 told Therapist that Therapist and Bob were late"


def test_codebook_document_has_every_field_and_usage(demo, tmp_path):
    out = tmp_path / "codebook.docx"
    run("export", "codebook", out, "-p", demo)
    document = docx.Document(out)
    with Project.open(demo) as p:
        book = p.codebook()
        codings = p.codings()
    assert [h for _, h in headings(document)][0] == "About this codebook"
    by_code = sections(document)
    for code in book.codes:
        text = [p.text for p in by_code[code.name]]
        if code.definition:
            assert text[0] == code.definition
        if code.when_to_use:
            assert f"When to use: {code.when_to_use}" in text
        if code.when_not_to_use:
            assert f"When not to use: {code.when_not_to_use}" in text
        bullets = [p.text for p in by_code[code.name] if p.style.name == "List Bullet"]
        assert bullets == [f"\u201c{x}\u201d" for x in code.examples + code.counter_examples]
        n = sum(1 for c in codings if c.code == code.name)
        assert text[-1] == "Not used yet." if n == 0 else text[-1].startswith(f"Used {n} time")
    summary = document.tables[1]
    assert [c.text for c in summary.rows[0].cells] == ["Code", "Parent", "Hotkey", "reference", "bob", "Total"]
    assert len(summary.rows) == len(book.codes) + 1
    totals = {row.cells[0].text.strip("\u2003"): int(row.cells[-1].text) for row in summary.rows[1:]}
    assert totals == {c.name: sum(1 for k in codings if k.code == c.name) for c in book.codes}


def test_codebook_document_says_which_speaker_roles_a_code_applies_to(tmp_path):
    from accord.codebook import parse_codebook

    with Project.create(tmp_path / "p.db") as p:
        p.load_codebook(parse_codebook("name: roles\ncodes:\n  - name: Rupture\n    speakers: [client]\n"
                                       "  - name: Withdrawal\n    parent: Rupture\n  - name: Humour\n", "b.yaml"))
        codebook_report(select(p), tmp_path / "c.docx")
    by_code = sections(docx.Document(tmp_path / "c.docx"))
    said = {name: [x.text for x in paras if x.text.startswith("Speakers:")] for name, paras in by_code.items()}
    assert said["Rupture"] == ["Speakers: client"]
    assert said["Withdrawal"] == ["Speakers: client (as Rupture)"]
    assert said["Humour"] == []


def test_excerpts_report_converts_to_pdf(demo, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check that the report renders to PDF")
    with Project.open(demo) as p:
        excerpts_report(select(p, transcripts=["session04_withdrawal_repair"]), tmp_path / "r.docx", context=1)
        codebook_report(select(p), tmp_path / "c.docx")
    for name in ("r.docx", "c.docx"):
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / name)],
                       check=True, capture_output=True, timeout=120)
        pdf = tmp_path / name.replace(".docx", ".pdf")
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
