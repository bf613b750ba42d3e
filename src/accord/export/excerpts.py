"""Coded excerpts by code, as a Word document for a paper's appendix or a supervision meeting.

Codes follow the codebook hierarchy (Heading 1 for top-level codes, Heading 2 below...),
each with its definition and how many excerpts follow. An excerpt says where it is from
(transcript, utterance, time, speaker, coder) above the quote, and its memo below. With
`context`, the coded utterances are shown whole with `context` utterances either side and
the coded words in bold; without it, only the coded words are quoted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Transcript
from .docx import Report, fact
from .select import Excerpt, Selection

if TYPE_CHECKING:
    from ..store import Project


_BREAKS = re.compile(r"[ \t]*\n[ \t]*")


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def excerpts_report(selection: Selection, path: str | Path, *, context: int | None = None,
                    codebook_version: str | None = None) -> dict:
    """Write the report; returns counts for the command line to print."""
    sel = selection
    report = Report(f"Coded excerpts: {sel.project_name}")
    book = sel.codebook
    facts = [
        ("Project", sel.project_name),
        ("Codebook", f"{book.name}, version {codebook_version or book.version}"),
        fact("coders", sel.coders),
        ("Transcripts", str(len({e.transcript.name for e in sel.excerpts}))),
        ("Excerpts", str(len(sel.excerpts))),
    ]
    for key, values in sel.filters.items():
        if key != "coders":  # the coders row already names exactly the chosen coders
            facts.append(fact(key, values, "Only"))
    if sel.pseudonymise:
        facts.append(("Speakers", "pseudonymised (roles or stable IDs)"))
    if context is not None:
        facts.append(("Context", f"{context} utterance(s) either side; coded words in bold"))
    report.title_page("Coded excerpts", sel.project_name, facts)
    report.contents()
    by_code = sel.by_code()
    below = _below(sel, by_code)
    for code in sel.codes:
        found = by_code.get(code.name, [])
        report.heading(code.name, sel.depth(code) + 1)
        if code.definition:
            report.paragraph(code.definition)
        report.paragraph(_count(found, below.get(code.name, 0)), "Excerpt Source")
        for e in found:
            _excerpt(report, sel, e, context)
    if sel.ratings and "codes" not in sel.filters:  # ratings are not excerpts of a code: only in a full report
        _ratings(report, sel)
    report.save(path)
    return {"codes": len(sel.codes), "excerpts": len(sel.excerpts)}


def _ratings(report: Report, sel: Selection) -> None:
    """Each rating scale: its anchors, then per transcript a row per segment, a column per coder."""
    from ..ratings import segments

    report.heading("Ratings", 1)
    for scale in sel.codebook.ratings:
        mine = [r for r in sel.ratings if r["scale"] == scale.name]
        if not mine:
            continue
        report.heading(scale.name, 2)
        if scale.description:
            report.paragraph(scale.description)
        report.paragraph("; ".join(f"{p} {label}" for p, label in scale.anchors.items()) + f" (per {scale.segment_text})",
                         "Excerpt Source")
        coders = [c for c in sel.coders if any(r["coder"] == c for r in mine)] or sorted({r["coder"] for r in mine})
        for name in dict.fromkeys(r["transcript"] for r in mine):
            given = {(r["segment"], r["coder"]): r["value"] for r in mine if r["transcript"] == name}
            report.heading(name, 3)
            report.table(["Segment", "Utterances", *coders],
                         [[f"{s.number} ({s.label})" if s.start is not None else str(s.number), f"{s.first}\u2013{s.last}",
                           *(str(given.get((s.number, c), "")) for c in coders)]
                          for s in segments(sel.transcripts[name], scale)])


def _count(found: list[Excerpt], below: int) -> str:
    n, n_t = len(found), len({e.transcript.name for e in found})
    text = (f"{n} excerpt{'s' if n != 1 else ''} from {n_t} transcript{'s' if n_t != 1 else ''}." if n
            else "No excerpts coded with this code itself." if below else "No excerpts.")
    return text + (f" {below} more under its sub-codes." if below else "")


def _below(sel: Selection, by_code: dict[str, list]) -> dict[str, int]:
    """Code -> number of excerpts of its descendants among the selected codes."""
    parents = {c.name: c.parent for c in sel.codes}
    out: dict[str, int] = {}
    for code in sel.codes:
        n, parent = len(by_code.get(code.name, [])), parents.get(code.name)
        while parent in parents:
            out[parent] = out.get(parent, 0) + n
            parent = parents[parent]
    return out


def source_line(sel: Selection, e: Excerpt) -> str:
    t, first, last = e.transcript, e.first, e.last
    parts = [t.name]
    if first is not None and last is not None:
        parts.append(f"utterance {first.number}" if first is last else f"utterances {first.number}\u2013{last.number}")
        if first.time_start is not None:
            parts.append(clock(first.time_start))
        if first.speaker:
            parts.append(sel.speaker(t, first.speaker))
    parts.append(e.coding["coder"])
    return " \u00b7 ".join(parts)


def _excerpt(report: Report, sel: Selection, e: Excerpt, context: int | None) -> None:
    report.paragraph(source_line(sel, e), "Excerpt Source")
    t = e.transcript
    start, end = e.coding["start"], e.coding["end"]
    if e.first is None:
        report.paragraph(_flat(sel.quote(t, t.text[start:end].strip())), "Quote")
    elif context is None:
        utterances = t.utterances[e.index[0] : e.index[1] + 1]
        for u in utterances:
            words = _flat(sel.quote(t, t.text[max(start, u.start) : min(end, u.end)].strip()))
            p = report.add("Quote")
            if len(utterances) > 1 and u.speaker:
                report.run(p, f"{sel.speaker(t, u.speaker)}: ", italic=True)
            report.run(p, words)
    else:
        lo, hi = max(0, e.index[0] - context), min(len(t.utterances) - 1, e.index[1] + context)
        for i in range(lo, hi + 1):
            _utterance(report, sel, t, i, start, end)
    if e.coding["memo"]:
        report.paragraph(sel.quote(t, e.coding["memo"]), "Excerpt Memo", bold_prefix="Memo: ")


def _utterance(report: Report, sel: Selection, t: Transcript, i: int, start: int, end: int) -> None:
    """One utterance with its speaker; the part inside [start, end) in bold."""
    u = t.utterances[i]
    p = report.add("Quote")
    if u.speaker:
        report.run(p, f"{sel.speaker(t, u.speaker)}: ", italic=True)
    a, b = max(start, u.start), min(end, u.end)
    if a >= b:
        report.run(p, _flat(sel.quote(t, t.text[u.start : u.end])))
        return
    if a > u.start:
        report.run(p, _flat(sel.quote(t, t.text[u.start : a])))
    report.run(p, _flat(sel.quote(t, t.text[a:b])), bold=True)
    if b < u.end:
        report.run(p, _flat(sel.quote(t, t.text[b : u.end])))


def _flat(text: str) -> str:
    """Line breaks inside a turn (wrapped transcript lines) read as spaces in a quote."""
    return _BREAKS.sub(" ", text) if "\n" in text else text


def retrieval_report(project: Project, coding_ids: list[int], code: str, query: str, path: str | Path, *,
                     coders: list[str] | None = None, context: int | None = None) -> dict:
    """The excerpts report for the segments a retrieval found (`accord retrieve --docx`): the
    codings `coding_ids`, under `code` and its sub-codes, with the query on the title page."""
    from .select import select

    sel = select(project, codes=[code], coders=coders)
    wanted = set(coding_ids)
    sel.excerpts = [e for e in sel.excerpts if e.coding["id"] in wanted]
    parents = {c.name: c.parent for c in sel.codes}
    shown = set()
    for name in {e.coding["code"] for e in sel.excerpts}:  # the codes found, and the way down to them
        while name is not None and name not in shown:
            shown.add(name)
            name = parents.get(name)
    sel.codes = [c for c in sel.codes if c.name in shown] or sel.codes[:1]
    sel.filters = {"query": [query], **({"coders": coders} if coders else {})}
    sel.ratings = []
    versions = project.codebook_versions()
    return excerpts_report(sel, path, context=context, codebook_version=versions[-1]["label"] if versions else None)
