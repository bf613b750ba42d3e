"""`accord codes rename/merge/delete` and `accord transcripts rename/delete` end to end: each
logged, undone with `accord undo`, and a refused one leaves the project file unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import digest, run

from accord.store import Project

ROOT = Path(__file__).resolve().parents[1]
SESSION = ROOT / "sample_transcripts" / "session04_withdrawal_repair.txt"


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "study.db"
    run("init", "-p", path, "--codebook", ROOT / "codebooks" / "alliance.yaml")
    run("import", SESSION, "-p", path)
    run("coders", "add", "alice", "-p", path)
    with Project.open(path) as p:
        u = p.transcript(SESSION.stem).utterances
        p.apply_code(SESSION.stem, "Minimal response", "alice", u[1].start, u[1].end)
    return path


def test_codes_rename_merge_delete_and_undo(project):
    out = run("codes", "rename", "Minimal response", "Minimal reply", "--coder", "alice", "-p", project).output
    assert "Renamed code 'Minimal response' to 'Minimal reply' (undo: accord undo --coder alice)" in out
    out = run("codes", "merge", "Minimal reply", "Denial", "--coder", "alice", "-p", project).output
    assert "Merged 'Minimal reply' into 'Denial': its codings moved" in out  # blind: no count of anyone's work
    with Project.open(project) as p:
        assert [k.code for k in p.codings()] == ["Denial"]
        assert [e["action"] for e in p.events(coder="alice", limit=2)] == ["code.merge", "code.rename"]
    assert "Undid code.merge" in run("undo", "--coder", "alice", "-p", project).output
    assert "Undid code.rename" in run("undo", "--coder", "alice", "-p", project).output
    with Project.open(project) as p:
        assert [k.code for k in p.codings()] == ["Minimal response"]
    event = json.loads(run("codes", "delete", "Topic shift", "--coder", "alice", "--json", "-p", project).output)
    assert event["action"] == "code.delete" and event["code"] == "Topic shift" and "removed" not in event
    run("mode", "reconciliation", "--coder", "alice", "-p", project)
    out = run("codes", "delete", "Minimal response", "--coder", "alice", "-p", project).output
    assert "Deleted code 'Minimal response' and removed its 1 coding (undo" in out


@pytest.mark.parametrize("args, message", [
    (["codes", "rename", "Nope", "X"], "no code named 'Nope'"),
    (["codes", "rename", "Denial", "minimal response"], "already a code named 'Minimal response'"),
    (["codes", "merge", "Denial", "Denial"], "cannot merge 'Denial' into itself"),
    (["codes", "delete", "Withdrawal rupture"], "has sub-codes"),
    (["transcripts", "delete", SESSION.stem], "someone has worked on transcript"),
    (["transcripts", "rename", "nope", "x"], "no transcript named 'nope'"),
])
def test_refused_edits_say_why_and_change_nothing(project, args, message):
    before = digest(project)
    result = run(*args, "--coder", "alice", "-p", project, code=1)
    assert message in result.stderr
    assert digest(project) == before


def test_a_wrongly_imported_transcript_is_deleted_and_undo_brings_it_back(project, tmp_path):
    run("import", SESSION, "--as-new", "--name", "oops", "-p", project)
    assert "Deleted transcript 'oops'" in run("transcripts", "delete", "oops", "--coder", "alice", "-p", project).output
    names = [t["name"] for t in json.loads(run("transcripts", "--json", "-p", project).output)]
    assert names == [SESSION.stem]
    run("undo", "--coder", "alice", "-p", project)
    assert "oops" in run("transcripts", "-p", project).output
    out = run("transcripts", "rename", "oops", "Client A, session 4", "--coder", "alice", "-p", project).output
    assert "Renamed transcript 'oops' to 'Client A, session 4'" in out
