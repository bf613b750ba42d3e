"""Selection positions from other tools, made into accord's half-open code-point offsets.

REFI says `startPosition`/`endPosition` count characters with the end exclusive (as in
Python slicing), but some tools write the end inclusive. Which one a file uses is decided
once per file from where its selections end (just before a space or line break, or on the
last character of a word). Text with CRLF line ends is stored with LF, so positions are
shifted past each dropped CR.
"""

from __future__ import annotations

from bisect import bisect_left


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


def crlf_map(text: str) -> tuple[str, callable]:
    """(text with LF line ends, function mapping an old position to the new text)."""
    if "\r" not in text:
        return text, lambda p: p
    dropped = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
    new = text.replace("\r\n", "\n").replace("\r", "\n")
    return new, lambda p: p - bisect_left(dropped, p)
