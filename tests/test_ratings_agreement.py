"""Agreement on ratings: the six Shrout-Fleiss ICCs against their published example and
against pingouin, the F distribution against scipy, weighted kappa against scikit-learn."""

import math

import numpy as np
import pandas as pd
import pytest

from accord.agreement.ratings import FORMS, betainc, f_cdf, f_ppf, icc, weighted_kappa

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
# Their Table 4, to two decimals.
PUBLISHED = {"1,1": 0.17, "2,1": 0.29, "3,1": 0.71, "1,k": 0.44, "2,k": 0.62, "3,k": 0.91}
# pingouin lists the same six forms in this order (0.5 names them ICC1..ICC3k, 0.7 ICC(1,1)..ICC(C,k)).
PINGOUIN_ROWS = ("1,1", "2,1", "3,1", "1,k", "2,k", "3,k")


@pytest.mark.parametrize("form", FORMS)
def test_icc_reproduces_shrout_and_fleiss_table_4(form):
    assert round(icc(SHROUT_FLEISS, form).value, 2) == PUBLISHED[form]


def _pingouin(table: np.ndarray) -> pd.DataFrame:
    pingouin = pytest.importorskip("pingouin")
    n, k = table.shape
    long = pd.DataFrame([(i, j, table[i, j]) for i in range(n) for j in range(k)], columns=["target", "rater", "value"])
    out = pingouin.intraclass_corr(long, targets="target", raters="rater", ratings="value").reset_index(drop=True)
    assert len(out) == 6
    return out


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside pingouin, under pandas 3
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_icc_value_f_p_and_interval_agree_with_pingouin(seed):
    rng = np.random.default_rng(seed)
    n, k = rng.integers(5, 40), rng.integers(2, 6)
    truth = rng.normal(size=(n, 1))
    table = np.clip(np.rint(3 + truth + rng.normal(scale=0.8, size=(n, k)) + rng.normal(scale=0.3, size=k)), 1, 5)
    theirs = _pingouin(table)
    for form in FORMS:
        ours, row = icc(table, form), theirs.iloc[PINGOUIN_ROWS.index(form)]
        assert ours.value == pytest.approx(row["ICC"], abs=1e-9), form
        assert ours.f == pytest.approx(row["F"], rel=1e-9), form
        assert ours.p == pytest.approx(row["pval"], rel=1e-6, abs=1e-12), form
        # pingouin rounds its interval to two decimals
        assert ours.low == pytest.approx(row["CI95"][0], abs=0.005 + 1e-9), form
        assert ours.high == pytest.approx(row["CI95"][1], abs=0.005 + 1e-9), form
        assert (ours.n, ours.k) == (n, k)


def test_icc_interval_of_the_published_example():
    # McGraw & Wong's ICC(A,1) interval with Satterthwaite's df, to two decimals as pingouin gives it.
    r = icc(SHROUT_FLEISS, "2,1")
    assert (round(r.low, 2), round(r.high, 2)) == (0.02, 0.76)
    r = icc(SHROUT_FLEISS, "3,k")
    assert (round(r.low, 2), round(r.high, 2)) == (0.68, 0.99)
    assert r.low < r.value < r.high


def test_a_target_missing_a_rating_is_left_out():
    with_gap = SHROUT_FLEISS + [[3, None, 4, float("nan")]]
    for form in FORMS:
        assert icc(with_gap, form).value == pytest.approx(icc(SHROUT_FLEISS, form).value)
    assert icc(with_gap).n == 6


def test_icc_is_none_where_it_is_not_defined():
    assert icc([[3, 3], [3, 3], [3, 3]], "2,1").value is None  # no variance at all
    assert icc([[1, 2]], "1,1").value is None  # one target
    assert icc([[1], [2], [3]], "3,1").value is None  # one rater
    with pytest.raises(ValueError, match="unknown ICC form"):
        icc(SHROUT_FLEISS, "4,1")


def test_targets_that_do_not_differ_give_no_interval_rather_than_a_crash():
    # every target has the same mean (MSR = 0): the ICCs are negative, form 2's interval undefined
    table = [[1 + (s + c) % 5 for c in range(30)] for s in range(40)]
    results = {form: icc(table, form) for form in FORMS}
    assert all(r.p == pytest.approx(1.0) for r in results.values())
    assert results["1,1"].value == pytest.approx(-1 / 29) and results["3,1"].value == pytest.approx(-1 / 29)
    assert results["1,k"].value is None and results["3,k"].value is None  # (MSR - MS) / MSR with MSR = 0
    assert results["2,1"].value < 0
    assert results["2,k"].value is None  # its denominator MSR + (MSC - MSE) / n is negative here, not a variance
    assert results["3,1"].low == pytest.approx(results["3,1"].value) == pytest.approx(results["3,1"].high)  # F = 0


def test_a_denominator_zero_but_for_rounding_gives_none_not_1e16():
    assert icc([[2, 1], [1, 2], [1, 3]], "2,k").value is None  # MSR + (MSC - MSE) / n = 0 exactly, 1e-17 in floats


def test_perfect_agreement_gives_one():
    table = [[1, 1, 1], [2, 2, 2], [4, 4, 4], [5, 5, 5]]
    for form in FORMS:
        assert icc(table, form).value == pytest.approx(1.0)


@pytest.mark.parametrize("df1,df2", [(1, 1), (2, 7), (5, 15), (15, 5), (3.7, 120.2), (200, 300), (0.6, 2.4)])
def test_f_distribution_matches_scipy(df1, df2):
    stats = pytest.importorskip("scipy.stats")
    for q in (0.001, 0.025, 0.5, 0.975, 0.999):
        assert f_ppf(q, df1, df2) == pytest.approx(stats.f.ppf(q, df1, df2), rel=1e-9)
    for f in (0.01, 0.5, 1.0, 2.3, 11.0, 150.0):
        assert f_cdf(f, df1, df2) == pytest.approx(stats.f.cdf(f, df1, df2), rel=1e-10, abs=1e-14)


def test_incomplete_beta_matches_scipy_at_its_edges():
    special = pytest.importorskip("scipy.special")
    for a, b in ((0.5, 0.5), (1, 1), (30, 2), (2, 30), (500, 700)):
        for x in (0.0, 1e-8, 0.1, 0.4166, 0.5, 0.9, 1 - 1e-8, 1.0):
            assert betainc(a, b, x) == pytest.approx(special.betainc(a, b, x), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
@pytest.mark.parametrize("seed", range(4))
def test_weighted_kappa_agrees_with_scikit_learn(weights, seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 6, size=80)
    b = np.clip(a + rng.integers(-2, 3, size=80), 1, 5)
    ours = weighted_kappa(a.tolist(), b.tolist(), weights, categories=range(1, 6))
    theirs = metrics.cohen_kappa_score(a, b, weights=weights, labels=list(range(1, 6)))
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_weighted_kappa_weighs_by_distance_and_drops_missing():
    a, b = [1, 2, 3, 4, 5, None], [1, 2, 3, 4, 5, 3]
    assert weighted_kappa(a, b) == 1.0
    near = weighted_kappa([1, 2, 3, 4, 5], [2, 2, 3, 4, 5])
    far = weighted_kappa([1, 2, 3, 4, 5], [5, 2, 3, 4, 5])
    assert far < near < 1.0
    assert weighted_kappa([3, 3, 3], [3, 3, 3]) is None  # no chance disagreement: undefined
    assert weighted_kappa([], []) is None
    with pytest.raises(ValueError, match="same units"):
        weighted_kappa([1, 2], [1])
    assert not math.isnan(weighted_kappa([1, 2, 3], [1, 3, 2], "quadratic"))
