"""Reconciling two coders into a consensus coder, with provenance.

A consensus is a coder of its own (default name "consensus"), so every figure, export and
undo that works for a coder works for it. Each decision on a disagreement (take one coder's
spans, both, neither, or spans adjusted by hand) replaces the consensus coder's codings of
that code overlapping the unit and is logged as one `reconcile.decide` event naming who
decided, what was decided and which codings it came from. Deciding a unit again replaces
the earlier decision; the log keeps both. Decisions and seeding are the consensus coder's
actions, so `project.undo(consensus)` takes the latest back (and brings back what it replaced). `seed_consensus` copies everything the
coders already agree on, so only the disagreements are left to decide; every decision runs it
first (it adds only what is missing), and so does `accord reconcile`, so the consensus coder
never holds decisions without the agreements beside them. The coders' links between codings
come along: each seeding or decision gives the consensus the links whose two codings it now
represents, in the same event (`consensus_links.py`), so undoing it takes them back too.

Reconciling shows each coder's work to the others, so the project must be in
reconciliation mode (`accord mode reconciliation`), never while coding is still blind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..names import name_list
from ..store.common import ProjectError
from ..store.events import ReconcileDecide, ReconcileSeed
from .consensus_links import ConsensusLink, carry_links, plan_links
from .unit_table import AgreementError, build_unit_table

DECISIONS = ("take", "both", "neither", "adjust")
CONSENSUS = "consensus"


def require_reconciliation(project) -> None:
    """Coders must not see each other's codings while the project is blind."""
    if project.mode != "reconciliation":
        raise ProjectError(
            "the project is in blind mode, so coders cannot see each other's codings; switch to "
            "reconciliation when coding is done: `accord mode reconciliation`"
        )


@dataclass
class Decision:
    transcript: str
    code: str
    start: int
    end: int
    decision: str  # take | both | neither | adjust
    taken_from: list[str]  # coders whose spans were taken (take, both)
    spans: list[tuple[int, int]]  # the consensus spans written
    decided_by: list[str]
    added: list[int] = field(default_factory=list)  # consensus coding ids
    removed: list[int] = field(default_factory=list)  # consensus codings replaced
    event_id: int | None = None
    links: list[int] = field(default_factory=list)  # links the consensus gained (consensus_links.py)


def _join(spans) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined into one."""
    out: list[list[int]] = []
    for s, e in sorted((int(a), int(b)) for a, b in spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _overlapping(project, transcript: str, coder: str, code: str, start: int, end: int):
    return [k for k in project.codings(transcript=transcript, coder=coder, code=code) if k.start < end and k.end > start]


def reconcile(
    project,
    transcript: str,
    code: str,
    start: int,
    end: int,
    decision: str,
    *,
    coders,
    take: str | None = None,
    spans=None,
    consensus: str = CONSENSUS,
    decided_by=None,
    note: str = "",
    unit: str = "utterance",
) -> Decision:
    """Decide one disagreement on `[start, end)` (a unit, as `disagreements` lists them).

    `decision`: "take" (the spans of coder `take`), "both" (the union of all `coders`'
    spans), "neither", or "adjust" (`spans`, a list of (start, end) written as given).
    Taken spans are clipped to the unit. `decided_by` (names; default all `coders`) is
    recorded with the decision. One transaction; returns what was written.

    The consensus is first brought up to date with everything the coders agree on (at
    `unit`, the unit the disagreements were listed by; see `seed_consensus`, which adds only
    what is missing), so a consensus made of decisions always holds the agreed codings too.
    """
    require_reconciliation(project)
    coders = name_list(coders, "coders") or []
    if decision not in DECISIONS:
        raise AgreementError(f"unknown decision {decision!r}; choose one of {', '.join(DECISIONS)}")
    if consensus in coders:
        raise AgreementError(f"the consensus coder {consensus!r} cannot be one of the coders being reconciled")
    for c in coders:
        project.coder_id(c)
    if decision == "take" and take not in coders:
        raise AgreementError(f"take which coder? give one of {', '.join(coders)} (got {take!r})")
    if decision != "take" and take is not None:
        raise AgreementError("`take` goes with decision 'take' only")
    if (spans is not None) != (decision == "adjust"):
        raise AgreementError("give spans with decision 'adjust' (and only then)")
    code = project.code_name(code)
    length = len(project.transcript(transcript).text)
    if not 0 <= start < end <= length:
        raise AgreementError(f"unit [{start}, {end}) is not inside transcript {transcript!r} (0..{length})")
    decided_by = name_list(decided_by, "decided_by") or coders

    if decision == "adjust":
        for s, e in _join(spans):
            if not 0 <= s < e <= length:
                raise AgreementError(f"adjusted span [{s}, {e}) is not inside transcript {transcript!r} (0..{length})")

    with project.transaction():
        seed_consensus(project, coders, consensus=consensus, unit=unit)
        written = write_decision(project, transcript, code, start, end, decision, coders=coders, take=take,
                                 spans=spans, consensus=consensus, decided_by=decided_by, note=note)
        linked = carry_links(project, coders, consensus=consensus, transcripts=[transcript])
        event_id = project.log(replace(written, links=linked or None), project.coder_id(consensus))
    return Decision(transcript, code, start, end, decision, written.taken_from, [(s[0], s[1]) for s in written.spans],
                    decided_by, written.added, written.removed, event_id, linked)


def write_decision(project, transcript: str, code: str, start: int, end: int, decision: str, *, coders, take=None,
                   spans=None, consensus: str = CONSENSUS, decided_by=(), note: str = "") -> ReconcileDecide:
    """Write one checked decision on `code` at `[start, end)` into the consensus, inside the
    caller's transaction, and return what the log records of it (the caller logs it: one
    event per decision, or one for a whole unit's decisions)."""
    sources = {c: _overlapping(project, transcript, c, code, start, end) for c in coders}
    if decision == "take":
        taken_from = [take]
        new = _join((max(k.start, start), min(k.end, end)) for k in sources[take])
    elif decision == "both":
        taken_from = list(coders)
        new = _join((max(k.start, start), min(k.end, end)) for c in coders for k in sources[c])
    elif decision == "neither":
        taken_from, new = [], []
    else:
        taken_from, new = [], _join(spans)
    project.ensure_coder(consensus)
    removed = [k.id for k in _overlapping(project, transcript, consensus, code, start, end)]
    for coding_id in removed:
        project.set_coding_status(coding_id, "removed")
    added = [project.insert_coding(transcript, code, consensus, s, e, origin="consensus", memo=note) for s, e in new]
    return ReconcileDecide(
        transcript_id=project.transcript_id(transcript),
        transcript=transcript,
        code=code,
        unit=[start, end],
        decision=decision,
        taken_from=taken_from,
        decided_by=list(decided_by),
        coders=list(coders),
        source_codings={c: [k.id for k in sources[c]] for c in coders},
        spans=[list(s) for s in new],
        added=added,
        removed=removed,
        note=note,
    )


def decisions(project, consensus: str = CONSENSUS, code: str | None = None) -> dict[tuple[str, str, int, int], dict]:
    """Latest decision per (transcript, code, start, end) of a unit, from the event log
    (decisions undone since are left out). A decision on a whole unit (`reconcile.unit`,
    see `by_unit.decide_unit`) counts as one decision per code it settled."""
    if not project.has_coder(consensus):
        return {}
    out = {}
    for event in reversed(project.events(coder=consensus, undone=False)):
        if event["action"] == "reconcile.decide":
            each = [event["data"]]
        elif event["action"] == "reconcile.unit":
            each = event["data"]["decisions"]
        else:
            continue
        for d in each:
            if code is None or d["code"] == code:
                out[(d["transcript"], d["code"], d["unit"][0], d["unit"][1])] = d
    return out


def seed_consensus(
    project,
    coders,
    *,
    consensus: str = CONSENSUS,
    unit: str = "utterance",
    transcripts=None,
    codes=None,
) -> int:
    """Give the consensus coder every unit all `coders` agree a code applies to.

    Per agreed unit the consensus span runs from the earliest to the latest point of the
    coders' spans inside the unit (at character level: each run of characters all coders
    coded). Units where the consensus coder already has that code are left alone, so running
    it again adds nothing. The coders' links whose codings the consensus now holds come with
    them (`consensus_links.py`). One transaction, one `reconcile.seed` event (none when nothing
    was added); returns codings added.
    """
    require_reconciliation(project)
    table, planned = _seed_plan(project, coders, consensus, unit, transcripts, codes)
    with project.transaction():
        added = []
        if planned:
            project.ensure_coder(consensus)
            added = [project.insert_coding(t, c, consensus, s, e, origin="consensus") for t, c, s, e in planned]
        linked = carry_links(project, table.coders, consensus=consensus, transcripts=transcripts)
        if added or linked:
            consensus_id = project.coder_id(consensus)
            project.log(ReconcileSeed(coder_id=consensus_id, coders=table.coders, unit=unit, added=added,
                                      links=linked or None), consensus_id)
    return len(added)


def consensus_links(project, coders, *, consensus: str = CONSENSUS, transcripts=None) -> list[ConsensusLink]:
    """Every link the coders drew between codings the consensus represents: who drew it, who
    drew those codings' links otherwise (then the consensus did not get it) and whether the
    consensus has it (see `consensus_links.py`)."""
    require_reconciliation(project)
    return plan_links(project, name_list(coders, "coders") or [], consensus=consensus, transcripts=transcripts)


def seed_pending(project, coders, *, consensus: str = CONSENSUS, unit: str = "utterance", transcripts=None,
                 codes=None) -> int:
    """How many agreed codings `seed_consensus` would add now (0: the consensus holds every
    agreement), so a screen can show seeding as a step still to take."""
    require_reconciliation(project)
    return len(_seed_plan(project, coders, consensus, unit, transcripts, codes)[1])


def _seed_plan(project, coders, consensus, unit, transcripts, codes):
    """The unit table and the (transcript, code, start, end) codings seeding would add."""
    table = build_unit_table(project, coders, unit, transcripts, codes)
    if consensus in table.coders:
        raise AgreementError(f"the consensus coder {consensus!r} cannot be one of the coders being reconciled")
    existing: dict = {}
    if project.has_coder(consensus):
        for k in project.codings(coder=consensus):
            existing.setdefault((k.transcript, k.code), []).append((k.start, k.end))
    planned: list[tuple[str, str, int, int]] = []
    transcript_starts = set(table.base.tolist())
    for i, code in enumerate(table.codes):
        agreed = np.nonzero(table.applied[i].all(axis=0))[0]
        if agreed.size == 0:
            continue
        all_spans = np.concatenate([table.spans[i][j] for j in range(len(table.coders))])
        runs: list[list[int]] = []
        for u in agreed.tolist():
            s, e = int(table.starts[u]), int(table.ends[u])
            if unit != "character":
                inside = all_spans[(all_spans[:, 0] < e) & (all_spans[:, 1] > s)]
                s, e = max(s, int(inside[:, 0].min())), min(e, int(inside[:, 1].max()))
            if runs and unit == "character" and runs[-1][1] == s and s not in transcript_starts:
                runs[-1][1] = e
            else:
                runs.append([s, e])
        for s, e in runs:
            t = int(np.searchsorted(table.base, s, side="right") - 1)
            name, base = table.transcripts[t], int(table.base[t])
            s, e = s - base, e - base
            if any(a < e and b > s for a, b in existing.get((name, code), [])):
                continue
            planned.append((name, code, s, e))
    return table, planned
