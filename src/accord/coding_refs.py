"""Naming one coding on the command line, as a researcher can type it.

Two ways: the coding's id, as `accord codings list` and `accord links list` print it (`202`),
or the utterance it is on and its code (`31:Meta-communication`, the code case-insensitively
or by the start of its name when that is unambiguous: `31:meta`). Only the coder's own codings
are looked at, so blind coding shows nobody else's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from .errors import AccordError
from .model import Coding, Link, Transcript

if TYPE_CHECKING:
    from .store import Project

_AT = re.compile(r"^\s*(\d+)\s*:\s*(.+?)\s*$")


class CodingRefError(AccordError):
    """A coding reference that names no coding, or several."""


def utterance_of(transcript: Transcript, offset: int) -> int:
    """The number of the utterance a text offset falls in (the one before it, between turns)."""
    starts = [u.start for u in transcript.utterances]
    index = max(0, bisect_right(starts, offset) - 1)
    return transcript.utterances[index].number if transcript.utterances else 0


def well_formed(ref: str) -> bool:
    """Whether `ref` is written as a coding reference (an id, or UTTERANCE:CODE) at all."""
    return ref.strip().isdigit() or _AT.match(ref) is not None


def find_coding(project: Project, ref: str, coder: str, transcript: str | None) -> Coding:
    """The coding `ref` names (an id, or UTTERANCE:CODE in `transcript`) among `coder`'s own."""
    ref = ref.strip()
    if ref.isdigit():
        coding = project.coding(int(ref))
        if coding.coder != coder:
            raise CodingRefError(f"coding {ref} belongs to another coder; a coder links only their own codings")
        if transcript is not None and coding.transcript != project.transcript(transcript).name:
            raise CodingRefError(f"coding {ref} is in transcript {coding.transcript!r}, not {transcript!r} (a number "
                                 f"alone is a coding id; for a coding on utterance {ref}, write {ref}:CODE)")
        return coding
    match = _AT.match(ref)
    if match is None:
        raise CodingRefError(f"{ref!r} names no coding: give its id (`accord codings list`) or UTTERANCE:CODE, "
                             "such as 31:Meta-communication")
    if transcript is None:
        raise CodingRefError(f"{ref!r} names a coding by utterance: say which transcript, before the options")
    number, code = int(match.group(1)), match.group(2)
    t = project.transcript(transcript)
    if not 1 <= number <= len(t.utterances):
        raise CodingRefError(f"transcript {t.name!r} has no utterance {number} (1-{len(t.utterances)})")
    u = t.utterances[number - 1]
    here = [c for c in project.codings(transcript=t.name, coder=coder) if c.start < max(u.end, u.start + 1)
            and c.end > u.start]
    exact = [c for c in here if c.code.casefold() == code.casefold()]
    found = exact or [c for c in here if c.code.casefold().startswith(code.casefold())]
    if len({c.code for c in found}) > 1:
        raise CodingRefError(f"{ref!r}: {code!r} could be " + ", ".join(sorted({c.code for c in found}))
                             + "; write more of the code's name")
    if len(found) > 1:  # one code twice on the turn: the coding that begins on it, if only one does
        found = [c for c in found if utterance_of(t, c.start) == number] or found
    if not found:
        codes = ", ".join(sorted({c.code for c in here})) or "none"
        raise CodingRefError(f"{coder} has no coding of {code!r} on utterance {number} of {t.name!r} "
                             f"(their codes there: {codes})")
    if len(found) > 1:
        raise CodingRefError(f"{ref!r} could be codings " + ", ".join(str(c.id) for c in found)
                             + "; give the id instead")
    return found[0]


def describe_end(transcript: Transcript, coding: Coding) -> str:
    """A link's end as it is typed: `31:Meta-communication (#202)`."""
    return f"{utterance_of(transcript, coding.start)}:{coding.code} (#{coding.id})"


def link_dict(link: Link, transcripts: dict[str, Transcript]) -> dict:
    """A link as plain values (for --json), each end with its utterance and words."""
    def end(c: Coding) -> dict:
        t = transcripts[c.transcript]
        return {"coding": c.id, "transcript": c.transcript, "code": c.code, "utterance": utterance_of(t, c.start),
                "start": c.start, "end": c.end, "text": t.text[c.start:c.end]}

    return {"id": link.id, "relation": link.relation, "coder": link.coder, "source": end(link.source),
            "target": end(link.target), "created_at": link.created_at}
