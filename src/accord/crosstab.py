"""Codes by a session or participant variable: counts, rates and a test of independence.

Each utterance takes the variable's value from its transcript (a session variable) or from
its case (a participant variable: the case its speaker belongs to in that transcript, else
the case owning the whole transcript). For every code and value:
- codings: the coder's codings of the code, each counted once, at the utterance it starts in;
- coded utterances: utterances one of those codings overlaps (the rule agreement uses);
- rates: codings per 1,000 words and the share of utterances coded, since sessions differ
  in length and a raw count mostly measures how long people talked.
The test asks whether the share of utterances coded differs between values: a 2 x k table
(coded, not coded) by value, Fisher's exact test when it is 2x2, else chi-square where the
expected counts allow (see contingency.independence_test). Utterances whose value is not set
are counted in their own column but left out of the test.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from .contingency import independence_test
from .variables import sort_key

if TYPE_CHECKING:
    from .store import Project

NOT_SET = "(not set)"


class Lookup:
    """Variable values and cases, read once from the project, asked per utterance."""

    def __init__(self, project: Project):
        self.variables = {v["name"]: v for v in project.variables()}
        self.values = project.variable_values()
        self.cases = project.case_of()

    def case(self, transcript: str, speaker: str | None) -> str | None:
        return self.cases.get((transcript, speaker)) or self.cases.get((transcript, None))

    def value(self, variable: str, transcript: str, speaker: str | None) -> str | None:
        v = self.variables[variable]
        owner = transcript if v["applies_to"] == "transcript" else self.case(transcript, speaker)
        return self.values.get(variable, {}).get(owner) if owner is not None else None


def speaker_filter(sel):
    """The speakers filter of a selection as a test on (transcript, speaker label)."""
    match = {s.casefold() for s in sel.filters.get("speakers") or []}
    if not match:
        return lambda t, label: True
    return lambda t, label: label.casefold() in match or t.roles.get(label, "").casefold() in match


def crosstab(project: Project, sel, by: str) -> dict:
    """The table for the coder of `sel` (one coder: counting two would count each passage twice)."""
    if len(sel.coders) > 1:
        raise ValueError("a cross-tab counts one coder's codings; name one coder (or the consensus)")
    look = Lookup(project)
    variable = project.variable(by)
    included = speaker_filter(sel)
    utterances: dict[str | None, int] = {}
    words: dict[str | None, int] = {}
    level_of: dict[tuple[str, int], str | None] = {}
    for t in sel.transcripts.values():
        for i, u in enumerate(t.utterances):
            if not included(t, u.speaker):
                continue
            value = look.value(by, t.name, u.speaker)
            level_of[(t.name, i)] = value
            utterances[value] = utterances.get(value, 0) + 1
            words[value] = words.get(value, 0) + len(t.text[u.start:u.end].split())
    codings: dict[tuple[str, str | None], int] = {}
    coded: dict[str, set[tuple[str, int]]] = {}
    bounds = {n: ([u.start for u in t.utterances], [u.end for u in t.utterances]) for n, t in sel.transcripts.items()}
    for e in sel.excerpts:
        name, code = e.transcript.name, e.coding["code"]
        if e.index[0] >= 0:
            value = level_of.get((name, e.index[0]), None)
        else:
            value = look.value(by, name, None)
        codings[(code, value)] = codings.get((code, value), 0) + 1
        starts, ends = bounds[name]
        for i in range(bisect_right(ends, e.coding["start"]), bisect_left(starts, e.coding["end"])):
            if (name, i) in level_of:
                coded.setdefault(code, set()).add((name, i))
    levels = sorted((v for v in utterances if v is not None),
                    key=lambda v: sort_key(variable["type"], v, variable["categories"]))
    if variable["type"] == "category":  # every category, even one no utterance has
        levels = [c for c in variable["categories"]] + [v for v in levels if v not in variable["categories"]]
    columns = levels + ([None] if None in utterances else [])

    def cell(n_codings: int, n_coded: int, level) -> dict:
        w, n = words.get(level, 0), utterances.get(level, 0)
        return {"codings": n_codings, "coded_utterances": n_coded,
                "per_1000_words": 1000 * n_codings / w if w else None,
                "share_of_utterances": n_coded / n if n else None}

    rows = []
    for c in sel.codes:
        per_level: dict = {}
        for (name, i) in coded.get(c.name, ()):
            per_level[level_of[(name, i)]] = per_level.get(level_of[(name, i)], 0) + 1
        cells = {(NOT_SET if lv is None else lv): cell(codings.get((c.name, lv), 0), per_level.get(lv, 0), lv)
                 for lv in columns}
        table = [[per_level.get(lv, 0) for lv in levels], [utterances.get(lv, 0) - per_level.get(lv, 0) for lv in levels]]
        # JSON has no infinity: an odds ratio with a zero cell below it is None
        test = {k: None if isinstance(v, float) and not math.isfinite(v) else v
                for k, v in independence_test(table).items()}
        rows.append({"code": c.name, "cells": cells,
                     "total": {"codings": sum(codings.get((c.name, lv), 0) for lv in columns),
                               "coded_utterances": sum(per_level.values())},
                     "test": test})
    return {
        "by": by, "type": variable["type"], "of": variable["applies_to"], "coder": sel.coders[0] if sel.coders else None,
        "levels": [NOT_SET if lv is None else lv for lv in columns],
        "utterances": {(NOT_SET if lv is None else lv): utterances.get(lv, 0) for lv in columns},
        "words": {(NOT_SET if lv is None else lv): words.get(lv, 0) for lv in columns},
        "codes": rows,
        "filters": dict(sel.filters),
    }


def describe_test(test: dict) -> str:
    """The test in APA style (χ²(2, N = 120) = 4.51, p = .105, V = .19), or why there is none."""
    if test.get("test") is None:
        return f"no test: {test.get('reason', '')}"
    p = "p < .001" if test["p"] < 0.001 else f"p = {_bounded(test['p'])}"
    if test["test"] == "Fisher":
        return f"Fisher's exact test, N = {test['n']}, {p}"
    return f"χ²({test['df']}, N = {test['n']}) = {test['statistic']:.2f}, {p}, V = {_bounded(test['cramers_v'], 2)}"


def _bounded(x: float, decimals: int = 3) -> str:
    """A figure bounded by 1, without the leading zero (APA): .05, not 0.05."""
    text = f"{x:.{decimals}f}"
    return text[1:] if text.startswith("0.") else text
