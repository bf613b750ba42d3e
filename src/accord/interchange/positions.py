"""Selection positions from other tools, made into accord's half-open code-point offsets.

REFI says `startPosition`/`endPosition` count characters with the end exclusive (as in
Python slicing), but tools differ: some write the end inclusive, and QualCoder's "MAXQDA"
line-ending export writes CRLF text with positions counted as if it had LF. Text is stored
with LF, so there are four readings of a position: counted on the text as written (CRLF
counted as two) or on its LF form, with the end exclusive or inclusive.

Which one a file uses is decided once per file. Both QualCoder and MAXQDA write the coded
words in each selection's `name`; where names are there, the reading under which the most
selections cover exactly their name wins, and the selections it leaves unexplained are
reported. Only a file whose selections carry no names falls back on where selections end
(just before a space, or on the last character of a word).
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """How a file counts positions."""

    lf_counted: bool  # positions count the text with LF line ends even where it has CRLF
    inclusive: bool  # the end position is the selection's last character

    def describe(self) -> str:
        parts = ["end positions inclusive (the last character is inside the selection)" if self.inclusive
                 else "end positions exclusive"]
        if self.lf_counted:
            parts.append("positions counted as if line ends were LF, although the text has CRLF")
        return "; ".join(parts)


STANDARD = Reading(lf_counted=False, inclusive=False)
READINGS = [STANDARD, Reading(True, False), Reading(False, True), Reading(True, True)]


@lru_cache(maxsize=16)
def crlf_map(text: str) -> tuple[str, callable]:
    """(text with LF line ends, function mapping a position in `text` to the new text); kept for
    the last few texts, since every selection of a source asks for the same one."""
    if "\r" not in text:
        return text, lambda p: p
    dropped = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
    new = text.replace("\r\n", "\n").replace("\r", "\n")
    return new, lambda p: p - bisect_left(dropped, p)


def place(reading: Reading, raw: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) in the LF text of `raw`, half-open, under `reading` (not bounds-checked)."""
    if not reading.lf_counted:
        _, remap = crlf_map(raw)
        start, end = remap(start), remap(end)
    return start, end + (1 if reading.inclusive else 0)


def _same_words(covered: str, name: str) -> bool:
    """Whether a selection's `name` is the text it covers (line ends and spacing aside). A name
    ending in "…" is the start of the words (accord before 0.2 cut names at 50 characters)."""
    covered, name = " ".join(covered.split()), " ".join(name.split())
    if name.endswith("\u2026") and len(name) > 1:
        return covered.startswith(name[:-1].rstrip())
    return covered == name


def covers_name(reading: Reading, raw: str, lf_text: str, start: int, end: int, name: str) -> bool:
    s, e = place(reading, raw, start, end)
    return 0 <= s <= e <= len(lf_text) and _same_words(lf_text[s:e], name)


def choose_reading(selections: list[tuple[str, int, int, str | None]]) -> tuple[Reading, int, int]:
    """(reading, selections whose name it explains, selections with a name; both 0 when the
    names are not evidence).

    `selections` holds (raw source text, start, end, name or None) for every selection in
    the file. Ties go to the standard reading, so a file that follows REFI is read as REFI says.
    Names are evidence only if the best reading explains at least half of them: some tools name
    selections by something else ("u0 T"), and then only where selections end can tell.
    """
    named = [(raw, s, e, n) for raw, s, e, n in selections if n and n.strip()]
    by_ends = Reading(False, ends_look_inclusive([(raw, s, e) for raw, s, e, _ in selections]))
    if not named:
        return by_ends, 0, 0
    best, best_hits = STANDARD, -1
    for reading in READINGS:
        hits = 0
        for raw, s, e, name in named:
            hits += covers_name(reading, raw, crlf_map(raw)[0], s, e, name)
        if hits > best_hits:
            best, best_hits = reading, hits
    if 2 * best_hits < len(named):
        return by_ends, 0, 0
    return best, best_hits, len(named)


def ends_look_inclusive(spans: list[tuple[str, int, int]]) -> bool:
    """True when most selections end one character short of a natural boundary.

    `spans` holds (text, start, end). Any end at the very end of the text, or any later than
    it, can only be exclusive; so can a file where evidence is missing or balanced.
    """
    exclusive = inclusive = 0
    for text, start, end in spans:
        n = len(text)
        if end >= n:
            return False
        if end == start:
            inclusive += 1
            continue
        if 0 < end and not text[end - 1].isspace() and text[end].isspace():
            exclusive += 1
        elif not text[end].isspace() and (end + 1 == n or text[end + 1].isspace()):
            inclusive += 1
    return inclusive > 2 * exclusive and inclusive >= 2
