"""WebVTT (Zoom `Name: text`, Teams `<v Name>text</v>`) and SRT captions, via webvtt-py.

Caption files cut one turn into many cues; consecutive cues of one speaker are merged
back into a turn. webvtt-py silently drops malformed cue blocks and its errors carry no
line number, so the cue timing lines are checked here first to name the bad line.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ..errors import InputError
from .labels import match_label
from .render import Turn, merge_same_speaker
from .timecodes import parse_timecode

_VTT_TS = r"(?:\d+:)?\d{1,2}:\d{1,2}\.\d{1,3}"
_SRT_TS = r"\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}"
_TIMING = {
    "vtt": re.compile(rf"\s*({_VTT_TS})[ \t]+-->[ \t]+({_VTT_TS})(?:[ \t].*)?"),
    "srt": re.compile(rf"\s*({_SRT_TS})[ \t]*-->[ \t]*({_SRT_TS})(?:[ \t].*)?"),
}
_TIME_LIKE = re.compile(r"\s*\d+:\d+[:.,]\d+")
_EXPECTED = {"vtt": "00:00:01.000 --> 00:00:04.000", "srt": "00:00:01,000 --> 00:00:04,000"}


def _blocks(lines: list[str]):
    """(first line number, lines) for each run of non-blank lines."""
    block, first = [], 0
    for n, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                first = n
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _check(text: str, kind: str, file: Path | str) -> list[str]:
    """Raise InputError at the first bad cue timing line; return notes on odd timings."""
    lines = text.split("\n")
    name, expected = kind.upper(), _EXPECTED[kind]
    if kind == "vtt" and not lines[0].startswith("WEBVTT"):
        raise InputError(file, "not a WebVTT file: the first line must be 'WEBVTT'", line=1)
    notes: list[str] = []
    first_cue = None
    for n, line in enumerate(lines, 1):
        if "-->" not in line:
            continue
        m = _TIMING[kind].fullmatch(line)
        try:
            start, end = parse_timecode(m.group(1)), parse_timecode(m.group(2))
        except (AttributeError, ValueError):  # no match, or minutes/seconds over 59
            raise InputError(file, f"bad {name} cue timing {line.strip()!r}: expected '{expected}'", line=n) from None
        if end < start and len(notes) < 3:
            notes.append(f"line {n}: cue ends before it starts")
        first_cue = first_cue or n
    if first_cue is None:
        raise InputError(file, f"no {name} cues found (no timing lines like '{expected}')")
    for first, block in _blocks(lines):
        if any("-->" in line for line in block) or (kind == "vtt" and first == 1):
            continue
        if kind == "vtt" and block[0].split()[0] in ("NOTE", "STYLE", "REGION"):
            continue
        looks = [i for i, line in enumerate(block[:2]) if _TIME_LIKE.match(line)]
        if looks:
            raise InputError(file, f"bad {name} cue timing {block[looks[0]].strip()!r}: expected '{expected}'",
                             line=first + looks[0])
        if kind == "srt" and first > first_cue:
            continue  # webvtt-py reads it as more text of the previous cue
        raise InputError(file, f"{name} cue without a timing line like '{expected}'", line=first)
    return notes


def parse(text: str, kind: str, file: Path | str) -> tuple[list[Turn], list[str]]:
    """Turns from VTT (`kind="vtt"`) or SRT (`kind="srt"`) text, and notes for the user."""
    notes = _check(text, kind, file)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=kind).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as e:
        raise InputError(file, f"malformed {kind.upper()} file: {e}") from None
    cues: list[Turn] = []
    for c in captions:
        said = c.text
        if kind == "vtt":
            said = html.unescape(said)
        speaker = c.voice
        if speaker is None:
            first, _, rest = said.partition("\n")
            try:
                found = match_label(first)
            except ValueError:  # a bad inline timestamp: keep the cue text as it is
                found = None
            if found is not None:
                speaker = found.speaker
                said = first[found.text_start : found.text_end] + ("\n" + rest if rest else "")
        if not said.strip():
            continue
        cues.append(Turn((speaker or "").strip(), said, parse_timecode(c.start), parse_timecode(c.end)))
    if any(c.speaker for c in cues):
        current = ""
        for i, c in enumerate(cues):
            if c.speaker:
                current = c.speaker
            else:
                cues[i] = c._replace(speaker=current)
        cues = merge_same_speaker(cues)
    else:
        notes.append("no speaker names in the cues: each cue is one utterance without a speaker")
    return cues, notes
