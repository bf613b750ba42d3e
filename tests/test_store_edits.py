"""Renaming, merging and deleting codes and transcripts: each one event, undone and redone
like a coding, with nothing the event log refers to ever deleted. Real project files."""

from __future__ import annotations

import pytest

from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project, ProjectError

CODEBOOK = """
name: Edits
codes:
  - name: Rupture
    family: rupture
  - name: Withdrawal
    parent: Rupture
    speakers: [client]
  - name: Minimal response
    parent: Withdrawal
  - name: Denial
    parent: Withdrawal
"""


def transcript(name: str) -> Transcript:
    text = "T: How are you?\nC: Fine.\n"
    return Transcript(name, text, [Utterance(1, "T", 3, 15), Utterance(2, "C", 19, 24)], "text")


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "e.db")
    p.load_codebook(parse_codebook(CODEBOOK))
    p.import_transcript(transcript("s1"))
    p.add_coder("alice")
    p.add_coder("bob")
    yield p
    p.close()


def codes(p):
    return [(c.name, c.parent) for c in p.codebook().codes]


def test_renaming_a_code_keeps_its_codings_sub_codes_and_settings_and_undo_renames_it_back(project):
    k = project.apply_code("s1", "Withdrawal", "bob", 19, 24)
    event = project.rename_code("withdrawal", "Withdrawal rupture", "alice")
    assert event["action"] == "code.rename" and event["data"] == {"before": "Withdrawal", "after": "Withdrawal rupture"}
    assert ("Withdrawal rupture", "Rupture") in codes(project) and ("Denial", "Withdrawal rupture") in codes(project)
    assert project.coding(k.id).code == "Withdrawal rupture"
    assert project.codebook().by_name()["Withdrawal rupture"].speakers == ["client"]
    assert project.undo("bob")["action"] == "coding.apply"  # bob's undo is his own, not alice's rename
    assert project.undo("alice")["action"] == "code.rename"
    assert ("Withdrawal", "Rupture") in codes(project) and ("Denial", "Withdrawal") in codes(project)
    assert project.codebook().by_name()["Withdrawal"].speakers == ["client"]
    project.redo("alice")
    assert "Withdrawal rupture" in project.codebook().by_name()


def test_a_rename_onto_another_codes_name_is_refused_and_points_at_merge(project):
    with pytest.raises(ProjectError, match="already a code named 'Denial'.*`accord codes merge 'Minimal response' Denial`"):
        project.rename_code("Minimal response", "denial", "alice")
    with pytest.raises(ProjectError, match="no coder named 'carol'"):
        project.rename_code("Denial", "Denying", "carol")
    assert [e["action"] for e in project.events(limit=1)] == ["coder.add"]


def test_merging_moves_every_coders_codings_and_undo_brings_the_code_back(project):
    a = project.apply_code("s1", "Minimal response", "alice", 19, 24)
    b = project.apply_code("s1", "Minimal response", "bob", 19, 24)
    project.apply_code("s1", "Denial", "bob", 19, 24)  # bob already has Denial there
    event = project.merge_codes("Minimal response", "Denial", "alice")
    assert sorted(event["data"]["removed"]) == [a.id, b.id] and len(event["data"]["added"]) == 1
    assert "Minimal response" not in project.codebook().by_name()
    assert sorted((k.coder, k.code) for k in project.codings()) == [("alice", "Denial"), ("bob", "Denial")]
    project.undo("alice")
    assert "Minimal response" in project.codebook().by_name()
    assert sorted((k.coder, k.code) for k in project.codings()) == [
        ("alice", "Minimal response"), ("bob", "Denial"), ("bob", "Minimal response")]
    with pytest.raises(ProjectError, match="has sub-codes \\(Minimal response, Denial\\)"):
        project.merge_codes("Withdrawal", "Rupture", "alice")


def test_deleting_a_code_removes_its_codings_and_retires_it_undoably(project):
    project.apply_code("s1", "Denial", "bob", 19, 24)
    event = project.delete_code("Denial", "alice")
    assert len(event["data"]["removed"]) == 1 and project.codings() == []
    assert "Denial" not in project.codebook().by_name()
    with pytest.raises(ProjectError, match="retired"):
        project.apply_code("s1", "Denial", "bob", 19, 24)
    project.undo("alice")
    assert [k.code for k in project.codings()] == ["Denial"]


def test_a_transcript_nobody_worked_on_can_be_deleted_and_undo_restores_every_row(project, tmp_path):
    project.import_transcript(transcript("wrong file"))
    before = project.transcript("wrong file")
    event = project.delete_transcript("wrong file", "alice")
    assert [t["name"] for t in project.transcripts()] == ["s1"]
    assert event["data"]["rows"]["utterances"] and event["action"] == "transcript.delete"
    project.undo("alice")
    assert project.transcript("wrong file") == before
    project.redo("alice")
    with pytest.raises(ProjectError, match="no transcript named 'wrong file'"):
        project.transcript("wrong file")


def test_a_transcript_someone_coded_is_kept_and_renaming_is_offered(project):
    k = project.apply_code("s1", "Denial", "bob", 19, 24)
    project.remove_coding(k.id, "bob")  # even a removed coding is work the log points at
    with pytest.raises(ProjectError, match="someone has worked on transcript 's1'.*Rename it instead: `accord transcripts rename s1 NEW_NAME`"):
        project.delete_transcript("s1", "alice")
    project.rename_transcript("s1", "Client A, session 1", "alice")
    assert project.coding(k.id).transcript == "Client A, session 1"
    project.undo("alice")
    assert project.coding(k.id).transcript == "s1"


def test_suggestions_of_a_merged_code_are_no_longer_offered(project):
    project.replace_suggestions("s1", "test-1", [
        {"code": "Minimal response", "start": 19, "end": 24, "score": 0.9, "explanation": "short answer", "source": "rule"},
        {"code": "Denial", "start": 3, "end": 15, "score": 0.5, "explanation": "x", "source": "rule"},
    ])
    assert {s.code for s in project.suggestions(coder="alice")} == {"Minimal response", "Denial"}
    project.merge_codes("Minimal response", "Denial", "alice")
    assert [s.code for s in project.suggestions(coder="alice")] == ["Denial"]
    project.undo("alice")
    assert {s.code for s in project.suggestions(coder="alice")} == {"Minimal response", "Denial"}
