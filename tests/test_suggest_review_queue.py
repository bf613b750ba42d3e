"""The recall-first review queue under the precision gate: with a codebook's `min_precision`,
the model's candidates between a code's recall-first threshold and its precise one are stored
as review-only suggestions ("probes"), asked in uncertain-first order only, so active learning
can still ask about codes no threshold makes precise. Real demo project, real spaCy, the CLI
through click's runner."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from accord.coding_session import CodingSession
from accord.demo import build_demo
from accord.store import Project
from accord.suggest import service
from accord.suggest.training import NEVER

from conftest import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo project, a shared model trained on the reference coding, its suggestions
    stored, and a second coder (alice) who has decided nothing yet."""
    path = tmp_path_factory.mktemp("review") / "demo.db"
    build_demo(path)
    trained = json.loads(run("train", "-p", path, "--json").output)
    suggested = json.loads(run("suggest", "-p", path, "--json").output)
    with Project.open(path) as project:
        project.ensure_coder("alice")
    return path, trained, suggested


def test_under_the_gate_each_code_also_gets_a_recall_first_review_threshold(demo):
    _, report, _ = demo
    gate, review = report["thresholds"], report["review_thresholds"]
    assert set(review) == set(gate)
    assert all(review[c] <= gate[c] + 1e-6 for c in gate)
    # Codes the gate leaves to the rules can still be asked about.
    never = [c for c, t in gate.items() if t >= NEVER - 1e-6]
    assert never and any(review[c] < 1 for c in never), (gate, review)


def test_without_min_precision_there_is_no_review_queue(demo, tmp_path):
    path = tmp_path / "mi-like.db"
    build_demo(path)
    with Project.open(path) as project:
        project.load_codebook(replace(project.codebook(), min_precision=None))
        pipeline, report = service.train(project)
        items = service.run_suggestions(project, [t["name"] for t in project.transcripts()], pipeline)
    assert report["review_thresholds"] == {}
    assert not any(i.source == "probe" for found in items.values() for i in found)


def test_review_only_candidates_are_stored_but_left_out_of_text_order_and_counts(demo):
    path, report, suggested = demo
    assert suggested["review_only"] and sum(suggested["review_only"].values()) > 0
    with Project.open(path) as project:
        shown = project.suggestions(coder="alice")
        every = project.suggestions(coder="alice", probes=True)
        sources = project.suggestion_sources([s.id for s in every])
        status = project.status()
    probes = [s for s in every if sources[s.id] == "probe"]
    assert probes and len(every) == len(shown) + len(probes)
    assert not any(sources[s.id] == "probe" for s in shown)
    assert status["suggestions"] == len(shown)  # alice has decided nothing: all shared ones are hers to see
    for s in probes:
        assert report["review_thresholds"][s.code] - 1e-3 <= s.score < report["thresholds"][s.code]
        assert "uncertain-first review only" in s.explanation


def test_accord_train_and_suggest_say_where_review_asks_and_how_many_it_asks_about(tmp_path):
    import re

    path = tmp_path / "demo.db"
    build_demo(path)
    trained = run("train", "-p", path).output
    assert re.search(r"^code .* review$", trained, re.M) and "asked in uncertain-first review" in trained
    out = run("suggest", "-p", path).output
    shown, new = map(int, re.search(r"^(\d+) suggestions in 6 transcript\(s\): (\d+) to decide", out, re.M).groups())
    asked = int(re.search(r"^(\d+) more asked in uncertain-first review only", out, re.M).group(1))
    assert shown == new and asked > 0  # a fresh project: every suggestion is new; review-only ones apart


def test_uncertain_first_lists_them_and_the_other_orders_do_not(demo):
    path, _, _ = demo
    with Project.open(path) as project:
        every = project.suggestions(coder="alice", probes=True)
        probe_ids = {i for i, s in project.suggestion_sources([s.id for s in every]).items() if s == "probe"}
    listed = {}
    for order in ("document", "likely", "uncertain"):
        rows = json.loads(run("suggestions", "-p", path, "--coder", "alice", "--order", order, "--limit", "10000",
                              "--json").output)
        listed[order] = {r["id"] for r in rows}
    assert not listed["document"] & probe_ids and not listed["likely"] & probe_ids
    assert probe_ids <= listed["uncertain"]
    assert listed["uncertain"] - probe_ids == listed["document"]


def test_the_coding_screen_walks_to_them_in_uncertain_order_only_and_never_accepts_them_in_bulk(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path)
    run("train", "-p", path)
    run("suggest", "-p", path)
    with Project.open(path) as project:
        project.ensure_coder("alice")
        every = project.suggestions(coder="alice", probes=True)
        sources = project.suggestion_sources([s.id for s in every])
        probe = next(s for s in every if sources[s.id] == "probe")
        session = CodingSession(project, probe.transcript, "alice")
        walked, s = [], session.next_suggestion(-1)
        while s is not None:
            walked.append(s.id)
            s = session.next_suggestion(s.start)
        assert probe.id not in walked and not session.is_probe(session.suggestions[0])
        session.set_order("uncertain")
        ranked = [s.id for s in session.ranked()]
        assert probe.id in ranked and session.is_probe(next(s for s in session.suggestions if s.id == probe.id))
        wanted = sum(1 for s in session.suggestions if s.code == probe.code and not session.is_probe(s))
        assert session.pending_count(probe.code) == wanted
        accepted = session.accept_all(probe.code)
        assert accepted == wanted
        assert probe.id in {s.id for s in project.suggestions(coder="alice", probes=True)}  # still pending
        coding = session.accept(next(s for s in session.suggestions if s.id == probe.id))
    assert coding.code == probe.code and (coding.start, coding.end) == (probe.start, probe.end)
