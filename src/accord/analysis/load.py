"""One coder's codings placed on the utterances of the transcripts, read once for every analysis.

A coding is placed on the utterances it overlaps (`first`..`last`, 0-based indexes; -1 when it
lies outside every turn, on a title line), the rule agreement and the exports use.

Codes count with their sub-codes by default: a coding of Simple reflection is also a
Reflection and a Therapist behaviour, which is what a researcher means by "how many
reflections". `exact` counts a coding only under the code it was given.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Codebook, Coding, Transcript
from ..names import no_such_code
from ..store.common import ProjectError

if TYPE_CHECKING:
    from ..store import Project


@dataclass(frozen=True, slots=True)
class Placed:
    coding: Coding
    first: int  # index of the first utterance the coding overlaps; -1: outside every utterance
    last: int

    @property
    def inside(self) -> bool:
        return self.first >= 0


class Hierarchy:
    """The codes in codebook order (retired codes still in use at the end, as roots), and who
    is whose ancestor."""

    def __init__(self, codebook: Codebook | None, extra: Sequence[str] = ()):
        codes = codebook.codes if codebook else []
        self.parent: dict[str, str | None] = {c.name: c.parent for c in codes}
        for name in extra:
            self.parent.setdefault(name, None)
        self.names: list[str] = []

        def walk(parent: str | None) -> None:
            for name, p in self.parent.items():
                if p == parent:
                    self.names.append(name)
                    walk(name)

        walk(None)
        self.names += [n for n in self.parent if n not in self.names]
        self._lineage: dict[str, tuple[str, ...]] = {}
        self._fold = {n.casefold(): n for n in self.names}

    def lineage(self, code: str) -> tuple[str, ...]:
        """The code and its ancestors, nearest first."""
        if code not in self._lineage:
            out, seen = [code], {code}
            while (p := self.parent.get(out[-1])) is not None and p not in seen:
                out.append(p)
                seen.add(p)
            self._lineage[code] = tuple(out)
        return self._lineage[code]

    def counts_as(self, code: str, exact: bool = False) -> tuple[str, ...]:
        """The codes a coding of `code` counts under."""
        return (code,) if exact else self.lineage(code)

    def subtree(self, code: str) -> set[str]:
        return {n for n in self.names if code in self.lineage(n)}

    def nested(self, a: str, b: str) -> bool:
        """One code is the other or an ancestor of it."""
        return a in self.lineage(b) or b in self.lineage(a)

    def depth(self, code: str) -> int:
        return len(self.lineage(code)) - 1

    def resolve(self, name: str) -> str:
        """The code called `name` (case-insensitive); an unknown name is an error."""
        found = self._fold.get(name.strip().casefold())
        if found is None:
            raise ProjectError(no_such_code(name, self._fold.values()))
        return found

    def find(self, name: str) -> str | None:
        return self._fold.get(name.casefold())


@dataclass
class Coded:
    coder: str | None
    hierarchy: Hierarchy
    transcripts: dict[str, Transcript]  # in import order
    placed: dict[str, list[Placed]] = field(default_factory=dict)  # per transcript, in text order

    def role(self, transcript: str, index: int) -> str:
        """The role of the speaker of utterance `index` ("unknown" when the speaker has none)."""
        t = self.transcripts[transcript]
        return t.roles.get(t.utterances[index].speaker) or "unknown"


def place(transcript: Transcript, codings: list[Coding]) -> list[Placed]:
    starts = [u.start for u in transcript.utterances]
    ends = [u.end for u in transcript.utterances]
    out = []
    for c in codings:
        first, last = bisect_right(ends, c.start), bisect_left(starts, c.end) - 1
        out.append(Placed(c, first, last) if first <= last else Placed(c, -1, -1))
    out.sort(key=lambda p: (p.coding.start, p.coding.end, p.coding.id))
    return out


def load_coded(project: Project, coder: str | None, transcripts: list[str] | None = None, *,
               loaded: dict[str, Transcript] | None = None) -> Coded:
    """The transcripts (all, or those named) and `coder`'s codings of them (none when `coder`
    is None: talk statistics need no coder). `loaded`: transcripts read already (another
    coder's `Coded.transcripts`), not read again."""
    names = [t["name"] for t in project.transcripts()]
    for n in transcripts or []:
        project.transcript_id(n)  # an unknown name is an error, not an empty answer
    wanted = list(dict.fromkeys(transcripts)) if transcripts else names
    if not loaded or any(n not in loaded for n in wanted):
        loaded = project.transcripts_full(transcripts and wanted)
    loaded = {n: loaded[n] for n in wanted}
    by_transcript: dict[str, list[Coding]] = {n: [] for n in wanted}
    if coder is not None:
        project.coder_id(coder)
        for c in project.codings(coder=coder):
            if c.transcript in by_transcript:
                by_transcript[c.transcript].append(c)
    used = sorted({c.code for cs in by_transcript.values() for c in cs})
    return Coded(coder, Hierarchy(project.codebook(), used), loaded,
                 {n: place(loaded[n], cs) for n, cs in by_transcript.items()})
