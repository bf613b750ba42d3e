"""Disagreements and reconciliation into a consensus coder, with provenance in the event log."""

from __future__ import annotations

import pytest

from accord.agreement.disagreements import disagreements
from accord.agreement.reconcile import decisions, reconcile, seed_consensus
from accord.agreement.report import AgreementError, agreement_report
from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project, ProjectError

CODEBOOK = """
name: Test book
codes:
  - name: Rupture
  - name: Repair
"""


def transcript(name: str, n: int = 6) -> Transcript:
    lines, utterances, pos = [], [], 0
    for i in range(n):
        line = f"{'TC'[i % 2]}: utterance {i + 1} with a few words"
        utterances.append(Utterance(i + 1, line[0], pos + 3, pos + len(line)))
        lines.append(line)
        pos += len(line) + 1
    return Transcript(name, "\n".join(lines) + "\n", utterances, "text")


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "r.db")
    p.load_codebook(parse_codebook(CODEBOOK))
    t = transcript("s1")
    p.import_transcript(t)
    u = t.utterances
    rows = lambda spans: [{"transcript": "s1", "code": c, "start": a, "end": b} for c, a, b in spans]  # noqa: E731
    p.import_codings(
        rows([("Rupture", u[0].start, u[0].end), ("Rupture", u[1].start, u[1].start + 9), ("Repair", u[3].start, u[3].end)]),
        "alice",
    )
    p.import_codings(
        rows([("Rupture", u[0].start + 3, u[0].end), ("Rupture", u[2].start, u[2].end), ("Repair", u[3].start, u[3].end)]),
        "bob",
    )
    yield p
    p.close()


def test_blind_mode_hides_disagreements_and_forbids_reconciling(project):
    with pytest.raises(ProjectError, match="blind mode.*accord mode reconciliation"):
        disagreements(project, ["alice", "bob"], "Rupture")
    with pytest.raises(ProjectError, match="blind mode"):
        reconcile(project, "s1", "Rupture", 0, 5, "neither", coders=["alice", "bob"])
    with pytest.raises(ProjectError, match="blind mode"):
        seed_consensus(project, ["alice", "bob"])
    agreement_report(project, ["alice", "bob"])  # figures reveal no codings: allowed while blind


def test_disagreements_list_units_with_each_coders_spans(project):
    project.set_mode("reconciliation")
    u = project.transcript("s1").utterances
    found = disagreements(project, ["alice", "bob"], "Rupture")
    assert [(d.utterance, d.applied) for d in found] == [
        (2, {"alice": True, "bob": False}),
        (3, {"alice": False, "bob": True}),
    ]
    d = found[0]
    assert (d.start, d.end) == (u[1].start, u[1].end)
    assert [(s.start, s.end) for s in d.spans["alice"]] == [(u[1].start, u[1].start + 9)] and d.spans["bob"] == []
    assert not d.resolved
    assert disagreements(project, ["alice", "bob"], "Repair") == []
    chars = disagreements(project, ["alice", "bob"], "Rupture", unit="character")
    # utterance 1: alice's first three characters; then utterance 2's nine; then utterance 3
    assert [(c.start, c.end) for c in chars] == [(u[0].start, u[0].start + 3), (u[1].start, u[1].start + 9), (u[2].start, u[2].end)]


def test_reconcile_decisions_write_a_consensus_coder_with_provenance(project):
    project.set_mode("reconciliation")
    u = project.transcript("s1").utterances
    coders = ["alice", "bob"]
    assert seed_consensus(project, coders) == 2  # utterance 1 (Rupture) and 4 (Repair): agreed
    assert seed_consensus(project, coders) == 0  # nothing new the second time
    seeded = {(k.code, k.start, k.end) for k in project.codings(coder="consensus")}
    assert seeded == {("Rupture", u[0].start, u[0].end), ("Repair", u[3].start, u[3].end)}

    first = disagreements(project, coders, "Rupture")
    taken = reconcile(project, "s1", "Rupture", first[0].start, first[0].end, "take", take="alice", coders=coders, decided_by=["alice", "bob"], note="agreed after discussion")
    assert taken.spans == [(u[1].start, u[1].start + 9)]
    event = project.events(coder="consensus", limit=1)[0]
    assert event["action"] == "reconcile.decide"
    data = event["data"]
    assert data["decision"] == "take" and data["taken_from"] == ["alice"] and data["decided_by"] == ["alice", "bob"]
    assert data["source_codings"]["alice"] == [first[0].spans["alice"][0].coding_id] and data["added"] == taken.added
    coding = project.coding(taken.added[0])
    assert coding.origin == "consensus" and coding.memo == "agreed after discussion"

    neither = reconcile(project, "s1", "Rupture", first[1].start, first[1].end, "neither", coders=coders)
    assert neither.spans == [] and neither.added == []
    # deciding a unit again replaces the earlier decision; the log keeps both
    again = reconcile(project, "s1", "Rupture", first[0].start, first[0].end, "both", coders=coders)
    assert again.removed == taken.added
    adjusted = reconcile(project, "s1", "Rupture", first[0].start, first[0].end, "adjust", spans=[(u[1].start, u[1].start + 4)], coders=coders)
    assert adjusted.removed == again.added
    assert project.coding(adjusted.added[0]).start == u[1].start

    now = disagreements(project, coders, "Rupture")
    assert [d.decision for d in now] == ["adjust", "neither"] and all(d.resolved for d in now)
    assert len(decisions(project)) == 2
    rupture = {(k.start, k.end) for k in project.codings(coder="consensus", code="Rupture")}
    assert rupture == {(u[0].start, u[0].end), (u[1].start, u[1].start + 4)}
    # the consensus is a coder like any other: agreement of each coder with it
    report = agreement_report(project, ["alice", "consensus"], codes=["Rupture"])
    assert report.code("Rupture").all_units.kappa == 1.0


def test_reconcile_refuses_bad_requests(project):
    project.set_mode("reconciliation")
    coders = ["alice", "bob"]
    with pytest.raises(AgreementError, match="unknown decision"):
        reconcile(project, "s1", "Rupture", 0, 5, "maybe", coders=coders)
    with pytest.raises(AgreementError, match="take which coder"):
        reconcile(project, "s1", "Rupture", 0, 5, "take", take="carol", coders=coders)
    with pytest.raises(AgreementError, match="cannot be one of the coders"):
        reconcile(project, "s1", "Rupture", 0, 5, "neither", coders=coders, consensus="alice")
    with pytest.raises(AgreementError, match="not inside transcript"):
        reconcile(project, "s1", "Rupture", 0, 10_000, "neither", coders=coders)
    with pytest.raises(AgreementError, match="adjusted span"):
        reconcile(project, "s1", "Rupture", 0, 5, "adjust", spans=[(3, 10_000)], coders=coders)
    with pytest.raises(AgreementError, match="give spans"):
        reconcile(project, "s1", "Rupture", 0, 5, "adjust", coders=coders)
    with pytest.raises(ProjectError, match="no coder named 'zoe'"):
        reconcile(project, "s1", "Rupture", 0, 5, "neither", coders=["alice", "zoe"])
    assert "consensus" not in [c["name"] for c in project.coders()]


def test_disagreements_by_code_equals_one_code_at_a_time(tmp_path):
    """The all-codes form (one read of the codings) lists exactly what the per-code form lists."""
    from accord.agreement.disagreements import disagreements, disagreements_by_code
    from accord.codebook import load_codebook
    from accord.store import Project
    from accord.transcripts import read_transcript
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    with Project.create(tmp_path / "p.db") as p:
        p.load_codebook(load_codebook(root / "codebooks" / "alliance.yaml"))
        t = read_transcript(root / "sample_transcripts" / "session04_withdrawal_repair.txt")
        p.import_transcript(t)
        u = t.utterances
        p.ensure_coder("ann")
        for i, code in ((1, "Denial"), (2, "Denial"), (3, "Minimal response"), (5, "Realism")):
            p.apply_code(t.name, code, "ann", u[i].start, u[i].end)
        p.ensure_coder("ben")
        for i, code in ((1, "Denial"), (3, "Realism"), (6, "Minimal response")):
            p.apply_code(t.name, code, "ben", u[i].start, u[i].end - 3)
        p.set_mode("reconciliation")
        for unit in ("utterance", "character"):
            together = disagreements_by_code(p, ["ann", "ben"], unit)
            assert set(together) == {"Denial", "Minimal response", "Realism"}
            for code, items in together.items():
                assert items == disagreements(p, ["ann", "ben"], code, unit)
            assert any(together.values())


def test_consensus_decisions_and_seeding_undo_and_redo_like_any_coders_actions(project):
    project.set_mode("reconciliation")
    u = project.transcript("s1").utterances
    coders = ["alice", "bob"]
    assert seed_consensus(project, coders) == 2
    first = disagreements(project, coders, "Rupture")[0]
    reconcile(project, "s1", "Rupture", first.start, first.end, "take", take="alice", coders=coders)
    reconcile(project, "s1", "Rupture", first.start, first.end, "neither", coders=coders)
    spans = lambda: sorted((k.code, k.start, k.end) for k in project.codings(coder="consensus"))  # noqa: E731
    seeded = [("Repair", u[3].start, u[3].end), ("Rupture", u[0].start, u[0].end)]
    assert spans() == seeded
    assert project.undo("consensus")["action"] == "reconcile.decide"  # "neither" taken back: "take" again
    assert spans() == sorted(seeded + [("Rupture", u[1].start, u[1].start + 9)])
    assert [d["decision"] for d in decisions(project).values()] == ["take"]
    project.undo("consensus")
    assert spans() == seeded and decisions(project) == {}
    assert project.undo("consensus")["action"] == "reconcile.seed"
    assert spans() == [] and project.undo("consensus") is None
    project.redo("consensus")
    project.redo("consensus")
    assert spans() == sorted(seeded + [("Rupture", u[1].start, u[1].start + 9)])
    assert disagreements(project, coders, "Rupture")[0].resolved
