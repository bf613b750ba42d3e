"""Episodes: each rupture coding of a coder with the repair that resolves it.

The codebook names the families (`family: rupture` / `family: repair` on a root code). A
rupture's marker type is the child of its root on the way down to the code (Minimal response
-> Withdrawal rupture), or the root itself for a coding at the root.

The repair that resolves a rupture is, first, a repair coding the coder linked to it with
"repairs" (the earliest, if several: the coder said so, whatever the distance); otherwise the
coder's first repair coding (by anyone) that begins after the rupture begins and whose first
utterance is at most `within` utterances after the rupture's last one. A repair may resolve several ruptures (three withdrawals answered by one
meta-communication). Latency is counted from the rupture's last utterance to the repair's
first: in utterances (0 when both fall in the same turn) and in seconds between the starts of
those two utterances, where both have timestamps.

A rupture or repair coded on the turn of a role the codebook excludes for its code (a
client-only code on a therapist's turn) still counts: it is the coder's judgement, as in the
coding screen, which saves it with a warning. Its marker carries `off_role` (why), and the
summary counts them (`ruptures_off_role`, `repairs_off_role`) so a report can say so.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import AccordError
from ..model import REPAIRS, Codebook, Coding, Transcript
from ..speaker_roles import role_mismatch

if TYPE_CHECKING:
    from ..store import Project

DEFAULT_WITHIN = 5


@dataclass(frozen=True)
class Marker:
    """A rupture or repair coding placed on the transcript's utterances (numbers are 1-based)."""

    coding_id: int
    code: str
    marker: str  # the marker type: the root's child on the code's path (or the root)
    start: int
    end: int
    first: int  # first and last utterance the coding overlaps
    last: int
    speaker: str
    role: str | None
    off_role: str | None = None  # the codebook gives the code to other roles (speaker_roles): why



@dataclass(frozen=True)
class Episode:
    transcript: str
    coder: str
    rupture: Marker
    repair: Marker | None
    latency_utterances: int | None
    latency_seconds: float | None
    linked: bool = False  # resolved by a "repairs" link, not by the window

    @property
    def resolved(self) -> bool:
        return self.repair is not None

    def to_dict(self) -> dict:
        return {"transcript": self.transcript, "coder": self.coder, "resolved": self.resolved,
                "rupture": asdict(self.rupture), "repair": asdict(self.repair) if self.repair else None,
                "latency_utterances": self.latency_utterances, "latency_seconds": self.latency_seconds,
                "resolved_by": ("link" if self.linked else "window") if self.resolved else None}


class NoFamiliesError(AccordError):
    """The codebook marks no rupture family, so there are no episodes to find."""


def check_families(codebook: Codebook | None) -> Codebook:
    """The codebook, if it names rupture and repair families; else a message saying how."""
    if codebook is None or not codebook.family_roots("rupture") or not codebook.family_roots("repair"):
        raise NoFamiliesError(
            "the project's codebook does not say which codes are ruptures and which are repairs: add "
            "`family: rupture` and `family: repair` to their root codes (as codebooks/alliance.yaml does) and "
            "load it again with `accord codebook load FILE`")
    return codebook


def place(transcript: Transcript, codings: list[Coding], codebook: Codebook, family: str) -> list[Marker]:
    """The codings of `family` as markers on utterances, in text order; codings outside every
    utterance (on a title line) are left out."""
    utterances = transcript.utterances
    starts = [u.start for u in utterances]
    ends = [u.end for u in utterances]
    known = codebook.by_name()
    families: dict[str, tuple[str | None, str]] = {}  # family_of per code, looked up once (it walks the tree)
    out = []
    for c in codings:
        if c.code not in known:
            continue
        if c.code not in families:
            families[c.code] = codebook.family_of(c.code)
        fam, marker = families[c.code]
        if fam != family:
            continue
        first, last = bisect_right(ends, c.start), bisect_left(starts, c.end) - 1
        if first > last:
            continue
        u = utterances[first]
        off = role_mismatch(codebook, transcript, c.code, utterances[first:last + 1])
        out.append(Marker(c.id, c.code, marker, c.start, c.end, u.number, utterances[last].number, u.speaker,
                          transcript.roles.get(u.speaker), off.message() if off else None))
    out.sort(key=lambda m: (m.start, m.end, m.coding_id))
    return out


def find_episodes(transcript: Transcript, codings: list[Coding], codebook: Codebook, coder: str,
                  within: int = DEFAULT_WITHIN, links: Sequence[tuple[int, int]] = ()) -> list[Episode]:
    """One episode per rupture coding of `coder` in `transcript` (codings of others are ignored).
    `links` are the coder's "repairs" links as (repair coding id, rupture coding id)."""
    if within < 0:
        raise ValueError("the window must be 0 or more utterances")
    mine = [c for c in codings if c.coder == coder and c.transcript == transcript.name]
    ruptures = place(transcript, mine, codebook, "rupture")
    repairs = place(transcript, mine, codebook, "repair")
    return pair(transcript, coder, ruptures, repairs, within, links)


def pair(transcript: Transcript, coder: str, ruptures: list[Marker], repairs: list[Marker],
         within: int = DEFAULT_WITHIN, links: Sequence[tuple[int, int]] = ()) -> list[Episode]:
    """Each rupture with the repair that resolves it (both lists in text order, as `place`
    gives): the earliest repair linked to it by "repairs", else the window rule."""
    repair_starts = [r.start for r in repairs]
    by_id = {r.coding_id: r for r in repairs}
    linked: dict[int, Marker] = {}  # rupture coding id -> the earliest repair linked to it
    for repair_id, rupture_id in links:
        r = by_id.get(repair_id)
        if r is not None and (rupture_id not in linked or (r.start, r.coding_id) < (linked[rupture_id].start,
                                                                                     linked[rupture_id].coding_id)):
            linked[rupture_id] = r
    times = {u.number: u.time_start for u in transcript.utterances}
    episodes = []
    for rupture in ruptures:
        i = bisect_right(repair_starts, rupture.start)
        repair = linked.get(rupture.coding_id)
        if repair is None:
            repair = repairs[i] if i < len(repairs) and repairs[i].first - rupture.last <= within else None
        lag = seconds = None
        if repair is not None:
            lag = max(0, repair.first - rupture.last)
            t0, t1 = times.get(rupture.last), times.get(repair.first)
            seconds = round(max(0.0, t1 - t0), 3) if t0 is not None and t1 is not None else None
        episodes.append(Episode(transcript.name, coder, rupture, repair, lag, seconds,
                                rupture.coding_id in linked))
    return episodes


def project_episodes(project: Project, coder: str, transcripts: list[str] | None = None,
                     within: int = DEFAULT_WITHIN) -> dict[str, list[Episode]]:
    """Episodes per transcript (in import order) for one coder of a project."""
    codebook = check_families(project.codebook())
    project.coder_id(coder)  # an unknown coder is an error, not an empty answer
    names = transcripts or [t["name"] for t in project.transcripts()]
    by_transcript: dict[str, list[Coding]] = {n: [] for n in names}
    for c in project.codings(coder=coder):
        if c.transcript in by_transcript:
            by_transcript[c.transcript].append(c)
    links = repairs_links(project, coder, names)
    return {n: find_episodes(project.transcript(n), by_transcript[n], codebook, coder, within, links[n])
            for n in names}


def repairs_links(project: Project, coder: str, names: list[str]) -> dict[str, list[tuple[int, int]]]:
    """The coder's "repairs" links per transcript, as (repair coding id, rupture coding id)."""
    links: dict[str, list[tuple[int, int]]] = {n: [] for n in names}
    for link in project.links(coder=coder, relation=REPAIRS):
        if link.source.transcript in links:
            links[link.source.transcript].append((link.source.id, link.target.id))
    return links


def _spread(values: list[float]) -> dict | None:
    """Median and quartiles (inclusive method: numpy's default linear interpolation)."""
    if not values:
        return None
    if len(values) == 1:
        q1 = median = q3 = float(values[0])
    else:
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": len(values), "median": median, "q1": q1, "q3": q3, "iqr": q3 - q1}


def summarize(episodes: list[Episode]) -> dict:
    """Ruptures by marker type, the share resolved (and how many of them by a link), latency median and quartiles (utterances,
    and seconds where timed), and the repairs that resolved them by the repairer's role (each
    repair coding counted once, however many ruptures it resolved)."""
    by_type: dict[str, dict] = {}
    for e in episodes:
        t = by_type.setdefault(e.rupture.marker, {"ruptures": 0, "resolved": 0})
        t["ruptures"] += 1
        t["resolved"] += e.resolved
    resolved = [e for e in episodes if e.resolved]
    repairs = {e.repair.coding_id: e.repair for e in resolved if e.repair is not None}
    by_role: dict[str, int] = {}
    for r in repairs.values():
        by_role[r.role or "unknown"] = by_role.get(r.role or "unknown", 0) + 1
    return {
        "ruptures": len(episodes),
        "resolved": len(resolved),
        "linked": sum(e.linked for e in resolved),
        "unresolved": len(episodes) - len(resolved),
        "share_resolved": len(resolved) / len(episodes) if episodes else None,
        "by_type": dict(sorted(by_type.items())),
        "latency_utterances": _spread([e.latency_utterances for e in resolved if e.latency_utterances is not None]),
        "latency_seconds": _spread([e.latency_seconds for e in resolved if e.latency_seconds is not None]),
        "repairs": len(repairs),
        "repairs_by_role": dict(sorted(by_role.items())),
        "ruptures_off_role": sum(e.rupture.off_role is not None for e in episodes),
        "repairs_off_role": sum(r.off_role is not None for r in repairs.values()),
    }


def episode_agreement(a: dict[str, list[Episode]], b: dict[str, list[Episode]]) -> dict:
    """Do two coders find the same episodes? Ruptures are matched one to one, in text order,
    when their spans overlap (each A rupture takes the first unmatched overlapping B rupture).
    Agreement is matched / (matched + only A + only B); of the matched, how many both call
    resolved or both unresolved, and how many also have the same marker type."""
    matched = only_a = only_b = same_resolution = same_type = 0
    per_transcript = {}
    for name in [n for n in a if n in b]:
        left, right = [e.rupture for e in a[name]], [e.rupture for e in b[name]]
        resolved_a = {e.rupture.coding_id: e.resolved for e in a[name]}
        resolved_b = {e.rupture.coding_id: e.resolved for e in b[name]}
        taken: set[int] = set()
        m = 0
        for r in left:
            partner = next((s for s in right if s.coding_id not in taken and s.start < r.end and s.end > r.start), None)
            if partner is None:
                continue
            taken.add(partner.coding_id)
            m += 1
            same_resolution += resolved_a[r.coding_id] == resolved_b[partner.coding_id]
            same_type += r.marker == partner.marker
        oa, ob = len(left) - m, len(right) - m
        matched, only_a, only_b = matched + m, only_a + oa, only_b + ob
        per_transcript[name] = {"matched": m, "only_a": oa, "only_b": ob,
                                "agreement": m / (m + oa + ob) if m + oa + ob else None}
    total = matched + only_a + only_b
    return {"matched": matched, "only_a": only_a, "only_b": only_b,
            "agreement": matched / total if total else None,
            "same_resolution": same_resolution, "same_type": same_type, "transcripts": per_transcript}
