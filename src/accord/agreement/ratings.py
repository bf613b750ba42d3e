"""Agreement coefficients for ratings on a scale, as plain functions over plain data.

``icc(table, form="2,1")``
    Intraclass correlation over a targets x raters table, in the six forms of Shrout and
    Fleiss (1979): ICC(1,1), ICC(2,1), ICC(3,1) and their means of k raters ICC(1,k), ICC(2,k),
    ICC(3,k), with the F test against 0 and a confidence interval from the F distribution
    (Shrout & Fleiss, 1979; McGraw & Wong, 1996; for form 2 Satterthwaite's degrees of
    freedom). Form 1: each target rated by different raters (one-way random); form 2: the
    raters are a sample of raters (two-way random, absolute agreement); form 3: these raters
    only (two-way mixed, consistency). A target missing any rater's value is left out.

``weighted_kappa(a, b, weights="linear"|"quadratic")``
    Cohen's weighted kappa for two raters, with disagreement weights by the distance between
    the values (|i - j| or (i - j)^2), so 1 vs 5 costs more than 1 vs 2.

The F distribution comes from the regularized incomplete beta function written out here
(a continued fraction, evaluated by Lentz's method): accord's runtime needs only numpy, and
scipy is not one of its dependencies. tests/test_ratings_agreement.py checks it against scipy.

As in `coefficients`, a coefficient that is not defined (no variance, too few targets) is
None, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

FORMS = ("1,1", "2,1", "3,1", "1,k", "2,k", "3,k")
WEIGHTS = ("linear", "quadratic")


class ICC(NamedTuple):
    form: str  # "2,1", ...
    value: float | None
    low: float | None  # confidence interval
    high: float | None
    f: float | None  # F test of ICC = 0
    df1: float
    df2: float
    p: float | None
    n: int  # targets
    k: int  # raters
    confidence: float = 0.95


# --------------------------------------------------------------------------------------------
# The F distribution through the regularized incomplete beta function
# --------------------------------------------------------------------------------------------


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), evaluated from the front (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 10_000):
        # even step, then odd step, of the fraction's coefficients
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < eps:
            break
    return result


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = a * math.log(x) + b * math.log1p(-x) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    # The fraction converges fast for x below the mean a / (a + b); above it use the symmetry
    # I_x(a, b) = 1 - I_(1-x)(b, a).
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def f_cdf(f: float, df1: float, df2: float) -> float:
    """P(F <= f) for an F distribution with df1 and df2 degrees of freedom."""
    if f <= 0:
        return 0.0
    return betainc(df1 / 2.0, df2 / 2.0, df1 * f / (df1 * f + df2))


def f_ppf(q: float, df1: float, df2: float) -> float:
    """The q-quantile of the F distribution (bisection on the beta variable, to ~1e-15)."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"a quantile needs 0 < q < 1, not {q}")
    a, b = df1 / 2.0, df2 / 2.0
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-16:
            break
    x = (lo + hi) / 2.0
    return math.inf if x >= 1.0 else df2 * x / (df1 * (1.0 - x))


# --------------------------------------------------------------------------------------------
# Intraclass correlation
# --------------------------------------------------------------------------------------------


def _mean_squares(x: np.ndarray) -> tuple[float, float, float, float]:
    """MSR (targets), MSC (raters), MSW (within targets), MSE (residual) of a complete table."""
    n, k = x.shape
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    ss_rows = float(k * ((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((x.mean(axis=0) - grand) ** 2).sum())
    ss_error = ss_total - ss_rows - ss_cols
    return (ss_rows / (n - 1), ss_cols / (k - 1), (ss_total - ss_rows) / (n * (k - 1)),
            ss_error / ((n - 1) * (k - 1)))


def _ratio(num: float, den: float) -> float | None:
    """num / den, or None where the denominator, a variance estimate, is not positive (a
    degenerate table, e.g. targets that do not differ at all, would give ICC(2,k) = 42)."""
    if den <= 1e-12 * abs(num):  # also a difference that is 0 but for rounding (1e-17)
        return None
    return num / den if den > 0 and math.isfinite(num / den) else None


def icc(ratings: Any, form: str = "2,1", confidence: float = 0.95) -> ICC:
    """The intraclass correlation of a targets x raters table in one Shrout-Fleiss form.

    `ratings`: rows are targets (segments), columns raters; None or NaN marks a missing value
    and drops the target. Returns an `ICC` with the value, its confidence interval, and the F
    test of ICC = 0; value and interval are None where the table has no variance to compare
    (or a variance estimate in the formula is not positive).
    """
    if form not in FORMS:
        raise ValueError(f"unknown ICC form {form!r}; one of {', '.join(FORMS)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    x = np.array([[np.nan if v is None else v for v in row] for row in ratings], dtype=float) \
        if not isinstance(ratings, np.ndarray) else ratings.astype(float)
    if x.ndim != 2:
        raise ValueError("ratings must be a targets x raters table")
    x = x[~np.isnan(x).any(axis=1)] if x.size else x
    n, k = x.shape if x.size else (0, x.shape[1] if x.ndim == 2 else 0)
    model, average = form[0], form.endswith("k")
    df1 = n - 1
    df2 = n * (k - 1) if model == "1" else (n - 1) * (k - 1)
    if n < 2 or k < 2:
        return ICC(form, None, None, None, None, df1, df2, None, n, k, confidence)
    msr, msc, msw, mse = _mean_squares(x)
    q = 1 - (1 - confidence) / 2
    if model == "1":
        value = _ratio(msr - msw, msr) if average else _ratio(msr - msw, msr + (k - 1) * msw)
        f = _ratio(msr, msw)
    elif model == "3":
        value = _ratio(msr - mse, msr) if average else _ratio(msr - mse, msr + (k - 1) * mse)
        f = _ratio(msr, mse)
    else:
        value = _ratio(msr - mse, msr + (msc - mse) / n) if average \
            else _ratio(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n)
        f = _ratio(msr, mse)
    p = None if f is None else 1.0 - f_cdf(f, df1, df2)
    low = high = None
    if value is not None and f is not None:
        if model in "13":
            f_low, f_high = f / f_ppf(q, df1, df2), f * f_ppf(q, df2, df1)
            if average:
                low, high = 1 - 1 / f_low, 1 - 1 / f_high
            else:
                low, high = (f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1)
        else:
            low, high = _icc2_interval(msr, msc, mse, n, k, q)
            if low is not None and average:  # Spearman-Brown to the mean of k raters
                low, high = low * k / (1 + low * (k - 1)), high * k / (1 + high * (k - 1))
    return ICC(form, value, low, high, f, df1, df2, p, n, k, confidence)


def _icc2_interval(msr, msc, mse, n, k, q) -> tuple[float | None, float | None]:
    """McGraw & Wong's (1996) interval for ICC(A,1), with Satterthwaite's degrees of freedom."""
    single = _ratio(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n)
    if single is None or single >= 1:
        return None, None
    a = k * single / (n * (1 - single))
    b = 1 + k * single * (n - 1) / (n * (1 - single))
    den = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
    if den <= 0:
        return None, None
    v = (a * msc + b * mse) ** 2 / den
    if not 1e-6 < v < math.inf:  # no variance between targets (MSR = 0): no interval to speak of
        return None, None
    f_star, f_star_rev = f_ppf(q, n - 1, v), f_ppf(q, v, n - 1)
    if not (math.isfinite(f_star) and math.isfinite(f_star_rev)):
        return None, None
    low = n * (msr - f_star * mse) / (f_star * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (f_star_rev * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_star_rev * msr)
    return low, high


# --------------------------------------------------------------------------------------------
# Weighted kappa
# --------------------------------------------------------------------------------------------


def weighted_kappa(a: Sequence[Any], b: Sequence[Any], weights: str = "linear",
                   categories: Sequence[float] | None = None) -> float | None:
    """Cohen's weighted kappa of two raters' numeric ratings of the same units.

    Disagreement weights are the distance between the values (linear) or its square
    (quadratic). `categories`: every point of the scale (default: the values used), which
    changes nothing for linear or quadratic weights by value but makes the table complete.
    A unit either rater left out (None or NaN) is dropped. None when there are no units or
    the chance disagreement is 0 (both raters used one value).
    """
    if weights not in WEIGHTS:
        raise ValueError(f"unknown weights {weights!r}; one of {', '.join(WEIGHTS)}")
    if len(a) != len(b):
        raise ValueError(f"the two raters rated {len(a)} and {len(b)} units; give both the same units")
    pairs = [(float(x), float(y)) for x, y in zip(a, b)
             if x is not None and y is not None and not (isinstance(x, float) and math.isnan(x))
             and not (isinstance(y, float) and math.isnan(y))]
    if not pairs:
        return None
    values = sorted(set(categories or []) | {v for pair in pairs for v in pair})
    index = {v: i for i, v in enumerate(values)}
    table = np.zeros((len(values), len(values)))
    for x, y in pairs:
        table[index[x], index[y]] += 1
    points = np.array(values)
    distance = np.abs(points[:, None] - points[None, :])
    w = distance if weights == "linear" else distance ** 2
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    chance = float((w * expected).sum())
    if chance == 0:
        return None
    return 1.0 - float((w * table).sum()) / chance
