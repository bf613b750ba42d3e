"""Plain-text transcripts: `T: text` lines, optionally timestamped, wrapped or in paragraphs.

The stored text is the file itself, so offsets match what the researcher sees in their
editor (and the AnnoMI annotations). Spans exclude labels and timestamps:
`text[u.start:u.end]` is only what was said.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Utterance
from .labels import is_metadata, match_label, match_timestamp

NO_TURNS = (
    "no speaker turns found: expected lines like 'T: text', 'Therapist: text' or "
    "'[00:01:23] Client: text' (or Otter-style 'Name  0:01' headers)"
)


class TurnCollector:
    """Collects turns as spans into one text; used by the plain-text and Otter readers."""

    def __init__(self) -> None:
        self.rows: list[list] = []  # [speaker, start, end, time]
        self.preamble: list[int] = []

    def start(self, speaker: str, start: int, end: int, time: float | None) -> None:
        self.rows.append([speaker, start if end > start else None, end, time])

    def extend(self, start: int, end: int) -> None:
        row = self.rows[-1]
        if row[1] is None:
            row[1] = start
        row[2] = end

    def utterances(self) -> list[Utterance]:
        rows = [r for r in self.rows if r[1] is not None]
        return [Utterance(i, s, a, b, t) for i, (s, a, b, t) in enumerate(rows, 1)]

    def preamble_note(self, what: str) -> list[str]:
        if not self.preamble:
            return []
        first, last = self.preamble[0], self.preamble[-1]
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        return [f"{len(self.preamble)} {what} before the first turn ({where}) not read as speech"]


def parse(text: str, file: Path | str) -> tuple[list[Utterance], list[str]]:
    """Utterances of a labelled plain-text transcript, and notes for the user."""
    turns = TurnCollector()
    pos = 0
    blank = False
    pending_time = None
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line or line.isspace():
            blank = True
            pos += len(line) + 1
            continue
        try:
            found = match_label(line)
            if found is not None and not turns.rows and is_metadata(found.speaker):
                found = None
            bare = match_timestamp(line) if found is None else None
        except ValueError as e:
            raise InputError(file, f"bad timestamp: {e}", line=lineno) from None
        if found is not None:
            turns.start(found.speaker, pos + found.text_start, pos + found.text_end,
                        found.time if found.time is not None else pending_time)
            pending_time = None
        elif not turns.rows:
            turns.preamble.append(lineno)
        elif bare is not None and bare.text_end == bare.text_start:
            pending_time = bare.time  # a timestamp alone on its line: for the next turn
        else:
            if bare is not None:
                a, b = pos + bare.text_start, pos + bare.text_end
            else:
                a = pos + len(line) - len(line.lstrip())
                b = pos + len(line.rstrip())
            row = turns.rows[-1]
            if (blank or bare is not None) and row[1] is not None:
                turns.start(row[0], a, b, bare.time if bare is not None else None)
            else:
                turns.extend(a, b)
        blank = False
        pos += len(line) + 1
    utterances = turns.utterances()
    if not utterances:
        raise InputError(file, NO_TURNS)
    return utterances, turns.preamble_note("line(s)")
