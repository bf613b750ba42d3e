"""Reconciling by unit: each disputed utterance once, every coder's codes side by side, one
decision (and one undo) per unit. Real project files throughout."""

from __future__ import annotations

import pytest

from accord.agreement.by_unit import decide_unit, disputed_units, refresh, surrounding_turns
from accord.agreement.disagreements import disagreements
from accord.agreement.reconcile import CONSENSUS, seed_consensus, seed_pending
from accord.agreement.unit_table import AgreementError
from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project, ProjectError

CODEBOOK = """
name: Test book
codes:
  - name: Deference
  - name: Minimal response
  - name: Validation
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
    """At utterance 2 alice applied Deference and bob Minimal response, and both Validation;
    both applied Validation at utterance 4; utterance 5 is alice's Minimal response alone."""
    p = Project.create(tmp_path / "u.db")
    p.load_codebook(parse_codebook(CODEBOOK))
    t = transcript("s1")
    p.import_transcript(t)
    u = t.utterances
    rows = lambda spans: [{"transcript": "s1", "code": c, "start": u[i].start, "end": u[i].end} for c, i in spans]  # noqa: E731
    p.import_codings(rows([("Deference", 1), ("Validation", 1), ("Validation", 3), ("Minimal response", 4)]), "alice")
    p.import_codings(rows([("Minimal response", 1), ("Validation", 1), ("Validation", 3)]), "bob")
    p.set_mode("reconciliation")
    yield p
    p.close()


def consensus_at(p, start, end):
    return sorted(k.code for k in p.codings(coder=CONSENSUS) if k.start < end and k.end > start)


def test_a_unit_where_coders_used_different_codes_is_listed_once_with_each_coders_codes(project):
    units = disputed_units(project, ["alice", "bob"])
    assert [(x.utterance, x.speaker) for x in units] == [(2, "C"), (5, "T")]
    first = units[0]
    assert [d.code for d in first.disputed] == ["Deference", "Minimal response"]
    assert first.agreed == ["Validation"]
    assert first.codes_of("alice") == ["Validation", "Deference"]
    assert first.codes_of("bob") == ["Validation", "Minimal response"]
    assert first.coders_of("Deference") == ["alice"] and first.coders_of("Validation") == ["alice", "bob"]
    assert first.decision() == "undecided" and first.consensus == []


def test_blind_mode_refuses_to_show_units(project):
    project.set_mode("blind")
    with pytest.raises(ProjectError, match="blind mode"):
        disputed_units(project, ["alice", "bob"])


def test_taking_one_coders_codes_decides_every_disputed_code_of_the_unit_in_one_undoable_event(project):
    units = disputed_units(project, ["alice", "bob"])
    first = units[0]
    before = len(project.events())
    decide_unit(project, first, "take", take="bob")
    assert [e["action"] for e in project.events()[: len(project.events()) - before]] == ["reconcile.unit", "reconcile.seed", "coder.add"]
    assert consensus_at(project, first.start, first.end) == ["Minimal response", "Validation"]
    refresh(project, units)
    assert first.decision() == "bob's codes" and first.consensus == ["Minimal response", "Validation"]
    assert units[1].decision() == "undecided"
    # the per-code lists see the same decisions
    assert [d.decision for d in disagreements(project, ["alice", "bob"], "Deference")] == ["take"]
    event = project.undo(CONSENSUS)
    assert event["action"] == "reconcile.unit"
    assert consensus_at(project, first.start, first.end) == ["Validation"]  # the seeded agreement stays
    refresh(project, units)
    assert first.decision() == "undecided"


def test_both_neither_and_edit(project):
    first = disputed_units(project, ["alice", "bob"])[0]
    decide_unit(project, first, "both")
    assert consensus_at(project, first.start, first.end) == ["Deference", "Minimal response", "Validation"]
    decide_unit(project, first, "neither")  # replaces the earlier decision; agreed codes stay
    assert consensus_at(project, first.start, first.end) == ["Validation"]
    decide_unit(project, first, "edit", codes=["deference", "Repair"])  # Validation dropped, Repair added
    assert consensus_at(project, first.start, first.end) == ["Deference", "Repair"]
    repair = [k for k in project.codings(coder=CONSENSUS) if k.code == "Repair"]
    assert [(k.start, k.end) for k in repair] == [(first.start, first.end)]
    units = disputed_units(project, ["alice", "bob"])
    assert units[0].decision() == "edited"
    project.undo(CONSENSUS)
    assert consensus_at(project, first.start, first.end) == ["Validation"]


def test_bad_choices_are_refused_before_anything_is_written(project):
    first = disputed_units(project, ["alice", "bob"])[0]
    events = len(project.events())
    with pytest.raises(AgreementError, match="take which coder"):
        decide_unit(project, first, "take", take="carol")
    with pytest.raises(AgreementError, match="unknown choice"):
        decide_unit(project, first, "maybe")
    with pytest.raises(AgreementError, match="give the codes"):
        decide_unit(project, first, "edit")
    with pytest.raises(ProjectError, match="no code named"):
        decide_unit(project, first, "edit", codes=["Nonsense"])
    assert len(project.events()) == events and not project.has_coder(CONSENSUS)


def test_seeding_is_a_step_of_its_own_that_says_what_is_left(project):
    assert seed_pending(project, ["alice", "bob"]) == 2  # Validation at utterances 2 and 4
    assert seed_consensus(project, ["alice", "bob"]) == 2
    assert seed_pending(project, ["alice", "bob"]) == 0
    assert disputed_units(project, ["alice", "bob"])[0].consensus == ["Validation"]


def test_character_level_differences_in_one_utterance_are_one_unit(project):
    u = project.transcript("s1").utterances
    project.apply_code("s1", "Repair", "alice", u[2].start, u[2].start + 5)
    project.apply_code("s1", "Repair", "bob", u[2].start + 8, u[2].end)
    units = disputed_units(project, ["alice", "bob"], unit="character")
    third = next(x for x in units if x.utterance == 3)
    assert (third.start, third.end) == (u[2].start, u[2].end)
    assert [d.code for d in third.disputed] == ["Repair", "Repair"]  # two runs, shown as one unit


def test_surrounding_turns_give_the_turns_before_the_unit_and_after_it():
    t = transcript("s1")
    u = t.utterances
    turns = surrounding_turns(t, u[2].start, u[2].end, before=2, after=1)
    assert [(x.number, x.speaker, x.in_unit) for x in turns] == [(1, "T", False), (2, "C", False), (3, "T", True), (4, "C", False)]
    assert turns[2].text == "utterance 3 with a few words"
    assert [x.number for x in surrounding_turns(t, u[0].start, u[0].end)] == [1, 2]


def test_codes_here_in_the_coding_screen_name_whose_each_code_is_once_everyone_is_shown(project):
    from accord.coding_session import CodingSession

    project.set_mode("blind")
    own = CodingSession(project, "s1", "alice")
    assert own.codes_here(1) == ("Deference", "Validation")  # only her own: no names needed
    project.set_mode("reconciliation")
    everyone = CodingSession(project, "s1", "alice")
    assert everyone.codes_here(1) == ("Deference (alice)", "Minimal response (bob)", "Validation (alice, bob)")
