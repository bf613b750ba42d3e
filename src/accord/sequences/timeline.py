"""Where ruptures, repairs and other codes lie along a session: the data behind the Word
report's timeline figure and the coding screen's timeline strip.

A timeline has one row per rupture marker type (Withdrawal rupture, Confrontation rupture),
one per repair root and one per other root code a coder used (Power dynamics, Real
relationship), each coding placed at the utterances it overlaps, and the session's episodes,
which join a rupture to the repair that resolved it. Plain values only: the figure
(`accord.export.timeline_figure`) and the strip (`accord.tui.widgets.timeline_strip`) draw them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Codebook, Coding, Transcript
from ..speaker_roles import role_mismatch
from .episodes import DEFAULT_WITHIN, Episode, Marker, check_families, pair, repairs_links

if TYPE_CHECKING:
    from ..store import Project

RUPTURE, REPAIR, OTHER = "rupture", "repair", "other"

# Colours of the families wherever a timeline is drawn (Okabe & Ito's colour-blind-safe set):
# vermillion ruptures, bluish-green repairs, then reddish purple, blue, orange, sky blue, black
# for the other roots. Shapes differ too, so nothing depends on colour alone.
RUPTURE_COLOR, REPAIR_COLOR = "#D55E00", "#009E73"
OTHER_COLORS = ["#CC79A7", "#0072B2", "#E69F00", "#56B4E9", "#000000"]


@dataclass(frozen=True)
class Mark:
    """One coding on the timeline: its row, family and the utterances (1-based) it covers."""

    row: str
    family: str  # RUPTURE, REPAIR or OTHER
    code: str
    first: int
    last: int
    coding_id: int


@dataclass
class Timeline:
    transcript: str
    coder: str
    utterances: int
    minutes: list[float | None]  # each utterance's start in minutes (None where untimed)
    marks: list[Mark]
    episodes: list[Episode]

    @property
    def timed(self) -> bool:
        """Whether every utterance has a start time (then a figure can show minutes too)."""
        return bool(self.minutes) and all(m is not None for m in self.minutes)


def has_families(codebook: Codebook | None) -> bool:
    """Whether the codebook says which codes are ruptures and repairs (else there are no episodes)."""
    return bool(codebook and codebook.family_roots(RUPTURE) and codebook.family_roots(REPAIR))


def family_and_row(codebook: Codebook, code: str) -> tuple[str, str]:
    """A code's family and its timeline row: a rupture's marker type, else its root."""
    family, marker = codebook.family_of(code)
    if family == RUPTURE:
        return RUPTURE, marker
    return (REPAIR if family == REPAIR else OTHER), codebook.path(code)[0]


# A coding placed on the utterances: (family, row, Marker, Mark), or None outside every utterance.
Placed = tuple[str, str, Marker, Mark] | None


def _place(transcript: Transcript, coding: Coding, codebook: Codebook, starts: list[int], ends: list[int],
           rows: dict[str, tuple[str, str]]) -> Placed:
    utterances = transcript.utterances
    first, last = bisect_right(ends, coding.start), bisect_left(starts, coding.end) - 1
    if first > last:
        return None
    if coding.code not in rows:
        rows[coding.code] = family_and_row(codebook, coding.code)
    family, row = rows[coding.code]
    u = utterances[first]
    off = role_mismatch(codebook, transcript, coding.code, utterances[first:last + 1]) if family in (RUPTURE, REPAIR) else None
    marker = Marker(coding.id, coding.code, row if family == RUPTURE else codebook.family_of(coding.code)[1],
                    coding.start, coding.end, u.number, utterances[last].number, u.speaker, transcript.roles.get(u.speaker),
                    off.message() if off else None)
    return family, row, marker, Mark(row, family, coding.code, marker.first, marker.last, coding.id)


def session_timeline(transcript: Transcript, codings: list[Coding], codebook: Codebook, coder: str,
                     within: int = DEFAULT_WITHIN, cache: dict | None = None,
                     links: Sequence[tuple[int, int]] = ()) -> Timeline:
    """One coder's timeline of one transcript (other coders' codings in `codings` are ignored).

    The episodes are those of `find_episodes` (the same placing and `pair`), found in one pass.
    `cache` (a dict the caller keeps for this transcript and codebook) holds each coding once
    placed, so the coding screen rebuilds the timeline after one change without placing
    thousands of codings again (codings never change in place; a key has the span and code)."""
    mine = [c for c in codings if c.coder == coder and c.transcript == transcript.name]
    cache = {} if cache is None else cache
    starts: list[int] | None = None
    ends: list[int] = []
    known = codebook.by_name()
    rows: dict[str, tuple[str, str]] = {}
    placed = []
    for c in mine:
        key = (c.id, c.code, c.start, c.end)
        if key not in cache:
            if starts is None:
                starts, ends = [u.start for u in transcript.utterances], [u.end for u in transcript.utterances]
            cache[key] = _place(transcript, c, codebook, starts, ends, rows) if c.code in known else None
        if cache[key] is not None:
            placed.append(cache[key])
    placed.sort(key=lambda p: (p[2].start, p[2].end, p[2].coding_id))
    ruptures = [p[2] for p in placed if p[0] == RUPTURE]
    repairs = [p[2] for p in placed if p[0] == REPAIR]
    minutes = [None if u.time_start is None else u.time_start / 60 for u in transcript.utterances]
    return Timeline(transcript.name, coder, len(transcript.utterances), minutes, [p[3] for p in placed],
                    pair(transcript, coder, ruptures, repairs, within, links))


def project_timelines(project: Project, coder: str, transcripts: list[str] | None = None,
                      within: int = DEFAULT_WITHIN) -> dict[str, Timeline]:
    """Timelines per transcript (in import order) for one coder of a project."""
    codebook = check_families(project.codebook())
    project.coder_id(coder)
    names = transcripts or [t["name"] for t in project.transcripts()]
    by_transcript: dict[str, list[Coding]] = {n: [] for n in names}
    for c in project.codings(coder=coder):
        if c.transcript in by_transcript:
            by_transcript[c.transcript].append(c)
    links = repairs_links(project, coder, names)
    return {n: session_timeline(project.transcript(n), by_transcript[n], codebook, coder, within, links=links[n])
            for n in names}


def timeline_rows(codebook: Codebook, timelines: list[Timeline]) -> list[tuple[str, str]]:
    """(row, family) from top to bottom, the same for every session of a report so they can be
    compared: every rupture marker type of the codebook, the repair roots, then the other
    roots some timeline uses, in codebook order."""
    used = {(m.family, m.row) for t in timelines for m in t.marks}
    rows: list[tuple[str, str]] = []
    for root in codebook.family_roots(RUPTURE):
        types = [c.name for c in codebook.children(root)]
        rows += [(name, RUPTURE) for name in types + ([root] if (RUPTURE, root) in used or not types else [])]
    rows += [(root, REPAIR) for root in codebook.family_roots(REPAIR)]
    rows += [(c.name, OTHER) for c in codebook.codes if c.parent is None and (OTHER, c.name) in used]
    return rows


# --- the coding screen's strip -------------------------------------------------------------

# What a strip cell shows, strongest first when several fall in one cell.
UNRESOLVED, RESOLVED, REPAIRED, CODED, JOINED, EMPTY = "unresolved", "resolved", "repair", "coded", "joined", "empty"
STRENGTH = {UNRESOLVED: 5, RESOLVED: 4, REPAIRED: 3, CODED: 2, JOINED: 1, EMPTY: 0}


def column_of(number: int, utterances: int, width: int) -> int:
    """The strip cell (0-based) where utterance `number` (1-based) begins."""
    if utterances <= 0 or width <= 0:
        return 0
    return min(width - 1, (number - 1) * width // utterances)


def strip_cells(timeline: Timeline, width: int) -> list[str]:
    """What each of `width` cells shows: an unresolved or resolved rupture, a repair, another
    code, a stretch between a rupture and its repair (joined), or nothing; the strongest wins
    where several fall in one cell."""
    cells = [EMPTY] * max(0, width)
    if width <= 0 or timeline.utterances <= 0:
        return cells

    def put(column: int, kind: str) -> None:
        if STRENGTH[kind] > STRENGTH[cells[column]]:
            cells[column] = kind

    n = timeline.utterances
    for e in timeline.episodes:
        if e.repair is not None:
            for column in range(column_of(e.rupture.first, n, width), column_of(e.repair.first, n, width) + 1):
                put(column, JOINED)
    resolved = {e.rupture.coding_id for e in timeline.episodes if e.resolved}
    for m in timeline.marks:
        kind = (RESOLVED if m.coding_id in resolved else UNRESOLVED) if m.family == RUPTURE else \
            REPAIRED if m.family == REPAIR else CODED
        put(column_of(m.first, n, width), kind)
    return cells


def next_episode(episodes: list[Episode], number: int, direction: int) -> Episode | None:
    """The first episode whose rupture starts after utterance `number` (direction 1), or the
    last one starting before it (-1); None when there is none that way. Episodes at the same
    place keep the order they are given in (the coding screen puts the coder's own first)."""
    ordered = sorted(episodes, key=lambda e: (e.rupture.first, e.rupture.start))  # stable: ties keep their order
    if direction > 0:
        return next((e for e in ordered if e.rupture.first > number), None)
    return next((e for e in reversed(ordered) if e.rupture.first < number), None)


def describe(episode: Episode, coder: bool = False) -> str:
    """An episode in a short line, for the coding screen: "Denial at 28 → Meta-communication
    at 31 (latency 3)", latency in utterances, or "Denial at 28, not repaired"."""
    r, p = episode.rupture, episode.repair
    text = (f"{episode.coder}: " if coder else "") + f"{r.code} at {r.first}"
    if p is None:
        return text + ", not repaired"
    return text + f" → {p.code} at {p.first} (latency {episode.latency_utterances})"
