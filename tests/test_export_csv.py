"""CSV exports for statistics, read back and checked against the project."""

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from accord.demo import build_demo
from accord.store import Project

from conftest import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        for c in p.codings(coder="reference")[::3]:
            p.apply_code(c.transcript, c.code, "bob", c.start, c.end, memo="second look")
        p.set_mode("reconciliation")  # coding is done: compare and export both (blind mode: tests/test_blind.py)
    return path


def read(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_three_tables_match_the_project(demo, tmp_path):
    out = tmp_path / "tables"
    result = run("export", "csv", out, "-p", demo)
    assert "segments.csv" in result.output
    with Project.open(demo) as p:
        codings = p.codings()
        transcripts = {t["name"]: p.transcript(t["name"]) for t in p.transcripts()}
        codes = [c.name for c in p.codebook().codes]

    segments = read(out / "segments.csv")
    assert len(segments) == len(codings)
    by_key = {(c.transcript, c.code, c.coder, c.start, c.end): c for c in codings}
    for row in segments:
        c = by_key[(row["transcript"], row["code"], row["coder"], int(row["start"]), int(row["end"]))]
        t = transcripts[c.transcript]
        assert row["text"] == t.text[c.start : c.end]
        assert row["memo"] == c.memo
        u = t.utterances[int(row["utterance_first"]) - 1]
        assert u.start <= c.start < u.end or c.start < u.start  # the coding starts in (or just before) it
        assert row["speaker"] == u.speaker and row["role"] == t.roles.get(u.speaker, "")
        assert row["code_path"].endswith(c.code)

    frequencies = read(out / "frequencies.csv")
    assert len(frequencies) == len(codes) * 2
    counted = Counter((c.code, c.coder, c.transcript) for c in codings)
    for row in frequencies:
        for name in transcripts:
            assert int(row[name]) == counted[(row["code"], row["coder"], name)]
        assert int(row["total"]) == sum(int(row[n]) for n in transcripts)

    matrix = read(out / "matrix.csv")
    assert len(matrix) == 2 * sum(len(t.utterances) for t in transcripts.values())
    for row in matrix:
        t = transcripts[row["transcript"]]
        u = t.utterances[int(row["utterance"]) - 1]
        for code in codes:
            overlap = any(c.start < u.end and c.end > u.start for c in codings
                          if c.transcript == t.name and c.coder == row["coder"] and c.code == code)
            assert row[code] == ("1" if overlap else "0"), (row["transcript"], u.number, code)


def test_one_table_to_stdout_or_a_file_with_filters(demo, tmp_path):
    result = run("export", "csv", "-", "--table", "frequencies", "-p", demo, "--coders", "bob")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["coder"] for r in rows} == {"bob"}
    with Project.open(demo) as p:
        assert sum(int(r["total"]) for r in rows) == len(p.codings(coder="bob"))
    out = tmp_path / "client.csv"
    run("export", "csv", out, "--table", "segments", "-p", demo, "--speaker", "client", "--bom")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read(out)
    assert rows and {r["role"] for r in rows} == {"client"}


def test_pseudonymised_segments_hide_speaker_names(demo, tmp_path):
    out = tmp_path / "s.csv"
    run("export", "csv", out, "--table", "segments", "-p", demo, "--transcripts", "session02_fees_rupture",
        "--pseudonymise")
    text = out.read_text(encoding="utf-8")
    assert "Okafor" not in text and "Therapist" in text


def test_bad_csv_arguments(demo, tmp_path):
    assert "add --table" in run("export", "csv", "-", "-p", demo, code=2).output
    (tmp_path / "file.csv").write_text("x")
    assert "is a file" in run("export", "csv", tmp_path / "file.csv", "-p", demo, code=2).output
