"""Commands that did something other than what was asked (issue 11, part 5): the group-level
--project, `suggestions --json`, `accord code` with a mistyped transcript, and a consensus
that left out what the coders agreed on."""

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accord.cli import main
from accord.demo import build_demo
from accord.store import Project

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"
SAMPLES = ROOT / "sample_transcripts"


def run(*args, ok=True, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    result = run("-p", other, "status", "-p", here, ok=False)
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
    result = run("code", "sesion04", "--coder", "alice", "--project", path, ok=False)
    assert result.exit_code == 1 and "sesion04" in result.output
    assert not (tmp_path / "config" / "accord" / "prefs.json").exists()
    assert digest(path) == before
    with Project.open(path) as p:
        assert p.coders() == []
