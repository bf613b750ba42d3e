"""Features of one utterance for the learned classifier, as stable 64-bit keys.

A transcript is processed as one Doc (spaCy's per-Doc overhead dominates on short turns), so
an utterance is a slice of that Doc's token arrays. Keys are spaCy string hashes (stable
across processes and machines, unlike Python's `hash`) mixed with integer arithmetic in
numpy: featurising costs a few array operations per utterance, not a loop over strings.
`feature_names` rebuilds the same keys with readable names, only for the utterances whose
suggestion is being explained.

Besides words and word pairs, the features carry what a bag of words cannot see: the
speaker's role, how long the turn is, how it starts and ends ("?"), which codebook rules
fired, and how much of the turn repeats the previous turn (reflections echo the client; on
real MI sessions that overlap helped where the previous turn's raw words did not).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE, IS_STOP, LOWER
from spacy.strings import get_string_id

ATTRS = [LOWER, IS_SPACE, IS_PUNCT, IS_STOP]
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_FIRST = np.uint64(0x165667B19E3779F9)
_LAST = np.uint64(0x27D4EB2F165667C5)
_PLAST = np.uint64(0x85EBCA77C2B2AE63)


@lru_cache(maxsize=4096)
def key(name: str) -> np.uint64:
    return np.uint64(get_string_id("accord:" + name))


@dataclass
class Turn:
    """The token arrays of one utterance: words (lower-case hashes, no whitespace) and
    which of them are content words (not punctuation, not stop words)."""

    words: np.ndarray
    content: np.ndarray
    role: str | None = None


def turn_from_arrays(arr: np.ndarray, role: str | None) -> Turn:
    keep = arr[:, 1] == 0
    return Turn(arr[keep, 0], (arr[keep, 2] == 0) & (arr[keep, 3] == 0), role)


def _bucket(n: int) -> int:
    return 0 if n <= 0 else min(int(np.log2(n)) + 1, 8)


def _specials(turn: Turn, prev: Turn | None, rules: list[str], exclusions: list[str]) -> list[str]:
    names = ["bias", f"len={_bucket(len(turn.words))}"]
    if turn.role:
        names.append(f"role={turn.role}")
    if prev is not None:
        names.append(f"plen={_bucket(len(prev.words))}")
        cur = turn.words[turn.content].tolist()
        if not cur:
            names.append("ovl=none")
        elif len(prev.words):
            seen = set(prev.words.tolist())
            names.append(f"ovl={min(int(4 * sum(w in seen for w in cur) / len(cur)), 3)}")
    names.extend("rule=" + c for c in rules)
    names.extend("excl=" + c for c in exclusions)
    return names


def turn_features(turn: Turn, prev: Turn | None, rules=(), exclusions=()) -> np.ndarray:
    """Unique feature keys (uint64) of an utterance, given the one before it."""
    words = turn.words
    pieces = [words, np.array([key(n) for n in _specials(turn, prev, list(rules), list(exclusions))], dtype=np.uint64)]
    if len(words):
        pieces.append(words[:1] * _M1 + _FIRST)
        pieces.append(words[-1:] * _M2 + _LAST)
        if len(words) > 1:
            pieces.append(words[:-1] * _M1 + words[1:] * _M2)
    if prev is not None and len(prev.words):
        pieces.append(prev.words[-1:] * _M1 + _PLAST)
    return np.unique(np.concatenate(pieces))


_OVERLAP = {"ovl=none": "no content words", "ovl=0": "repeats little of the previous turn",
            "ovl=1": "repeats some of the previous turn", "ovl=2": "repeats much of the previous turn",
            "ovl=3": "repeats most of the previous turn"}


def _display(name: str) -> str:
    if name.startswith("rule="):
        return f"a codebook rule for {name[5:]!r}"
    if name.startswith("excl="):
        return f"a near miss listed under {name[5:]!r}"
    if name.startswith("role="):
        return f"spoken by the {name[5:]}"
    if name.startswith("len="):
        n = int(name[4:])
        return "an empty turn" if n == 0 else f"a turn of {2 ** (n - 1)}-{2 ** n - 1} words"
    if name.startswith("plen="):
        return "the length of the previous turn"
    return _OVERLAP.get(name, name)


def feature_names(turn: Turn, texts: list[str], prev: Turn | None, prev_last: str | None,
                  rules=(), exclusions=()) -> dict[int, str]:
    """Readable names of the keys `turn_features` gives; `texts` are the turn's words."""
    with np.errstate(over="ignore"):
        return _names(turn, texts, prev, prev_last, rules, exclusions)


def _names(turn, texts, prev, prev_last, rules, exclusions) -> dict[int, str]:
    words = turn.words
    out = {int(k): f'"{n}"' for k, n in zip(words, texts)}
    for n in _specials(turn, prev, list(rules), list(exclusions)):
        out[int(key(n))] = _display(n)
    if len(words):
        out[int(words[0] * _M1 + _FIRST)] = f'starts with "{texts[0]}"'
        out[int(words[-1] * _M2 + _LAST)] = f'ends with "{texts[-1]}"'
        for i in range(len(words) - 1):
            out[int(words[i] * _M1 + words[i + 1] * _M2)] = f'"{texts[i]} {texts[i + 1]}"'
    if prev is not None and len(prev.words) and prev_last:
        out[int(prev.words[-1] * _M1 + _PLAST)] = f'the previous turn ends with "{prev_last}"'
    return out


def doc_turn(doc, role: str | None = None) -> Turn:
    return turn_from_arrays(doc.to_array(ATTRS), role)
