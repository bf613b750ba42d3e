"""The coders' links between codings, carried over to the consensus as it is reconciled.

A coder's coding is represented in the consensus by the consensus coding of the same code
that overlaps it most (the earliest of equals): the one a decision took from it, or the one
seeding made where the coders agreed. A link whose two codings are both represented is a link
between those two consensus codings, and the consensus gets it unless another coder judged
the same codings otherwise: drew a different link between the two, or a link of the same
relation into the same target from another coding (bob says another repair resolved that
rupture). So a link only one coder drew comes across when the other drew nothing there: not
linking is not taken as a judgement against it. Links the coders drew differently are left
out and listed (`accord reconcile`), for the reconciler to add the right one as the consensus
coder. No link is made that no coder drew, and a link the consensus coder removed (`accord
links remove`) is not brought back.

Callers check that the project is in reconciliation mode (see `reconcile.py`): this shows
every coder's links.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Coding
from ..store.events import LinkRemove, payload


@dataclass(frozen=True)
class ConsensusLink:
    """A link some coder drew, between the consensus codings that represent its two ends."""

    source: Coding  # consensus codings
    relation: str
    target: Coding
    coders: tuple[str, ...]  # who drew it
    disputed_by: tuple[str, ...] = ()  # coders who linked these codings otherwise
    link_id: int | None = None  # the consensus's link, when it has it
    dropped: bool = False  # the consensus coder removed it


def plan_links(project, coders, *, consensus: str, transcripts=None) -> list[ConsensusLink]:
    """Every link the `coders` drew whose two codings the consensus represents, in text order,
    each saying who drew it, who disputes it and whether the consensus holds it."""
    if not project.has_coder(consensus):
        return []
    names = [None] if transcripts is None else list(transcripts)  # None: every transcript
    theirs = [x for coder in coders for name in names for x in project.links(transcript=name, coder=coder)]
    if not theirs:
        return []
    held: dict[tuple[str, str], list[Coding]] = {}
    for name in names:
        for k in project.codings(transcript=name, coder=consensus):
            held.setdefault((k.transcript, k.code), []).append(k)
    drawn: dict[tuple[int, str, int], set[str]] = {}  # consensus source, relation, target -> coders
    for link in theirs:
        source, target = _represented(held, link.source), _represented(held, link.target)
        if source is not None and target is not None and source.id != target.id:
            drawn.setdefault((source.id, link.relation, target.id), set()).add(link.coder)
    have = {(x.source.id, x.relation, x.target.id): x.id
            for name in names for x in project.links(transcript=name, coder=consensus)}

    ends = {k.id: k for ks in held.values() for k in ks}
    dropped = set()
    for event in project.events(coder=consensus, action="link.remove", undone=False):
        p = payload(event)
        assert isinstance(p, LinkRemove)
        dropped.add((p.source, p.relation, p.target))
    # What each coder judged: which pairs of codings they linked, and into which coding they
    # drew each relation. A coder who drew a -r-> b otherwise disputes it.
    judged: dict[str, set] = {c: set() for c in coders}
    for (a, relation, b), by in drawn.items():
        for c in by:
            judged[c] |= {frozenset((a, b)), (relation, b)}
    out = []
    for (a, relation, b), by in drawn.items():
        marks = {frozenset((a, b)), (relation, b)}
        others = tuple(c for c in coders if c not in by and judged[c] & marks)
        out.append(ConsensusLink(ends[a], relation, ends[b], tuple(c for c in coders if c in by), others,
                                 have.get((a, relation, b)), (a, relation, b) in dropped))
    return sorted(out, key=lambda x: (x.source.transcript, x.source.start, x.target.start, x.relation))


def _represented(held: dict[tuple[str, str], list[Coding]], k: Coding) -> Coding | None:
    """The consensus coding of `k`'s code that overlaps it most (the earliest of equals)."""
    def overlap(c: Coding) -> int:
        return min(c.end, k.end) - max(c.start, k.start)

    best = max(held.get((k.transcript, k.code), []), key=lambda c: (overlap(c), -c.start, -c.id), default=None)
    return best if best is not None and overlap(best) > 0 else None


def carry_links(project, coders, *, consensus: str, transcripts=None) -> list[int]:
    """Give the consensus every link of `coders` it should have and lacks (see the module
    docstring); returns the new links' ids for the caller's event. Call inside the caller's
    transaction, after its codings are written."""
    made = []
    for x in plan_links(project, coders, consensus=consensus, transcripts=transcripts):
        if x.link_id is None and not (x.dropped or x.disputed_by):
            link_id = project.store_link(None, x.source.id, x.target.id, x.relation)
            if link_id is not None:
                made.append(link_id)
    return made
