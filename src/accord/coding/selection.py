"""How the coding screen's selection keys move a span of the transcript's text.

Pure functions of the text (and the utterances): each takes the span `[start, end)` the
screen has selected and returns the new one, which the screen then draws. A selection is
never empty: a code always has at least one character to go on.
"""

from __future__ import annotations

import re

from ..model import Suggestion, Utterance

WORD = re.compile(r"\s*\S+")


def extension_base(utterance: Utterance, selection: tuple[int, int] | None) -> tuple[int, int]:
    """The span the extend keys grow from: the selection, or nothing yet at the start of the
    cursor's utterance."""
    return selection if selection is not None else (utterance.start, utterance.start)


def extend_end(text: str, start: int, end: int, delta: int) -> tuple[int, int]:
    """Move the end by `delta` characters, within the text and keeping one character."""
    return start, max(start + 1, max(0, min(len(text), end + delta)))


def extend_word(text: str, start: int, end: int, direction: int) -> tuple[int, int]:
    """Move the end over the next word (direction > 0) or back before the last one."""
    if direction > 0:
        m = WORD.match(text, end)
        end = m.end() if m else end
    else:
        trimmed = text[start:end].rstrip()
        cut = trimmed.rfind(" ")
        end = start + (cut if cut > 0 else len(trimmed))
    return start, max(end, start + 1)


def trim_start(text: str, start: int, end: int, direction: int) -> tuple[int, int]:
    """Move the start past the first word (direction > 0, keeping one character) or back
    to the start of the word before it."""
    if direction > 0:
        m = WORD.match(text, start)
        nxt = m.end() if m else start
        while nxt < end and text[nxt].isspace():
            nxt += 1
        start = min(nxt, end - 1)
    else:
        before = text[:start].rstrip()
        start = max(before.rfind(" "), before.rfind("\n")) + 1
    return start, end


def extend_utterance(session, start: int, end: int, direction: int) -> tuple[int, int]:
    """Move the end to the end of the next utterance (or back to the previous one's, never
    before the utterance the selection starts in). `session` is a CodingSession."""
    last = session.utterance_index_at(max(start, end - 1))
    target = max(session.utterance_index_at(start), min(len(session.utterances) - 1, last + direction))
    return start, session.utterances[target].end


def adjusted_span(suggestion: Suggestion, start: int, end: int) -> tuple[int | None, int | None]:
    """What span accepting or correcting `suggestion` codes, given the selection: the selection
    when the coder changed it and it still overlaps the suggestion, else (None, None), the
    suggestion's own span."""
    adjusted = (start, end) != (suggestion.start, suggestion.end) and start < suggestion.end and end > suggestion.start
    return (start, end) if adjusted else (None, None)
