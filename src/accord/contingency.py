"""Tests of independence for contingency tables: Pearson's chi-square and Fisher's exact test.

accord depends on numpy but not on scipy, so the chi-square p-value is the regularized upper
incomplete gamma function Q(df/2, x/2), computed here by its power series below a + 1 and
its continued fraction above (the split where each converges fast), to about 1e-14. Fisher's
two-sided p sums the hypergeometric probabilities of every table with the observed margins
that is no more probable than the observed one (with R's and scipy's relative tolerance of
1e-7, so ties are not lost to rounding). tests/test_contingency.py checks both against
scipy.stats and published examples.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300


def gamma_q(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a)."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x <= 0:
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:  # series for P(a, x): sum of x^n / (a (a+1) ... (a+n))
        term = total = 1.0 / a
        n = a
        for _ in range(10_000):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    # continued fraction for Q(a, x), evaluated by the modified Lentz method
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < _EPS:
            break
    return min(1.0, math.exp(log_front) * h)


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square distributed with `df` degrees of freedom."""
    return gamma_q(df / 2, x / 2)


def expected(table: list[list[float]]) -> list[list[float]]:
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table)]
    n = sum(rows)
    return [[r * c / n for c in cols] for r in rows]


def chi_square(table: list[list[float]]) -> dict:
    """Pearson's chi-square test of independence (no continuity correction): statistic, df, p,
    and Cramér's V. Rows or columns that are all zero carry no information and are dropped."""
    table = [r for r in table if sum(r) > 0]
    keep = [j for j, col in enumerate(zip(*table)) if sum(col) > 0] if table else []
    table = [[r[j] for j in keep] for r in table]
    if len(table) < 2 or len(keep) < 2:
        raise ValueError("a test needs at least two rows and two columns with counts")
    exp = expected(table)
    stat = sum((o - e) ** 2 / e for ro, re in zip(table, exp) for o, e in zip(ro, re))
    df = (len(table) - 1) * (len(keep) - 1)
    n = sum(map(sum, table))
    v = math.sqrt(stat / (n * (min(len(table), len(keep)) - 1)))
    return {"test": "chi-square", "statistic": stat, "df": df, "p": chi2_sf(stat, df), "cramers_v": v, "n": int(n)}


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(table: list[list[int]]) -> dict:
    """Fisher's exact test of a 2x2 table, two-sided, with the sample odds ratio."""
    (a, b), (c, d) = table
    if min(a, b, c, d) < 0 or any(int(v) != v for v in (a, b, c, d)):
        raise ValueError("Fisher's test takes counts")
    a, b, c, d = int(a), int(b), int(c), int(d)
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0 or row1 in (0, n) or col1 in (0, n):
        p = 1.0
    else:
        lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
        denominator = _log_choose(n, col1)
        logp = {k: _log_choose(row1, k) + _log_choose(n - row1, col1 - k) - denominator for k in range(lo, hi + 1)}
        observed = logp[a]
        p = min(1.0, sum(math.exp(v) for v in logp.values() if v <= observed + math.log1p(1e-7)))
    if b * c == 0:
        odds = math.inf if a * d > 0 else math.nan
    else:
        odds = a * d / (b * c)
    return {"test": "Fisher", "p": p, "odds_ratio": odds, "n": n}


def independence_test(table: list[list[int]]) -> dict:
    """The test a table allows: Fisher's exact test for 2x2; chi-square when at most 20% of
    expected counts are below 5 and none is below 1 (Cochran's rule); otherwise no test, with
    the reason, so a p-value is never given where its approximation does not hold."""
    rows = [r for r in table if sum(r) > 0]
    keep = [j for j, col in enumerate(zip(*rows)) if sum(col) > 0] if rows else []
    rows = [[r[j] for j in keep] for r in rows]
    if len(rows) < 2 or len(keep) < 2:
        return {"test": None, "reason": "fewer than two rows or columns with counts"}
    if len(rows) == 2 and len(keep) == 2:
        return fisher_exact(rows)
    exp = [e for r in expected(rows) for e in r]
    small = sum(e < 5 for e in exp)
    if min(exp) < 1 or small > 0.2 * len(exp):
        return {"test": None, "reason": f"{small} of {len(exp)} expected counts below 5 (chi-square needs at most 20%, "
                                        "none below 1)"}
    return chi_square(rows)
