"""`accord agreement`, `accord mode`, `accord disagreements` and several coders in one coding
table, end to end; bad requests give a clear message, a non-zero exit and an unchanged file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest


from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"


@pytest.fixture
def project(tmp_path):
    """Two sessions and a table with two coders' codings in it (a coder column)."""
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    for name in ("s1", "s2"):
        (tmp_path / f"{name}.txt").write_text(
            "T: How has the week been?\nC: Fine. I guess.\nT: You said fine, but your voice dropped.\n"
            "C: Whatever. It doesn't matter.\nT: It sounds like it does matter.\n",
            encoding="utf-8",
        )
    run("import", tmp_path / "s1.txt", tmp_path / "s2.txt", "--project", path)
    table = tmp_path / "two.csv"
    table.write_text(
        "transcript,utterance,code,text,coder\n"
        "s1,2,Minimal response,,alice\n"
        "s1,2,Minimal response,,bob\n"
        "s1,4,Minimal response,,alice\n"
        "s1,4,Denial,It doesn't matter,bob\n"
        "s2,2,Minimal response,I guess,alice\n"
        "s2,2,Minimal response,,bob\n"
        "s2,5,Meta-communication,,bob\n",
        encoding="utf-8",
    )
    out = run("codings", "import", table, "--project", path).output
    run("mode", "reconciliation", "--coder", "alice", "--project", path)  # coding is done: compare and export both (blind mode: tests/test_blind.py)
    assert "Imported 3 codings for coder 'alice'" in out and "Imported 4 codings for coder 'bob'" in out
    return path


def test_agreement_table_json_and_csv(project):
    out = run("agreement", "--coders", "alice,bob", "--project", project).output
    assert "Agreement of alice, bob by utterance: 10 units in 2 transcript(s)" in out
    assert "Cohen's kappa" in out and "1995/2004" in out
    lines = {line.split("  ")[0].strip(): line for line in out.splitlines()}
    assert "Minimal response" in lines and "All codes (set per unit)" in lines
    assert "n/a" in out  # Denial: only bob used it, and within coded units one category only
    report = json.loads(run("agreement", "--coders", "alice,bob", "--project", project, "--json").output)
    minimal = next(c for c in report["by_code"] if c["code"] == "Minimal response")
    assert minimal["use"] == {"alice": 3, "bob": 2}
    assert minimal["all_units"]["percent_agreement"] == pytest.approx(0.9)
    assert report["unit"] == "utterance" and "overlapped" in report["method"]
    rows = list(csv.DictReader(io.StringIO(run("agreement", "--coders", "alice,bob", "-p", project, "--csv").output)))
    assert [r["code"] for r in rows] == ["Denial", "Minimal response", "Meta-communication", "(all codes: set per unit)"]
    assert float(rows[1]["kappa"]) == pytest.approx(minimal["all_units"]["kappa"]) and rows[1]["use:alice"] == "3"
    chars = run("agreement", "--coders", "alice,bob", "-p", project, "--unit", "character", "--per-transcript", "--method").output
    assert "by character" in chars and "Transcript s2" in chars and "not independent" in chars and "References" in chars
    document = run("agreement", "--coders", "alice,bob", "-p", project, "--unit", "document", "--json").output
    assert json.loads(document)["unit"] == "document" and "NVivo" in json.loads(document)["method"]
    heading = run("agreement", "--coders", "alice,bob", "-p", project, "--unit", "document").output.splitlines()[0]
    assert "by character of the whole document" in heading, heading


def test_mode_switches_and_disagreements_need_reconciliation(project):
    run("mode", "blind", "--coder", "alice", "--project", project)
    assert run("mode", "--project", project).output.strip() == "blind"
    blind = run("disagreements", "--coders", "alice,bob", "--code", "Minimal response", "-p", project, code=None)
    assert blind.exit_code == 1 and "accord mode reconciliation" in blind.stderr
    assert "Mode: reconciliation (was blind)" in run("mode", "reconciliation", "--coder", "alice", "-p", project).output
    out = run("disagreements", "--coders", "alice,bob", "--code", "Minimal response", "-p", project).output
    assert "s1 utterance 4" in out and "alice: Whatever. It doesn't matter." in out and "bob: -" in out
    assert "1 disagreement(s), 0 decided" in out
    assert run("mode", "bogus", "-p", project, code=None).exit_code == 2


def test_disagreements_without_a_code_list_each_disputed_unit_once_with_each_coders_codes(project):
    out = run("disagreements", "--coders", "alice,bob", "-p", project).output
    # at s1 utterance 4 alice said Minimal response and bob Denial: one unit, both codes
    assert "s1 utterance 4 (C): undecided\n    alice: Minimal response\n    bob:   Denial\n" in out
    assert "s2 utterance 5 (T): undecided\n    alice: -\n    bob:   Meta-communication\n" in out
    assert out.count("s1 utterance 4") == 1 and "2 disputed unit(s), 0 decided" in out
    units = json.loads(run("disagreements", "--coders", "alice,bob", "--json", "-p", project).output)
    assert [(u["transcript"], u["utterance"], u["codes"]) for u in units] == [
        ("s1", 4, {"alice": ["Minimal response"], "bob": ["Denial"]}),
        ("s2", 5, {"alice": [], "bob": ["Meta-communication"]}),
    ]


def test_agreement_disagreements_and_reconcile_count_disagreements_the_same_two_ways(project):
    """One unit disputed on two codes is one disputed unit but two per-code disagreements: every
    command gives both counts, so 2 units here and 3 in the per-code rows never look like a bug."""
    run("mode", "reconciliation", "--coder", "alice", "-p", project)
    units = json.loads(run("disagreements", "--coders", "alice,bob", "--json", "-p", project).output)
    per_code = sum(len(json.loads(run("disagreements", "--coders", "alice,bob", "--code", code, "--json", "-p",
                                      project).output))
                   for code in ("Denial", "Minimal response", "Meta-communication"))
    assert (len(units), per_code) == (2, 3)
    report = json.loads(run("agreement", "--coders", "alice,bob", "--json", "-p", project).output)
    assert (report["disputed_units"], report["code_disagreements"]) == (2, 3)
    # the per-code rows: units anyone coded, less those all coders agreed on, add up to the same
    rows = report["by_code"]
    assert sum(round(r["coded_units"]["units"] * (1 - r["coded_units"]["percent_agreement"])) for r in rows) == 3
    text = run("agreement", "--coders", "alice,bob", "-p", project).output
    assert "disagreements: 2 utterances where the coders' codes differ" in text and "3 counted per code" in text
    listed = run("disagreements", "--coders", "alice,bob", "-p", project).output
    assert "2 disputed unit(s), 0 decided; 3 counted per code" in listed
    left = run("reconcile", "--coders", "alice,bob", "-p", project).output
    assert "3 code disagreements left to decide" in left and "2 disputed units, each one decision" in left


@pytest.mark.parametrize(
    "args, message",
    [
        (["--coders", "alice,zoe"], "no coder named 'zoe'"),
        (["--coders", "alice"], "at least two coders"),
        (["--coders", "alice,carol"], "'carol' has no codings"),
        (["--coders", "alice,bob", "--codes", "Nope"], "no code named 'Nope'"),
        (["--coders", "alice,bob", "--transcripts", "s9"], "no transcript named 's9'"),
        (["--coders", "alice,bob", "--json", "--csv"], "choose --json or --csv"),
    ],
)
def test_bad_agreement_requests_leave_the_project_unchanged(project, args, message):
    run("coders", "add", "carol", "--project", project)
    before = digest(project)
    result = run("agreement", *args, "--project", project, code=None)
    assert result.exit_code != 0 and message in result.output
    assert digest(project) == before


def test_coder_column_needs_a_coder_on_every_row(project, tmp_path):
    before = digest(project)
    table = tmp_path / "gap.csv"
    table.write_text("transcript,utterance,code,coder\ns1,1,Denial,carol\ns1,3,Denial,\n", encoding="utf-8")
    result = run("codings", "import", table, "--project", project, code=None)
    assert result.exit_code == 2 and "gap.csv:3: no coder on this row" in result.output
    plain = tmp_path / "plain.csv"
    plain.write_text("transcript,utterance,code\ns1,1,Denial\n", encoding="utf-8")
    result = run("codings", "import", plain, "--project", project, code=None)
    assert result.exit_code == 2 and "--coder NAME" in result.output
    assert digest(project) == before
    out = run("codings", "import", table, "--coder", "dora", "--project", project).output
    assert "1 codings for coder 'carol'" in out and "1 codings for coder 'dora'" in out


def test_agreement_csv_makes_names_a_spreadsheet_would_run_inert(tmp_path):
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    (tmp_path / "s.txt").write_text("T: How are you?\nC: Fine. I guess.\n", encoding="utf-8")
    run("import", tmp_path / "s.txt", "--name", "=HYPERLINK(\"http://x\")", "--project", path)
    table = tmp_path / "two.csv"
    table.write_text('transcript,utterance,code,coder\n"=HYPERLINK(""http://x"")",2,Minimal response,alice\n'
                     '"=HYPERLINK(""http://x"")",2,Minimal response,bob\n', encoding="utf-8")
    run("codings", "import", table, "--project", path)
    run("mode", "reconciliation", "--coder", "alice", "--project", path)
    out = run("agreement", "--coders", "alice,bob", "--per-transcript", "--csv", "--project", path).output
    scopes = [row[0] for row in csv.reader(io.StringIO(out))][1:]
    assert "'=HYPERLINK(\"http://x\")" in scopes
    assert not any(cell.startswith("=") for row in csv.reader(io.StringIO(out)) for cell in row)


def test_a_coding_table_over_the_size_limit_is_refused_unread(tmp_path):
    from accord.limits import MAX_TRANSCRIPT_BYTES

    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    table = tmp_path / "big.csv"
    table.write_text("transcript,utterance,code\n", encoding="utf-8")
    with open(table, "r+b") as f:
        f.truncate(MAX_TRANSCRIPT_BYTES + 1)  # sparse: large to stat, nothing written
    before = digest(path)
    result = run("codings", "import", table, "--project", path, code=None)
    assert result.exit_code == 2 and "too large" in result.output and "big.csv" in result.output
    assert digest(path) == before
