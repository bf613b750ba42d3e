"""Undoing a decision on a suggestion, then suggesting again (issue 11, part 2).

An undone accept leaves a removed coding that still points at its suggestion (provenance, and
what redo brings back). Re-suggesting must keep that suggestion rather than delete it from
under the coding (which failed with "FOREIGN KEY constraint failed")."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from accord.cli import main
from accord.demo import build_demo
from accord.store import Project
from accord.suggest import service

T = "session01_cbt_panic"


@pytest.fixture
def demo(tmp_path) -> Path:
    path = tmp_path / "demo.db"
    build_demo(path, suggestions=True)
    with Project.open(path) as project:
        project.add_coder("alice")
    return path


def suggest(path: Path, *args):
    result = CliRunner().invoke(main, ["suggest", "-p", str(path), T, *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@pytest.mark.parametrize("decide", ["accept", "correct"])
def test_suggest_after_an_undone_accept_keeps_the_suggestion_and_redo_still_works(demo, decide):
    with Project.open(demo) as project:
        s = project.suggestions(transcript=T, coder="alice")[0]
        if decide == "accept":
            coding = project.accept_suggestion(s.id, "alice")
        else:
            other = next(c.name for c in project.codebook().codes if c.name != s.code)
            coding = project.correct_suggestion(s.id, "alice", other)
        project.undo("alice")
    suggest(demo)  # the shared suggestions, replaced by a new run
    with Project.open(demo) as project:
        assert project.coding(coding.id).suggestion_id == s.id  # provenance kept
        # the rules propose it again: it is the same suggestion, pending for alice once more
        assert s.id in {x.id for x in project.suggestions(transcript=T, coder="alice")}
        assert project.redo("alice")["action"] == f"suggestion.{decide}"
        assert project.coding(coding.id).suggestion_id == s.id
        assert project.decision(s.id, "alice") == ("accepted" if decide == "accept" else "rejected")
        # no duplicate of the suggestion was added next to it
        same = [x for x in project.suggestions(transcript=T) if (x.code, x.start, x.end) == (s.code, s.start, s.end)]
        assert [x.id for x in same] == [s.id]


def test_a_suggestion_no_longer_proposed_is_kept_superseded_for_its_undone_coding(demo):
    with Project.open(demo) as project:
        s = project.suggestions(transcript=T, coder="alice")[0]
        coding = project.accept_suggestion(s.id, "alice")
        project.undo("alice")
        # a run that proposes nothing for the transcript
        project.replace_suggestions(T, "empty-run", [])
        assert project.suggestion(s.id).status == "superseded"
        assert project.coding(coding.id).suggestion_id == s.id
        assert project.redo("alice")["action"] == "suggestion.accept"
        assert project.codings(coder="alice")[0].id == coding.id


def test_own_suggestions_and_background_retrain_after_an_undone_accept(demo):
    result = CliRunner().invoke(main, ["train", "-p", str(demo), "--for", "reference"])
    assert result.exit_code == 0, result.output
    suggest(demo, "--for", "reference")
    with Project.open(demo) as project:
        own = project.suggestions(transcript=T, coder="reference")
        s = next(x for x in own if project.decision(x.id, "reference") is None)
        project.accept_suggestion(s.id, "reference")
        project.undo("reference")
    suggest(demo, "--for", "reference")
    service.retrain_and_suggest(demo, "reference", [T])  # what the coding screen runs in the background
    with Project.open(demo) as project:
        assert project.suggestion(s.id).id == s.id
