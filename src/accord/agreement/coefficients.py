"""Agreement coefficients as plain functions over plain data.

Every coefficient returns a ``float``, or ``None`` where it is not defined (no data, or a
chance term that makes the coefficient 0/0, such as a single category in use). ``None`` is
never replaced by 0 or 1: "not computable" is reported as such.

Two coders, one label per unit
    ``percent_agreement``, ``cohen_kappa``, ``scott_pi``, ``gwet_ac1``, ``brennan_prediger``
    take two equal-length sequences of category labels (any hashable). ``None`` (or a float
    NaN) marks a unit that coder did not code; such a unit is dropped for the pair. numpy
    integer or boolean arrays take a vectorised fast path (a few milliseconds for 1M units).

Many coders
    ``fleiss_kappa`` takes a units x categories table of counts; ``krippendorff_alpha`` takes
    a coders x units matrix with missing values; ``bootstrap_alpha`` gives a bootstrap
    interval for alpha.

Spans on a continuum
    ``unitized_alpha`` is Krippendorff's alpha for unitizing (1995/2004 or 2016 definition).

All the two-coder coefficients are computed from the contingency table of the two coders in
integer arithmetic, so that cases that are exactly 0 by the formula come out exactly 0.0 (one
coder never using a code gives Cohen's kappa 0.0, not 1e-17).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple, cast

import numpy as np

__all__ = [
    "AlphaBootstrap",
    "bootstrap_alpha",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
    "unitized_alpha",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Largest label value for which integer arrays are tabulated with a direct bincount.
_DIRECT_MAX = 1 << 12


# --------------------------------------------------------------------------------------------
# Two coders: the contingency table
# --------------------------------------------------------------------------------------------


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, (float, np.floating)):
        return math.isnan(x)
    return False


def _table_from_int_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Contingency table of two 1-D integer (or bool) arrays, no missing values."""
    if a.dtype == np.bool_:
        a = a.view(np.uint8)
    if b.dtype == np.bool_:
        b = b.view(np.uint8)
    n = a.size
    if n == 0:
        return np.zeros((0, 0), dtype=np.int64)
    lo = min(int(a.min()), int(b.min()))
    hi = max(int(a.max()), int(b.max()))
    if lo >= 0 and hi <= 1:
        # Binary data (the character-level case): three counting passes, no index arrays.
        a1 = int(np.count_nonzero(a))
        b1 = int(np.count_nonzero(b))
        differ = int(np.count_nonzero(a != b))
        a_only = (differ + a1 - b1) // 2  # a = 1, b = 0
        b_only = differ - a_only
        both = a1 - a_only
        return np.array([[n - a1 - b_only, b_only], [a_only, both]], dtype=np.int64)
    if lo >= 0 and hi < _DIRECT_MAX:
        k = hi + 1
        idx = a.astype(np.intp) * k + b
        return np.bincount(idx, minlength=k * k).reshape(k, k).astype(np.int64)
    values, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    k = values.size
    idx = inverse[:n].astype(np.intp) * k + inverse[n:]
    return np.bincount(idx, minlength=k * k).reshape(k, k).astype(np.int64)


def _table_from_objects(a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
    codes: dict[Hashable, int] = {}
    ia: list[int] = []
    ib: list[int] = []
    for x, y in zip(a, b):
        if _is_missing(x) or _is_missing(y):
            continue
        ia.append(codes.setdefault(x, len(codes)))
        ib.append(codes.setdefault(y, len(codes)))
    k = len(codes)
    if k == 0:
        return np.zeros((0, 0), dtype=np.int64)
    idx = np.asarray(ia, dtype=np.intp) * k + np.asarray(ib, dtype=np.intp)
    return np.bincount(idx, minlength=k * k).reshape(k, k).astype(np.int64)


def _contingency(a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
    """k x k counts: rows coder a, columns coder b, over units both coded."""
    if len(a) != len(b):
        raise ValueError(
            f"the two coders' sequences must have the same length (one label per unit); "
            f"got {len(a)} and {len(b)}"
        )
    if not isinstance(a, np.ndarray) and hasattr(a, "dtype"):  # pandas Series and the like
        a = cast(Sequence[Any], np.asarray(a))
    if not isinstance(b, np.ndarray) and hasattr(b, "dtype"):
        b = cast(Sequence[Any], np.asarray(b))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.ndim != 1 or b.ndim != 1:
            raise ValueError("each coder's labels must be a 1-D sequence")
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":
            return _table_from_int_arrays(a, b)
        if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
            af = a.astype(np.float64, copy=False)
            bf = b.astype(np.float64, copy=False)
            keep = ~(np.isnan(af) | np.isnan(bf))
            af, bf = af[keep], bf[keep]
            n = af.size
            if n == 0:
                return np.zeros((0, 0), dtype=np.int64)
            values, inverse = np.unique(np.concatenate([af, bf]), return_inverse=True)
            k = values.size
            idx = inverse[:n].astype(np.intp) * k + inverse[n:]
            return np.bincount(idx, minlength=k * k).reshape(k, k).astype(np.int64)
    return _table_from_objects(a, b)


def _margins(table: np.ndarray) -> tuple[int, int, list[int], list[int]]:
    """(n, agreements, row sums, column sums) as Python ints (no overflow)."""
    n = int(table.sum())
    agree = int(np.trace(table)) if table.size else 0
    rows = [int(x) for x in table.sum(axis=1)]
    cols = [int(x) for x in table.sum(axis=0)]
    return n, agree, rows, cols


def _n_categories(rows: list[int], cols: list[int], n_categories: int | None) -> int:
    observed = sum(1 for r, c in zip(rows, cols) if r + c > 0)
    if n_categories is None:
        return observed
    if int(n_categories) != n_categories or n_categories < 1:
        raise ValueError(f"n_categories must be a positive integer; got {n_categories!r}")
    if n_categories < observed:
        raise ValueError(
            f"n_categories={n_categories} but the coders used {observed} different categories"
        )
    return int(n_categories)


def percent_agreement(a: Sequence[Any], b: Sequence[Any]) -> float | None:
    """Share of units on which the two coders chose the same category.

    ``p_o = (units with equal labels) / (units coded by both)``. Units where either label is
    ``None`` (or NaN) are dropped. Returns ``None`` when no unit is left.
    """
    n, agree, _, _ = _margins(_contingency(a, b))
    if n == 0:
        return None
    return agree / n


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float | None:
    """Cohen's (1960) kappa for two coders.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed agreement and
    ``p_e = sum_k p_a(k) p_b(k)`` from each coder's own marginal distribution. Computed as
    ``(n * agreements - sum_k A_k B_k) / (n^2 - sum_k A_k B_k)`` in integers (``A_k``, ``B_k``
    the coders' counts), so one coder never using a code (binary data: one coder all 0, the
    other mixed) gives exactly 0.0.

    Returns ``None`` when undefined: no unit coded by both, or ``p_e = 1`` (both coders used
    one and the same single category throughout).

    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20(1), 37-46.
    """
    n, agree, rows, cols = _margins(_contingency(a, b))
    if n == 0:
        return None
    chance = sum(r * c for r, c in zip(rows, cols))
    den = n * n - chance
    if den == 0:
        return None
    return (n * agree - chance) / den


def scott_pi(a: Sequence[Any], b: Sequence[Any]) -> float | None:
    """Scott's (1955) pi for two coders.

    ``pi = (p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k pi_k^2`` and ``pi_k`` the share of
    category k among all ``2n`` labels of both coders (pooled marginals). Returns ``None``
    when no unit is coded by both or only one category occurs (``p_e = 1``).

    Scott, W. A. (1955). Reliability of content analysis: the case of nominal scale coding.
    *Public Opinion Quarterly* 19(3), 321-325.
    """
    n, agree, rows, cols = _margins(_contingency(a, b))
    if n == 0:
        return None
    sq = sum((r + c) ** 2 for r, c in zip(rows, cols))
    den = 4 * n * n - sq
    if den == 0:
        return None
    return (4 * n * agree - sq) / den


def gwet_ac1(
    a: Sequence[Any], b: Sequence[Any], n_categories: int | None = None
) -> float | None:
    """Gwet's (2008) AC1 for two coders.

    ``AC1 = (p_o - p_e) / (1 - p_e)`` with ``p_e = 1/(q-1) * sum_k pi_k (1 - pi_k)``, where
    ``pi_k = (A_k + B_k) / 2n`` is the pooled share of category k and q the number of
    categories: ``n_categories`` when given (the size of the coding scheme), else the number of
    categories observed.

    Defined whenever q >= 2; then ``p_e <= 1/q < 1``. In particular, if only one category is
    *used* but the scheme has ``n_categories >= 2`` (say binary "coded / not coded" data where
    neither coder ever used the code), ``p_e = 0`` and AC1 = ``p_o`` = 1.0: that is the
    formula, not a placeholder. With q = 1 (one category observed and ``n_categories`` not
    given, or ``n_categories=1``) the factor ``1/(q-1)`` is undefined and the result is
    ``None``. Also ``None`` when no unit is coded by both.

    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of
    high agreement. *British Journal of Mathematical and Statistical Psychology* 61(1), 29-48.
    """
    n, agree, rows, cols = _margins(_contingency(a, b))
    if n == 0:
        return None
    q = _n_categories(rows, cols, n_categories)
    if q < 2:
        return None
    # With T_k = A_k + B_k: sum_k pi_k (1 - pi_k) = S / (4 n^2), S = sum_k T_k (2n - T_k).
    s = sum((r + c) * (2 * n - r - c) for r, c in zip(rows, cols))
    # Multiply p_o - p_e and 1 - p_e by 4 n^2 (q - 1): exact integers until the division.
    return (4 * n * (q - 1) * agree - s) / (4 * n * n * (q - 1) - s)


def brennan_prediger(
    a: Sequence[Any], b: Sequence[Any], n_categories: int | None = None
) -> float | None:
    """Brennan and Prediger's (1981) kappa_n (free-marginal kappa) for two coders.

    ``BP = (p_o - 1/q) / (1 - 1/q)``, with q = ``n_categories`` when given, else the number of
    categories observed in either coder's labels. Returns ``None`` when no unit is coded by
    both or q < 2 (the chance term 1/q = 1).

    Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses, and
    alternatives. *Educational and Psychological Measurement* 41(3), 687-699.
    """
    n, agree, rows, cols = _margins(_contingency(a, b))
    if n == 0:
        return None
    q = _n_categories(rows, cols, n_categories)
    if q < 2:
        return None
    return (q * agree - n) / (n * (q - 1))


# --------------------------------------------------------------------------------------------
# Fleiss' kappa
# --------------------------------------------------------------------------------------------


def fleiss_kappa(counts: Any) -> float | None:
    """Fleiss' (1971) kappa for a fixed number of raters per unit.

    ``counts`` is a units x categories table (list of lists or array): ``counts[i][j]`` is
    the number of raters who put unit i in category j; every row must sum to the same number
    of raters n >= 2 (else ``ValueError``).

    ``P_i = (sum_j n_ij^2 - n) / (n (n-1))``, ``P_bar = mean_i P_i``,
    ``p_j = sum_i n_ij / (N n)``, ``P_e = sum_j p_j^2``,
    ``kappa = (P_bar - P_e) / (1 - P_e)``.

    Returns ``None`` for no units, or when only one category is used (``P_e = 1``).

    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. *Psychological
    Bulletin* 76(5), 378-382.
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.size == 0:
        return None
    if table.ndim != 2:
        raise ValueError(
            f"counts must be a units x categories table; got {table.ndim} dimensions"
        )
    if np.isnan(table).any() or (table < 0).any():
        raise ValueError("counts must be non-negative numbers of raters")
    if (table != np.round(table)).any():
        raise ValueError("counts must be whole numbers of raters")
    raters = table.sum(axis=1)
    n = raters[0]
    if (raters != n).any():
        bad = int(np.argmax(raters != n))
        raise ValueError(
            f"every unit needs the same number of raters; unit 0 has {int(n)}, "
            f"unit {bad} has {int(raters[bad])}"
        )
    if n < 2:
        raise ValueError(f"Fleiss' kappa needs at least 2 raters per unit; got {int(n)}")
    n_units = table.shape[0]
    totals = table.sum(axis=0)
    if np.count_nonzero(totals) < 2:
        return None
    p_i = ((table * table).sum(axis=1) - n) / (n * (n - 1))
    p_bar = float(p_i.mean())
    p_j = totals / (n_units * n)
    p_e = float((p_j * p_j).sum())
    return (p_bar - p_e) / (1.0 - p_e)


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------------------------


class _Reliability(NamedTuple):
    """Reliability data reduced to what alpha needs (pairable units only)."""

    values: np.ndarray  # V distinct values (float for numeric levels, else object)
    unit: np.ndarray  # unit index (0..U-1 over pairable units) of each pairable value
    code: np.ndarray  # value code of each pairable value
    pair_unit: np.ndarray  # unit of each unordered within-unit pair of values
    pair_i: np.ndarray  # code of the first value of the pair
    pair_j: np.ndarray  # code of the second value of the pair
    weight: np.ndarray  # 1 / (m_u - 1) for each pair
    n_units: int


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


def _reliability_data(data: Any, level: str) -> _Reliability:
    """Codes (coders x units, -1 = missing) and the distinct values, then pairable pairs."""
    numeric_needed = level in ("interval", "ratio")
    arr = data if isinstance(data, np.ndarray) else None
    if arr is not None and arr.dtype.kind in "biuf":
        if arr.ndim != 2:
            raise ValueError(f"data must be coders x units (2-D); got {arr.ndim} dimensions")
        flat = arr.astype(np.float64, copy=False)
        present = ~np.isnan(flat)
        values, inv = np.unique(flat[present], return_inverse=True)
        codes = np.full(flat.shape, -1, dtype=np.intp)
        codes[present] = inv
    else:
        try:
            rows = [list(r) for r in data]
        except TypeError as exc:
            raise ValueError(
                "data must be coders x units: one sequence of values per coder"
            ) from exc
        if not rows:
            raise ValueError("data must have at least one coder (coders x units)")
        n_units = len(rows[0])
        for i, r in enumerate(rows):
            if len(r) != n_units:
                raise ValueError(
                    f"every coder needs one entry per unit; coder 0 has {n_units}, "
                    f"coder {i} has {len(r)}"
                )
        seen: dict[Hashable, int] = {}
        codes = np.full((len(rows), n_units), -1, dtype=np.intp)
        for i, r in enumerate(rows):
            for u, x in enumerate(r):
                if _is_missing(x):
                    continue
                codes[i, u] = seen.setdefault(x, len(seen))
        labels: list[Any] = list(seen)
        if level == "nominal":
            values = np.empty(len(labels), dtype=object)
            values[:] = labels
        else:
            try:
                order = sorted(range(len(labels)), key=lambda k: labels[k])
            except TypeError as exc:
                raise ValueError(f"{level} data must be mutually comparable values") from exc
            if numeric_needed:
                bad = [x for x in labels if isinstance(x, (str, bytes))]
                if bad:
                    raise ValueError(f"{level} data must be numbers; got {bad[0]!r}")
            rank = np.empty(len(labels), dtype=np.intp)
            rank[order] = np.arange(len(labels))
            present = codes >= 0
            codes[present] = rank[codes[present]]
            ordered = [labels[k] for k in order]
            if numeric_needed:
                try:
                    values = np.asarray(ordered, dtype=np.float64)
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"{level} data must be numbers") from exc
            else:
                values = np.empty(len(ordered), dtype=object)
                values[:] = ordered
    if numeric_needed and values.dtype == object:
        raise ValueError(f"{level} data must be numbers")
    if level == "ratio" and values.size and (values < 0).any():
        raise ValueError("ratio data must be non-negative")

    m = codes.shape[0]
    present = codes >= 0
    m_u = present.sum(axis=0)
    pairable = m_u >= 2
    codes = codes[:, pairable]
    present = present[:, pairable]
    m_u = m_u[pairable]
    n_units = int(pairable.sum())
    weight_u = 1.0 / np.maximum(m_u - 1, 1)

    unit_idx = np.broadcast_to(np.arange(n_units), codes.shape)
    unit = unit_idx[present]
    code = codes[present]

    pu, pi, pj = [], [], []
    for i in range(m):
        for j in range(i + 1, m):
            both = present[i] & present[j]
            if both.any():
                pu.append(np.nonzero(both)[0])
                pi.append(codes[i, both])
                pj.append(codes[j, both])
    if pu:
        pair_unit = np.concatenate(pu)
        pair_i = np.concatenate(pi)
        pair_j = np.concatenate(pj)
    else:
        pair_unit = pair_i = pair_j = np.zeros(0, dtype=np.intp)
    return _Reliability(
        values=values,
        unit=unit,
        code=code,
        pair_unit=pair_unit,
        pair_i=pair_i,
        pair_j=pair_j,
        weight=weight_u[pair_unit],
        n_units=n_units,
    )


def _ordinal_delta(n_c: np.ndarray, ci: np.ndarray, ck: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal metric: (sum_{g=c..k} n_g - (n_c + n_k)/2)^2."""
    cum = np.cumsum(n_c)
    lo = np.minimum(ci, ck)
    hi = np.maximum(ci, ck)
    between = cum[hi] - cum[lo] + n_c[lo]
    return (between - (n_c[ci] + n_c[ck]) / 2.0) ** 2


def _ratio_delta(v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    s = v1 + v2
    with np.errstate(invalid="ignore", divide="ignore"):
        d = ((v1 - v2) / s) ** 2
    return np.where(s == 0, 0.0, d)


def _expected_sum(level: str, n_c: np.ndarray, values: np.ndarray) -> float:
    """sum_{c,k} n_c n_k delta^2_ck over ordered pairs of values."""
    n = float(n_c.sum())
    if level == "nominal":
        return n * n - float((n_c * n_c).sum())
    if level == "interval":
        s1 = float((n_c * values).sum())
        s2 = float((n_c * values * values).sum())
        return 2.0 * (n * s2 - s1 * s1)
    used = np.nonzero(n_c > 0)[0]
    total = 0.0
    step = 512
    for start in range(0, used.size, step):
        rows = used[start : start + step]
        ci = np.repeat(rows, used.size)
        ck = np.tile(used, rows.size)
        if level == "ordinal":
            d = _ordinal_delta(n_c, ci, ck)
        else:
            d = _ratio_delta(values[ci], values[ck])
        total += float((n_c[ci] * n_c[ck] * d).sum())
    return total


def _pair_delta(rel: _Reliability, level: str, n_c: np.ndarray) -> np.ndarray:
    """delta^2 for each within-unit pair of values."""
    ci, cj = rel.pair_i, rel.pair_j
    if level == "nominal":
        return (ci != cj).astype(np.float64)
    if level == "ordinal":
        return _ordinal_delta(n_c, ci, cj)
    if level == "interval":
        return (rel.values[ci] - rel.values[cj]) ** 2
    return _ratio_delta(rel.values[ci], rel.values[cj])


def _alpha_from(
    rel: _Reliability,
    level: str,
    pair_weight: np.ndarray,
    value_weight: np.ndarray | None,
    delta: np.ndarray | None = None,
) -> float | None:
    """alpha = 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck.

    ``delta`` may carry the pairs' delta^2 when it does not depend on the marginals (every
    level but ordinal).
    """
    v = rel.values.size
    n_c = np.bincount(rel.code, weights=value_weight, minlength=v).astype(np.float64)
    n = float(n_c.sum())
    if n <= 1:
        return None
    d = delta if delta is not None else _pair_delta(rel, level, n_c)
    observed = 2.0 * float((pair_weight * d).sum())  # both orders of each pair
    expected = _expected_sum(level, n_c, rel.values)
    if expected <= 0.0:
        return None
    return 1.0 - (n - 1.0) * observed / expected


def krippendorff_alpha(data: Any, level: str = "nominal") -> float | None:
    """Krippendorff's alpha for coders x units data with missing values.

    ``data`` is coders x units (list of lists or 2-D array); ``None`` or NaN marks a missing
    value. Values may be any hashable for ``level="nominal"`` (strings included), mutually
    comparable values for ``"ordinal"`` (ranked in Python's sort order, so use numbers, not
    words, for ranks), numbers for ``"interval"``, non-negative numbers for ``"ratio"``.

    Coincidence-matrix formulation (Krippendorff 2011, "Computing Krippendorff's
    alpha-reliability", sections E-F): units with fewer than two values drop out (pairable
    values only); each unit u with m_u values contributes ``1/(m_u - 1)`` for each ordered
    pair of its values to ``o_ck``; ``n_c = sum_k o_ck``, ``n = sum_c n_c``;

        alpha = 1 - (n - 1) * sum_{c,k} o_ck delta^2_ck / sum_{c,k} n_c n_k delta^2_ck

    with delta^2 nominal: 1 if c != k; ordinal: (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 over the
    ordered values; interval: (c - k)^2; ratio: ((c - k)/(c + k))^2.

    Returns ``None`` when there are no pairable values or the expected disagreement is 0
    (a single value in all pairable units).

    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
    Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
    """
    _check_level(level)
    rel = _reliability_data(data, level)
    if rel.n_units == 0:
        return None
    return _alpha_from(rel, level, rel.weight, None)


class AlphaBootstrap(NamedTuple):
    """Bootstrap interval for alpha: ``low``, ``high`` (percentile interval), ``mean`` of the
    bootstrap distribution, ``alpha`` of the data itself, and ``n_defined``, the number of
    resamples in which alpha was defined (the others are left out)."""

    low: float | None
    high: float | None
    mean: float | None
    alpha: float | None
    n_defined: int


def bootstrap_alpha(
    data: Any,
    level: str = "nominal",
    n: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> AlphaBootstrap:
    """Percentile bootstrap interval for Krippendorff's alpha, resampling units.

    The pairable units (those with at least two values) are drawn with replacement, as many
    as there are, ``n`` times with ``numpy.random.default_rng(seed)``; alpha is recomputed on
    each resample (the ordinal metric with that resample's marginals). The interval is the
    ``(1-ci)/2`` and ``(1+ci)/2`` quantiles of the resampled alphas (linear interpolation).
    Resamples in which alpha is undefined are left out (``n_defined`` counts the rest); if
    none is defined, ``low``, ``high`` and ``mean`` are ``None``.

    This is the plain nonparametric bootstrap over units. Krippendorff's own macro (Hayes &
    Krippendorff 2007) instead resamples pairs of values from the coincidence matrix with D_e
    held fixed; the two intervals are close for many units but not identical.

    Deterministic for a given ``seed``.
    """
    _check_level(level)
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive number of resamples; got {n!r}")
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1; got {ci!r}")
    rel = _reliability_data(data, level)
    if rel.n_units == 0:
        return AlphaBootstrap(None, None, None, None, 0)
    alpha = _alpha_from(rel, level, rel.weight, None)
    rng = np.random.default_rng(seed)
    u = rel.n_units
    fixed = None if level == "ordinal" else _pair_delta(rel, level, np.zeros(0))
    results = []
    for _ in range(int(n)):
        times = np.bincount(rng.integers(0, u, size=u), minlength=u).astype(np.float64)
        value = _alpha_from(
            rel, level, rel.weight * times[rel.pair_unit], times[rel.unit], fixed
        )
        if value is not None:
            results.append(value)
    if not results:
        return AlphaBootstrap(None, None, None, alpha, 0)
    dist = np.asarray(results)
    low, high = np.quantile(dist, [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0])
    return AlphaBootstrap(float(low), float(high), float(dist.mean()), alpha, len(results))


# --------------------------------------------------------------------------------------------
# Unitizing alpha
# --------------------------------------------------------------------------------------------


def _as_position(x: Any, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer, float, np.floating)):
        raise ValueError(f"{what} must be an integer offset; got {x!r}")
    if int(x) != x:
        raise ValueError(f"{what} must be an integer offset; got {x!r}")
    return int(x)


def _clean_spans(
    spans: Sequence[Sequence[tuple[Any, Any, Hashable]]], length: Any
) -> tuple[int, list[list[tuple[int, int, Hashable]]]]:
    length = _as_position(length, "length")
    if length < 1:
        raise ValueError(f"length must be at least 1; got {length}")
    coders = list(spans)
    if len(coders) < 2:
        raise ValueError(f"unitized alpha needs at least two coders; got {len(coders)}")
    out = []
    for i, coder in enumerate(coders):
        clean = []
        for span in coder:
            try:
                start, end, value = span
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"coder {i}: each span must be (start, end, value); got {span!r}"
                ) from exc
            start = _as_position(start, f"coder {i}: span start")
            end = _as_position(end, f"coder {i}: span end")
            if not 0 <= start < end <= length:
                raise ValueError(
                    f"coder {i}: span ({start}, {end}) must satisfy 0 <= start < end <= "
                    f"length ({length})"
                )
            if value is None:
                raise ValueError(f"coder {i}: span ({start}, {end}) has no value")
            clean.append((start, end, value))
        clean.sort(key=lambda s: (s[0], s[1]))
        out.append(clean)
    return length, out


def _check_no_overlap(units: list[tuple[int, int, Hashable]], coder: int, what: str) -> None:
    for (s0, e0, v0), (s1, e1, v1) in zip(units, units[1:]):
        if s1 < e0:
            raise ValueError(
                f"coder {coder}: spans ({s0}, {e0}, {v0!r}) and ({s1}, {e1}, {v1!r}) overlap; "
                f"{what}"
            )


def _sections(units: list[tuple[int, int, Hashable]], length: int):
    """A coder's partition of [0, length) into units and gaps: starts, ends, is_unit."""
    starts = np.asarray([u[0] for u in units], dtype=np.int64)
    ends = np.asarray([u[1] for u in units], dtype=np.int64)
    bounds = np.unique(np.concatenate([[0, length], starts, ends]))
    b = bounds[:-1]
    e = bounds[1:]
    idx = np.searchsorted(starts, b, side="right") - 1
    is_unit = (idx >= 0) & (b < ends[np.maximum(idx, 0)]) if starts.size else np.zeros(b.size, bool)
    return b, e, is_unit


def _cu_parts_2004(
    coders: Sequence[Sequence[tuple[int, int, Hashable]]], length: int, value: Hashable
) -> tuple[float, float] | None:
    """(D_o, D_e) of Krippendorff's unitizing alpha for one category; None if no unit."""
    units = [[u for u in coder if u[2] == value] for coder in coders]
    for i, us in enumerate(units):
        _check_no_overlap(us, i, f"units of the same value {value!r} must not overlap")
    if not any(units):
        return None
    m = len(coders)
    L = float(length)
    secs = [_sections(us, length) for us in units]

    # Observed: sum over ordered pairs of coders i != j and their sections g, h of delta^2.
    observed = 0.0
    for i in range(m):
        bi, ei, wi = secs[i]
        for j in range(i + 1, m):
            bj, ej, wj = secs[j]
            cuts = np.union1d(bi, bj)
            g = np.searchsorted(bi, cuts, side="right") - 1
            h = np.searchsorted(bj, cuts, side="right") - 1
            b1, e1, w1 = bi[g].astype(float), ei[g].astype(float), wi[g]
            b2, e2, w2 = bj[h].astype(float), ej[h].astype(float), wj[h]
            both = w1 & w2
            d = np.where(both, (b1 - b2) ** 2 + (e1 - e2) ** 2, 0.0)
            inside_gap_j = w1 & ~w2 & (b2 <= b1) & (e1 <= e2)
            inside_gap_i = ~w1 & w2 & (b1 <= b2) & (e2 <= e1)
            d = d + np.where(inside_gap_j, (e1 - b1) ** 2, 0.0)
            d = d + np.where(inside_gap_i, (e2 - b2) ** 2, 0.0)
            observed += 2.0 * float(d.sum())  # delta^2 is symmetric: (i, j) and (j, i)
    d_o = observed / (m * (m - 1) * L * L)

    # Expected: from the lengths of all coders' units and gaps.
    lu = np.concatenate([(e - b)[w] for b, e, w in secs]).astype(float)
    lg = np.sort(np.concatenate([(e - b)[~w] for b, e, w in secs]).astype(float))
    n_c = lu.size
    term_units = (n_c - 1) / 3.0 * float((2 * lu**3 - 3 * lu**2 + lu).sum())
    # sum over gaps with l_gap >= l of (l_gap - l + 1), for each unit length l
    suffix = np.concatenate([np.cumsum(lg[::-1])[::-1], [0.0]])
    first = np.searchsorted(lg, lu, side="left")
    count = lg.size - first
    fits = suffix[first] - count * (lu - 1.0)
    term_gaps = float((lu * lu * fits).sum())
    mL = m * L
    denominator = mL * (mL - 1.0) - float((lu * (lu - 1.0)).sum())
    d_e = (2.0 / L) * (term_units + term_gaps) / denominator
    return d_o, d_e


def _u_alpha_2016(
    coders: list[list[tuple[int, int, Hashable]]], length: int
) -> float | None:
    for i, us in enumerate(coders):
        _check_no_overlap(us, i, "the 2016 u-alpha needs each coder's units to partition the "
                                 "continuum (no overlapping units)")
    m = len(coders)
    labels: dict[Hashable, int] = {}
    for us in coders:
        for _, _, v in us:
            labels.setdefault(v, len(labels) + 1)  # 0 is the gap
    k = len(labels) + 1
    cuts = np.unique(
        np.concatenate(
            [[0, length]] + [np.asarray([p for s, e, _ in us for p in (s, e)], dtype=np.int64)
                             for us in coders]
        )
    )
    seg_start = cuts[:-1]
    seg_len = np.diff(cuts).astype(np.float64)
    counts = np.zeros((seg_start.size, k), dtype=np.float64)
    correction = np.zeros(k, dtype=np.float64)
    for us in coders:
        value_at = np.zeros(seg_start.size, dtype=np.intp)
        covered = 0
        for s, e, v in us:
            lo, hi = np.searchsorted(seg_start, [s, e])
            value_at[lo:hi] = labels[v]
            correction[labels[v]] += float(e - s) ** 2  # a unit cannot pair with itself
            covered += e - s
        correction[0] += float(length - covered)  # gaps: every point on its own
        counts[np.arange(seg_start.size), value_at] += 1.0
    weighted = counts * seg_len[:, None]
    ell = (weighted.T @ counts - np.diag(weighted.sum(axis=0))) / (m - 1)
    total = float(ell.sum())  # = m * length
    margins = ell.sum(axis=1)
    expected_diag = total * (margins**2 - correction) / (total * total - correction.sum())
    d_o = total - float(np.trace(ell))
    d_e = total - float(expected_diag.sum())
    if d_e <= 0.0:
        return None
    return 1.0 - d_o / d_e


def unitized_alpha(
    spans: Sequence[Sequence[tuple[Any, Any, Hashable]]],
    length: int,
    version: str = "2004",
    category: Hashable | None = None,
) -> float | None:
    """Krippendorff's alpha for unitizing a continuum ``[0, length)``.

    ``spans`` holds one list per coder (at least two) of half-open ``(start, end, value)``
    spans with integer offsets, ``0 <= start < end <= length``. With ``category="x"`` only the
    spans of value ``"x"`` count and everything else is gap ("not x"); with ``category=None``
    all values count. Adjacent spans stay separate units.

    ``version="2004"``: Krippendorff's unitizing alpha of 1995, in the discrete form of
    Krippendorff (2004a, 2004b). For one value c, each coder's continuum is cut into sections:
    units of value c (w = 1) and the gaps between them (w = 0), section g of coder i beginning
    at b_ig with length l_ig. Then

        D_o(c) = sum_i sum_{j != i} sum_g sum_h delta^2_ighj / (m (m-1) L^2)

        delta^2_ighj = (b_ig - b_jh)^2 + (b_ig + l_ig - b_jh - l_jh)^2
                           if both are units and they overlap,
                       l_ig^2   if unit ig lies inside gap jh,
                       l_jh^2   if unit jh lies inside gap ig,
                       0        otherwise;

        D_e(c) = (2/L) * sum_{units ig} [ (N_c - 1)/3 * (2 l_ig^3 - 3 l_ig^2 + l_ig)
                     + l_ig^2 * sum_{gaps jh, l_jh >= l_ig} (l_jh - l_ig + 1) ]
                 / [ mL (mL - 1) - sum_{units ig} l_ig (l_ig - 1) ]

    with N_c the number of units of value c over all m coders and L = ``length``.
    ``alpha(c) = 1 - D_o(c)/D_e(c)``; over all values (``category=None``)
    ``alpha = 1 - sum_c D_o(c) / sum_c D_e(c)``. Units of one value must not overlap within a
    coder (units of different values may). With units of length 1 this equals nominal alpha
    on the individual points.

    ``version="2016"``: the u-alpha of Krippendorff, Mathet, Bouvry & Widlöcher (2016), their
    nominal coefficient over all segments (units and gaps). Each coder's spans must not
    overlap (they partition the continuum together with the gaps). Observed coincidences
    ``l_ck = 1/(m-1) sum_i sum_{j != i} sum_g sum_h |s_ig intersect s_jh|`` over segments of
    value c (coder i) and k (coder j), gap being a value of its own; ``l.. = mL``. Expected

        e_cc = l.. (l_c.^2 - sum_{segments of value c} L_s) / (l..^2 - sum_{all segments} L_s)

    with ``L_s = l_s^2`` for a unit (a unit is not paired with itself) and ``L_s = l_s`` for a
    gap (each point of a gap on its own). ``alpha = 1 - (l.. - sum_c l_cc)/(l.. - sum_c e_cc)``.
    With ``category="x"`` this is the same coefficient on the continuum of x-units and gaps.
    The 2016 paper's |u-alpha, cu-alpha and (k)u-alpha are not provided.

    Returns ``None`` when undefined: no unit of the value(s) at all, or zero expected
    disagreement.

    References: Krippendorff, K. (1995). On the reliability of unitizing continuous data.
    *Sociological Methodology* 25, 47-76. Krippendorff, K. (2004a). *Content Analysis: An
    Introduction to Its Methodology*, 2nd ed. Thousand Oaks, CA: Sage. Krippendorff, K. (2004b).
    Measuring the reliability of qualitative text analysis data. *Quality & Quantity* 38,
    787-800. Krippendorff, K., Mathet, Y., Bouvry, S., & Widlöcher, A. (2016). On the
    reliability of unitizing textual continua: further developments. *Quality & Quantity* 50,
    2347-2364.
    """
    if version not in ("2004", "2016"):
        raise ValueError(f"version must be '2004' or '2016'; got {version!r}")
    length, coders = _clean_spans(spans, length)
    if category is not None:
        coders = [[u for u in us if u[2] == category] for us in coders]
    if version == "2016":
        if not any(coders):
            return None
        return _u_alpha_2016(coders, length)
    values: dict[Hashable, None] = {}
    for us in coders:
        for _, _, v in us:
            values.setdefault(v, None)
    d_o = d_e = 0.0
    for v in values:
        parts = _cu_parts_2004(coders, length, v)
        if parts is not None:
            d_o += parts[0]
            d_e += parts[1]
    if not values or d_e <= 0.0:
        return None
    return 1.0 - d_o / d_e
