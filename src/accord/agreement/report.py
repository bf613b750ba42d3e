"""The agreement report: per code and overall, the figures a methods section cites.

`agreement_report(project, coders, ...)` returns plain dataclasses (`to_dict()` gives JSON),
so the command line, the UI and a script all show the same numbers. Every figure comes with
its definition in `report.method`; undefined figures are `None`, never 0 or 1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from .. import __version__
from . import patterns as pat
from .coefficients import _cu_parts_2004, cohen_kappa, percent_agreement, unitized_alpha
from .method import NO_BOOTSTRAP_CHARACTERS, UNITIZING, method_text
from .unit_table import AgreementError, UnitTable, build_unit_table

if TYPE_CHECKING:
    from ..store import Project

__all__ = [
    "AgreementError",
    "AgreementReport",
    "CodeAgreement",
    "Figures",
    "Interval",
    "OverallAgreement",
    "PairAgreement",
    "TranscriptAgreement",
    "agreement_report",
]


@dataclass
class Interval:
    """Percentile bootstrap interval of alpha."""

    low: float | None
    high: float | None
    level: float
    resamples: int
    defined: int  # resamples in which alpha was defined


@dataclass
class Figures:
    """One set of figures over one set of units. `kappa` is Cohen's for two coders and
    Fleiss' for more (the report's `kappa` field names it)."""

    units: int
    percent_agreement: float | None
    kappa: float | None
    alpha: float | None
    alpha_interval: Interval | None = None


@dataclass
class PairAgreement:
    """Two of several coders: Cohen's kappa, percent agreement and alpha for the pair."""

    a: str
    b: str
    all_units: Figures
    coded_units: Figures  # units at least one of the two coded


@dataclass
class CodeAgreement:
    code: str
    use: dict[str, int]  # units each coder applied the code to
    codings: dict[str, int]  # each coder's codings (spans) of the code
    all_units: Figures
    coded_units: Figures  # units at least one coder applied the code to
    unitized_alpha: float | None
    pairwise: list[PairAgreement] = field(default_factory=list)


@dataclass
class OverallAgreement:
    """Each unit's value is the set of codes a coder applied to it (one nominal category per
    distinct set): a proper multi-category kappa and alpha for mutually exclusive schemes."""

    categories: int  # distinct sets of codes in use (the empty set included)
    multi_coded_units: int  # units some coder gave more than one of the codes
    all_units: Figures
    coded_units: Figures  # units anyone gave any code
    unitized_alpha: float | None
    pairwise: list[PairAgreement] = field(default_factory=list)


@dataclass
class TranscriptAgreement:
    transcript: str
    units: int
    by_code: list[CodeAgreement]
    overall: OverallAgreement


@dataclass
class AgreementReport:
    unit: str
    coders: list[str]
    transcripts: list[str]
    codes: list[str]
    units: int
    kappa: str  # "Cohen's kappa" or "Fleiss' kappa"
    unitizing: str
    bootstrap: dict | None  # resamples, seed, level; None when not computed (and why in notes)
    by_code: list[CodeAgreement]
    overall: OverallAgreement
    by_transcript: list[TranscriptAgreement]
    method: str
    notes: list[str]
    # What `accord disagreements` lists, counted: units where the coders' codes differ (each
    # once), and (code, unit) pairs where they differ, which is what the per-code rows add up to.
    disputed_units: int = 0
    code_disagreements: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def code(self, name: str) -> CodeAgreement:
        for c in self.by_code:
            if c.code == name:
                return c
        raise KeyError(name)

    def matrix(self, code: str | None = None, figure: str = "kappa", units: str = "all_units") -> list[list[float | None]]:
        """Coders x coders matrix of a pairwise figure (Cohen's kappa by default) for one code
        or, with `code=None`, the overall set-of-codes value. The diagonal is None."""
        pairs = (self.overall if code is None else self.code(code)).pairwise
        if not pairs:
            pairs = [_pair_from(self, code)]
        index = {c: i for i, c in enumerate(self.coders)}
        out: list[list[float | None]] = [[None] * len(self.coders) for _ in self.coders]
        for p in pairs:
            value = getattr(getattr(p, units), figure)
            out[index[p.a]][index[p.b]] = out[index[p.b]][index[p.a]] = value
        return out


def _pair_from(report: AgreementReport, code: str | None) -> PairAgreement:
    """Two coders: the pair's figures are the report's own."""
    c = report.overall if code is None else report.code(code)
    strip = lambda f: Figures(f.units, f.percent_agreement, f.kappa, f.alpha)  # noqa: E731
    return PairAgreement(report.coders[0], report.coders[1], strip(c.all_units), strip(c.coded_units))


# --------------------------------------------------------------------------------------------
# Figures from values
# --------------------------------------------------------------------------------------------


@dataclass
class _Settings:
    resamples: int
    seed: int
    level: float
    unitizing: str


def _interval(p: pat.Patterns, s: _Settings) -> Interval | None:
    if not s.resamples:
        return None
    b = pat.bootstrap(p, n=s.resamples, seed=s.seed, ci=s.level)
    return Interval(b.low, b.high, s.level, s.resamples, b.n_defined)


def _figures(values: np.ndarray, n_categories: int | None, s: _Settings, with_interval: bool = True) -> Figures:
    """Figures over coders x units values: booleans (one code applied or not) or, with
    `n_categories`, category numbers (sets of codes). No missing values."""
    n_units = int(values.shape[1])
    if n_units == 0:
        return Figures(0, None, None, None, None)
    if n_categories is None:
        p = pat.binary_patterns(values)
        if values.shape[0] == 2:
            agree, kappa = percent_agreement(values[0], values[1]), cohen_kappa(values[0], values[1])
    else:
        p = _set_patterns(values, n_categories)
        if values.shape[0] == 2:
            agree, kappa = pat.two_coder_agreement(values[0], values[1], n_categories)
    pairwise_agree, fleiss, alpha = pat.nominal(p)
    if values.shape[0] > 2:
        agree, kappa = pairwise_agree, fleiss
    interval = _interval(p, s) if with_interval else None
    return Figures(n_units, agree, kappa, alpha, interval)


def _set_patterns(values: np.ndarray, n_categories: int) -> pat.Patterns:
    """Patterns of code-set values, grouping only the units someone coded (at character level
    most units are the all-empty pattern, which is simply counted)."""
    coded = (values != 0).any(axis=0)
    p = pat.unit_patterns(values[:, coded], n_categories)
    empty = int(values.shape[1] - coded.sum())
    if not empty:
        return p
    zeros = np.zeros((1, values.shape[0]), dtype=np.int64)
    return pat.Patterns(np.concatenate([zeros, p.values]), np.concatenate([[empty], p.weight]), n_categories)


def _pairs(values: np.ndarray, coded: np.ndarray, coders: list[str], n_categories: int | None, s: _Settings) -> list[PairAgreement]:
    """Pairwise figures for more than two coders; `coded` marks units with a non-empty value."""
    if len(coders) <= 2:
        return []
    out = []
    for i, j in combinations(range(len(coders)), 2):
        two = values[[i, j]]
        either = coded[i] | coded[j]
        out.append(
            PairAgreement(
                coders[i],
                coders[j],
                _figures(two, n_categories, s, with_interval=False),
                _figures(two[:, either], n_categories, s, with_interval=False),
            )
        )
    return out


def _set_values(applied: np.ndarray) -> tuple[np.ndarray, int]:
    """codes x coders x units booleans -> (coders x units numbers of distinct code sets, how
    many numbers); 0 is always the empty set (no code)."""
    n_codes, m, n = applied.shape
    anything = applied.any(axis=0).ravel()
    values = np.zeros(m * n, dtype=np.int64)
    if not anything.any():
        return values.reshape(m, n), 1
    picked = applied.reshape(n_codes, m * n)[:, anything]  # only units someone coded: few at character level
    key: np.ndarray
    if n_codes <= 62:
        key = np.zeros(picked.shape[1], dtype=np.int64)
        for i in range(n_codes):
            key |= picked[i].astype(np.int64) << i
    else:
        packed = np.ascontiguousarray(np.packbits(picked, axis=0).T)
        key = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    distinct, inverse = np.unique(key, return_inverse=True)
    values[anything] = inverse.ravel() + 1
    return values.reshape(m, n), int(distinct.size) + 1


# --------------------------------------------------------------------------------------------
# Unitizing alpha
# --------------------------------------------------------------------------------------------


def _joined(spans: np.ndarray) -> np.ndarray:
    """A coder's spans of one code with overlapping ones joined (unitizing needs disjoint
    units of one value per coder); touching spans stay separate. Vectorised."""
    if spans.shape[0] < 2:
        return spans
    order = np.lexsort((spans[:, 1], spans[:, 0]))
    s, e = spans[order, 0], spans[order, 1]
    reach = np.maximum.accumulate(e)
    new = np.concatenate([[True], s[1:] >= reach[:-1]])
    firsts = np.nonzero(new)[0]
    return np.stack([s[firsts], np.maximum.reduceat(e, firsts)], axis=1)


def _unitizing_spans(table: UnitTable, i: int, lo: int, hi: int) -> list[list[tuple[int, int, str]]]:
    """Each coder's spans of code i inside [lo, hi) (one transcript, or all), joined, as
    `unitized_alpha` takes them. Spans are sorted by start, so a transcript is a slice."""
    code = table.codes[i]
    out = []
    for j in range(len(table.coders)):
        mine = table.spans[i][j]
        a, b = np.searchsorted(mine[:, 0], [lo, hi])
        out.append([(a_, b_, code) for a_, b_ in (_joined(mine[a:b]) - lo).tolist()])
    return out


def _unitized(table: UnitTable, lo: int, hi: int, version: str, notes: list[str] | None) -> tuple[list, float | None]:
    """Unitizing alpha per code and over all codes on the continuum [lo, hi).

    The 2004 overall value is 1 - sum_c D_o(c) / sum_c D_e(c), so the per-code parts are
    computed once and summed (the same arithmetic as `unitized_alpha(category=None)`).
    """
    per_code: list[float | None] = []
    if hi <= lo:
        return [None] * len(table.codes), None
    spans = [_unitizing_spans(table, i, lo, hi) for i in range(len(table.codes))]
    if version == "2016":
        for i, code in enumerate(table.codes):
            per_code.append(unitized_alpha(spans[i], hi - lo, version="2016", category=code) if any(spans[i]) else None)
        merged = [sum((spans[i][j] for i in range(len(spans))), []) for j in range(len(table.coders))]
        try:
            overall = unitized_alpha(merged, hi - lo, version="2016") if any(merged) else None
        except ValueError as e:
            overall = None
            if notes is not None:
                notes.append(f"overall unitizing alpha (2016) not given: {e}")
        return per_code, overall
    d_o = d_e = 0.0
    for i, code in enumerate(table.codes):
        parts = _cu_parts_2004(spans[i], hi - lo, code)
        if parts is None or parts[1] <= 0:
            per_code.append(None)
        else:
            per_code.append(1.0 - parts[0] / parts[1])
        if parts is not None:
            d_o, d_e = d_o + parts[0], d_e + parts[1]
    return per_code, (1.0 - d_o / d_e if d_e > 0 else None)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def _by_code(table: UnitTable, units: slice, lo: int, hi: int, s: _Settings, unitized: list, pairwise: bool) -> list[CodeAgreement]:
    out = []
    for i, code in enumerate(table.codes):
        applied = table.applied[i][:, units]
        anyone = applied.any(axis=0)
        in_range = [(sp[:, 0] >= lo) & (sp[:, 1] <= hi) for sp in table.spans[i]]
        out.append(
            CodeAgreement(
                code=code,
                use={c: int(applied[j].sum()) for j, c in enumerate(table.coders)},
                codings={c: int(in_range[j].sum()) for j, c in enumerate(table.coders)},
                all_units=_figures(applied, None, s, with_interval=pairwise),
                coded_units=_figures(applied[:, anyone], None, s, with_interval=pairwise),
                unitized_alpha=unitized[i],
                pairwise=_pairs(applied, applied, table.coders, None, s) if pairwise else [],
            )
        )
    return out


def _overall(table: UnitTable, units: slice, s: _Settings, unitized: float | None) -> OverallAgreement:
    applied = table.applied[:, :, units]
    values, k = _set_values(applied)
    coded = values > 0  # coders x units: this coder gave some code
    anyone = coded.any(axis=0)
    multi = int((applied.sum(axis=0) > 1).any(axis=0).sum())
    return OverallAgreement(
        categories=int(np.unique(values).size),
        multi_coded_units=multi,
        all_units=_figures(values, k, s),
        coded_units=_figures(values[:, anyone], k, s),
        unitized_alpha=unitized,
        pairwise=_pairs(values, coded, table.coders, k, s),
    )


def _scope(table: UnitTable, units: slice, lo: int, hi: int, s: _Settings, notes: list[str] | None, pairwise: bool = True):
    per_code, overall = _unitized(table, lo, hi, s.unitizing, notes)
    return _by_code(table, units, lo, hi, s, per_code, pairwise), _overall(table, units, s, overall)


def agreement_report(
    project: Project,
    coders,
    unit: str = "utterance",
    transcripts=None,
    codes=None,
    per_transcript: bool = False,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    unitizing: str = "2004",
) -> AgreementReport:
    """Agreement of `coders` (two or more names) on a project, per code and overall.

    `unit`: "utterance", "sentence", "character" (of spoken text) or "document" (every
    character, labels and line breaks too, as NVivo counts). `transcripts`, `codes`: names to restrict
    to (default: transcripts every coder has coded or read to the end, codes any of them used there).
    `bootstrap`: resamples for alpha's interval (0: none; never at character level, where
    characters are not independent). `unitizing`: "2004" or "2016" definition of unitizing
    alpha. Raises `AgreementError` (or the store's `ProjectError`) with a clear message for
    an unknown coder, a coder with no codings, or fewer than two coders.
    """
    if unitizing not in UNITIZING:
        raise AgreementError(f"unitizing must be '2004' or '2016'; got {unitizing!r}")
    if not 0.0 < level < 1.0:
        raise AgreementError(f"the interval level must be between 0 and 1; got {level}")
    if bootstrap < 0:
        raise AgreementError(f"bootstrap resamples cannot be negative; got {bootstrap}")
    try:
        table = build_unit_table(project, coders, unit, transcripts, codes)
    except ValueError as e:
        raise AgreementError(str(e)) from None
    notes = list(table.notes)
    resamples = bootstrap
    if unit in ("character", "document") and bootstrap:
        resamples = 0
        notes.append(NO_BOOTSTRAP_CHARACTERS)
    s = _Settings(resamples, seed, level, unitizing)
    everything = slice(0, table.n_units)
    total = int(table.base[-1])
    by_transcript = []
    if per_transcript:
        for t, name in enumerate(table.transcripts):
            units = table.transcript_slice(t)
            # per transcript and code: no pairwise matrices or intervals (few units: mostly noise)
            by_code, overall = _scope(table, units, int(table.base[t]), int(table.base[t + 1]), s, None, pairwise=False)
            by_transcript.append(TranscriptAgreement(name, units.stop - units.start, by_code, overall))
    by_code, overall = _scope(table, everything, 0, total, s, notes)
    boot = {"resamples": resamples, "seed": seed, "level": level} if resamples else None
    differ = table.applied.any(axis=1) & ~table.applied.all(axis=1)  # codes x units
    return AgreementReport(
        unit=unit,
        coders=table.coders,
        transcripts=table.transcripts,
        codes=table.codes,
        units=table.n_units,
        kappa="Cohen's kappa" if len(table.coders) == 2 else "Fleiss' kappa",
        unitizing=UNITIZING[unitizing],
        bootstrap=boot,
        by_code=by_code,
        overall=overall,
        by_transcript=by_transcript,
        method=method_text(
            unit=unit,
            coders=table.coders,
            n_units=table.n_units,
            n_transcripts=len(table.transcripts),
            bootstrap=boot,
            unitizing=unitizing,
            version=__version__,
        ),
        notes=notes,
        disputed_units=int(differ.any(axis=0).sum()),
        code_disagreements=int(differ.sum()),
    )
