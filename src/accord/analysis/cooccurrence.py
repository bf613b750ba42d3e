"""Code co-occurrence: how often two codes meet in one coder's coding.

Three ways to meet (`mode`):

- `utterance`: a cell counts the utterances that both a coding of A and a coding of B touch;
  the diagonal counts the utterances each code touches;
- `overlap`: a cell counts the pairs of codings, one of A and one of B, whose spans share at
  least one character; the diagonal counts each code's codings;
- `within` N: a cell counts the pairs of codings, one of A and one of B, at most N utterances
  apart (0: touching a common utterance; the gap is from one's last utterance to the other's
  first); the diagonal counts each code's codings.

A code counts its sub-codes' codings unless `exact`, so Reflection meets Question wherever a
complex reflection meets a closed question. A code and its own ancestor (Reflection and
Complex reflection) always "meet" through the hierarchy, so their cell is None rather than a
number that would only restate it. Pairs never cross transcripts; codings outside every turn
count in `overlap` only.

Pairs are counted once per exact code pair with a sweep over the codings in order, then summed
up the hierarchy with a 0/1 membership matrix (M · E · Mᵀ), so 10,000 codings take a fraction
of a second.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import numpy as np

from .load import Coded

MODES = ("utterance", "overlap", "within")


@dataclass
class Cooccurrence:
    mode: str
    within: int | None
    codes: list[str]
    counts: list[list[int | None]]  # codes x codes; None where one code is the other's ancestor

    def to_dict(self) -> dict:
        return {"mode": self.mode, "within": self.within, "codes": self.codes, "counts": self.counts}

    def pairs(self) -> list[dict]:
        """The cells above the diagonal with a count above zero, largest first."""
        out = [{"a": a, "b": b, "count": self.counts[i][j]}
               for i, a in enumerate(self.codes) for j, b in enumerate(self.codes)
               if j > i and self.counts[i][j]]
        return sorted(out, key=lambda r: -r["count"])


def cooccurrence(coded: Coded, mode: str = "utterance", within: int = 1, *, exact: bool = False,
                 codes: list[str] | None = None, used_only: bool = True) -> Cooccurrence:
    """The matrix for `codes` (default: every code the coder used, or every code of the
    codebook with `used_only=False`), in codebook order."""
    if mode not in MODES:
        raise ValueError(f"mode is one of {', '.join(MODES)}")
    if within < 0:
        raise ValueError("the window must be 0 or more utterances")
    h = coded.hierarchy
    leaves = h.names  # the exact codes a coding may carry
    index = {c: i for i, c in enumerate(leaves)}
    k = len(leaves)
    used = {p.coding.code for ps in coded.placed.values() for p in ps}
    if codes:
        shown = list(dict.fromkeys(h.resolve(c) for c in codes))
        shown.sort(key=index.__getitem__)
    elif used_only:
        counted = {c for u in used for c in h.counts_as(u, exact)}
        shown = [c for c in leaves if c in counted]
    else:
        shown = list(leaves)
    member = np.zeros((len(shown), k), dtype=np.int64)  # member[s, leaf] = 1: a leaf coding counts as s
    for i, s in enumerate(shown):
        for leaf in ([s] if exact else h.subtree(s)):
            member[i, index[leaf]] = 1
    if mode == "utterance":
        result = _utterances(coded, index, member)
    else:
        pairs, singles = _pairs(coded, index, k, mode, within)
        result = member @ pairs @ member.T
        np.fill_diagonal(result, member @ singles)
    counts = [[None if i != j and h.nested(a, b) and not exact else int(result[i, j])
               for j, b in enumerate(shown)] for i, a in enumerate(shown)]
    return Cooccurrence(mode, within if mode == "within" else None, shown, counts)


def _utterances(coded: Coded, index: dict[str, int], member: np.ndarray) -> np.ndarray:
    """Shown x shown counts of utterances touched by both (diagonal: by each)."""
    total = np.zeros((member.shape[0], member.shape[0]), dtype=np.int64)
    for name, t in coded.transcripts.items():
        n = len(t.utterances)
        if not n:
            continue
        touched = np.zeros((n, member.shape[1]), dtype=np.int64)
        for p in coded.placed.get(name, []):
            if p.inside:
                touched[p.first:p.last + 1, index[p.coding.code]] = 1
        flags = (touched @ member.T > 0).astype(np.int64)  # utterance x shown code
        total += flags.T @ flags
    return total


def _pairs(coded: Coded, index: dict[str, int], k: int, mode: str, within: int) -> tuple[np.ndarray, np.ndarray]:
    """(E, n): E[a, b] pairs of distinct codings with exact codes a and b that meet, in both
    orders (E[a, a] once per pair, doubled), and n[a] codings of each exact code."""
    pairs = np.zeros((k, k), dtype=np.int64)
    singles = np.zeros(k, dtype=np.int64)
    for placed in coded.placed.values():
        if mode == "within":
            items = sorted((p.first, p.last, index[p.coding.code]) for p in placed if p.inside)
            keys = [x[0] for x in items]
            for i, (_, last, a) in enumerate(items):
                for j in range(i + 1, bisect_right(keys, last + within)):
                    b = items[j][2]
                    pairs[a, b] += 1
                    pairs[b, a] += 1
        else:
            items = [(p.coding.start, p.coding.end, index[p.coding.code]) for p in placed]
            keys = [x[0] for x in items]  # placed codings are in text order
            for i, (_, end, a) in enumerate(items):
                for j in range(i + 1, bisect_left(keys, end)):
                    if items[j][1] > items[j][0]:
                        b = items[j][2]
                        pairs[a, b] += 1
                        pairs[b, a] += 1
        for p in placed:
            if mode == "overlap" or p.inside:
                singles[index[p.coding.code]] += 1
    return pairs, singles
