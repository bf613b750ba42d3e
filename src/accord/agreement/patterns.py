"""Nominal agreement from unit patterns: fast alpha, Fleiss' kappa and bootstrap for reports.

Nominal alpha, Fleiss' kappa and mean pairwise agreement depend on a unit only through the
multiset of values the coders gave it (its pattern). A report has many units (a million at
character level) but far fewer distinct patterns, so it groups units by pattern once and
works on the patterns with a count of units each. The bootstrap draws the resampled number
of units of each pattern from a multinomial, which has exactly the distribution of
resampling units with replacement (as `coefficients.bootstrap_alpha` does) at a tiny
fraction of the cost.

A pattern is stored as its sorted values (one per coder, -1 = missing), not as a patterns x
categories table: with "the set of codes applied" as the value there can be thousands of
categories, and the table would be mostly zeros.

The formulas are those of `coefficients.krippendorff_alpha` and `coefficients.fleiss_kappa`,
rewritten over patterns; the tests check them against both and against the independent
`krippendorff` and statsmodels packages.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .coefficients import AlphaBootstrap


class Patterns(NamedTuple):
    """`values[p]`: the sorted values of pattern p (-1 = missing); `weight[p]`: its units."""

    values: np.ndarray  # int64, patterns x coders
    weight: np.ndarray  # int64
    n_categories: int

    @property
    def raters(self) -> np.ndarray:
        return (self.values >= 0).sum(axis=1)

    @property
    def square_sum(self) -> np.ndarray:
        """sum_c n_pc^2 per pattern: its values plus twice its pairs of equal values."""
        v = self.values
        m = v.shape[1]
        equal = np.zeros(v.shape[0], dtype=np.int64)
        for i in range(m):
            for j in range(i + 1, m):
                equal += (v[:, i] == v[:, j]) & (v[:, i] >= 0)
        return self.raters + 2 * equal


def unit_patterns(values: np.ndarray, n_categories: int) -> Patterns:
    """Group units by pattern. `values` is coders x units of category numbers, -1 = missing."""
    values = np.asarray(values, dtype=np.int64)
    if values.ndim != 2:
        raise ValueError("values must be coders x units")
    m, n_units = values.shape
    if n_units == 0:
        return Patterns(np.zeros((0, m), dtype=np.int64), np.zeros(0, dtype=np.int64), n_categories)
    ordered = np.sort(values, axis=0) + 1  # a unit's pattern ignores which coder said what
    base = n_categories + 1
    if m * np.log2(base) < 62:
        key = np.zeros(n_units, dtype=np.int64)
        for row in ordered:
            key = key * base + row
        _, first, weight = np.unique(key, return_index=True, return_counts=True)
    else:
        _, first, weight = np.unique(ordered.T, axis=0, return_index=True, return_counts=True)
    return Patterns((ordered[:, first] - 1).T.copy(), weight.astype(np.int64), n_categories)


def binary_patterns(applied: np.ndarray) -> Patterns:
    """Patterns of coders x units booleans (applied or not): value 1 = applied."""
    applied = np.asarray(applied, dtype=bool)
    m = applied.shape[0]
    count = np.bincount(applied.sum(axis=0), minlength=m + 1)
    k = np.nonzero(count)[0]
    values = (np.arange(m)[None, :] >= (m - k)[:, None]).astype(np.int64)  # k ones, sorted
    return Patterns(values, count[k].astype(np.int64), 2)


def _pairable(p: Patterns) -> Patterns:
    keep = p.raters >= 2
    return Patterns(p.values[keep], p.weight[keep], p.n_categories)


def _category_totals(p: Patterns, weights: np.ndarray) -> np.ndarray:
    """n_c for each row of `weights` (resamples x patterns): resamples x categories (for many
    categories, only those in use)."""
    n_patterns, m = p.values.shape
    if n_patterns * p.n_categories <= 1 << 16:  # small: a dense patterns x categories table
        counts = np.zeros((n_patterns, p.n_categories), dtype=np.float64)
        rows = np.arange(n_patterns)
        for j in range(m):
            present = p.values[:, j] >= 0
            np.add.at(counts, (rows[present], p.values[present, j]), 1.0)
        return weights @ counts
    # Larger: sort all (pattern, category) entries by category and sum each category's
    # weights in one contiguous reduceat. Only the categories in use get a column (their
    # order does not matter to any caller), never a patterns x categories table.
    rows, cols = np.nonzero(p.values >= 0)
    cats = p.values[rows, cols]
    order = np.argsort(cats, kind="stable")
    cats = cats[order]
    if not cats.size:
        return np.zeros((weights.shape[0], 1), dtype=np.float64)
    firsts = np.flatnonzero(np.concatenate([[True], cats[1:] != cats[:-1]]))
    return np.add.reduceat(np.take(weights, rows[order], axis=1), firsts, axis=1)


def _alpha_of(p: Patterns, weights: np.ndarray) -> np.ndarray:
    """Nominal alpha for each row of `weights` over pairable patterns; NaN where undefined.

    alpha = 1 - (n - 1) * observed / expected, with n the pairable values,
    observed = sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) and expected = n^2 - sum_c n_c^2.
    """
    m = p.raters.astype(np.float64)
    per_unit = (m * m - p.square_sum) / (m - 1.0)
    n_c = _category_totals(p, weights)
    n = weights @ m
    observed = weights @ per_unit
    expected = n * n - np.einsum("ij,ij->i", n_c, n_c)
    ok = (n > 1) & (expected > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, 1.0 - (n - 1.0) * observed / expected, np.nan)


def _resample(rng: np.random.Generator, weight: np.ndarray, n: int) -> np.ndarray:
    """Units per pattern in `n` bootstrap resamples (n x patterns): a multinomial draw of as
    many units as there are. Drawn whichever way is fastest for the shape, all with the same
    distribution: units themselves when patterns are nearly as many as units, a chain of
    binomials for the few patterns of a binary code, else numpy's multinomial."""
    total = int(weight.sum())
    if weight.size > 16 and total < 8 * weight.size:  # few units per pattern: draw the units
        pattern_of = np.repeat(np.arange(weight.size), weight)
        out = np.empty((n, weight.size), dtype=np.float64)
        step = max(1, 2_000_000 // total)
        for start in range(0, n, step):
            rows = min(step, n - start)
            drawn = pattern_of[rng.integers(0, total, size=(rows, total))]
            index = (np.arange(rows)[:, None] * weight.size + drawn).ravel()
            out[start : start + rows] = np.bincount(index, minlength=rows * weight.size).reshape(rows, weight.size)
        return out
    if weight.size > 16:
        return rng.multinomial(total, weight / total, size=n).astype(np.float64)
    out = np.empty((n, weight.size), dtype=np.float64)
    left = np.full(n, total, dtype=np.int64)
    rest = total
    for k in range(weight.size - 1):
        w = int(weight[k])
        draw = rng.binomial(left, w / rest) if rest else np.zeros(n, dtype=np.int64)
        out[:, k] = draw
        left -= draw
        rest -= w
    out[:, -1] = left
    return out


def _quantiles(sorted_values: np.ndarray, qs) -> list[float]:
    """numpy's default (linear) quantiles of already sorted values."""
    n = sorted_values.size
    out = []
    for q in qs:
        h = (n - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, n - 1)
        out.append(float(sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])))
    return out


def alpha(p: Patterns) -> float | None:
    """Krippendorff's nominal alpha; None when not defined (as `krippendorff_alpha`)."""
    q = _pairable(p)
    if q.weight.size == 0:
        return None
    value = _alpha_of(q, q.weight[None, :].astype(np.float64))[0]
    return None if np.isnan(value) else float(value)


def bootstrap(p: Patterns, n: int = 1000, seed: int = 0, ci: float = 0.95) -> AlphaBootstrap:
    """Percentile bootstrap interval of nominal alpha, resampling (pairable) units.

    Same definition as `coefficients.bootstrap_alpha`: as many units as there are, drawn
    with replacement, `n` times; resamples where alpha is undefined are left out.
    """
    q = _pairable(p)
    point = alpha(p)
    total = int(q.weight.sum())
    if total == 0:
        return AlphaBootstrap(None, None, None, point, 0)
    draws = _resample(np.random.default_rng(seed), q.weight, int(n))
    dist = _alpha_of(q, draws)
    dist = np.sort(dist[~np.isnan(dist)])
    if dist.size == 0:
        return AlphaBootstrap(None, None, None, point, 0)
    low, high = _quantiles(dist, [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0])
    return AlphaBootstrap(low, high, float(dist.mean()), point, int(dist.size))


def nominal(p: Patterns) -> tuple[float | None, float | None, float | None]:
    """(mean pairwise agreement, Fleiss' kappa, alpha) in one pass over the patterns; Fleiss'
    kappa is None unless every unit has the same number of values."""
    q = _pairable(p)
    if q.weight.size == 0:
        return None, None, None
    m = q.raters.astype(np.float64)
    square = q.square_sum
    w = q.weight.astype(np.float64)
    totals = _category_totals(q, w[None, :])[0]
    pairs_agree = (square - m) / (m * (m - 1.0))
    agreement = float((w * pairs_agree).sum() / w.sum())
    n = float(w @ m)
    observed = float(w @ ((m * m - square) / (m - 1.0)))
    expected = n * n - float(totals @ totals)
    alpha_value = 1.0 - (n - 1.0) * observed / expected if n > 1 and expected > 0 else None
    kappa = None
    if (m == m[0]).all() and q.weight.size == p.weight.size and np.count_nonzero(totals) >= 2:
        share = totals / (w.sum() * m[0])
        p_e = float(share @ share)
        kappa = (agreement - p_e) / (1.0 - p_e)
    return agreement, kappa, alpha_value


def fleiss(p: Patterns) -> float | None:
    """Fleiss' kappa over units all rated by the same number of coders; None if undefined."""
    if p.weight.size == 0:
        return None
    raters = p.raters
    if (raters != raters[0]).any() or raters[0] < 2:
        raise ValueError("Fleiss' kappa needs the same number (at least 2) of coders on every unit")
    return nominal(p)[1]


def mean_pairwise_agreement(p: Patterns) -> float | None:
    """Share of agreeing pairs of coders, averaged over units (Fleiss' P-bar; for two coders,
    plain percent agreement). Units with fewer than two values drop out."""
    return nominal(p)[0]


def units(p: Patterns) -> int:
    return int(p.weight.sum())


def two_coder_agreement(a: np.ndarray, b: np.ndarray, n_categories: int) -> tuple[float | None, float | None]:
    """(percent agreement, Cohen's kappa) of two complete integer label arrays.

    The same integer formula as `coefficients.cohen_kappa`, from the two coders' category
    counts instead of the full contingency table (which would be categories squared when
    every set of codes is a category).
    """
    n = int(a.size)
    if n == 0:
        return None, None
    agree = int(np.count_nonzero(a == b))
    chance = int((np.bincount(a, minlength=n_categories).astype(object) * np.bincount(b, minlength=n_categories)).sum())
    den = n * n - chance
    return agree / n, (None if den == 0 else (n * agree - chance) / den)
