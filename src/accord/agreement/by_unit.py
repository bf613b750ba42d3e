"""Reconciling by unit: each disputed utterance once, with every coder's codes side by side.

`disagreements` lists differences per code, so one utterance where alice applied Deference
and bob Minimal response shows up as two unrelated items, and neither says what the other
coder used instead. Here the per-code disagreements are grouped by the unit they lie in (at
character level: by the utterance), so a reconciler sees the unit once, with the codes each
coder applied, the codes they agree on and what the consensus holds, and decides the whole
unit in one step: one coder's codes, all of them, none of the disputed ones, or a set of
codes of their own. A unit decision is one `reconcile.unit` event, so one undo takes it back.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..names import name_list
from ..model import Transcript, Utterance
from ..store.events import ReconcileUnit
from .consensus_links import carry_links
from .disagreements import Disagreement, disagreements_by_code
from .reconcile import CONSENSUS, _join, require_reconciliation, seed_consensus, write_decision
from .unit_table import AgreementError

CHOICES = ("take", "both", "neither", "edit")


@dataclass
class DisputedUnit:
    transcript: str
    start: int  # the unit, offsets into the transcript text (at character level: its utterance)
    end: int
    utterance: int | None  # number of the utterance it lies in
    speaker: str | None
    coders: list[str]
    disputed: list[Disagreement]  # one per code the coders differ on here, in codebook order
    agreed: list[str] = field(default_factory=list)  # codes every coder applied here
    consensus: list[str] = field(default_factory=list)  # codes the consensus coder holds here now

    @property
    def key(self) -> tuple[str, int, int]:
        return self.transcript, self.start, self.end

    def codes_of(self, coder: str) -> list[str]:
        """The codes `coder` applied in this unit: the agreed ones first, then their own."""
        return self.agreed + [d.code for d in self.disputed if d.applied.get(coder)]

    def coders_of(self, code: str) -> list[str]:
        """Who applied `code` here (every coder for an agreed code)."""
        if code in self.agreed:
            return list(self.coders)
        return [c for d in self.disputed if d.code == code for c in self.coders if d.applied.get(c)]

    @property
    def decided(self) -> bool:
        return all(d.resolved for d in self.disputed)

    def decision(self) -> str:
        """What was decided here, in words: "alice's codes", "both", "neither", "edited",
        "partly decided" (some codes decided one by one) or "undecided"."""
        if not self.decided:
            return "undecided" if not any(d.resolved for d in self.disputed) else "partly decided"
        kinds = {(d.decision, tuple(d.taken_from) if d.decision == "take" else ()) for d in self.disputed}
        if len(kinds) == 1:
            kind, taken = kinds.pop()
            if kind == "take":
                return f"{taken[0]}'s codes"
            if kind in ("both", "neither"):
                return kind
        return "edited"


def disputed_units(project, coders, unit: str = "utterance", transcripts=None,
                   consensus: str = CONSENSUS) -> list[DisputedUnit]:
    """Every unit where the coders differ on at least one code, once, in text order.

    Only in reconciliation mode: it shows every coder's codes.
    """
    require_reconciliation(project)
    by_code = disagreements_by_code(project, coders, unit, transcripts, consensus)
    names = name_list(coders, "coders") or []
    order = {name: i for i, name in enumerate(t["name"] for t in project.transcripts())}
    texts: dict[str, Transcript] = {}
    grouped: dict[tuple, DisputedUnit] = {}
    for code_items in by_code.values():  # codebook order, so each unit's codes come in that order
        for d in code_items:
            t = texts.get(d.transcript) or texts.setdefault(d.transcript, project.transcript(d.transcript))
            u = _utterance(t, d.utterance)
            start, end = (u.start, u.end) if unit == "character" and u else (d.start, d.end)
            key = (d.transcript, start, end)
            if key not in grouped:
                grouped[key] = DisputedUnit(d.transcript, start, end, d.utterance, u.speaker if u else None, names, [])
            grouped[key].disputed.append(d)
    units = sorted(grouped.values(), key=lambda x: (order.get(x.transcript, 0), x.start, x.end))
    _fill_codes(project, units, names, consensus)
    return units


def refresh(project, units: list[DisputedUnit], consensus: str = CONSENSUS) -> None:
    """Bring the decisions and consensus codes of `units` up to date (after a decision or
    an undo), without regrouping: a screen's list and its cursor stay as they are."""
    from .reconcile import decisions

    decided = decisions(project, consensus)
    for u in units:
        for d in u.disputed:
            found = decided.get((d.transcript, d.code, d.start, d.end))
            d.decision = found["decision"] if found else None
            d.taken_from = list(found["taken_from"]) if found else []
    if units:
        _fill_codes(project, units, units[0].coders, consensus, agreed=False)


def _utterance(t: Transcript, number: int | None) -> Utterance | None:
    return next((u for u in t.utterances if u.number == number), None) if number is not None else None


def _fill_codes(project, units: list[DisputedUnit], coders: list[str], consensus: str, agreed: bool = True) -> None:
    """Each unit's agreed codes (every coder has a coding of it overlapping the unit, and it
    is not disputed there) and the consensus coder's codes there."""
    wanted = coders + ([consensus] if project.has_coder(consensus) else [])
    position = {name: i for _, name, i, _ in project.code_rows()}
    for name in {u.transcript for u in units}:
        spans = {c: _spans_by_code(project, name, c) for c in wanted if agreed or c == consensus}
        for u in units:
            if u.transcript != name:
                continue
            if agreed:
                disputed = {d.code for d in u.disputed}
                codes = [c for c in spans[coders[0]] if c not in disputed
                         and all(_touches(spans[k].get(c, []), u.start, u.end) for k in coders)]
                u.agreed = sorted(codes, key=lambda c: position.get(c, len(position)))
            held = spans.get(consensus, {})
            u.consensus = sorted((c for c in held if _touches(held[c], u.start, u.end)),
                                 key=lambda c: position.get(c, len(position)))


def _spans_by_code(project, transcript: str, coder: str) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for k in project.codings(transcript=transcript, coder=coder):
        out.setdefault(k.code, []).append((k.start, k.end))
    return out


def _touches(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and e > start for s, e in spans)


def decide_unit(project, unit: DisputedUnit, choice: str, *, take: str | None = None, codes=None,
                consensus: str = CONSENSUS, decided_by=None, unit_kind: str = "utterance") -> dict:
    """Decide every disputed code of `unit` at once and log it as one `reconcile.unit` event.

    `choice`: "take" (coder `take`'s codes: each disputed code they applied, with their spans;
    the others' codes left out), "both" (every coder's codes, spans joined), "neither" (none
    of the disputed codes; the agreed ones stay), or "edit" (exactly the codes in `codes`: a
    code someone applied gets the coders' spans, one nobody applied covers the unit, an
    agreed code left out is removed). The consensus is first seeded with every agreement, as
    for a single decision. One transaction; returns the event's data.
    """
    require_reconciliation(project)
    coders = list(unit.coders)
    if choice not in CHOICES:
        raise AgreementError(f"unknown choice {choice!r}; choose one of {', '.join(CHOICES)}")
    if choice == "take" and take not in coders:
        raise AgreementError(f"take which coder's codes? give one of {', '.join(coders)} (got {take!r})")
    if (codes is not None) != (choice == "edit"):
        raise AgreementError("give the codes with choice 'edit' (and only then)")
    chosen = [project.code_name(c) for c in codes] if codes is not None else []

    plan: list[tuple[str, int, int, str, list | None]] = []  # (code, start, end, decision, spans)
    for d in unit.disputed:
        if choice == "take":
            plan.append((d.code, d.start, d.end, "take", None))
        elif choice == "edit":
            plan.append((d.code, d.start, d.end, "both" if d.code in chosen else "neither", None))
        else:
            plan.append((d.code, d.start, d.end, choice, None))
    if choice == "edit":
        disputed = {d.code for d in unit.disputed}
        plan += [(c, unit.start, unit.end, "neither", None) for c in unit.agreed if c not in chosen]
        plan += [(c, unit.start, unit.end, "adjust", [(unit.start, unit.end)])
                 for c in dict.fromkeys(chosen) if c not in disputed and c not in unit.agreed]

    decided_by = list(decided_by or coders)
    with project.transaction():
        seed_consensus(project, coders, consensus=consensus, unit=unit_kind)
        written = [
            write_decision(project, unit.transcript, code, start, end, decision, coders=coders,
                           take=take if decision == "take" else None, spans=_join(spans) if spans else None,
                           consensus=consensus, decided_by=decided_by)
            for code, start, end, decision, spans in plan
        ]
        linked = carry_links(project, coders, consensus=consensus, transcripts=[unit.transcript])
        decided = ReconcileUnit(
            transcript_id=project.transcript_id(unit.transcript),
            transcript=unit.transcript,
            unit=[unit.start, unit.end],
            utterance=unit.utterance,
            choice=choice,
            take=take,
            codes=chosen if choice == "edit" else None,
            decided_by=decided_by,
            decisions=[w.to_data() for w in written],
            added=[i for w in written for i in w.added],
            removed=[i for w in written for i in w.removed],
            links=linked or None,
        )
        project.log(decided, project.coder_id(consensus))
    return decided.to_data()


@dataclass
class Turn:
    number: int
    speaker: str
    text: str
    start: int  # offset of `text` in the transcript
    in_unit: bool


def surrounding_turns(transcript: Transcript, start: int, end: int, before: int = 2, after: int = 1) -> list[Turn]:
    """The turns around a unit: `before` turns ahead of it, the turns it lies in, `after`
    turns following. Reconcilers judge a code by what the speaker was answering."""
    utterances = [u for u in transcript.utterances if u.end > u.start]
    starts = [u.start for u in utterances]
    first = max(0, bisect.bisect_right(starts, start) - 1)
    last = first
    while last + 1 < len(utterances) and utterances[last + 1].start < end:
        last += 1
    lo, hi = max(0, first - before), min(len(utterances), last + 1 + after)
    return [
        Turn(u.number, u.speaker, transcript.utterance_text(u), u.start, first <= i <= last)
        for i, u in enumerate(utterances[lo:hi], start=lo)
    ]
