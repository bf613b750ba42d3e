"""Agreement coefficients against independent implementations and published worked examples.

References used as oracles (test-only dependencies): scikit-learn (`cohen_kappa_score`),
statsmodels (`fleiss_kappa`, incl. its "randolph" free-marginal variant, and
`aggregate_raters`), and the `krippendorff` package. Where no library exists (Gwet's AC1,
unitizing alpha) the tests use published values, arithmetic done by hand in the comments, and
deliberately naive re-implementations written straight from the formulas.
"""

from __future__ import annotations

import math
import statistics
import time

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from accord.agreement.coefficients import (
    AlphaBootstrap,
    bootstrap_alpha,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    unitized_alpha,
)
from accord.agreement.coefficients import _clean_spans, _cu_parts_2004

SEEDS = range(60)


def table_to_pairs(table):
    """Two coders' label lists from a contingency table (rows: coder a, columns: coder b)."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i + 1] * count
            b += [j + 1] * count
    return a, b


def random_pair(rng, n, k, missing=0.0):
    """Two coders' labels (lists, None = missing) with some agreement built in."""
    a = rng.integers(0, k, n)
    b = np.where(rng.random(n) < 0.6, a, rng.integers(0, k, n))
    a = [int(x) if rng.random() >= missing else None for x in a]
    b = [int(x) if rng.random() >= missing else None for x in b]
    return a, b


def both_coded(a, b):
    kept = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    return [x for x, _ in kept], [y for _, y in kept]


# ------------------------------------------------------------------------------------------
# Two coders: against scikit-learn and statsmodels on random data
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_cohen_kappa_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    a, b = random_pair(rng, int(rng.integers(5, 300)), k, missing=0.15)
    fa, fb = both_coded(a, b)
    ours = cohen_kappa(a, b)
    if len(set(fa) | set(fb)) < 2:
        assert ours is None
        return
    assert ours == pytest.approx(cohen_kappa_score(fa, fb), abs=1e-12)
    # the numpy fast path (no missing values) agrees with the list path
    assert cohen_kappa(np.array(fa), np.array(fb)) == pytest.approx(ours, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_cohen_kappa_string_labels_and_float_nan(seed):
    rng = np.random.default_rng(100 + seed)
    a, b = random_pair(rng, 200, 4, missing=0.1)
    names = ["rupture", "repair", "power", "real relationship"]
    sa = [None if x is None else names[x] for x in a]
    sb = [None if x is None else names[x] for x in b]
    fa, fb = both_coded(sa, sb)
    assert cohen_kappa(sa, sb) == pytest.approx(cohen_kappa_score(fa, fb), abs=1e-12)
    # float arrays: NaN marks the missing units
    fa_ = np.array([np.nan if x is None else x for x in a], dtype=float)
    fb_ = np.array([np.nan if x is None else x for x in b], dtype=float)
    assert cohen_kappa(fa_, fb_) == pytest.approx(cohen_kappa(a, b), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_scott_pi_matches_statsmodels_fleiss_for_two_raters(seed):
    # Fleiss' kappa with two raters per unit is Scott's pi: P_i is 1 for an agreement, 0
    # otherwise (so P_bar = p_o), and P_e = sum_j p_j^2 from the pooled labels.
    rng = np.random.default_rng(seed)
    a, b = random_pair(rng, int(rng.integers(5, 300)), int(rng.integers(2, 6)), missing=0.1)
    fa, fb = both_coded(a, b)
    ours = scott_pi(a, b)
    if len(set(fa) | set(fb)) < 2:
        assert ours is None
        return
    counts, _ = aggregate_raters(np.column_stack([fa, fb]))
    assert ours == pytest.approx(sm_fleiss_kappa(counts, method="fleiss"), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_brennan_prediger_matches_statsmodels_randolph(seed):
    # statsmodels' fleiss_kappa(method="randolph") is Randolph's free-marginal kappa, which
    # for two raters is Brennan-Prediger with q = the number of columns of the table.
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    a, b = random_pair(rng, int(rng.integers(5, 300)), k, missing=0.1)
    fa, fb = both_coded(a, b)
    data = np.column_stack([fa, fb])
    q = k + 2  # a coding scheme larger than what was used
    counts, _ = aggregate_raters(data, n_cat=q)
    expected = sm_fleiss_kappa(counts, method="randolph")
    assert brennan_prediger(a, b, n_categories=q) == pytest.approx(expected, abs=1e-12)
    observed = len(set(fa) | set(fb))
    ours = brennan_prediger(a, b)
    if observed < 2:
        assert ours is None
    else:
        counts, _ = aggregate_raters(data)  # columns = categories observed
        assert ours == pytest.approx(sm_fleiss_kappa(counts, method="randolph"), abs=1e-12)


def naive_ac1(a, b, q=None):
    """AC1 straight from Gwet (2008), in floating point with plain loops."""
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    n = len(pairs)
    cats = sorted({x for p in pairs for x in p})
    q = len(cats) if q is None else q
    p_o = sum(1 for x, y in pairs if x == y) / n
    p_e = 0.0
    for c in cats:
        pi_c = (sum(1 for x, _ in pairs if x == c) + sum(1 for _, y in pairs if y == c)) / (2 * n)
        p_e += pi_c * (1 - pi_c)
    p_e /= q - 1
    return (p_o - p_e) / (1 - p_e)


@pytest.mark.parametrize("seed", SEEDS)
def test_gwet_ac1_matches_naive_formula(seed):
    rng = np.random.default_rng(seed)
    a, b = random_pair(rng, int(rng.integers(5, 300)), int(rng.integers(2, 6)), missing=0.1)
    if len(set(both_coded(a, b)[0]) | set(both_coded(a, b)[1])) >= 2:
        assert gwet_ac1(a, b) == pytest.approx(naive_ac1(a, b), abs=1e-12)
    assert gwet_ac1(a, b, n_categories=7) == pytest.approx(naive_ac1(a, b, q=7), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_percent_agreement(seed):
    rng = np.random.default_rng(seed)
    a, b = random_pair(rng, int(rng.integers(1, 100)), 3, missing=0.2)
    fa, fb = both_coded(a, b)
    expected = None if not fa else sum(x == y for x, y in zip(fa, fb)) / len(fa)
    assert percent_agreement(a, b) == expected


# ------------------------------------------------------------------------------------------
# Two coders: published examples and hand-worked ones
# ------------------------------------------------------------------------------------------


def test_cohen_1960_examples_including_a_negative_kappa():
    # Cohen (1960: 37): rows 40/30/30, columns 50/30/20 of 100; p_o = .29,
    # p_e = (40*50 + 30*30 + 30*20)/100^2 = .35, kappa = (.29 - .35)/.65 = -.0923.
    a, b = table_to_pairs([[25, 12, 3], [13, 2, 15], [12, 16, 2]])
    assert percent_agreement(a, b) == pytest.approx(0.29)
    assert cohen_kappa(a, b) == pytest.approx(-0.06 / 0.65, abs=1e-12)
    assert cohen_kappa(a, b) < 0
    # Cohen (1960: 45): kappa printed as .492 (p_o = .70, p_e = .41)
    a, b = table_to_pairs([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    assert round(cohen_kappa(a, b), 3) == 0.492
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_completely_opposite_coders_give_kappa_minus_one():
    a = [0, 1] * 10
    b = [1, 0] * 10
    assert cohen_kappa(a, b) == -1.0
    assert cohen_kappa_score(a, b) == pytest.approx(-1.0)


# Gwet's AC1 as computed by Gwet's own R package irrCAC 1.4 (gwet.ac1.raw) on these tables;
# the printed coefficients are rounded to 5 decimals (values from the DKPro Statistics test
# fixtures). Table rows are coder a, columns coder b.
IRRCAC_AC1 = [
    ([[80, 7], [8, 5]], 0.808),
    ([[25, 12, 3], [13, 2, 15], [12, 16, 2]], -0.04797),
    ([[20, 5, 1, 0], [4, 15, 6, 1], [0, 5, 18, 4], [0, 1, 3, 12]], 0.58046),
    (
        [
            [15, 4, 1, 0, 0],
            [3, 12, 4, 1, 0],
            [1, 3, 14, 3, 1],
            [0, 1, 3, 10, 2],
            [0, 0, 1, 2, 8],
        ],
        0.57997,
    ),
]


@pytest.mark.parametrize("table, printed", IRRCAC_AC1)
def test_gwet_ac1_matches_irrcac_printed_values(table, printed):
    a, b = table_to_pairs(table)
    assert gwet_ac1(a, b) == pytest.approx(printed, abs=5e-6)


def test_gwet_ac1_and_brennan_prediger_by_hand():
    # 10 units, 3 categories (x, y, z):
    #   a: x x x x x x y y z z      (x 6, y 2, z 2)
    #   b: x x x x x y y z z x      (x 6, y 2, z 2)
    # agreements: units 1-5 (x), 7 (y), 9 (z) -> p_o = 7/10 = 0.7
    # pooled over the 20 labels: x 12, y 4, z 4 -> pi = (0.6, 0.2, 0.2)
    # sum pi (1 - pi) = 0.24 + 0.16 + 0.16 = 0.56
    # AC1 (q = 3): p_e = 0.56 / (3 - 1) = 0.28; AC1 = (0.7 - 0.28) / (1 - 0.28) = 0.58333
    # Brennan-Prediger (q = 3): p_e = 1/3; BP = (0.7 - 1/3) / (2/3) = 0.55
    # with a 4-category scheme: BP = (0.7 - 0.25) / 0.75 = 0.6;
    #   AC1: p_e = 0.56 / 3 = 0.186667, AC1 = (0.7 - 0.186667) / 0.813333 = 0.631148
    a = list("xxxxxxyyzz")
    b = list("xxxxxyyzzx")
    assert percent_agreement(a, b) == pytest.approx(0.7)
    assert gwet_ac1(a, b) == pytest.approx(0.42 / 0.72, abs=1e-12)
    assert brennan_prediger(a, b) == pytest.approx(0.55, abs=1e-12)
    assert brennan_prediger(a, b, n_categories=4) == pytest.approx(0.6, abs=1e-12)
    assert gwet_ac1(a, b, n_categories=4) == pytest.approx(
        (0.7 - 0.56 / 3) / (1 - 0.56 / 3), abs=1e-12
    )
    # Scott's pi on the same data: p_e = 0.36 + 0.04 + 0.04 = 0.44; (0.7 - 0.44)/0.56
    assert scott_pi(a, b) == pytest.approx(0.26 / 0.56, abs=1e-12)


def test_gwet_hand_example_high_prevalence():
    # 8 units both "y", 1 both "n", 1 (a = y, b = n): p_o = 0.9;
    # pooled: y = 17/20 = 0.85, n = 0.15; p_e = 2 * 0.85 * 0.15 / (2 - 1) = 0.255;
    # AC1 = (0.9 - 0.255) / 0.745 = 0.86577; Scott's pi: p_e = 0.85^2 + 0.15^2 = 0.745,
    # pi = (0.9 - 0.745) / 0.255 = 0.60784 (the "paradox": same data, much lower pi).
    a = ["y"] * 8 + ["n", "y"]
    b = ["y"] * 8 + ["n", "n"]
    assert gwet_ac1(a, b) == pytest.approx(0.645 / 0.745, abs=1e-12)
    assert scott_pi(a, b) == pytest.approx(0.155 / 0.255, abs=1e-12)


# ------------------------------------------------------------------------------------------
# Undefined, zero and missing
# ------------------------------------------------------------------------------------------


def test_one_category_in_use_is_undefined_not_zero_or_one():
    a = ["x"] * 10
    b = ["x"] * 10
    assert percent_agreement(a, b) == 1.0
    assert cohen_kappa(a, b) is None
    assert scott_pi(a, b) is None
    assert krippendorff_alpha([a, b]) is None
    assert fleiss_kappa([[2, 0]] * 10) is None
    assert fleiss_kappa([[2]] * 10) is None
    # AC1 and Brennan-Prediger carry 1/(q-1) and 1/q: with q = 1 category they are undefined
    assert gwet_ac1(a, b) is None
    assert brennan_prediger(a, b) is None
    # ... but with a scheme of two categories ("coded"/"not coded") of which one was used,
    # AC1's chance term is sum pi (1 - pi) / (q - 1) = 0, so AC1 = p_o = 1 by the formula.
    assert gwet_ac1(a, b, n_categories=2) == 1.0
    assert brennan_prediger(a, b, n_categories=2) == 1.0


def test_one_coder_never_using_a_code_gives_kappa_exactly_zero():
    rng = np.random.default_rng(7)
    for n in (10, 1000, 1_000_000):
        other = rng.integers(0, 2, n)
        other[0], other[1] = 0, 1  # mixed
        never = np.zeros(n, dtype=np.int64)
        for a, b in ((never, other), (other, never)):
            for cast in (lambda x: x, lambda x: x.astype(bool), lambda x: x.astype(np.uint8)):
                value = cohen_kappa(cast(a), cast(b))
                assert value == 0.0 and isinstance(value, float)
        assert cohen_kappa(list(never[:1000]), list(other[:1000])) == 0.0
    assert cohen_kappa(["no"] * 5 + [None], ["no", "yes", "no", "yes", "yes", "yes"]) == 0.0


def test_missing_units_are_dropped():
    a = [1, 2, None, 2, 1, 3, None]
    b = [1, 2, 3, None, 2, 3, None]
    kept_a, kept_b = [1, 2, 1, 3], [1, 2, 2, 3]
    for f in (percent_agreement, cohen_kappa, scott_pi, gwet_ac1, brennan_prediger):
        assert f(a, b) == f(kept_a, kept_b)
    assert percent_agreement([None, 1], [2, None]) is None
    assert cohen_kappa([], []) is None
    assert cohen_kappa(np.array([], dtype=int), np.array([], dtype=int)) is None
    assert gwet_ac1([None], [None]) is None


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="same length.*3 and 2"):
        cohen_kappa([1, 2, 3], [1, 2])
    for f in (percent_agreement, scott_pi, gwet_ac1, brennan_prediger):
        with pytest.raises(ValueError, match="same length"):
            f(np.zeros(4, dtype=int), np.zeros(5, dtype=int))


def test_n_categories_smaller_than_used_raises():
    with pytest.raises(ValueError, match="n_categories=2"):
        brennan_prediger([1, 2, 3], [1, 2, 3], n_categories=2)


def test_large_integer_labels_and_negative_labels():
    rng = np.random.default_rng(3)
    a = rng.integers(-5, 5, 5000) * 100_000
    b = np.where(rng.random(5000) < 0.5, a, rng.integers(-5, 5, 5000) * 100_000)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    a20 = rng.integers(0, 20, 5000)
    b20 = np.where(rng.random(5000) < 0.5, a20, rng.integers(0, 20, 5000))
    assert cohen_kappa(a20, b20) == pytest.approx(cohen_kappa_score(a20, b20), abs=1e-12)


# ------------------------------------------------------------------------------------------
# Fleiss' kappa
# ------------------------------------------------------------------------------------------

# Fleiss (1971: 379): 30 patients, 6 psychiatrists, 5 diagnoses (1 depression,
# 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other); printed kappa = .430
# (P_bar = .5556, P_e = .2201).
FLEISS_1971 = [
    (4, 4, 4, 4, 4, 4), (2, 2, 2, 5, 5, 5), (2, 3, 3, 3, 3, 5), (5, 5, 5, 5, 5, 5),
    (2, 2, 2, 4, 4, 4), (1, 1, 3, 3, 3, 3), (3, 3, 3, 3, 5, 5), (1, 1, 3, 3, 3, 4),
    (1, 1, 4, 4, 4, 4), (5, 5, 5, 5, 5, 5), (1, 4, 4, 4, 4, 4), (1, 2, 4, 4, 4, 4),
    (2, 2, 2, 3, 3, 3), (1, 4, 4, 4, 4, 4), (2, 2, 4, 4, 4, 5), (3, 3, 3, 3, 3, 5),
    (1, 1, 1, 4, 5, 5), (1, 1, 1, 1, 1, 2), (2, 2, 4, 4, 4, 4), (1, 3, 3, 5, 5, 5),
    (5, 5, 5, 5, 5, 5), (2, 4, 4, 4, 4, 4), (2, 2, 4, 5, 5, 5), (1, 1, 4, 4, 4, 4),
    (1, 4, 4, 4, 4, 5), (2, 2, 2, 2, 2, 4), (1, 1, 1, 1, 5, 5), (2, 2, 4, 4, 4, 4),
    (1, 3, 3, 3, 3, 3), (5, 5, 5, 5, 5, 5),
]  # fmt: skip

# Wikipedia's "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories;
# P_bar = 0.378, P_e = 0.213, kappa = 0.210.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_fleiss_1971_published_example():
    counts = [[row.count(c) for c in range(1, 6)] for row in FLEISS_1971]
    assert round(fleiss_kappa(counts), 3) == 0.430
    assert fleiss_kappa(np.array(counts)) == pytest.approx(sm_fleiss_kappa(np.array(counts)))


def test_fleiss_wikipedia_example():
    assert round(fleiss_kappa(WIKIPEDIA_FLEISS), 3) == 0.210


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_kappa_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    raters = int(rng.integers(2, 9))
    units = int(rng.integers(1, 60))
    k = int(rng.integers(2, 6))
    truth = rng.integers(0, k, units)
    ratings = np.where(rng.random((units, raters)) < 0.5, truth[:, None],
                       rng.integers(0, k, (units, raters)))  # fmt: skip
    counts = np.stack([(ratings == c).sum(axis=1) for c in range(k)], axis=1)
    if np.count_nonzero(counts.sum(axis=0)) < 2:
        assert fleiss_kappa(counts) is None
        return
    assert fleiss_kappa(counts) == pytest.approx(sm_fleiss_kappa(counts), abs=1e-12)
    assert fleiss_kappa(counts.tolist()) == pytest.approx(sm_fleiss_kappa(counts), abs=1e-12)


def test_fleiss_kappa_rejects_unequal_raters():
    with pytest.raises(ValueError, match="same number of raters.*unit 1 has 4"):
        fleiss_kappa([[1, 2], [2, 2]])
    with pytest.raises(ValueError, match="at least 2 raters"):
        fleiss_kappa([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="non-negative"):
        fleiss_kappa([[3, -1], [1, 1]])
    assert fleiss_kappa([]) is None


# ------------------------------------------------------------------------------------------
# Krippendorff's alpha
# ------------------------------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers,
# 12 units, missing values. Printed: nominal .743, ordinal .815, interval .849, ratio .797.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(
    "level, printed",
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_published_example(level, printed):
    assert round(krippendorff_alpha(K2011, level), 3) == printed
    as_array = np.array([[np.nan if x is None else x for x in row] for row in K2011])
    assert krippendorff_alpha(as_array, level) == pytest.approx(
        krippendorff.alpha(reliability_data=as_array, level_of_measurement=level), abs=1e-12
    )


def test_krippendorff_2011_binary_example():
    # Section A: 2 observers, 10 units, binary. Coincidences: o00 = 10, o11 = 2,
    # o01 = o10 = 4; n0 = 14, n1 = 6, n = 20; alpha = 1 - 19 * 4 / (14 * 6) = 0.0952.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - 76 / 84, abs=1e-12)
    assert round(krippendorff_alpha([a, b]), 3) == 0.095


def random_reliability_data(rng, missing):
    coders = int(rng.integers(2, 6))
    units = int(rng.integers(2, 40))
    k = int(rng.integers(2, 7))
    truth = rng.integers(1, k + 1, units)
    data = np.where(rng.random((coders, units)) < 0.6, truth,
                    rng.integers(1, k + 1, (coders, units))).astype(float)  # fmt: skip
    data[rng.random((coders, units)) < missing] = np.nan
    return data


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", range(40))
def test_krippendorff_alpha_matches_krippendorff_package(level, seed):
    rng = np.random.default_rng(seed)
    data = random_reliability_data(rng, missing=0.25)
    ours = krippendorff_alpha(data, level)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = np.unique(data[:, pairable][~np.isnan(data[:, pairable])])
    if values.size < 2:
        assert ours is None
        return
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(expected, abs=1e-10)
    # list input with None, same result
    as_lists = [[None if math.isnan(x) else x for x in row] for row in data]
    assert krippendorff_alpha(as_lists, level) == pytest.approx(ours, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_krippendorff_alpha_nominal_strings(seed):
    rng = np.random.default_rng(seed)
    data = random_reliability_data(rng, missing=0.2)
    names = {1.0: "rupture", 2.0: "repair", 3.0: "power", 4.0: "real", 5.0: "other", 6.0: "x"}
    as_strings = [[None if math.isnan(x) else names[x] for x in row] for row in data]
    ours = krippendorff_alpha(as_strings)
    theirs = krippendorff_alpha(data)
    assert ours == theirs or ours == pytest.approx(theirs, abs=1e-12)


def test_krippendorff_alpha_undefined_and_errors():
    assert krippendorff_alpha([[1, None], [None, 2]]) is None  # no unit has two values
    assert krippendorff_alpha([[3, 3, 3], [3, 3, None]]) is None  # one value only
    assert krippendorff_alpha([[1, 2, 5], [1, 2, None]], "interval") == 1.0  # 5 is unpairable
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 2]], "cardinal")
    with pytest.raises(ValueError, match="numbers"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], "interval")
    with pytest.raises(ValueError, match="one entry per unit"):
        krippendorff_alpha([[1, 2, 3], [1, 2]])


def test_krippendorff_alpha_two_coders_relates_to_scott_pi():
    # two coders, no missing: alpha = 1 - (2n - 1)/(2n) * (1 - pi)  (Krippendorff 2011)
    rng = np.random.default_rng(11)
    a, b = random_pair(rng, 80, 4)
    n = len(a)
    pi = scott_pi(a, b)
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi))


# ------------------------------------------------------------------------------------------
# Bootstrap
# ------------------------------------------------------------------------------------------


def test_bootstrap_alpha_is_deterministic_and_brackets_alpha():
    rng = np.random.default_rng(0)
    data = random_reliability_data(rng, missing=0.1)
    data = np.concatenate([data] * 5, axis=1)  # more units
    first = bootstrap_alpha(data, n=300, seed=1)
    assert isinstance(first, AlphaBootstrap)
    assert first == bootstrap_alpha(data, n=300, seed=1)
    assert first != bootstrap_alpha(data, n=300, seed=2)
    assert first.alpha == pytest.approx(krippendorff_alpha(data))
    assert first.low < first.alpha < first.high
    assert first.low <= first.mean <= first.high
    assert first.n_defined == 300
    narrow = bootstrap_alpha(data, n=300, seed=1, ci=0.5)
    assert first.low <= narrow.low <= narrow.high <= first.high


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_bootstrap_alpha_matches_a_naive_unit_bootstrap(level):
    # Resampling units with the krippendorff package as the alpha: the two bootstrap
    # distributions (different random draws) must agree in mean and quantiles.
    rng = np.random.default_rng(5)
    truth = rng.integers(1, 6, 60)
    data = np.where(rng.random((4, 60)) < 0.7, truth, rng.integers(1, 6, (4, 60))).astype(float)
    data[rng.random((4, 60)) < 0.2] = np.nan
    pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
    draws = np.random.default_rng(99)
    naive = []
    for _ in range(2000):
        sample = pairable[:, draws.integers(0, pairable.shape[1], pairable.shape[1])]
        vals = np.unique(sample[~np.isnan(sample)])
        if vals.size < 2:
            continue
        naive.append(krippendorff.alpha(reliability_data=sample, level_of_measurement=level))
    ours = bootstrap_alpha(data, level=level, n=2000, seed=3)
    lo, hi = np.quantile(naive, [0.025, 0.975])
    assert ours.mean == pytest.approx(np.mean(naive), abs=0.02)
    assert ours.low == pytest.approx(lo, abs=0.04)
    assert ours.high == pytest.approx(hi, abs=0.04)


def test_bootstrap_alpha_undefined_and_errors():
    assert bootstrap_alpha([[1, 1, 1], [1, 1, 1]], n=20) == AlphaBootstrap(
        None, None, None, None, 0
    )
    assert bootstrap_alpha([[1, None], [None, 1]], n=20).alpha is None
    with pytest.raises(ValueError, match="ci"):
        bootstrap_alpha([[1, 2], [1, 2]], ci=1.5)
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_alpha([[1, 2], [1, 2]], n=0)


# ------------------------------------------------------------------------------------------
# Unitizing alpha
# ------------------------------------------------------------------------------------------


def naive_parts_2004(spans, length, value):
    """D_o and D_e for one value, literally from Krippendorff's (2004) formulas."""
    m = len(spans)
    L = length
    sections = []  # per coder: list of (b, l, w)
    for coder in spans:
        units = sorted((s, e) for s, e, v in coder if v == value)
        secs, pos = [], 0
        for s, e in units:
            if s > pos:
                secs.append((pos, s - pos, 0))
            secs.append((s, e - s, 1))
            pos = e
        if pos < L:
            secs.append((pos, L - pos, 0))
        sections.append(secs)
    total = 0
    for i in range(m):
        for j in range(m):
            if i == j:
                continue
            for b_g, l_g, w_g in sections[i]:
                for b_h, l_h, w_h in sections[j]:
                    if w_g == 1 and w_h == 1 and -l_g < b_g - b_h < l_h:
                        total += (b_g - b_h) ** 2 + (b_g + l_g - b_h - l_h) ** 2
                    elif w_g == 1 and w_h == 0 and l_h - l_g >= b_g - b_h >= 0:
                        total += l_g**2
                    elif w_g == 0 and w_h == 1 and l_g - l_h >= b_h - b_g >= 0:
                        total += l_h**2
    d_o = total / (m * (m - 1) * L**2)
    units = [l for secs in sections for _, l, w in secs if w == 1]
    gaps = [l for secs in sections for _, l, w in secs if w == 0]
    n_c = len(units)
    numerator = 0.0
    for l in units:
        numerator += (n_c - 1) / 3 * (2 * l**3 - 3 * l**2 + l)
        numerator += l**2 * sum(g - l + 1 for g in gaps if g >= l)
    d_e = (2 / L) * numerator / (m * L * (m * L - 1) - sum(l * (l - 1) for l in units))
    return d_o, d_e


def naive_2016(spans, length):
    """2016 u-alpha from per-point coincidences (gap = value None)."""
    m = len(spans)
    at = []
    for coder in spans:
        row = [None] * length
        for s, e, v in coder:
            for p in range(s, e):
                row[p] = v
        at.append(row)
    values = sorted({v for row in at for v in row}, key=repr)
    ell = {(c, k): 0.0 for c in values for k in values}
    for p in range(length):
        for i in range(m):
            for j in range(m):
                if i != j:
                    ell[at[i][p], at[j][p]] += 1 / (m - 1)
    total = sum(ell.values())
    margin = {c: sum(ell[c, k] for k in values) for c in values}
    corr = {c: 0.0 for c in values}
    for coder in spans:
        covered = 0
        for s, e, v in coder:
            corr[v] += (e - s) ** 2
            covered += e - s
        corr[None] += length - covered
    denominator = total**2 - sum(corr.values())
    expected = {c: total * (margin[c] ** 2 - corr[c]) / denominator for c in values}
    d_e = total - sum(expected.values())
    if d_e == 0:
        return None
    return 1 - (total - sum(ell[c, c] for c in values)) / d_e


def random_units(rng, length, n_units, max_len, values=("x",), adjacent=False):
    """Random non-overlapping spans (start, end, value) in [0, length)."""
    lens = rng.integers(1, max_len + 1, n_units)
    lens = lens[np.cumsum(lens) <= length]
    free = length - int(lens.sum())
    gaps = np.sort(rng.integers(0, free + 1, lens.size))
    if adjacent:
        gaps = np.where(rng.random(lens.size) < 0.3, np.roll(gaps, 1), gaps)
        gaps = np.maximum.accumulate(gaps)
    spans, prev_gap, pos = [], 0, 0
    for g, l in zip(gaps, lens):
        pos += int(g) - prev_gap
        prev_gap = int(g)
        spans.append((pos, pos + int(l), values[int(rng.integers(0, len(values)))]))
        pos += int(l)
    return spans


# Krippendorff (2004, Content Analysis 2nd ed., p. 254) worked example, as transcribed in the
# DKPro Statistics test suite: continuum [150, 450) shifted here to [0, 300); two observers;
# values c and k. Printed: c: D_o = .0144, D_e = .0532, alpha = .7286; k: D_o = 0,
# D_e = .0490, alpha = 1; over both values alpha = .8591.
K2004 = [
    [(75, 145, "c"), (220, 250, "c"), (30, 90, "k"), (150, 200, "k")],
    [(70, 150, "c"), (205, 225, "c"), (250, 270, "c"), (30, 90, "k"), (150, 200, "k")],
]


def test_unitized_2004_krippendorff_2004_worked_example():
    length, coders = _clean_spans(K2004, 300)
    d_o, d_e = _cu_parts_2004(coders, length, "c")
    # D_o by hand: observer 1's unit [75,145) and observer 2's [70,150) overlap:
    # 5^2 + 5^2 = 50; [220,250) and [205,225) overlap: 15^2 + 25^2 = 850; observer 2's unit
    # [250,270) lies in observer 1's gap [250,300): 20^2 = 400. Both orders of observers:
    # 2 * 1300 = 2600; D_o = 2600 / (2 * 1 * 300^2) = 0.014444.
    assert d_o == pytest.approx(2600 / 180000, abs=1e-15)
    # D_e by hand: units 70, 30, 80, 20, 20 (N_c = 5), gaps 75, 75, 50 and 70, 55, 25, 30;
    # sum_units [4/3 (2l^3 - 3l^2 + l) + l^2 sum_{gaps >= l} (gap - l + 1)]
    #   = 958860 + 231340 + 1339840 + 2 * 118560 = 2767160;
    # denominator 600 * 599 - (4830 + 870 + 6320 + 380 + 380) = 346620;
    # D_e = (2/300) * 2767160 / 346620 = 0.053222.
    assert d_e == pytest.approx(2 / 300 * 2767160 / 346620, abs=1e-15)
    assert round(d_o, 4) == 0.0144
    assert round(d_e, 4) == 0.0532
    assert round(unitized_alpha(K2004, 300, category="c"), 4) == 0.7286
    d_o_k, d_e_k = _cu_parts_2004(coders, length, "k")
    assert d_o_k == 0.0 and round(d_e_k, 4) == 0.0490
    assert unitized_alpha(K2004, 300, category="k") == 1.0
    # Over both values: 1 - sum D_o / sum D_e. The printed .8591 is what the rounded
    # D values give (1 - .0144 / (.0532 + .0490) = .8591); unrounded it is .8587.
    overall = unitized_alpha(K2004, 300)
    assert overall == pytest.approx(1 - d_o / (d_e + d_e_k), abs=1e-15)
    assert round(1 - 0.0144 / (0.0532 + 0.0490), 4) == 0.8591
    assert overall == pytest.approx(0.8591, abs=5e-4)


# Krippendorff (1995: 57): four pairs of observers on a continuum of 24, one value; units as
# (start, length). The printed alphas (0.553, -0.926, 0.679, 0.066; values as transcribed in
# DKPro Statistics' tests) come from the 1995 paper's continuous formulation, which the
# discrete 2004 D_e approaches on a finely divided continuum; observed disagreements are the
# same in both.
K1995 = {
    "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)], 0.03125, 0.553),
    "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)], 2.26736, -0.926),
    "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)],
          0.02778, 0.679),
    "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
          [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)], 0.38715, 0.066),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(K1995))
def test_unitized_2004_krippendorff_1995_examples(name):
    first, second, printed_d_o, printed_alpha = K1995[name]
    spans = [[(s, s + n, "x") for s, n in coder] for coder in (first, second)]
    length, coders = _clean_spans(spans, 24)
    d_o, _ = _cu_parts_2004(coders, length, "x")
    assert round(d_o, 5) == pytest.approx(printed_d_o, abs=1e-5)
    stretch = 10_000
    fine = [[(s * stretch, e * stretch, v) for s, e, v in coder] for coder in spans]
    assert unitized_alpha(fine, 24 * stretch) == pytest.approx(printed_alpha, abs=0.02)


@pytest.mark.parametrize("seed", range(40))
def test_unitized_2004_matches_naive_formula(seed):
    rng = np.random.default_rng(seed)
    length = int(rng.integers(20, 120))
    m = int(rng.integers(2, 5))
    spans = [
        random_units(rng, length, int(rng.integers(0, 8)), 15, values=("x", "y"), adjacent=True)
        for _ in range(m)
    ]
    for value in ("x", "y"):
        if not any(v == value for coder in spans for *_, v in coder):
            assert unitized_alpha(spans, length, category=value) is None
            continue
        length_, coders = _clean_spans(spans, length)
        ours = _cu_parts_2004(coders, length_, value)
        ref = naive_parts_2004(spans, length, value)
        assert ours[0] == pytest.approx(ref[0], rel=1e-12, abs=1e-15)
        assert ours[1] == pytest.approx(ref[1], rel=1e-12)
        assert unitized_alpha(spans, length, category=value) == pytest.approx(
            1 - ref[0] / ref[1], rel=1e-12, abs=1e-12
        )


@pytest.mark.parametrize("seed", range(40))
def test_unitized_2016_matches_naive_formula(seed):
    rng = np.random.default_rng(1000 + seed)
    length = int(rng.integers(10, 80))
    m = int(rng.integers(2, 5))
    spans = [
        random_units(rng, length, int(rng.integers(0, 6)), 12, values=("a", "b", "c"),
                     adjacent=True)
        for _ in range(m)
    ]  # fmt: skip
    ours = unitized_alpha(spans, length, version="2016")
    if not any(spans):
        assert ours is None
        return
    ref = naive_2016(spans, length)
    assert (ours is None and ref is None) or ours == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("version", ["2004", "2016"])
@pytest.mark.parametrize("seed", range(15))
def test_unitized_alpha_with_one_point_units_is_nominal_alpha(version, seed):
    # With every unit one point long, both definitions reduce to nominal alpha over the
    # points (coded / not coded): checked against the krippendorff package.
    rng = np.random.default_rng(seed)
    length = int(rng.integers(20, 200))
    m = int(rng.integers(2, 5))
    truth = rng.random(length) < 0.3
    coded = np.where(rng.random((m, length)) < 0.8, truth, rng.random((m, length)) < 0.3)
    spans = [[(int(p), int(p) + 1, "x") for p in np.nonzero(row)[0]] for row in coded]
    if not coded.any() or coded.all():
        return
    expected = krippendorff.alpha(
        reliability_data=coded.astype(float), level_of_measurement="nominal"
    )
    assert unitized_alpha(spans, length, version=version) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("seed", range(10))
def test_unitized_2016_one_point_units_several_values_is_nominal_alpha(seed):
    rng = np.random.default_rng(seed)
    length, m = 120, 3
    truth = rng.integers(0, 4, length)  # 0 = not coded
    labels = np.where(rng.random((m, length)) < 0.7, truth, rng.integers(0, 4, (m, length)))
    spans = [[(p, p + 1, int(v)) for p, v in enumerate(row) if v] for row in labels]
    expected = krippendorff.alpha(
        reliability_data=labels.astype(float), level_of_measurement="nominal"
    )
    assert unitized_alpha(spans, length, version="2016") == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("version", ["2004", "2016"])
def test_unitized_alpha_invariants(version):
    rng = np.random.default_rng(2)
    length = 1000
    base = random_units(rng, length, 15, 40, values=("x", "y"))
    other = random_units(rng, length, 15, 40, values=("x", "y"))
    third = random_units(rng, length, 15, 40, values=("x", "y"))
    # perfect agreement
    assert unitized_alpha([base, base], length, version=version) == 1.0
    assert unitized_alpha([base, base, base], length, version=version) == 1.0
    # the same spans shifted: lower, and lower the further they move
    previous = 1.0
    for shift in (1, 3, 8):
        moved = [(s + shift, min(e + shift, length), v) for s, e, v in base if s + shift < length]
        value = unitized_alpha([base, moved], length, version=version)
        assert value < previous
        previous = value
    # symmetric in the coders
    forward = unitized_alpha([base, other, third], length, version=version)
    for order in ([other, base, third], [third, other, base], [other, third, base]):
        assert unitized_alpha(order, length, version=version) == pytest.approx(forward, abs=1e-12)
    # a category's alpha ignores the other values' spans
    only_x = [[s for s in coder if s[2] == "x"] for coder in (base, other)]
    assert unitized_alpha([base, other], length, version=version, category="x") == pytest.approx(
        unitized_alpha(only_x, length, version=version), abs=1e-12
    )


@pytest.mark.parametrize("version", ["2004", "2016"])
@pytest.mark.parametrize("m", [2, 3, 5])
def test_unitized_alpha_is_near_zero_for_independent_coders(version, m):
    # Chance agreement: coders placing units independently at random get alpha ~ 0 on
    # average (a wrong normalisation of D_e would move this far from 0).
    rng = np.random.default_rng(m)
    values = [
        unitized_alpha([random_units(rng, 400, 10, 20) for _ in range(m)], 400, version=version)
        for _ in range(150)
    ]
    assert abs(statistics.mean(values)) < 0.08


def test_unitized_alpha_undefined_and_errors():
    assert unitized_alpha([[], []], 10) is None
    assert unitized_alpha([[], []], 10, version="2016") is None
    assert unitized_alpha([[(0, 2, "x")], [(0, 2, "x")]], 10, category="y") is None
    # both coders mark the whole continuum as one unit: no gap, no variation (2016)
    assert unitized_alpha([[(0, 10, "x")], [(0, 10, "x")]], 10, version="2016") is None
    with pytest.raises(ValueError, match="at least two coders"):
        unitized_alpha([[(0, 2, "x")]], 10)
    with pytest.raises(ValueError, match=r"0 <= start < end <= length"):
        unitized_alpha([[(5, 12, "x")], []], 10)
    with pytest.raises(ValueError, match=r"0 <= start < end <= length"):
        unitized_alpha([[(5, 5, "x")], []], 10)
    with pytest.raises(ValueError, match="overlap"):
        unitized_alpha([[(0, 5, "x"), (3, 6, "x")], []], 10)
    # different values may overlap for the 2004 coefficient, not for the 2016 one
    overlapping = [[(0, 5, "x"), (3, 6, "y")], [(0, 5, "x"), (3, 6, "y")]]
    assert unitized_alpha(overlapping, 10) == 1.0
    with pytest.raises(ValueError, match="partition"):
        unitized_alpha(overlapping, 10, version="2016")
    with pytest.raises(ValueError, match="version"):
        unitized_alpha([[], []], 10, version="1995")
    with pytest.raises(ValueError, match="integer"):
        unitized_alpha([[(0.5, 2, "x")], []], 10)


# ------------------------------------------------------------------------------------------
# Speed
# ------------------------------------------------------------------------------------------


def test_cohen_kappa_on_a_million_characters_is_fast():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 1_000_000)
    b = np.where(rng.random(1_000_000) < 0.9, a, 1 - a)
    pairs = [(a, b), (a.astype(bool), b.astype(bool)), (a.astype(np.uint8), b.astype(np.uint8))]
    for x, y in pairs:
        best = math.inf
        for _ in range(5):
            start = time.perf_counter()
            cohen_kappa(x, y)
            best = min(best, time.perf_counter() - start)
        assert best < 0.05, f"cohen_kappa took {best * 1000:.1f} ms on 1M {x.dtype} units"
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a[:200_000], b[:200_000]), abs=0.01)


def test_pandas_series_and_bad_shapes():
    pd = pytest.importorskip("pandas")
    a = pd.Series([1, 2, 2, 1, 3])
    b = pd.Series([1, 2, 1, 1, 3])
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    with pytest.raises(ValueError, match="coders x units"):
        krippendorff_alpha([1, 2, 3])
    with pytest.raises(ValueError, match="2-D"):
        krippendorff_alpha(np.array([1.0, 2.0, 3.0]))
