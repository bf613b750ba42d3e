"""Lag-sequential analysis over coded utterances (Bakeman & Quera, 2011, ch. 9 and 11).

Each utterance is an event carrying the categories of the codes that overlap it (a rupture
code counts as its marker type, every other code as its root), or `uncoded`. With `by_role`
a category is prefixed with the speaker's role (`client:Withdrawal rupture`), so "what does
the therapist do after a client withdraws" is one cell.

A lag-L table counts, for every pair of events L utterances apart within one session (never
across sessions), each category of the first ("given") against each of the second ("target");
an utterance with two categories contributes to two rows (or columns), as in multi-event data.
From the table, with x the count, R and C its row and column totals and N the table total:

- transitional probability  p(T|G) = x / R
- expected count            e = R C / N
- adjusted residual         z = (x - e) / sqrt(e (1 - R/N) (1 - C/N))   (Haberman's adjusted
  residual, as Bakeman & Quera recommend after Allison & Liker, 1982)
- Yule's Q                  (ad - bc) / (ad + bc) for the 2x2 table of the cell: a = x,
  b = R - x, c = C - x, d = N - R - C + x

These are a few lines of numpy; statsmodels computes the same residuals
(`Table.standardized_resids`) and is what the tests check them against, but it is too large a
dependency for them. A value that is undefined (an empty row or column, ad + bc = 0) is None.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..model import Codebook, Coding, Transcript

if TYPE_CHECKING:
    from ..store import Project

UNCODED = "uncoded"


def category(codebook: Codebook, code: str) -> str:
    family, marker = codebook.family_of(code)
    return marker if family == "rupture" else codebook.path(code)[0]


def utterance_events(transcript: Transcript, codings: list[Coding], codebook: Codebook, *, by_role: bool = False,
                     uncoded: bool = True) -> list[tuple[str, ...]]:
    """The categories of each utterance in order (utterances without one are `uncoded`, or
    left out of the sequence when `uncoded` is False)."""
    utterances = transcript.utterances
    starts = [u.start for u in utterances]
    ends = [u.end for u in utterances]
    known = codebook.by_name()
    cats: list[set[str]] = [set() for _ in utterances]
    for c in codings:
        if c.code not in known:
            continue
        name = category(codebook, c.code)
        for i in range(bisect_right(ends, c.start), bisect_left(starts, c.end)):
            cats[i].add(name)
    events = []
    for u, found in zip(utterances, cats):
        if not found and not uncoded:
            continue
        labels = sorted(found) or [UNCODED]
        if by_role:
            role = transcript.roles.get(u.speaker) or "unknown"
            labels = [f"{role}:{label}" for label in labels]
        events.append(tuple(labels))
    return events


def event_sequences(project: Project, coder: str, transcripts: list[str] | None = None, *, by_role: bool = False,
                    uncoded: bool = True) -> dict[str, list[tuple[str, ...]]]:
    """Each transcript's utterance events for one coder of a project."""
    codebook = project.require_codebook()
    project.coder_id(coder)
    names = transcripts or [t["name"] for t in project.transcripts()]
    by_transcript: dict[str, list[Coding]] = {n: [] for n in names}
    for c in project.codings(coder=coder):
        if c.transcript in by_transcript:
            by_transcript[c.transcript].append(c)
    return {n: utterance_events(project.transcript(n), by_transcript[n], codebook, by_role=by_role, uncoded=uncoded)
            for n in names}


@dataclass
class LagTable:
    lag: int
    categories: list[str]
    counts: np.ndarray  # given (rows) x target (columns)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @property
    def expected(self) -> np.ndarray:
        n = self.counts.sum()
        if n == 0:
            return np.zeros_like(self.counts, dtype=float)
        return np.outer(self.counts.sum(axis=1), self.counts.sum(axis=0)) / n

    @property
    def probabilities(self) -> np.ndarray:
        rows = self.counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(rows > 0, self.counts / np.where(rows > 0, rows, 1), np.nan)

    @property
    def adjusted_residuals(self) -> np.ndarray:
        x = self.counts.astype(float)
        n = x.sum()
        if n == 0:
            return np.full_like(x, np.nan)
        r = x.sum(axis=1, keepdims=True)
        c = x.sum(axis=0, keepdims=True)
        e = r * c / n
        var = e * (1 - r / n) * (1 - c / n)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(var > 0, (x - e) / np.sqrt(np.where(var > 0, var, 1)), np.nan)

    @property
    def yules_q(self) -> np.ndarray:
        x = self.counts.astype(float)
        n = x.sum()
        r = x.sum(axis=1, keepdims=True)
        c = x.sum(axis=0, keepdims=True)
        a, b, cc = x, r - x, c - x
        d = n - r - c + x
        top, bottom = a * d - b * cc, a * d + b * cc
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan)

    def to_dict(self) -> dict:
        def clean(m):
            return [[None if np.isnan(v) else round(float(v), 4) for v in row] for row in m]

        return {"lag": self.lag, "categories": self.categories, "total": self.total,
                "counts": self.counts.astype(int).tolist(), "expected": clean(self.expected),
                "probabilities": clean(self.probabilities), "adjusted_residuals": clean(self.adjusted_residuals),
                "yules_q": clean(self.yules_q)}

    def cells(self) -> list[dict]:
        """One row per given/target pair, for CSV and for reading."""
        p, z, q, e = self.probabilities, self.adjusted_residuals, self.yules_q, self.expected
        out = []
        for i, g in enumerate(self.categories):
            for j, t in enumerate(self.categories):
                out.append({"lag": self.lag, "given": g, "target": t, "count": int(self.counts[i, j]),
                            "expected": round(float(e[i, j]), 4),
                            "probability": None if np.isnan(p[i, j]) else round(float(p[i, j]), 4),
                            "z": None if np.isnan(z[i, j]) else round(float(z[i, j]), 4),
                            "yules_q": None if np.isnan(q[i, j]) else round(float(q[i, j]), 4)})
        return out


def lag_table(sequences, lag: int = 1, categories: list[str] | None = None) -> LagTable:
    """Tally a lag-`lag` table from sequences of events (each event a category or a tuple of
    them), one sequence per session; pairs never cross sessions."""
    if lag < 1:
        raise ValueError("lag must be 1 or more")
    seqs = [[(e,) if isinstance(e, str) else tuple(e) for e in s] for s in sequences]
    if categories is None:
        categories = sorted({c for s in seqs for e in s for c in e})
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    counts = np.zeros((k, k), dtype=np.int64)
    for s in seqs:
        coded = [[index[c] for c in e if c in index] for e in s]
        for given, target in zip(coded, coded[lag:]):
            for g in given:
                for t in target:
                    counts[g, t] += 1
    return LagTable(lag, list(categories), counts)
