"""Units from spans, pattern-based alpha and Fleiss' kappa, and the agreement report on real
SQLite projects, checked against scikit-learn, statsmodels and the `krippendorff` package on
the very same units."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from accord.agreement import patterns as pat
from accord.agreement.coefficients import bootstrap_alpha, fleiss_kappa, krippendorff_alpha, unitized_alpha
from accord.agreement.report import AgreementError, _set_values, agreement_report
from accord.agreement.units import coded_units, unit_bounds
from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project, ProjectError

CODEBOOK = """
name: Test book
codes:
  - name: Rupture
  - name: Withdrawal
    parent: Rupture
  - name: Repair
  - name: Unused
"""


def make_transcript(name: str, n: int) -> Transcript:
    """`T: ...` / `C: ...` lines; utterance i is `[starts[i], ends[i])` without the label."""
    lines, utterances, pos = [], [], 0
    for i in range(n):
        speaker = "T" if i % 2 == 0 else "C"
        line = f"{speaker}: This is utterance {i + 1}. It has two sentences!"
        utterances.append(Utterance(i + 1, speaker, pos + 3, pos + len(line)))
        lines.append(line)
        pos += len(line) + 1
    return Transcript(name, "\n".join(lines) + "\n", utterances, "text")


def build(path, codings: dict[str, list[tuple[str, str, int, int | None]]], transcripts=(("s1", 12), ("s2", 8))):
    """A project; codings are (transcript, code, utterance number, None) for a whole utterance
    or (transcript, code, start, end) offsets."""
    project = Project.create(path)
    project.load_codebook(parse_codebook(CODEBOOK))
    ts = {}
    for name, n in transcripts:
        ts[name] = make_transcript(name, n)
        project.import_transcript(ts[name])
    for coder, rows in codings.items():
        out = []
        for t, code, a, b in rows:
            if b is None:
                u = ts[t].utterances[a - 1]
                a, b = u.start, u.end
            out.append({"transcript": t, "code": code, "start": a, "end": b})
        project.import_codings(out, coder)
    return project


def utterance_labels(project, coder, code, transcripts=("s1", "s2")):
    """Independent oracle: 0/1 per utterance straight from the codings, by the overlap rule."""
    out = []
    for name in transcripts:
        spans = [(k.start, k.end) for k in project.codings(transcript=name, coder=coder, code=code)]
        for u in project.transcript(name).utterances:
            out.append(int(any(s < u.end and e > u.start for s, e in spans)))
    return out


@pytest.fixture
def two(tmp_path):
    rng = np.random.default_rng(3)
    codings = {"alice": [], "bob": []}
    for t, n in (("s1", 12), ("s2", 8)):
        for u in range(1, n + 1):
            for code in ("Rupture", "Withdrawal", "Repair"):
                a = rng.random() < 0.35
                b = a if rng.random() < 0.8 else not a
                if a:
                    codings["alice"].append((t, code, u, None))
                if b:
                    codings["bob"].append((t, code, u, None))
    project = build(tmp_path / "two.db", codings)
    yield project
    project.close()


# --- units ------------------------------------------------------------------------------------


def test_overlap_rule_and_half_open_offsets():
    starts, ends = np.array([0, 10, 20]), np.array([10, 20, 30])
    cases = [
        ((9, 10), [True, False, False]),  # last character of unit 0 only
        ((10, 11), [False, True, False]),  # touching unit 0's end is not overlapping it
        ((5, 25), [True, True, True]),
        ((30, 40), [False, False, False]),
        ((19, 21), [False, True, True]),
    ]
    for span, want in cases:
        assert coded_units(starts, ends, [span]).tolist() == want
        s, e = span
        assert want == [bool(s < b and e > a) for a, b in zip(starts, ends)]
    assert coded_units(starts, ends, []).tolist() == [False] * 3
    assert coded_units(starts, ends, np.array([[0, 1], [25, 26]])).tolist() == [True, False, True]


def test_coded_units_equals_the_overlap_rule_on_random_units():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(1, 40))
        starts = np.sort(rng.choice(400, n, replace=False))
        ends = np.minimum(starts + rng.integers(1, 6, n), np.append(starts[1:], 10**6))
        spans = [(int(a), int(a + rng.integers(1, 40))) for a in rng.integers(0, 420, rng.integers(0, 9))]
        want = [any(b < e and t > s for b, t in spans) for s, e in zip(starts, ends)]
        assert coded_units(starts, ends, spans).tolist() == want


def test_unit_levels_cover_only_spoken_text():
    t = make_transcript("s", 3)
    s, e = unit_bounds(t, "utterance")
    assert [(a, b) for a, b in zip(s, e)] == [(u.start, u.end) for u in t.utterances]
    s, e = unit_bounds(t, "character")
    assert len(s) == sum(u.end - u.start for u in t.utterances)
    assert "T" not in {t.text[i] for i in s if t.text[i : i + 2] == "T:"}  # labels are not units
    assert (e - s == 1).all()
    s, e = unit_bounds(t, "sentence")
    assert [t.text[a:b] for a, b in zip(s, e)][:2] == ["This is utterance 1.", "It has two sentences!"]
    with pytest.raises(ValueError, match="unknown unit"):
        unit_bounds(t, "word")


# --- patterns against the coefficients and independent packages ---------------------------------


def random_values(rng, m, n, k, missing=0.0):
    truth = rng.integers(0, k, n)
    values = np.where(rng.random((m, n)) < 0.7, truth, rng.integers(0, k, (m, n)))
    return np.where(rng.random((m, n)) < missing, -1, values)


@pytest.mark.parametrize("seed", range(8))
def test_pattern_alpha_fleiss_agreement_match(seed):
    rng = np.random.default_rng(seed)
    m, n, k = int(rng.integers(2, 6)), int(rng.integers(5, 200)), int(rng.integers(2, 6))
    values = random_values(rng, m, n, k, missing=0.15 if seed % 2 else 0.0)
    p = pat.unit_patterns(values, k)
    assert pat.units(p) == n
    data = np.where(values < 0, np.nan, values).astype(float)
    assert pat.alpha(p) == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert pat.alpha(p) == pytest.approx(krippendorff_alpha(data))
    if not seed % 2:
        counts = aggregate_raters(values.T, n_cat=k)[0]
        assert pat.fleiss(p) == pytest.approx(sm_fleiss(counts))
        assert pat.fleiss(p) == pytest.approx(fleiss_kappa(counts))
        pairs = [(values[i] == values[j]).mean() for i in range(m) for j in range(i + 1, m)]
        assert pat.mean_pairwise_agreement(p) == pytest.approx(np.mean(pairs))
    b = pat.binary_patterns(values == 0)
    assert pat.alpha(b) == pytest.approx(krippendorff_alpha((values == 0).astype(int)))


def test_two_coder_agreement_and_code_sets():
    rng = np.random.default_rng(2)
    a = rng.integers(0, 300, 2000)
    b = np.where(rng.random(2000) < 0.5, a, rng.integers(0, 300, 2000))
    agree, kappa = pat.two_coder_agreement(a, b, 300)
    assert kappa == pytest.approx(cohen_kappa_score(a, b)) and agree == pytest.approx(np.mean(a == b))
    for n_codes in (5, 70):  # up to 62 codes the set is a bit mask; beyond, packed bytes
        applied = rng.random((n_codes, 3, 400)) < (2.0 / n_codes)
        values, k = _set_values(applied)
        sets = [[frozenset(np.nonzero(applied[:, c, u])[0]) for u in range(400)] for c in range(3)]
        number = {}
        for c in range(3):
            for u in range(400):
                assert number.setdefault(sets[c][u], values[c, u]) == values[c, u]
                assert (values[c, u] == 0) == (not sets[c][u])
        assert len(number) <= k and len(set(number.values())) == len(number)


def test_pattern_undefined_cases_are_none():
    same = np.zeros((3, 10), dtype=int)
    p = pat.unit_patterns(same, 2)
    assert pat.alpha(p) is None and pat.fleiss(p) is None
    assert pat.mean_pairwise_agreement(p) == 1.0
    assert pat.bootstrap(p).low is None
    empty = pat.unit_patterns(np.full((2, 4), -1), 2)
    assert pat.alpha(empty) is None and pat.mean_pairwise_agreement(empty) is None


@pytest.mark.parametrize("k, n_units", [(3, 150), (40, 170), (6, 1500)])  # each way of drawing resamples
def test_pattern_bootstrap_has_the_distribution_of_the_unit_bootstrap(k, n_units):
    rng = np.random.default_rng(11)
    values = random_values(rng, 3, n_units, k)
    fast = pat.bootstrap(pat.unit_patterns(values, k), n=3000, seed=1)
    slow = bootstrap_alpha(values, n=3000, seed=2)
    assert fast.alpha == pytest.approx(slow.alpha) and fast.n_defined == slow.n_defined == 3000
    assert fast.low == pytest.approx(slow.low, abs=0.02)
    assert fast.high == pytest.approx(slow.high, abs=0.02)
    assert fast.mean == pytest.approx(slow.mean, abs=0.01)
    assert pat.bootstrap(pat.unit_patterns(values, k), n=3000, seed=1) == fast  # deterministic for a seed


# --- the report ---------------------------------------------------------------------------------


def test_two_coder_report_matches_independent_libraries(two):
    report = agreement_report(two, ["alice", "bob"])
    assert report.units == 20 and report.kappa == "Cohen's kappa"
    assert report.codes == ["Rupture", "Withdrawal", "Repair"]  # codebook order; Unused left out
    for code in report.codes:
        a, b = utterance_labels(two, "alice", code), utterance_labels(two, "bob", code)
        row = report.code(code)
        assert row.use == {"alice": sum(a), "bob": sum(b)}
        assert row.all_units.kappa == pytest.approx(cohen_kappa_score(a, b))
        assert row.all_units.percent_agreement == pytest.approx(np.mean(np.equal(a, b)))
        assert row.all_units.alpha == pytest.approx(krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"))
        keep = [i for i in range(20) if a[i] or b[i]]
        assert row.coded_units.units == len(keep)
        ka, kb = [a[i] for i in keep], [b[i] for i in keep]
        assert row.coded_units.percent_agreement == pytest.approx(np.mean(np.equal(ka, kb)))
        i = row.all_units.alpha_interval
        assert i.low <= row.all_units.alpha <= i.high and i.resamples == 1000
    # overall: each unit's value is the set of codes applied
    sets = {c: [] for c in ("alice", "bob")}
    for c in sets:
        per_code = [utterance_labels(two, c, code) for code in report.codes]
        sets[c] = ["+".join(code for code, lab in zip(report.codes, col) if lab) for col in zip(*per_code)]
    o = report.overall
    assert o.all_units.kappa == pytest.approx(cohen_kappa_score(sets["alice"], sets["bob"]))
    ids = {s: i for i, s in enumerate(sorted(set(sets["alice"] + sets["bob"])))}
    data = [[ids[s] for s in sets[c]] for c in ("alice", "bob")]
    assert o.all_units.alpha == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert o.multi_coded_units > 0 and o.categories == len(ids)
    json.dumps(report.to_dict())  # plain JSON


def test_report_states_unit_and_formulas(two):
    report = agreement_report(two, ["alice", "bob"])
    for words in ("utterance", "Cohen's kappa", "Krippendorff's alpha", "bootstrap", "1995/2004", "overlapped"):
        assert words in report.method
    chars = agreement_report(two, ["alice", "bob"], unit="character")
    assert chars.bootstrap is None
    assert chars.code("Repair").all_units.alpha_interval is None
    assert any("not independent" in n for n in chars.notes) and "not independent" in chars.method


def test_character_level_with_and_without_uncoded_text(tmp_path):
    t = make_transcript("s1", 4)
    u = t.utterances
    project = build(
        tmp_path / "c.db",
        {"alice": [("s1", "Repair", u[0].start, u[0].start + 10)], "bob": [("s1", "Repair", u[0].start + 5, u[0].start + 15)]},
        transcripts=(("s1", 4),),
    )
    report = agreement_report(project, ["alice", "bob"], unit="character", codes=["Repair"])
    n = sum(x.end - x.start for x in u)
    row = report.code("Repair")
    a = np.zeros(n, int)
    b = np.zeros(n, int)
    a[0:10] = 1
    b[5:15] = 1
    assert row.all_units.units == n and row.coded_units.units == 15
    assert row.all_units.kappa == pytest.approx(cohen_kappa_score(a, b))
    assert row.coded_units.percent_agreement == pytest.approx(5 / 15)
    assert row.all_units.percent_agreement > 0.9  # uncoded text swamps the figure
    spans = [[(u[0].start, u[0].start + 10, "Repair")], [(u[0].start + 5, u[0].start + 15, "Repair")]]
    assert row.unitized_alpha == pytest.approx(unitized_alpha(spans, len(t.text), category="Repair"))
    project.close()


def test_undefined_is_none_and_never_using_a_code_is_zero(tmp_path):
    project = build(
        tmp_path / "u.db",
        {
            "alice": [("s1", "Repair", 1, None), ("s1", "Rupture", 2, None)],
            "bob": [("s1", "Repair", 1, None)],
        },
        transcripts=(("s1", 6),),
    )
    report = agreement_report(project, ["alice", "bob"], codes=["Repair", "Rupture", "Unused"])
    assert report.code("Repair").all_units.kappa == 1.0
    assert report.code("Repair").coded_units.kappa is None  # one category only: not computable
    assert report.code("Rupture").all_units.kappa == 0.0  # bob never used it
    unused = report.code("Unused")
    assert unused.all_units.kappa is None and unused.all_units.alpha is None
    assert unused.all_units.percent_agreement == 1.0 and unused.coded_units.units == 0
    assert unused.unitized_alpha is None
    project.close()


def test_three_coders_fleiss_pairwise_and_per_transcript(tmp_path):
    rng = np.random.default_rng(5)
    codings = {c: [] for c in ("a", "b", "c")}
    for t, n in (("s1", 12), ("s2", 8)):
        for u in range(1, n + 1):
            truth = rng.integers(0, 3)
            for c in codings:
                v = truth if rng.random() < 0.75 else rng.integers(0, 3)
                codings[c].append((t, ["Rupture", "Repair", "Withdrawal"][v], u, None))
    project = build(tmp_path / "three.db", codings)
    report = agreement_report(project, ["a", "b", "c"], per_transcript=True)
    assert report.kappa == "Fleiss' kappa" and "Fleiss" in report.method
    labels = np.array([[["Rupture", "Repair", "Withdrawal"].index(k.code) for k in project.codings(coder=c)] for c in "abc"])
    counts = aggregate_raters(labels.T, n_cat=3)[0]
    assert report.overall.all_units.kappa == pytest.approx(sm_fleiss(counts))
    assert report.overall.all_units.alpha == pytest.approx(krippendorff.alpha(reliability_data=labels, level_of_measurement="nominal"))
    m = report.matrix()
    assert m[0][1] == pytest.approx(cohen_kappa_score(labels[0], labels[1])) and m[0][0] is None
    assert m[2][1] == m[1][2] == pytest.approx(cohen_kappa_score(labels[1], labels[2]))
    binary = (labels == 1).astype(int)
    row = report.code("Repair")
    assert row.all_units.kappa == pytest.approx(sm_fleiss(aggregate_raters(binary.T, n_cat=2)[0]))
    assert len(row.pairwise) == 3
    assert [t.transcript for t in report.by_transcript] == ["s1", "s2"]
    s2 = report.by_transcript[1]
    assert s2.units == 8
    assert s2.overall.all_units.kappa == pytest.approx(sm_fleiss(aggregate_raters(labels[:, 12:].T, n_cat=3)[0]))
    project.close()


def test_default_transcripts_are_those_every_coder_coded(tmp_path):
    project = build(
        tmp_path / "d.db",
        {"alice": [("s1", "Repair", 1, None), ("s2", "Repair", 1, None)], "bob": [("s1", "Repair", 2, None)]},
    )
    report = agreement_report(project, ["alice", "bob"])
    assert report.transcripts == ["s1"] and report.units == 12
    assert any("s2" in n for n in report.notes)
    chosen = agreement_report(project, ["alice", "bob"], transcripts=["s1", "s2"])
    assert chosen.units == 20 and any("bob has neither coded nor read s2" in n for n in chosen.notes)
    project.close()


def _read_and_coded_nothing(tmp_path, read_upto):
    """alice codes s1 and s2; bob codes s1 only and reviews s2 up to utterance `read_upto` (of 8)."""
    project = build(
        tmp_path / "r.db",
        {"alice": [("s1", "Repair", 1, None), ("s1", "Rupture", 4, None), ("s2", "Repair", 2, None),
                   ("s2", "Withdrawal", 5, None)],
         "bob": [("s1", "Repair", 1, None), ("s1", "Repair", 6, None), ("s1", "Withdrawal", 4, None)]},
    )
    project.save_reviewed("s2", "bob", set(range(1, read_upto + 1)))
    return project


def test_a_coder_who_read_a_transcript_and_coded_nothing_there_counts(tmp_path):
    project = _read_and_coded_nothing(tmp_path, read_upto=8)
    report = agreement_report(project, ["alice", "bob"])
    named = agreement_report(project, ["alice", "bob"], transcripts=["s1", "s2"])
    assert report.transcripts == ["s1", "s2"] and report.units == 20
    assert not any("left out, not coded or read" in n for n in report.notes)
    # the same figure as naming both transcripts, and as an independent computation
    sets = {}
    for c in ("alice", "bob"):
        per_code = [utterance_labels(project, c, code) for code in report.codes]
        sets[c] = ["+".join(code for code, lab in zip(report.codes, col) if lab) for col in zip(*per_code)]
    assert report.overall.all_units.kappa == pytest.approx(named.overall.all_units.kappa)
    assert report.overall.all_units.kappa == pytest.approx(cohen_kappa_score(sets["alice"], sets["bob"]))
    assert not any("neither coded nor read" in n for n in named.notes)  # bob read s2: nothing to warn about
    project.close()


def test_a_transcript_a_coder_neither_coded_nor_read_is_left_out_and_the_note_says_why(tmp_path):
    project = _read_and_coded_nothing(tmp_path, read_upto=7)  # the last utterance never reached
    report = agreement_report(project, ["alice", "bob"])
    assert report.transcripts == ["s1"] and report.units == 12
    note = next(n for n in report.notes if n.startswith("left out"))
    assert "not coded or read by bob: s2 (7 of 8 utterances reviewed)" in note and "--transcripts" in note
    assert "alice" not in note.split(".")[0]
    project.close()


def test_disagreements_and_reconcile_include_a_transcript_read_and_left_uncoded(tmp_path):
    from accord.agreement.by_unit import disputed_units
    from accord.agreement.reconcile import seed_consensus

    project = _read_and_coded_nothing(tmp_path, read_upto=8)
    project.set_mode("reconciliation")
    where = {(x.transcript, x.utterance) for x in disputed_units(project, ["alice", "bob"])}
    assert {("s2", 2), ("s2", 5)} <= where  # alice's codings there against bob's "nothing"
    seed_consensus(project, ["alice", "bob"])
    assert not project.codings(transcript="s2", coder="consensus")  # nothing agreed there
    project.close()


def test_bad_requests_are_clear(two):
    with pytest.raises(ProjectError, match="no coder named 'zoe'.*alice, bob"):
        agreement_report(two, ["alice", "zoe"])
    with pytest.raises(AgreementError, match="at least two coders"):
        agreement_report(two, ["alice"])
    two.add_coder("carol")
    with pytest.raises(AgreementError, match="'carol' has no codings"):
        agreement_report(two, ["alice", "carol"])
    with pytest.raises(ProjectError, match="no code named 'Nope'"):
        agreement_report(two, ["alice", "bob"], codes=["Nope"])
    with pytest.raises(ProjectError, match="no transcript named 'zz'"):
        agreement_report(two, ["alice", "bob"], transcripts=["zz"])
    with pytest.raises(AgreementError, match="unknown unit"):
        agreement_report(two, ["alice", "bob"], unit="word")
    with pytest.raises(AgreementError, match="unitizing"):
        agreement_report(two, ["alice", "bob"], unitizing="1999")


def test_unitized_alpha_both_versions(two):
    old = agreement_report(two, ["alice", "bob"], bootstrap=0)
    new = agreement_report(two, ["alice", "bob"], bootstrap=0, unitizing="2016")
    assert "1995/2004" in old.unitizing and "2016" in new.unitizing and "2016" in new.method
    assert old.bootstrap is None and old.code("Repair").all_units.alpha_interval is None
    assert old.overall.unitized_alpha is not None
    s1 = agreement_report(two, ["alice", "bob"], transcripts=["s1"], bootstrap=0)
    length = len(two.transcript("s1").text)
    spans = [[(k.start, k.end, "Repair") for k in two.codings(transcript="s1", coder=c, code="Repair")] for c in ("alice", "bob")]
    assert s1.code("Repair").unitized_alpha == pytest.approx(unitized_alpha(spans, length, category="Repair"))


def test_document_unit_counts_every_character_as_nvivo_does(tmp_path):
    """Labels and line breaks are units too: a coding across two turns covers the label between."""
    t = make_transcript("s1", 4)
    u = t.utterances
    project = build(
        tmp_path / "d.db",
        {"alice": [("s1", "Repair", u[0].start, u[1].end)],  # two turns and the "\nC: " between them
         "bob": [("s1", "Repair", u[0].start, u[0].end), ("s1", "Repair", u[1].start, u[1].end)]},
        transcripts=(("s1", 4),),
    )
    doc = agreement_report(project, ["alice", "bob"], unit="document", codes=["Repair"])
    spoken = agreement_report(project, ["alice", "bob"], unit="character", codes=["Repair"])
    a, b = np.zeros(len(t.text), int), np.zeros(len(t.text), int)
    a[u[0].start:u[1].end] = 1
    b[u[0].start:u[0].end] = 1
    b[u[1].start:u[1].end] = 1
    row = doc.code("Repair").all_units
    assert row.units == len(t.text)  # every character: labels, line breaks, the final newline
    assert row.kappa == pytest.approx(cohen_kappa_score(a, b)) and row.kappa < 1
    assert spoken.code("Repair").all_units.kappa == pytest.approx(1.0)  # the label is not spoken text
    assert "NVivo" in doc.method and "labels" in doc.method and doc.bootstrap is None
    project.close()
