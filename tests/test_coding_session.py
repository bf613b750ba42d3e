"""What the coding screen leaves to `accord.coding`, tested without a terminal: selections
snapped to words and utterances, the walk through pending suggestions, and when a coder's
decisions retrain the suggestions. Real demo project (real SQLite, real spaCy for the
retrain, which runs in accord's real background process)."""

from __future__ import annotations

import shutil

import pytest

from accord.coding import CodingSession
from accord.coding import selection
from accord.coding.selection import adjusted_span
from accord.demo import build_demo
from accord.store import Project

NAME = "session04_withdrawal_repair"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("coding") / "demo.db"
    build_demo(path, suggestions=True)  # the codebook rules' suggestions, pending for every coder
    with Project.open(path) as project:
        project.ensure_coder("alice")
    return path


@pytest.fixture
def project(built, tmp_path):
    """A fresh copy of the demo project for each test, so decisions do not leak between them."""
    path = tmp_path / "demo.db"
    shutil.copy(built, path)
    with Project.open(path) as p:
        yield p


@pytest.fixture
def session(project):
    return CodingSession(project, NAME, "alice")


def test_the_old_import_path_still_gives_the_session():
    from accord.coding_session import CodingSession as Old

    assert Old is CodingSession


# --- selection ---------------------------------------------------------------------------------


def test_extending_by_word_takes_whole_words_and_shrinking_gives_them_back(session):
    text, u = session.transcript.text, session.utterances[0]
    words = text[u.start:u.end].split()
    span = selection.extension_base(u, None)
    assert span == (u.start, u.start), "nothing selected: grow from the utterance's start"
    span = selection.extend_word(text, *span, 1)
    assert text[slice(*span)] == words[0]
    span = selection.extend_word(text, *span, 1)
    assert text[slice(*span)] == f"{words[0]} {words[1]}"
    span = selection.extend_word(text, *span, -1)
    assert text[slice(*span)] == words[0]
    assert selection.extend_word(text, *span, -1) == span, "the first word is kept: never empty"


def test_extending_by_character_stays_inside_the_text_and_never_empties(session):
    text = session.transcript.text
    assert selection.extend_end(text, 10, 15, 1) == (10, 16)
    assert selection.extend_end(text, 10, 11, -5) == (10, 11)
    assert selection.extend_end(text, len(text) - 2, len(text), 3) == (len(text) - 2, len(text))


def test_moving_the_start_by_word_skips_the_space_and_keeps_a_character(session):
    text, u = session.transcript.text, session.utterances[0]
    words = text[u.start:u.end].split()
    start, end = selection.trim_start(text, u.start, u.end, 1)
    assert text[start:end].startswith(words[1]) and end == u.end
    assert selection.trim_start(text, start, end, -1) == (u.start, u.end)
    one_word = selection.extend_word(text, u.start, u.start, 1)
    start, end = selection.trim_start(text, *one_word, 1)
    assert (start, end) == (one_word[1] - 1, one_word[1]), "the start stops one character short of the end"


def test_extending_by_utterance_goes_to_utterance_ends_never_before_the_first(session):
    us = session.utterances
    span = (us[0].start, us[0].end)
    span = selection.extend_utterance(session, *span, 1)
    assert span == (us[0].start, us[1].end)
    span = selection.extend_utterance(session, *span, 1)
    assert span == (us[0].start, us[2].end)
    span = selection.extend_utterance(session, *span, -1)
    assert span == (us[0].start, us[1].end)
    assert selection.extend_utterance(session, us[0].start, us[0].end, -1) == (us[0].start, us[0].end)
    last = us[-1]
    assert selection.extend_utterance(session, last.start, last.end, 1) == (last.start, last.end)


def test_a_changed_selection_overlapping_a_suggestion_is_what_accepting_codes(session):
    sg = session.suggestions[0]
    assert adjusted_span(sg, sg.start, sg.end) == (None, None), "as suggested"
    assert adjusted_span(sg, sg.start, sg.end - 1) == (sg.start, sg.end - 1)
    u = session.utterances[session.utterance_index_at(sg.start)]
    assert adjusted_span(sg, u.start, u.end) == ((None, None) if (u.start, u.end) == (sg.start, sg.end)
                                                 else (u.start, u.end))
    assert adjusted_span(sg, sg.end, sg.end + 5) == (None, None), "elsewhere: the suggestion's own span"
    coding = session.accept(sg, *adjusted_span(sg, sg.start, sg.end - 1))
    assert (coding.start, coding.end) == (sg.start, sg.end - 1)


# --- the suggestion walk -------------------------------------------------------------------------


def test_the_walk_in_text_order_visits_each_place_with_pending_suggestions_once_and_back(session):
    walk, seen = session.walk, []
    sg = walk.step(0, 1)
    while sg is not None:
        seen.append(sg)
        walk.show(sg)
        sg = walk.step(sg.start, 1)
    # Every pending suggestion once, by start then id: two starting at one place are both
    # reached (the second used to be skipped).
    assert [s.id for s in seen] == [s.id for s in sorted(session.suggestions, key=lambda s: (s.start, s.id))]
    assert len({s.start for s in seen}) < len(seen), "two suggestions share a start (else this shows nothing)"
    assert walk.current is seen[-1] and walk.last is seen[-1]
    assert walk.step(0, -1) is seen[-2], "back from the one shown"
    assert not walk.goes_on_after(seen[-1], None) and walk.goes_on_after(seen[0], None)


def test_the_walk_uncertain_first_follows_the_review_order_and_restarts_on_switching(session):
    session.set_order("uncertain")
    walk = session.walk
    walk.restart()
    order = [s.id for s in session.ranked()]
    walked, sg = [], walk.step(0, 1)
    while sg is not None:
        walked.append(sg.id)
        walk.show(sg)
        sg = walk.step(0, 1)  # the selection does not matter in this order
    assert walked == order
    assert walked != [s.id for s in sorted(session.suggestions, key=lambda s: (s.start, s.id))], \
        "not text order (else this test shows nothing)"
    walk.restart()
    walk.show(None)
    assert walk.step(0, 1).id == order[0]


def test_what_ends_the_suggestion_being_decided_on(session):
    walk = session.walk
    sg = walk.step(0, 1)
    walk.show(sg)
    here = session.utterance_index_at(sg.start)
    assert not walk.left_behind(session.utterances[here])
    away = next(u for u in session.utterances if u.end <= sg.start or u.start >= sg.end)
    assert walk.left_behind(away)
    other = next(c.name for c in session.codebook.codes if c.codable and c.name != sg.code)
    elsewhere = session.apply(sg.code, away.start, away.end)
    assert not walk.settled_by(sg.code, elsewhere), "same code, another span"
    on_it = session.apply(other, sg.start, sg.end)
    assert not walk.settled_by(other, on_it), "another code on its span"
    coded = session.apply(sg.code, sg.start, sg.end)
    assert walk.settled_by(sg.code, coded) and sg.id not in {s.id for s in session.suggestions}
    session.reload()
    assert walk.still_proposed(sg) is None, "no longer pending after the reload"


def test_a_reload_keeps_the_suggestion_being_looked_at_when_still_proposed(session):
    walk = session.walk
    sg = walk.step(0, 1)
    walk.show(sg)
    session.reload()
    again = walk.still_proposed(sg)
    assert again is not None and again is not sg and (again.code, again.start, again.end) == (sg.code, sg.start, sg.end)
    assert walk.still_proposed(None) is None


# --- when decisions retrain the suggestions -----------------------------------------------------


def test_a_background_retrain_is_due_every_few_decisions_and_not_while_one_runs(session):
    schedule, us = session.retraining, session.utterances
    for i in range(3):
        session.apply("Minimal response", us[2 * i].start, us[2 * i].end)
        assert not schedule.count(1, every=4)
    assert schedule.since == 3 and not schedule.running
    session.apply("Minimal response", us[6].start, us[6].end)
    assert schedule.count(1, every=4) and schedule.running and schedule.quiet and schedule.since == 0
    assert not schedule.count(5, every=4) and schedule.since == 5, "one at a time; decisions still counted"
    assert not schedule.start(), "the coder's T while one runs: refused"
    schedule.finished()
    assert schedule.start() and not schedule.quiet and schedule.since == 0, "T: at once, announced"
    schedule.finished()
    assert not schedule.count(100, every=0), "0 turns automatic retraining off"


def test_a_long_history_retrains_every_quarter_of_its_decisions(session, project):
    for u in session.utterances[:39]:
        project.apply_code(NAME, "Minimal response", "alice", u.start, u.end)
    u = session.utterances[40]
    session.apply("Minimal response", u.start, u.end)  # the 40th: a quarter is 10
    schedule = session.retraining
    assert not schedule.count(1, every=4)
    due = [schedule.count(1, every=4) for _ in range(11)]
    # Due once the decisions since the last retrain reach a quarter of all of hers: 12 of 51
    # (at 11, a quarter of 50 is still 12), not every 4.
    assert due == [False] * 10 + [True] and schedule.since == 0


def test_the_retrain_and_own_model_jobs_run_in_the_background_process(project):
    session = CodingSession(project, NAME, "alice")
    assert not session.retraining.own_model_due(session.suggestions), "no model of her own yet"
    report, error = session.retrain_and_suggest()
    assert report is None and "nothing to train on" in error, error  # nothing decided: refused, said why
    for u in session.utterances[:30:2]:
        session.apply("Minimal response", u.start, u.end)
    report, error = session.retrain_and_suggest()
    assert error is None and report["utterances"] > 0
    own = project.own_pipeline_version("alice")
    session.reload()
    assert session.suggestions and {s.pipeline_version for s in session.suggestions} == {own}
    assert not session.retraining.own_model_due(session.suggestions), "already hers"
    elsewhere = CodingSession(project, "session02_fees_rupture", "alice")
    assert elsewhere.retraining.own_model_due(elsewhere.suggestions) and elsewhere.retraining.quiet
    assert not elsewhere.retraining.own_model_due(elsewhere.suggestions, every=0), "automatic retraining off"
    added, error = elsewhere.suggest_with_own_model()
    assert error is None and added > 0
    elsewhere.reload()
    assert {s.pipeline_version for s in elsewhere.suggestions} == {own}
