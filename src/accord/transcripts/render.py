"""Build the stored text for formats whose file is not itself plain text (Word, subtitles, CSV).

One line per turn, `Speaker: text` (or just `text` without a speaker), so the text reads
naturally in any viewer and exports, while utterance spans cover only the spoken text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..limits import MAX_UTTERANCE_CHARS
from ..model import Utterance

_BREAKS = re.compile(r"[ \t]*[\n\r\v\f\u2028\u2029\x85][\s]*")


class Turn(NamedTuple):
    speaker: str
    text: str
    time_start: float | None = None
    time_end: float | None = None


def clean(text: str) -> str:
    """One line: line breaks inside a turn become single spaces."""
    return _BREAKS.sub(" ", text.strip())


def render(turns: list[Turn]) -> tuple[str, list[Utterance]]:
    parts: list[str] = []
    utterances: list[Utterance] = []
    pos = 0
    for turn in turns:
        said = clean(turn.text)
        if not said:
            continue
        prefix = f"{turn.speaker}: " if turn.speaker else ""
        start = pos + len(prefix)
        parts.append(f"{prefix}{said}\n")
        utterances.append(Utterance(len(utterances) + 1, turn.speaker, start, start + len(said),
                                    turn.time_start, turn.time_end))
        pos = start + len(said) + 1
    return "".join(parts), utterances


def merge_same_speaker(turns: list[Turn], limit: int = MAX_UTTERANCE_CHARS) -> list[Turn]:
    """Join consecutive turns of one speaker (subtitle cues split a turn into pieces).

    A joined turn stops growing at `limit` characters: a caption file that names one speaker
    for a whole session (one microphone in the room) then gives several utterances rather
    than one that is too long to code.
    """
    out: list[Turn] = []
    for t in turns:
        if out and out[-1].speaker == t.speaker and len(out[-1].text) + 1 + len(t.text) <= limit:
            prev = out[-1]
            end = t.time_end if t.time_end is not None else prev.time_end
            out[-1] = Turn(prev.speaker, f"{prev.text} {t.text}", prev.time_start, end)
        else:
            out.append(t)
    return out
