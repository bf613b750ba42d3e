"""Otter.ai-style text: a header line `Name  1:23` (two or more spaces), the turn below it.

Like plain text, the stored text is the file itself; spans cover only the turn's lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..model import Utterance
from .labels import plausible
from .plaintext import TurnCollector
from .timecodes import parse_timecode

HEADER = re.compile(
    r"[ \t]*(?P<name>[^\W\d_][^\t:]*?)(?:\t|  )[ \t]*(?P<time>\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$"
)
_FOOTER = re.compile(r"(?i)\s*transcribed by\b.*otter")


def match_header(line: str) -> tuple[str, float] | None:
    m = HEADER.match(line)
    if m is None:
        return None
    name = m.group("name").strip()
    if not plausible(name) or len(name.split()) > 4:
        return None
    try:
        return name, parse_timecode(m.group("time"))
    except ValueError:
        return None


def parse(text: str, file: Path | str) -> tuple[list[Utterance], list[str]]:
    """Utterances of an Otter-style transcript, and notes for the user."""
    turns = TurnCollector()
    notes: list[str] = []
    pos = 0
    blank = True
    for lineno, line in enumerate(text.split("\n"), 1):
        header = None if not line or line.isspace() else match_header(line)
        if header is not None:
            turns.start(header[0], pos, pos, header[1])
        elif not line or line.isspace():
            blank = True
            pos += len(line) + 1
            continue
        elif _FOOTER.match(line):
            notes.append(f"line {lineno} ({line.strip()!r}) not read as speech")
        elif not turns.rows:
            turns.preamble.append(lineno)
        else:
            a = pos + len(line) - len(line.lstrip())
            b = pos + len(line.rstrip())
            row = turns.rows[-1]
            if blank and row[1] is not None:
                turns.start(row[0], a, b, None)
            else:
                turns.extend(a, b)
        blank = False
        pos += len(line) + 1
    utterances = turns.utterances()
    if not utterances:
        raise InputError(file, "no turns found under the Otter-style 'Name  0:01' headers")
    return utterances, turns.preamble_note("line(s)") + notes


def count_headers(lines: list[str]) -> int:
    return sum(1 for line in lines if line.rstrip()[-1:].isdigit() and match_header(line))
