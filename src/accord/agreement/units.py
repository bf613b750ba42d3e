"""From coders' spans to units of analysis.

Agreement is computed over units, not spans: a coder applied code X to a unit when one of
their X spans overlaps it (`span.start < unit.end and span.end > unit.start`). Units are
utterances (default), sentences within utterances, single characters of spoken text
(speaker labels and timestamps are not units), or every character of the document (labels,
timestamps and line breaks included), which is how NVivo's coding comparison counts, so its
figures can be set beside NVivo's. Everything is vectorised with numpy, because
character level means a million units per transcript set.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..model import Transcript

UNIT_LEVELS = ("utterance", "sentence", "character", "document")


@lru_cache(maxsize=1)
def _sentencizer():
    import spacy  # only sentence units need it, and it takes a second to import

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def check_unit(unit: str) -> str:
    if unit not in UNIT_LEVELS:
        raise ValueError(f"unknown unit {unit!r}; choose one of {', '.join(UNIT_LEVELS)}")
    return unit


def unit_bounds(transcript: Transcript, unit: str = "utterance") -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the units of a transcript, in text order, as int64 arrays.

    Empty utterances (and sentences) are not units: nobody can code nothing.
    """
    check_unit(unit)
    if unit == "document":
        return document_units(len(transcript.text))
    utterances = sorted((u for u in transcript.utterances if u.end > u.start), key=lambda u: u.start)
    if unit != "sentence":
        starts = np.asarray([u.start for u in utterances], dtype=np.int64)
        ends = np.asarray([u.end for u in utterances], dtype=np.int64)
        return units_of_utterances(starts, ends, unit)
    sentence_starts: list[int] = []
    sentence_ends: list[int] = []
    texts = [transcript.utterance_text(u) for u in utterances]
    for u, doc in zip(utterances, _sentencizer().pipe(texts)):
        for sent in doc.sents:
            if sent.end_char > sent.start_char and sent.text.strip():
                sentence_starts.append(u.start + sent.start_char)
                sentence_ends.append(u.start + sent.end_char)
    return np.asarray(sentence_starts, dtype=np.int64), np.asarray(sentence_ends, dtype=np.int64)


def document_units(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Every character of a stored text as a unit: labels, timestamps and line breaks too."""
    chars = np.arange(length, dtype=np.int64)
    return chars, chars + 1


def units_of_utterances(starts: np.ndarray, ends: np.ndarray, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Utterance or character units from sorted, non-empty utterance offsets, vectorised."""
    if unit == "utterance":
        return starts, ends
    if unit != "character":
        raise ValueError(f"units_of_utterances gives utterance or character units, not {unit!r}")
    lengths = ends - starts
    total = int(lengths.sum())
    first = np.cumsum(lengths) - lengths  # index of each utterance's first character unit
    chars = np.arange(total, dtype=np.int64) + np.repeat(starts - first, lengths)
    return chars, chars + 1


def coded_units(starts: np.ndarray, ends: np.ndarray, spans) -> np.ndarray:
    """Boolean per unit: does any of `spans` overlap it?

    `spans` is a sequence of (start, end) pairs or an (n, 2) integer array. Units must be
    sorted and disjoint (as `unit_bounds` gives them). Cost: a binary search per span and
    one pass over the units, never a loop over characters.
    """
    n = len(starts)
    pairs = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    if not pairs.size:
        return np.zeros(n, dtype=bool)
    first = np.searchsorted(ends, pairs[:, 0], side="right")  # first unit ending after the span starts
    last = np.searchsorted(starts, pairs[:, 1], side="left")  # first unit starting at or after its end
    keep = first < last
    first, last = first[keep], last[keep]
    if not first.size:
        return np.zeros(n, dtype=bool)
    # Join overlapping or touching index ranges, so each start and end is marked once.
    order = np.argsort(first, kind="stable")
    first, last = first[order], last[order]
    reach = np.maximum.accumulate(last)
    new = np.flatnonzero(np.concatenate([[True], first[1:] > reach[:-1]]))
    marks = np.zeros(n + 1, dtype=np.int8)
    marks[first[new]] = 1
    marks[np.maximum.reduceat(last, new)] = -1
    return np.cumsum(marks[:-1], dtype=np.int8).view(bool)
