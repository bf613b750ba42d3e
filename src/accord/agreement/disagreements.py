"""Where coders differ on a code: the list an agreement screen steps through.

Each disagreement is a unit (at character level: a run of neighbouring characters with the
same split between coders, since nobody reviews a disagreement one character at a time) with
each coder's spans of the code that touch it, and the consensus decision taken on it so far,
which is what a screen needs to show both coders' spans side by side, resolve them with
`reconcile`, and show progress.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .reconcile import CONSENSUS, decisions, require_reconciliation
from .unit_table import build_unit_table

if TYPE_CHECKING:
    from ..store import Project


@dataclass
class CodedSpan:
    coding_id: int
    start: int
    end: int


@dataclass
class Disagreement:
    transcript: str
    code: str
    unit: str
    start: int  # the unit (or run of characters), offsets into the transcript text
    end: int
    utterance: int | None  # number of the utterance it lies in
    applied: dict[str, bool]  # coder -> applied the code here
    spans: dict[str, list[CodedSpan]] = field(default_factory=dict)  # each coder's spans touching it
    decision: str | None = None  # the consensus decision taken here, if any
    taken_from: list[str] = field(default_factory=list)  # whose spans that decision took

    @property
    def resolved(self) -> bool:
        return self.decision is not None


def disagreements(
    project: Project, coders, code: str, unit: str = "utterance", transcripts=None, consensus: str = CONSENSUS
) -> list[Disagreement]:
    """Units of `code` where the coders differ (some applied it, some not), in text order.

    Only in reconciliation mode: it shows every coder's spans.
    """
    require_reconciliation(project)
    table = build_unit_table(project, coders, unit, transcripts, [code])
    return _from_table(project, table, 0, unit, decisions(project, consensus, table.codes[0]))


def disagreements_by_code(
    project: Project, coders, unit: str = "utterance", transcripts=None, consensus: str = CONSENSUS
) -> dict[str, list[Disagreement]]:
    """`disagreements` for every code at once, reading the codings and the decisions once."""
    require_reconciliation(project)
    table = build_unit_table(project, coders, unit, transcripts, None)
    decided = decisions(project, consensus)
    return {code: _from_table(project, table, i, unit, decided) for i, code in enumerate(table.codes)}


def _from_table(project: Project, table, i: int, unit: str, decided: dict) -> list[Disagreement]:
    code = table.codes[i]
    applied = table.applied[i]
    differ = np.nonzero(applied.any(axis=0) & ~applied.all(axis=0))[0]
    transcript_starts = set(table.base.tolist())
    groups: list[list[int]] = []  # [first unit, last unit]
    for u in differ.tolist():
        if (
            groups
            and unit == "character"
            and groups[-1][1] == u - 1
            and table.ends[u - 1] == table.starts[u]
            and int(table.starts[u]) not in transcript_starts
            and (applied[:, u] == applied[:, u - 1]).all()
        ):
            groups[-1][1] = u
        else:
            groups.append([u, u])
    utterance_starts: dict[str, tuple[list[int], list]] = {}
    out = []
    for first, last in groups:
        name, start, _ = table.unit_offsets(first)
        _, _, end = table.unit_offsets(last)
        if name not in utterance_starts:
            us = project.transcript(name).utterances
            utterance_starts[name] = ([u.start for u in us], us)
        starts, us = utterance_starts[name]
        k = bisect.bisect_right(starts, start) - 1
        number = us[k].number if k >= 0 and us[k].start <= start < max(us[k].end, us[k].start + 1) else None
        base = int(table.base[table.transcripts.index(name)])
        spans = {}
        for j, coder in enumerate(table.coders):
            mine = table.spans[i][j] - base
            hit = (mine[:, 0] < end) & (mine[:, 1] > start)
            spans[coder] = [
                CodedSpan(int(k), int(s), int(e)) for k, (s, e) in zip(table.coding_ids[i][j][hit], mine[hit])
            ]
        d = decided.get((name, code, start, end))
        out.append(
            Disagreement(
                transcript=name,
                code=code,
                unit=unit,
                start=start,
                end=end,
                utterance=number,
                applied={c: bool(applied[j, first]) for j, c in enumerate(table.coders)},
                spans=spans,
                decision=d["decision"] if d else None,
                taken_from=list(d["taken_from"]) if d else [],
            )
        )
    return out
