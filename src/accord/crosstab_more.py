"""Ratings and rupture-repair episodes by a session or participant variable.

The companions of `crosstab.crosstab` (codes by a variable), with the same levels, the same
"(not set)" column and the same test (`contingency.independence_test`: Fisher for 2x2,
chi-square where the expected counts allow, else none with the reason):

- ratings: per scale and value of the variable, the number of ratings, their mean, SD and
  median, and how many fell on each point of the scale; the test asks whether the points are
  spread alike across the values (a points x values table). A rating belongs to a whole
  segment, not to a speaker, so a participant variable is read from the case that owns the
  whole transcript (a rating in a transcript whose people are cases only by speaker is "not set").
- episodes: per marker type (and all ruptures), the ruptures, how many were resolved and the
  share, and ruptures per 1,000 words; the test asks whether the share resolved differs
  between values (a resolved/unresolved x values table). A rupture takes the value of its
  speaker's case for a participant variable (the client's age for the client's withdrawal).
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from .contingency import independence_test
from .crosstab import NOT_SET, Lookup
from .variables import sort_key

if TYPE_CHECKING:
    from .store import Project


def _levels(variable: dict, seen: set) -> list:
    """The variable's values in their order (every category, even one nobody has), then
    None for "not set" when some unit has no value."""
    levels = sorted((v for v in seen if v is not None),
                    key=lambda v: sort_key(variable["type"], v, variable["categories"]))
    if variable["type"] == "category":
        levels = list(variable["categories"]) + [v for v in levels if v not in variable["categories"]]
    return levels + ([None] if None in seen else [])


def _label(level) -> str:
    return NOT_SET if level is None else level


def _test(table: list[list[int]]) -> dict:
    # JSON has no infinity: an odds ratio with a zero cell below it is None
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in independence_test(table).items()}


def ratings_by(project: Project, by: str, coder: str, transcripts: list[str] | None = None,
               scales: list[str] | None = None) -> dict:
    """Ratings of one coder by a variable (one coder: two coders' ratings of the same segment
    are not independent observations)."""
    look = Lookup(project)
    variable = project.variable(by)
    chosen = [project.rating_scale(s) for s in scales] if scales else project.rating_scales()
    if not chosen:
        raise ValueError("the codebook defines no rating scales (add `ratings:` to it and load it again)")
    wanted = set(transcripts) if transcripts else None
    for name in transcripts or []:
        project.transcript_id(name)  # an unknown transcript is an error, not an empty table
    rows = [r for r in project.ratings(coder=coder) if wanted is None or r["transcript"] in wanted]
    out = []
    for scale in chosen:
        mine = [r for r in rows if r["scale"] == scale.name]
        values: dict = {}
        for r in mine:
            values.setdefault(look.value(by, r["transcript"], None), []).append(int(r["value"]))
        levels = _levels(variable, set(values))
        points = list(range(scale.low, scale.high + 1))
        cells = {}
        for lv in levels:
            v = values.get(lv, [])
            cells[_label(lv)] = {
                "n": len(v),
                "mean": statistics.fmean(v) if v else None,
                "sd": statistics.stdev(v) if len(v) > 1 else None,
                "median": statistics.median(v) if v else None,
                "points": {str(p): v.count(p) for p in points},
            }
        tested = [lv for lv in levels if lv is not None]
        table = [[values.get(lv, []).count(p) for lv in tested] for p in points]
        out.append({"scale": scale.name, "low": scale.low, "high": scale.high,
                    "levels": [_label(lv) for lv in levels], "cells": cells, "test": _test(table)})
    return {"by": by, "type": variable["type"], "of": variable["applies_to"], "coder": coder, "scales": out}


def episodes_by(project: Project, by: str, coder: str, transcripts: list[str] | None = None, within: int | None = None) -> dict:
    """A coder's rupture-repair episodes by a variable: ruptures, resolved, rates, a test."""
    from .sequences.episodes import DEFAULT_WITHIN, project_episodes

    look = Lookup(project)
    variable = project.variable(by)
    found = project_episodes(project, coder, transcripts, within or DEFAULT_WITHIN)
    words: dict = {}
    for name in found:
        t = project.transcript(name)
        for u in t.utterances:
            level = look.value(by, name, u.speaker)
            words[level] = words.get(level, 0) + len(t.text[u.start:u.end].split())
    tally: dict[tuple[str, object], list[int]] = {}  # (marker type, level) -> [ruptures, resolved]
    for name, episodes in found.items():
        for e in episodes:
            level = look.value(by, name, e.rupture.speaker)
            for row in (e.rupture.marker, "All ruptures"):
                cell = tally.setdefault((row, level), [0, 0])
                cell[0] += 1
                cell[1] += e.resolved
    levels = _levels(variable, set(words) | {lv for _, lv in tally})
    markers = sorted({m for m, _ in tally} - {"All ruptures"}) + ["All ruptures"]
    rows = []
    for m in markers:
        cells = {}
        for lv in levels:
            n, resolved = tally.get((m, lv), [0, 0])
            w = words.get(lv, 0)
            cells[_label(lv)] = {"ruptures": n, "resolved": resolved, "share_resolved": resolved / n if n else None,
                                 "per_1000_words": 1000 * n / w if w else None}
        tested = [lv for lv in levels if lv is not None]
        table = [[tally.get((m, lv), [0, 0])[1] for lv in tested],
                 [tally.get((m, lv), [0, 0])[0] - tally.get((m, lv), [0, 0])[1] for lv in tested]]
        rows.append({"marker": m, "cells": cells, "test": _test(table)})
    return {"by": by, "type": variable["type"], "of": variable["applies_to"], "coder": coder,
            "within": within or DEFAULT_WITHIN, "levels": [_label(lv) for lv in levels],
            "words": {_label(lv): words.get(lv, 0) for lv in levels}, "markers": rows}
