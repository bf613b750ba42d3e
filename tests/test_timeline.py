"""The timeline behind the Word figure and the coding screen's strip (`accord.sequences.timeline`),
on a real transcript with real codings."""

from pathlib import Path

import pytest

from accord.codebook import load_codebook
from accord.sequences.timeline import (CODED, EMPTY, JOINED, REPAIRED, RESOLVED, UNRESOLVED, column_of, describe,
                                       next_episode, session_timeline, strip_cells, timeline_rows)
from accord.store import Project
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]
NAME = "session04_withdrawal_repair"


@pytest.fixture
def timeline(tmp_path):
    with Project.create(tmp_path / "t.db") as p:
        p.load_codebook(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
        p.import_transcript(read_transcript(ROOT / "sample_transcripts" / f"{NAME}.txt"))
        p.add_coder("alice")
        p.add_coder("ben")
        u = p.transcript(NAME).utterances
        for code, i, coder in [("Denial", 9, "alice"), ("Minimal response", 11, "alice"), ("Meta-communication", 13, "alice"),
                               ("Coercion", 30, "alice"), ("Complaint about the work", 60, "alice"), ("Genuineness", 70, "alice"),
                               ("Denial", 20, "ben")]:
            p.apply_code(NAME, code, coder, u[i].start, u[i].end)
        return session_timeline(p.transcript(NAME), p.codings(), p.codebook(), "alice"), p.codebook()


def test_marks_and_rows(timeline):
    t, book = timeline
    assert t.utterances == 86 and not t.timed
    assert [(m.row, m.family, m.first) for m in t.marks] == [
        ("Withdrawal rupture", "rupture", 10), ("Withdrawal rupture", "rupture", 12), ("Repair", "repair", 14),
        ("Power dynamics", "other", 31), ("Confrontation rupture", "rupture", 61), ("Real relationship", "other", 71)]
    assert timeline_rows(book, [t]) == [("Withdrawal rupture", "rupture"), ("Confrontation rupture", "rupture"),
                                        ("Repair", "repair"), ("Power dynamics", "other"), ("Real relationship", "other")]
    assert [(e.rupture.first, e.repair.first if e.repair else None) for e in t.episodes] == [(10, 14), (12, 14), (61, None)]


def test_strip_cells_put_the_strongest_kind_in_each_cell(timeline):
    t, _ = timeline
    cells = strip_cells(t, 86)  # one cell per utterance
    assert [cells[n - 1] for n in (10, 11, 12, 13, 14, 31, 61, 71, 1)] == [
        RESOLVED, JOINED, RESOLVED, JOINED, REPAIRED, CODED, UNRESOLVED, CODED, EMPTY]
    narrow = strip_cells(t, 10)  # 8.6 utterances per cell: 10 and 12 share a cell with the join
    assert narrow[column_of(10, 86, 10)] == RESOLVED and narrow[column_of(61, 86, 10)] == UNRESOLVED
    assert len(narrow) == 10 and strip_cells(t, 0) == []
    assert [column_of(n, 86, 86) for n in (1, 86)] == [0, 85] and column_of(86, 86, 10) == 9


def test_next_and_previous_episode(timeline):
    t, _ = timeline
    assert next_episode(t.episodes, 1, 1).rupture.first == 10
    assert next_episode(t.episodes, 10, 1).rupture.first == 12
    assert next_episode(t.episodes, 61, 1) is None
    assert next_episode(t.episodes, 61, -1).rupture.first == 12
    assert next_episode(t.episodes, 10, -1) is None
    assert describe(t.episodes[0]) == "Denial at 10 → Meta-communication at 14 (latency 4)"
    assert describe(t.episodes[2], coder=True) == "alice: Complaint about the work at 61, not repaired"


def test_the_timeline_finds_the_same_episodes_as_find_episodes_and_its_cache_changes_nothing(tmp_path):
    from accord.demo import build_demo
    from accord.sequences import find_episodes

    path = tmp_path / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        book, cache = p.codebook(), {}
        for t in p.transcripts():
            transcript = p.transcript(t["name"])
            codings = p.codings(coder="reference", transcript=t["name"])
            for within in (0, 5):
                expected = find_episodes(transcript, codings, book, "reference", within)
                assert session_timeline(transcript, codings, book, "reference", within).episodes == expected
                assert session_timeline(transcript, codings, book, "reference", within, cache).episodes == expected
            fewer = codings[::2]  # after removals, from the same cache
            assert session_timeline(transcript, fewer, book, "reference", 5, cache).episodes == \
                find_episodes(transcript, fewer, book, "reference", 5)
        assert cache


def test_a_repairs_link_resolves_the_rupture_on_the_timeline_as_in_the_episodes(tmp_path):
    """The strip and the Word figure pair ruptures as `accord sequences` does: a link first."""
    from accord.sequences.episodes import project_episodes
    from accord.sequences.timeline import project_timelines

    with Project.create(tmp_path / "l.db") as p:
        p.load_codebook(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
        p.import_transcript(read_transcript(ROOT / "sample_transcripts" / f"{NAME}.txt"))
        p.add_coder("alice")
        u = p.transcript(NAME).utterances
        rupture = p.apply_code(NAME, "Denial", "alice", u[9].start, u[9].end)
        repair = p.apply_code(NAME, "Meta-communication", "alice", u[40].start, u[40].end)  # far past the window
        before = project_timelines(p, "alice")[NAME].episodes
        p.add_link(repair.id, rupture.id, "repairs", "alice")
        after = project_timelines(p, "alice")[NAME].episodes
        assert [e.resolved for e in before] == [False] and [e.resolved for e in after] == [True]
        assert after == project_episodes(p, "alice")[NAME] and after[0].repair.coding_id == repair.id
