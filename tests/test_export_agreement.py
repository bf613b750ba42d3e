"""The Word agreement report: its tables and summary carry exactly the agreement report's figures."""

import re
import shutil
import subprocess
from pathlib import Path

import docx
from docx.oxml.ns import qn
import pytest

from accord.agreement.report import agreement_report
from accord.demo import build_demo
from accord.export.agreement_report import _num, _pct
from accord.store import Project

from conftest import run


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    """The demo project with a second coder who agrees on most codings and adds some of her own."""
    path = tmp_path_factory.mktemp("agreement2") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bea")
        for i, c in enumerate(p.codings(coder="reference")):
            if i % 5:
                p.apply_code(c.transcript, c.code if i % 7 else "Minimal response", "bea", c.start, c.end)
        p.set_mode("reconciliation")  # coding is done: compare and export both (blind mode: tests/test_blind.py)
    return path


@pytest.fixture(scope="module")
def annomi(tmp_path_factory, refi_dir) -> Path:
    """Ten annotators of one real session, from the shared REFI sample."""
    path = tmp_path_factory.mktemp("agreement") / "annomi.db"
    run("init", "-p", path)
    run("import", refi_dir / "samples" / "annomi_027_10coders.qdpx", "-p", path)
    with Project.open(path) as p:
        first = p.coders()[0]["name"]
    run("mode", "reconciliation", "--coder", first, "-p", path)  # coding is done: compare and export both (blind mode: tests/test_blind.py)
    return path


def test_two_coders_tables_and_summary_match_the_report(two, tmp_path):
    coders = "reference,bea"
    out = tmp_path / "agreement.docx"
    run("export", "agreement", out, "-p", two, "--coders", coders, "--bootstrap", "200")
    with Project.open(two) as p:
        report = agreement_report(p, coders.split(","), bootstrap=200)
    document = docx.Document(out)
    facts = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert facts["Unit of analysis"] == "utterance" and facts["Units"] == str(report.units)
    assert facts["Kappa"] == "Cohen's kappa"
    per_code = document.tables[1]
    assert [c.text for c in per_code.rows[0].cells][:3] == ["Code", "reference", "bea"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in per_code.rows[1:]}
    for c in report.by_code:
        row = rows[c.code]
        assert row[1:3] == [str(c.use["reference"]), str(c.use["bea"])]
        assert row[3:6] == [_pct(c.all_units.percent_agreement), _num(c.all_units.kappa), _num(c.all_units.alpha)]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Summary for a methods section" and "Method" in headings
    paras = document.paragraphs
    summary = paras[next(k for k, p in enumerate(paras) if p.text == headings[0]) + 1].text
    assert len(rows) == len(report.by_code) + 1
    assert _num(None) == _pct(None) == "n/a"  # undefined figures are never shown as 0 or 1
    for words in ("2 coders (reference and bea)", f"{report.units} utterances", "Cohen's kappa",
                  _num(report.overall.all_units.kappa), "Krippendorff's alpha"):
        assert words in summary
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.method.split("\n\n")[0] in text
    # APA style: coefficients bounded by 1 without a leading zero, and with every table what it rests on
    coefficients = [row[4] for row in rows.values()] + [row[5] for row in rows.values()]
    assert all(re.fullmatch(r"\u2212?\.\d\d|1\.00|n/a", v) for v in coefficients), coefficients
    with Project.open(two) as p:
        words = sum(t["words"] for t in p.transcripts())
    notes = [p.text for p in document.paragraphs if p.text.startswith("Note. ")]
    assert len(notes) >= 2
    assert notes[0].startswith(f"Note. Unit of analysis: utterances; N = {report.units:,} units; 2 coders; "
                               f"6 transcript(s) double-coded of 6 in the project (100% of its {words:,} words).")


@pytest.mark.parametrize("x, text", [(0.714, ".71"), (-0.05, "\u2212.05"), (1.0, "1.00"), (-0.001, ".00"),
                                     (0.0, ".00"), (None, "n/a"), (-1.0, "\u22121.00")])
def test_apa_writes_coefficients_without_a_leading_zero(x, text):
    from accord.agreement.render import apa

    assert apa(x) == text


def test_many_coders_get_a_pairwise_matrix(annomi, tmp_path):
    out = tmp_path / "ten.docx"
    coders = ",".join(f"AnnoMI annotator {i}" for i in range(10))
    run("export", "agreement", out, "-p", annomi, "--coders", coders, "--bootstrap", "0", "--per-transcript")
    with Project.open(annomi) as p:
        report = agreement_report(p, coders.split(","), bootstrap=0, per_transcript=True)
    document = docx.Document(out)
    matrix = document.tables[3]
    assert len(matrix.rows) == 11
    expected = report.matrix(None)
    for i, row in enumerate(matrix.rows[1:]):
        assert [c.text for c in row.cells[1:]] == ["\u2013" if v is None else _num(v) for v in expected[i]]
    per_transcript = document.tables[4]
    assert per_transcript.rows[1].cells[0].text == "annomi_027"


def test_agreement_errors_are_clear(two, tmp_path):
    out = tmp_path / "x.docx"
    result = run("export", "agreement", out, "-p", two, "--coders", "reference", code=1)
    assert "error:" in result.output and not out.exists()
    assert "nobody" in run("export", "agreement", out, "-p", two, "--coders", "reference,nobody", code=1).output


def test_code_names_wrap_at_spaces_in_the_page_libreoffice_renders(two, tmp_path):
    """The per-code table of a two-coder report has nine columns; with python-docx's equal
    widths LibreOffice broke names mid-word ("Minima/l/respon/se"). Rendered to PDF, every word
    of every code name must come out whole on the page."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and pdftotext are needed to render the page")
    out = tmp_path / "agreement.docx"
    run("export", "agreement", out, "-p", two, "--coders", "reference,bea", "--bootstrap", "50")
    profile = (tmp_path / "lo-profile").as_uri()  # its own LibreOffice profile: others may be converting too
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "agreement.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    table = text[text.index("Agreement per code, over all units"):text.index("Agreement per code, over the units anyone")]
    words = table.split()
    with Project.open(two) as p:
        codes = [c.code for c in agreement_report(p, ["reference", "bea"], bootstrap=0).by_code]
    broken = [w for code in codes for w in code.split() if w not in words]
    assert not broken, broken
    # each confidence interval stays on one line ("[.28, .92]", not "[.28, .9" / "2]")
    intervals = [row.cells[-2].text for row in docx.Document(out).tables[1].rows[1:]]
    assert intervals and all(i.startswith("[") for i in intervals)
    lines = [" ".join(line.split()) for line in table.splitlines()]
    torn = [i for i in intervals if not any(i.replace("\u00a0", " ") in line for line in lines)]
    assert not torn, torn
    for row in docx.Document(out).tables[1].rows:  # and no row is split across a page break
        assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
