"""Rupture-repair episodes, their agreement, and lag-sequential statistics, on real project
files; the statistics against a published table and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table, Table2x2

from accord.codebook import load_codebook, parse_codebook
from accord.sequences import episode_agreement, event_sequences, lag_table, project_episodes, summarize, to_sdis
from accord.sequences.episodes import NoFamiliesError
from accord.store import Project
from accord.transcripts import read_transcript

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Twelve turns, ten seconds apart from 0:00.
LINES = [
    ("T", "How has the week been?"),            # 1
    ("C", "Fine. I guess."),                    # 2  withdrawal (Minimal response)
    ("T", "You said fine, but your voice dropped."),  # 3
    ("C", "Whatever. It doesn't matter."),      # 4
    ("T", "I wonder if I pushed too hard just now."),  # 5  repair (Meta-communication)
    ("C", "This is pointless, you never listen."),  # 6  confrontation (Complaint about the therapist)
    ("T", "Tell me more about the week."),      # 7
    ("C", "Work was busy."),                    # 8
    ("T", "Busy how?"),                         # 9
    ("C", "Just busy."),                        # 10
    ("T", "OK."),                               # 11
    ("C", "I suppose so."),                     # 12
]


def make_project(tmp_path, name="s1", lines=LINES, timed=True):
    path = tmp_path / f"{name}.txt"
    path.write_text("".join((f"[00:{10 * i // 60:02d}:{10 * i % 60:02d}] " if timed else "") + f"{who}: {said}\n"
                            for i, (who, said) in enumerate(lines)), encoding="utf-8")
    project = Project.create(tmp_path / "p.db") if not (tmp_path / "p.db").exists() else Project.open(tmp_path / "p.db")
    if project.codebook() is None:
        project.load_codebook(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
    project.import_transcript(read_transcript(path))
    return project


def code(project, transcript, number, code_name, coder):
    u = project.transcript(transcript).utterances[number - 1]
    project.ensure_coder(coder)
    return project.apply_code(transcript, code_name, coder, u.start, u.end)


@pytest.fixture
def project(tmp_path):
    p = make_project(tmp_path)
    code(p, "s1", 2, "Minimal response", "alice")
    code(p, "s1", 5, "Meta-communication", "alice")
    code(p, "s1", 6, "Complaint about the therapist", "alice")
    code(p, "s1", 12, "Minimal response", "alice")  # nothing after it: unresolved
    yield p
    p.close()


def test_an_episode_has_marker_type_who_ruptured_who_repaired_and_latency(project):
    eps = project_episodes(project, "alice")["s1"]
    first = eps[0]
    assert (first.rupture.code, first.rupture.marker, first.rupture.first) == ("Minimal response", "Withdrawal rupture", 2)
    assert (first.rupture.speaker, first.rupture.role) == ("C", "client")
    assert (first.repair.code, first.repair.first, first.repair.speaker, first.repair.role) == \
        ("Meta-communication", 5, "T", "therapist")
    assert first.latency_utterances == 3 and first.latency_seconds == 30.0  # 0:10 -> 0:40
    # The confrontation at 6 comes after the only repair: unresolved, and so is the last one.
    assert [(e.rupture.marker, e.resolved) for e in eps] == [
        ("Withdrawal rupture", True), ("Confrontation rupture", False), ("Withdrawal rupture", False)]
    assert eps[1].latency_utterances is None and eps[1].latency_seconds is None


def test_the_window_decides_whether_a_repair_resolves(project):
    code(project, "s1", 11, "Repair", "alice")  # 5 turns after 6, 1 after... nothing before 12
    eps = project_episodes(project, "alice", within=5)["s1"]
    assert eps[1].repair.first == 11 and eps[1].latency_utterances == 5  # exactly at the edge
    assert not project_episodes(project, "alice", within=4)["s1"][1].resolved
    assert project_episodes(project, "alice", within=0)["s1"][0].repair is None


def test_another_coders_repair_never_resolves_and_a_repair_before_the_rupture_does_not_count(project):
    code(project, "s1", 7, "Repair", "bob")
    code(project, "s1", 1, "Repair", "alice")
    eps = project_episodes(project, "alice")["s1"]
    assert not eps[1].resolved and eps[0].repair.first == 5


def test_a_repair_in_the_same_turn_after_the_rupture_has_latency_zero(tmp_path):
    p = make_project(tmp_path)
    u = p.transcript("s1").utterances[3]  # "Whatever. It doesn't matter."
    p.ensure_coder("alice")
    p.apply_code("s1", "Minimal response", "alice", u.start, u.start + 9)
    p.apply_code("s1", "Repair", "alice", u.start + 10, u.end)
    (e,) = project_episodes(p, "alice")["s1"]
    assert e.latency_utterances == 0 and e.latency_seconds == 0.0 and e.repair.role == "client"


def test_without_timestamps_latency_in_seconds_is_none(tmp_path):
    p = make_project(tmp_path, timed=False)
    code(p, "s1", 2, "Denial", "alice")
    code(p, "s1", 3, "Repair", "alice")
    (e,) = project_episodes(p, "alice")["s1"]
    assert e.latency_utterances == 1 and e.latency_seconds is None
    assert summarize([e])["latency_seconds"] is None


def test_summary_counts_types_share_latency_quartiles_and_repairs_once_by_role(tmp_path):
    p = make_project(tmp_path)
    for n, c in [(2, "Minimal response"), (4, "Denial"), (6, "Defending self"), (8, "Topic shift"), (12, "Denial")]:
        code(p, "s1", n, c, "alice")
    code(p, "s1", 5, "Meta-communication", "alice")  # resolves 2 (3 turns) and 4 (1 turn)
    code(p, "s1", 9, "Repair", "alice")  # resolves 6 (3 turns) and 8 (1 turn)
    s = summarize(project_episodes(p, "alice")["s1"])
    assert (s["ruptures"], s["resolved"], s["unresolved"], s["share_resolved"]) == (5, 4, 1, 0.8)
    assert s["by_type"] == {"Confrontation rupture": {"ruptures": 1, "resolved": 1},
                            "Withdrawal rupture": {"ruptures": 4, "resolved": 3}}
    lat = [3, 1, 3, 1]
    q1, med, q3 = np.percentile(lat, [25, 50, 75])  # numpy's default (linear) = statistics' inclusive
    assert s["latency_utterances"] == {"n": 4, "median": med, "q1": q1, "q3": q3, "iqr": q3 - q1}
    assert s["latency_seconds"]["median"] == 20.0
    assert s["repairs"] == 2 and s["repairs_by_role"] == {"therapist": 2}
    assert summarize([])["share_resolved"] is None and summarize([])["latency_utterances"] is None


def test_episode_agreement_matches_overlapping_ruptures_one_to_one(project):
    code(project, "s1", 2, "Denial", "bob")  # same turn as alice's withdrawal: matched
    u = project.transcript("s1").utterances[5]
    project.apply_code("s1", "Defending self", "bob", u.start, u.start + 5)  # overlaps alice's 6: matched
    project.apply_code("s1", "Defending self", "bob", u.start + 6, u.end)  # second one on 6: only bob
    code(project, "s1", 10, "Minimal response", "bob")  # only bob
    g = episode_agreement(project_episodes(project, "alice"), project_episodes(project, "bob"))
    assert (g["matched"], g["only_a"], g["only_b"]) == (2, 1, 2)  # alice's 12 is hers alone
    assert g["agreement"] == pytest.approx(2 / 5)
    assert g["same_type"] == 2  # Denial and Minimal response are both withdrawal
    assert g["same_resolution"] == 1  # alice's 2 resolved at 5; bob has no repair
    assert episode_agreement({}, {})["agreement"] is None


def test_a_codebook_without_families_is_a_clear_error(tmp_path):
    p = Project.create(tmp_path / "p.db")
    p.load_codebook(parse_codebook("codes:\n  - name: Rupture\n  - name: Repair\n"))
    p.ensure_coder("alice")
    with pytest.raises(NoFamiliesError, match="family: rupture"):
        project_episodes(p, "alice")


def test_episodes_on_the_demo_project(tmp_path):
    from accord.demo import build_demo

    build_demo(tmp_path / "demo.db")
    with Project.open(tmp_path / "demo.db") as p:
        found = project_episodes(p, "reference")
    every = [e for es in found.values() for e in es]
    s = summarize(every)
    assert s["ruptures"] == 72 and s["resolved"] == 32
    ending = summarize(found["session06_ending"])
    assert ending["share_resolved"] == 1.0  # the ending session repairs every rupture
    assert all(e.rupture.first < e.repair.first for e in every if e.resolved)
    assert all(e.latency_utterances <= 5 for e in every if e.resolved)


# ---------------------------------------------------------------- lag-sequential statistics

# Bakeman & Quera (2011), Sequential Analysis and Observational Methods for the Behavioral
# Sciences, p. 159: a sequence of 75 events coded Chat(1), Write(2), Read(3), Ask(4),
# Attentive(5), as transcribed in the example of the `sequential` function of the R package
# LagSequential (Draper & O'Connor, CRAN 0.1.1, man/sequential.Rd).
BQ2011_P159 = [int(c) for c in (
    "2143343421445413453221412"
    "5212331441413331521131412"
    "3345523352544231553221333")]

# A published table of adjusted residuals: the `tabchi ..., adj` output of Nick Cox's Stata
# package tab_chi for `sysuse auto` (car type by 1978 repair record), as printed in its
# documentation: counts, expected frequencies and adjusted residuals to three decimals.
AUTO_COUNTS = [[2, 8, 27, 9, 2], [0, 0, 3, 9, 9]]
AUTO_EXPECTED = [1.391, 5.565, 20.870, 12.522, 7.652]  # Domestic row
AUTO_ADJUSTED = [0.949, 1.990, 3.236, -2.098, -4.040]  # Domestic row (Foreign is its negative)


def test_adjusted_residuals_match_a_published_table():
    from accord.sequences.lag import LagTable

    # A 2x5 table is not square; pad it with empty rows and columns, which change nothing.
    counts = np.zeros((5, 5), dtype=int)
    counts[:2, :] = AUTO_COUNTS
    t = LagTable(1, list("abcde"), counts)
    assert np.round(t.expected[0], 3).tolist() == AUTO_EXPECTED
    assert np.round(t.adjusted_residuals[0], 3).tolist() == AUTO_ADJUSTED
    assert np.round(t.adjusted_residuals[1], 3).tolist() == [-v for v in AUTO_ADJUSTED]
    assert np.isnan(t.adjusted_residuals[2]).all()  # an empty row has no residual, not 0


def test_lag_tables_agree_with_statsmodels_on_bakeman_and_queras_sequence():
    assert len(BQ2011_P159) == 75
    for lag in (1, 2, 3):
        t = lag_table([[str(c) for c in BQ2011_P159]], lag)
        assert t.categories == ["1", "2", "3", "4", "5"] and t.total == 75 - lag
        # The tally, by hand: count pairs lag apart.
        for g in range(1, 6):
            for h in range(1, 6):
                assert t.counts[g - 1, h - 1] == sum(1 for a, b in zip(BQ2011_P159, BQ2011_P159[lag:]) if (a, b) == (g, h))
        table = Table(t.counts, shift_zeros=False)  # statsmodels adds 0.5 to empty cells by default
        assert np.allclose(t.adjusted_residuals, table.standardized_resids)
        assert np.allclose(t.expected, table.fittedvalues)
        assert np.allclose(t.probabilities, t.counts / t.counts.sum(axis=1, keepdims=True))
        # Yule's Q from each cell's 2x2 collapse, via statsmodels' odds ratio: Q = (OR - 1) / (OR + 1).
        for i in range(5):
            for j in range(5):
                a = t.counts[i, j]
                b, c = t.counts[i].sum() - a, t.counts[:, j].sum() - a
                d = t.total - a - b - c
                if a * d + b * c == 0:
                    assert np.isnan(t.yules_q[i, j])
                    continue
                if b * c == 0 or a * d == 0:
                    assert t.yules_q[i, j] == (1.0 if b * c == 0 else -1.0)
                    continue
                odds = Table2x2(np.array([[a, b], [c, d]])).oddsratio
                assert t.yules_q[i, j] == pytest.approx((odds - 1) / (odds + 1))


def test_lag_pairs_never_cross_sessions_and_several_codes_count_in_each_row():
    t = lag_table([["a", "b"], ["b", ("a", "b")]], 1)
    assert t.counts.tolist() == [[0, 1], [1, 1]]  # a->b in the first; b->a and b->b in the second
    with pytest.raises(ValueError):
        lag_table([["a"]], 0)
    empty = lag_table([["a"]], 1)
    assert empty.total == 0 and np.isnan(empty.adjusted_residuals).all()


def test_event_sequences_use_marker_types_roots_roles_and_uncoded(project):
    seqs = event_sequences(project, "alice")["s1"]
    assert seqs[:6] == [("uncoded",), ("Withdrawal rupture",), ("uncoded",), ("uncoded",), ("Repair",),
                        ("Confrontation rupture",)]
    by_role = event_sequences(project, "alice", by_role=True)["s1"]
    assert by_role[1] == ("client:Withdrawal rupture",) and by_role[4] == ("therapist:Repair",)
    assert len(event_sequences(project, "alice")["s1"]) == 12
    t = lag_table([seqs], 1)
    i, j = t.categories.index("Withdrawal rupture"), t.categories.index("uncoded")
    assert t.counts[i].sum() == 1 and t.probabilities[i, j] == 1.0  # 2 -> 3; 12 ends the session, no pair


def test_sdis_declares_codes_ends_sessions_with_a_slash_and_counts_several_categories():
    text, legend, several = to_sdis({"s1": [("Withdrawal rupture",), ("uncoded",), ("Repair", "Withdrawal rupture")],
                                     "s2": [("client:Repair",)]},
                                    ["Withdrawal rupture", "Repair", "client:Repair", "uncoded"])
    assert legend == {"Withdrawal rupture": "WithdrawalRupture", "Repair": "Repair", "client:Repair": "ClientRepair",
                      "uncoded": "Uncoded"}
    assert text.splitlines() == ["Event (WithdrawalRupture Repair ClientRepair Uncoded);",
                                 "WithdrawalRupture Uncoded WithdrawalRupture /", "ClientRepair /"]
    assert several == 1
