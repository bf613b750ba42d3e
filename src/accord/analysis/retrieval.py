"""Retrieval: the coded segments of a code across transcripts, narrowed by a query.

A segment is one coding of the code (or of one of its sub-codes, unless `exact`) by the
coder. The query keeps the segments that:

- `all_of` (--and X): share an utterance with another coding of X (with `scope="overlap"`:
  share at least one character with it);
- `none_of` (--not X): share none with any other coding of X (same scope);
- `followed_by` Y within N: are followed by a coding of Y that starts after the segment starts
  and whose first utterance is at most N utterances after the segment's last (0: in the same
  utterance), the rule rupture-repair episodes use; the first such coding is named;
- `speakers`: start in a turn of one of these speaker labels or roles.

"Another coding" because a coding never matches itself (`Reflection --and Complex
reflection` asks for reflections beside a complex reflection, not every complex reflection).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from ..errors import AccordError
from .load import Coded, Hierarchy, Placed, load_coded

if TYPE_CHECKING:
    from ..store import Project

SCOPES = ("utterance", "overlap")


@dataclass(frozen=True)
class Query:
    code: str
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    followed_by: str | None = None
    within: int = 1
    speakers: tuple[str, ...] = ()
    scope: str = "utterance"
    exact: bool = False

    def resolved(self, h: Hierarchy) -> Query:
        """The query with every code named as the codebook names it (an unknown one is an error)."""
        return replace(self, code=h.resolve(self.code), all_of=tuple(h.resolve(c) for c in self.all_of),
                       none_of=tuple(h.resolve(c) for c in self.none_of),
                       followed_by=h.resolve(self.followed_by) if self.followed_by else None)

    def describe(self) -> str:
        """The query in words, for titles and the Word report."""
        parts = [self.code + (" (exactly)" if self.exact else "")]
        parts += [f"and {c}" for c in self.all_of] + [f"not {c}" for c in self.none_of]
        if self.followed_by:
            parts.append(f"followed by {self.followed_by} within {self.within} utterance{'s' if self.within != 1 else ''}")
        if self.speakers:
            parts.append("spoken by " + " or ".join(self.speakers))
        if (self.all_of or self.none_of) and self.scope == "overlap":
            parts.append("(overlapping spans)")
        return " ".join(parts)


@dataclass(frozen=True)
class Segment:
    transcript: str
    coding_id: int
    code: str
    coder: str
    start: int
    end: int
    first: int | None  # utterance numbers (1-based), None outside every turn
    last: int | None
    speaker: str
    role: str
    time_start: float | None
    text: str
    memo: str
    followed_by: dict | None = None  # {"coding_id", "code", "utterance"} of the following coding

    def to_dict(self) -> dict:
        return asdict(self)


FLAGS = {"--and": "all_of", "--not": "none_of", "--followed-by": "followed_by", "--within": "within",
         "--speaker": "speakers", "--overlap": "scope", "--exact": "exact"}


class QueryError(AccordError, ValueError):
    """A query typed in the retrieval screen that does not read."""


def parse_query(text: str) -> Query:
    """A query written as on the command line, with no quotes needed around names:
    `Withdrawal rupture --not Repair --followed-by Meta-communication --within 2`."""
    words = text.split()
    if not words or words[0].startswith("--"):
        raise QueryError("start with a code's name, e.g. Rupture --followed-by Repair --within 2")
    parts: list[tuple[str, list[str]]] = [("code", [])]
    for w in words:
        if w.startswith("--"):
            if w not in FLAGS:
                raise QueryError(f"{w} is not part of a query (use {', '.join(FLAGS)})")
            parts.append((FLAGS[w], []))
        else:
            parts[-1][1].append(w)
    fields: dict = {"all_of": (), "none_of": (), "speakers": ()}
    for key, value in parts:
        name = " ".join(value)
        if key in ("scope", "exact"):
            if name:
                raise QueryError(f"--{'overlap' if key == 'scope' else 'exact'} takes no value")
            fields[key] = "overlap" if key == "scope" else True
        elif not name:
            raise QueryError(f"{next(f for f, k in FLAGS.items() if k == key)} needs a value")
        elif key == "within":
            if not name.isdigit():
                raise QueryError(f"--within takes a number of utterances, not {name!r}")
            fields[key] = int(name)
        elif key in ("all_of", "none_of", "speakers"):
            fields[key] += (name,)
        else:
            fields[key] = name
    return Query(**fields)


def _members(coded: Coded, code: str, exact: bool) -> set[str]:
    return {code} if exact else coded.hierarchy.subtree(code)


class _Index:
    """The codings of some codes in one transcript, by the utterances they touch."""

    def __init__(self, placed: list[Placed], codes: set[str], n_utterances: int):
        self.items = [p for p in placed if p.coding.code in codes]
        self.by_utterance: list[list[Placed]] = [[] for _ in range(n_utterances)]
        self.outside = []
        for p in self.items:
            if p.inside:
                for i in range(p.first, p.last + 1):
                    self.by_utterance[i].append(p)
            else:
                self.outside.append(p)
        self.starts = [p.coding.start for p in self.items]

    def meets(self, seg: Placed, scope: str) -> bool:
        """Another of these codings shares an utterance (or characters) with `seg`."""
        own, s, e = seg.coding.id, seg.coding.start, seg.coding.end
        if scope == "utterance":
            if not seg.inside:
                return False
            return any(p.coding.id != own for i in range(seg.first, seg.last + 1) for p in self.by_utterance[i])
        near = ([p for i in range(seg.first, seg.last + 1) for p in self.by_utterance[i]] + self.outside
                if seg.inside else self.items)
        return any(p.coding.id != own and p.coding.start < e and s < p.coding.end for p in near)

    def follower(self, seg: Placed, within: int) -> Placed | None:
        """The first of these codings starting after `seg` starts, if it begins at most
        `within` utterances after `seg`'s last."""
        if not seg.inside:
            return None
        for p in self.items[bisect_right(self.starts, seg.coding.start):]:
            if p.inside:
                return p if p.first - seg.last <= within else None
        return None


def retrieve(coded: Coded, query: Query) -> list[Segment]:
    """The segments matching `query`, by transcript (import order) and position."""
    h = coded.hierarchy
    if query.within < 0:
        raise ValueError("the window must be 0 or more utterances")
    if query.scope not in SCOPES:
        raise ValueError(f"scope is one of {', '.join(SCOPES)}")
    main = _members(coded, h.resolve(query.code), query.exact)
    ands = [_members(coded, h.resolve(c), query.exact) for c in query.all_of]
    nots = [_members(coded, h.resolve(c), query.exact) for c in query.none_of]
    follow = _members(coded, h.resolve(query.followed_by), query.exact) if query.followed_by else None
    match = {s.casefold() for s in query.speakers}
    out = []
    for name, t in coded.transcripts.items():
        placed = coded.placed.get(name, [])
        n = len(t.utterances)
        and_idx = [_Index(placed, m, n) for m in ands]
        not_idx = [_Index(placed, m, n) for m in nots]
        follow_idx = _Index(placed, follow, n) if follow is not None else None
        for p in placed:
            if p.coding.code not in main:
                continue
            u = t.utterances[p.first] if p.inside else None
            label = u.speaker if u else ""
            role = t.roles.get(label, "") if u else ""
            if match and (u is None or (label.casefold() not in match and role.casefold() not in match)):
                continue
            if not all(ix.meets(p, query.scope) for ix in and_idx):
                continue
            if any(ix.meets(p, query.scope) for ix in not_idx):
                continue
            after = None
            if follow_idx is not None:
                f = follow_idx.follower(p, query.within)
                if f is None:
                    continue
                after = {"coding_id": f.coding.id, "code": f.coding.code, "utterance": f.first + 1}
            c = p.coding
            out.append(Segment(name, c.id, c.code, c.coder, c.start, c.end, p.first + 1 if u else None,
                               p.last + 1 if u else None, label, role, u.time_start if u else None,
                               t.text[c.start:c.end], c.memo, after))
    return out


def retrieve_across(project: Project, coders: list[str], query: Query,
                    transcripts: list[str] | None = None) -> tuple[list[Segment], Query]:
    """Each coder's segments (the query answered within their own codings), in text order,
    and the query with the codebook's names. The caller decides whose work may be shown."""
    found: list[Segment] = []
    loaded = None
    coded = None
    whos: list[str | None] = [*coders] or [None]
    for who in whos:
        coded = load_coded(project, who, transcripts, loaded=loaded)
        loaded = coded.transcripts
        found += retrieve(coded, query)
    assert loaded is not None and coded is not None  # the loop ran at least once
    order = {n: i for i, n in enumerate(loaded)}
    found.sort(key=lambda s: (order[s.transcript], s.start, s.end, s.coding_id))
    return found, query.resolved(coded.hierarchy)
