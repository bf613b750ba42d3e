"""Commands that did something other than what was asked (issue 11, part 5): the group-level
--project, `suggestions --json`, `accord code` with a mistyped transcript, and a consensus
that left out what the coders agreed on."""

import json
from pathlib import Path

import pytest

from accord.agreement.disagreements import disagreements
from accord.agreement.reconcile import reconcile
from accord.demo import build_demo
from accord.store import Project

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"
SAMPLES = ROOT / "sample_transcripts"


# --- the group-level --project ----------------------------------------------------------------


@pytest.fixture
def two_projects(tmp_path, monkeypatch):
    """accord.db in the current folder and other.db beside it; the command must use other.db."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACCORD_PROJECT", raising=False)
    here = tmp_path / "accord.db"
    other = tmp_path / "other.db"
    run("init", "--project", here, "--codebook", ALLIANCE)
    run("init", "--project", other, "--codebook", ALLIANCE)
    return here, other


def test_project_before_the_command_is_the_project_used(two_projects, tmp_path):
    here, other = two_projects
    before = digest(here)
    out = run("-p", other, "status").output
    assert str(other) in out and "other.db" in out
    sessions = [SAMPLES / f for f in ("session04_withdrawal_repair.txt", "session05_interview_consent.vtt",
                                      "session06_ending.docx")]
    run("--project", other, "import", *sessions)
    run("-p", other, "codings", "import", SAMPLES / "reference_coding_4-6.csv", "--coder", "reference")
    listed = run("-p", other, "codings", "list", "--coder", "reference", "--json").stdout
    assert json.loads(listed) and {r["coder"] for r in json.loads(listed)} == {"reference"}
    assert run("-p", other, "export", "qdc", tmp_path / "book.qdc").exit_code == 0
    assert digest(here) == before  # ./accord.db was never touched
    with Project.open(other) as p:
        assert len(p.transcripts()) == 3


def test_the_project_named_twice_differently_is_refused(two_projects):
    here, other = two_projects
    result = run("-p", other, "status", "-p", here, code=None)
    assert result.exit_code == 2 and "--project" in result.output
    assert run("-p", other, "status", "-p", other).exit_code == 0  # the same one twice is fine


def test_the_environment_names_the_project_unless_an_option_does(two_projects):
    here, other = two_projects
    assert str(other) in run("status", env={"ACCORD_PROJECT": str(other)}).output
    assert str(here) in run("-p", here, "status", env={"ACCORD_PROJECT": str(other)}).output


# --- suggestions --json ---------------------------------------------------------------------


def test_suggestions_json_lists_each_suggestion_with_its_words(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path, suggestions=True)
    rows = json.loads(run("suggestions", "-p", path, "--json", "--limit", "3").stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {"id", "transcript", "code", "start", "end", "score", "explanation",
                            "pipeline_version", "status", "text"}
    with Project.open(path) as p:
        s = p.suggestion(rows[0]["id"])
        assert rows[0]["text"] == p.transcript(s.transcript).text[s.start:s.end]
        assert (rows[0]["code"], rows[0]["start"], rows[0]["end"]) == (s.code, s.start, s.end)


# --- accord code with a mistyped transcript --------------------------------------------------


def test_code_with_an_unknown_transcript_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    run("import", SAMPLES / "session04_withdrawal_repair.txt", "--project", path)
    before = digest(path)
    result = run("code", "sesion04", "--coder", "alice", "--project", path, code=None)
    assert result.exit_code == 1 and "sesion04" in result.output
    assert not (tmp_path / "config" / "accord" / "prefs.json").exists()
    assert digest(path) == before
    with Project.open(path) as p:
        assert p.coders() == []


# --- the consensus holds what the coders agreed on ------------------------------------------


@pytest.fixture
def two_coders(tmp_path):
    """alice and bob both code a Denial on utterance 3; they disagree on a Minimal response."""
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    run("import", SAMPLES / "session04_withdrawal_repair.txt", "--project", path)
    with Project.open(path) as p:
        t = p.transcript("session04_withdrawal_repair")
        u = t.utterances
        for coder in ("alice", "bob"):
            p.add_coder(coder)
            p.apply_code(t.name, "Denial", coder, u[2].start, u[2].end)
        p.apply_code(t.name, "Minimal response", "alice", u[4].start, u[4].end)
        p.set_mode("reconciliation")
    return path, (u[2].start, u[2].end)


def consensus_excerpts(path: Path, tmp_path: Path) -> set:
    run("export", "csv", tmp_path / "c.csv", "--table", "segments", "--consensus", "--project", path)
    import csv

    with open(tmp_path / "c.csv", encoding="utf-8") as f:
        return {(r["code"], int(r["start"]), int(r["end"])) for r in csv.DictReader(f)}


def test_a_decision_in_the_agreement_screen_brings_the_agreed_codings_into_the_consensus(two_coders, tmp_path):
    path, denial = two_coders
    with Project.open(path) as p:  # what the disagreement screen does on `1`
        d = disagreements(p, ["alice", "bob"], "Minimal response", "utterance")[0]
        reconcile(p, d.transcript, d.code, d.start, d.end, "take", coders=["alice", "bob"], take="alice",
                  decided_by=["alice", "bob"], unit="utterance")
    got = consensus_excerpts(path, tmp_path)
    assert ("Denial", *denial) in got
    assert ("Minimal response", d.start, d.end) in got
    out = run("export", "excerpts", tmp_path / "agreed.docx", "--consensus", "--project", path).output
    assert "2 excerpts" in out


def test_accord_reconcile_seeds_the_consensus_and_running_it_again_adds_nothing(two_coders, tmp_path):
    path, denial = two_coders
    before = digest(path)
    out = run("reconcile", "--coders", "alice,bob", "--dry-run", "--project", path).output
    assert "Would add 1 agreed coding to the consensus" in out and digest(path) == before
    out = run("reconcile", "--coders", "alice,bob", "--project", path).output
    assert "1 agreed coding" in out and "1 code disagreement left to decide" in out
    assert consensus_excerpts(path, tmp_path) == {("Denial", *denial)}
    before = digest(path)
    out = run("reconcile", "--coders", "alice,bob", "--project", path).output
    assert "0 agreed codings" in out or "nothing new" in out.lower()
    assert digest(path) == before
    with Project.open(path) as p:
        assert len(p.codings(coder="consensus")) == 1
    run("mode", "blind", "--coder", "alice", "--project", path)
    result = run("reconcile", "--coders", "alice,bob", "--project", path, code=None)
    assert result.exit_code == 1 and "blind" in result.output


def test_suggestions_says_so_when_none_are_pending(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path, suggestions=False)
    out = run("suggestions", "-p", path, "--coder", "reference").output
    assert "No pending suggestions for reference (make new ones with accord suggest)." in out
