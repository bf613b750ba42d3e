"""Recognise a speaker label and inline timestamp at the start of a line.

Shared by the plain-text, Word and subtitle readers so that `T:`, `Dr. Lee:`, `[id1]` and
`[00:01:23] Therapist:` mean the same everywhere. A label is short (at most four words,
30 characters) and capitalised after its first word, so a sentence with a colon in it
("I said: no") is not taken for a speaker.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .timecodes import parse_timecode

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"


def _ts(name: str) -> str:
    return rf"[\[(](?P<{name}>{_TS})[\])]"  # [00:01:23] or (00:01:23)


_WORD = r"(?!\(\d{1,2}:)[\w.'’()&/-]+"  # a word of a label, not a "(00:01:23)" time

LINE = re.compile(
    rf"""[ \t]*
    (?:{_ts('ts1')}[ \t]*)?
    (?:
        (?P<label>[^\W\d_][\w.'’()&/-]*(?:[ \t]+{_WORD}){{0,3}})
        [ \t]*(?:{_ts('ts2')}[ \t]*)?:(?!//)
      | \[(?P<bid>[^\W\d_][\w.' -]{{0,29}})\](?=[ \t]+\S)
    )
    [ \t]*(?:{_ts('ts3')}[ \t]*)?
    (?P<text>.*)""",
    re.VERBOSE,
)
TIMESTAMP_LINE = re.compile(rf"[ \t]*{_ts('ts1')}[ \t]*(?P<text>.*)")

# Leading "Key: value" lines that describe the session rather than a speaker.
METADATA_KEYS = frozenset(
    """title transcript source date time duration length session recorded recording
    location place file filename note notes project study subject topic keywords language
    audio video url link transcribed transcriber id code interview meeting created""".split()
) | {"transcribed by", "recorded on", "session date", "file name"}

# Bracketed words that are stage directions, not speaker ids: "[laughs] yes".
_NON_SPEECH = re.compile(
    r"(?i)\b(?:laugh\w*|inaudib\w*|unintellig\w*|cross-?talk\w*|over-?talk\w*|overlap\w*|paus\w*|"
    r"silen\w*|sigh\w*|cough\w*|cry|cries|crying|tears|noise\w*|music|applau\w*|indistinct\w*|"
    r"unclear|redact\w*|background|interrupt\w*|sniff\w*|clears|phone|knock\w*|smil\w*|nods?|"
    r"nodding|gestur\w*|end|start|begin\w*|break)\b"
)
_PARTICLES = frozenset("van von de der den du da di la le del al bin ter ten y".split())


class Label(NamedTuple):
    speaker: str
    text_start: int  # offsets of the spoken text within the line
    text_end: int
    time: float | None
    label_start: int = 0  # where the speaker label starts within the line


def plausible(label: str) -> bool:
    if len(label) > 30:
        return False
    words = label.split()
    if len(words) > 1:
        if not words[0][0].isupper():
            return False
        for w in words[1:]:
            if not (w[0].isupper() or w[0].isdigit() or w[0] == "(" or w in _PARTICLES):
                return False
    return True


def _time(m: re.Match, *names: str) -> float | None:
    for name in names:
        if value := m.group(name):
            return parse_timecode(value)
    return None


def match_label(line: str) -> Label | None:
    """The speaker label of `line`, or None when the line does not start a turn."""
    m = LINE.match(line)
    if m is None:
        return None
    label, at = m.group("label"), m.start("label")
    if label is not None:
        if not plausible(label):
            return None
    else:
        label, at = m.group("bid").strip(), m.start("bid")
        if _NON_SPEECH.search(label) or not plausible(label):
            return None
    start = m.start("text")
    return Label(" ".join(label.split()), start, max(start, len(line.rstrip())), _time(m, "ts1", "ts2", "ts3"), at)


def match_timestamp(line: str) -> Label | None:
    """A line that starts with a timestamp but has no label: `[00:01:23] more text`."""
    m = TIMESTAMP_LINE.match(line)
    if m is None:
        return None
    start = m.start("text")
    return Label("", start, max(start, len(line.rstrip())), _time(m, "ts1"))


def is_metadata(label: str) -> bool:
    return label.lower().rstrip(".") in METADATA_KEYS
