"""The chi-square and Fisher tests of accord.contingency against scipy.stats, statsmodels and
published examples (accord computes them without scipy, which is not a runtime dependency)."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from accord.contingency import chi2_sf, chi_square, fisher_exact, gamma_q, independence_test


def test_agresti_party_identification_by_gender():
    """Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5: party
    identification by gender (GSS); the book gives X^2 = 30.1 on df = 2, P < .001."""
    table = [[762, 327, 468], [484, 239, 477]]
    result = chi_square(table)
    assert round(result["statistic"], 1) == 30.1 and result["df"] == 2 and result["p"] < 0.001
    reference = stats.chi2_contingency(table, correction=False)
    assert result["statistic"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p"] == pytest.approx(reference.pvalue, rel=1e-10)
    sm = Table(np.array(table)).test_nominal_association()
    assert result["p"] == pytest.approx(sm.pvalue, rel=1e-10) and result["df"] == sm.df


def test_fisher_lady_tasting_tea():
    """Fisher (1935): 3 of 4 milk-first cups found; two-sided P = 34/70 = .4857, odds ratio 9."""
    result = fisher_exact([[3, 1], [1, 3]])
    assert result["p"] == pytest.approx(34 / 70, rel=1e-12)
    assert result["odds_ratio"] == 9


def test_fisher_agrees_with_scipy_on_many_tables():
    rng = np.random.default_rng(16)
    for _ in range(500):
        table = rng.integers(0, 40, (2, 2)).tolist()
        assert fisher_exact(table)["p"] == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9, abs=1e-15), table
    # ties between tables' probabilities must not be lost to rounding (symmetric margins)
    assert fisher_exact([[5, 5], [5, 5]])["p"] == pytest.approx(stats.fisher_exact([[5, 5], [5, 5]]).pvalue)


def test_chi_square_tail_agrees_with_scipy_over_its_range():
    rng = np.random.default_rng(7)
    for _ in range(1000):
        df = int(rng.integers(1, 200))
        x = float(rng.gamma(2.0, df / 1.5))
        assert chi2_sf(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-10, abs=1e-300), (x, df)
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-12)  # the familiar critical value
    assert gamma_q(1, 2) == pytest.approx(math.exp(-2), rel=1e-14)
    assert chi2_sf(0, 3) == 1.0


def test_random_tables_agree_with_scipy():
    rng = np.random.default_rng(3)
    for _ in range(200):
        table = (rng.integers(5, 60, (int(rng.integers(2, 5)), int(rng.integers(2, 6))))).tolist()
        ours = chi_square(table)
        theirs = stats.chi2_contingency(table, correction=False)
        assert ours["statistic"] == pytest.approx(theirs.statistic, rel=1e-12)
        assert ours["p"] == pytest.approx(theirs.pvalue, rel=1e-9)
        assert ours["df"] == theirs.dof


def test_the_test_a_table_allows():
    assert independence_test([[3, 1], [1, 3]])["test"] == "Fisher"  # 2x2: exact
    assert independence_test([[762, 327, 468], [484, 239, 477]])["test"] == "chi-square"
    sparse = independence_test([[1, 0, 2], [3, 1, 0]])
    assert sparse["test"] is None and "expected counts below 5" in sparse["reason"]
    assert independence_test([[0, 0, 0], [4, 5, 6]])["test"] is None  # a code never used: nothing to test
    # an empty column (a level with no utterances) is dropped, leaving a 2x2
    assert independence_test([[3, 0, 1], [1, 0, 3]])["test"] == "Fisher"
