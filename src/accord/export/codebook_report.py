"""The codebook as a Word document: for a methods appendix, or to train a new coder.

A summary table first (every code with its place in the hierarchy and how often each coder
used it), then one section per code, nested as in the codebook: definition, when to use,
when not to use, examples and near misses. Between them, the frequency tables a results
section reports: each code by the speaker role of the turn it starts in, and each session by
top-level code.
"""

from __future__ import annotations

from pathlib import Path

from .docx import Report, fact
from .select import Selection


def codebook_report(selection: Selection, path: str | Path) -> dict:
    sel = selection
    book = sel.codebook
    uses: dict[str, dict[str, int]] = {}
    transcripts: dict[str, set] = {}
    for e in sel.excerpts:
        per = uses.setdefault(e.coding["code"], {})
        per[e.coding["coder"]] = per.get(e.coding["coder"], 0) + 1
        transcripts.setdefault(e.coding["code"], set()).add(e.transcript.name)
    report = Report(f"Codebook: {book.name}")
    facts = [
        ("Project", sel.project_name),
        ("Version", book.version),
        ("Codes", str(len(sel.codes))),
        fact("coders", sel.coders),
        ("Codings", str(len(sel.excerpts))),
    ]
    for key, values in sel.filters.items():
        if key != "coders":  # the coders row already names exactly the chosen coders
            facts.append(fact(key, values, "Counted only"))
    report.title_page(f"Codebook: {book.name}", sel.project_name, facts)
    report.contents(levels=2)
    if book.description:
        report.heading("About this codebook", 1)
        report.paragraph(book.description)
    report.heading("Codes at a glance", 1)
    columns = ["Code", "Parent", "Hotkey", *sel.coders, "Total"]
    rows = []
    for code in sel.codes:
        per = uses.get(code.name, {})
        indent = "\u2003" * sel.depth(code)
        rows.append([indent + code.name, code.parent or "", code.hotkey or "",
                     *[per.get(c, 0) for c in sel.coders], sum(per.values())])
    report.table(columns, rows)
    frequency_tables(report, sel)
    for code in sel.codes:
        report.heading(code.name, sel.depth(code) + 1)
        if code.definition:
            report.paragraph(code.definition)
        if code.when_to_use:
            report.paragraph(code.when_to_use, bold_prefix="When to use: ")
        if code.when_not_to_use:
            report.paragraph(code.when_not_to_use, bold_prefix="When not to use: ")
        if roles := book.speakers_of(code.name):
            owner = book.speakers_from(code.name)
            report.paragraph(", ".join(roles) + ("" if owner == code.name else f" (as {owner})"),
                             bold_prefix="Speakers: ")
        for title, items in (("Examples", code.examples), ("Counter-examples (near misses)", code.counter_examples)):
            if items:
                report.paragraph(bold_prefix=f"{title}:")
                for item in items:
                    report.paragraph(f"\u201c{item}\u201d", "List Bullet")
        per = uses.get(code.name, {})
        total = sum(per.values())
        detail = ", ".join(f"{c} {n}" for c, n in per.items())
        n_t = len(transcripts.get(code.name, ()))
        used = (f"Used {total} time{'s' if total != 1 else ''} in {n_t} transcript{'s' if n_t != 1 else ''}"
                f"{f' ({detail})' if detail else ''}." if total else "Not used yet.")
        report.paragraph(used, "Excerpt Source")
    report.save(path)
    return {"codes": len(sel.codes), "codings": len(sel.excerpts)}


def role_of(excerpt) -> str:
    """The role of the speaker whose turn a coding starts in ("unknown" without a role)."""
    first = excerpt.first
    if first is None:
        return "outside any turn"
    return excerpt.transcript.roles.get(first.speaker) or "unknown"


def frequency_tables(report: Report, sel: Selection) -> None:
    """Codes by speaker role, and sessions by top-level code: counts of codings, each counted
    at the turn where it starts, every coder's together (the coders are named in the note)."""
    book = sel.codebook
    by_role: dict[str, dict[str, int]] = {}
    for e in sel.excerpts:
        per = by_role.setdefault(e.coding["code"], {})
        role = role_of(e)
        per[role] = per.get(role, 0) + 1
    roles = sorted({r for per in by_role.values() for r in per}, key=lambda r: (r in ("unknown", "outside any turn"), r))
    who = ", ".join(sel.coders) or "no coder"
    note = (f"Note. Codings by {who} (N = {len(sel.excerpts):,}), each counted at the turn where it starts"
            + (f"; {len(sel.coders)} coders' codings are added together" if len(sel.coders) > 1 else "") + ".")
    if not sel.excerpts:
        return
    report.heading("Codes by speaker role", 1)
    rows = [[code.name, *[by_role.get(code.name, {}).get(r, 0) for r in roles],
             sum(by_role.get(code.name, {}).values())] for code in sel.codes if by_role.get(code.name)]
    report.table(["Code", *[r.capitalize() for r in roles], "Total"], rows)
    report.paragraph(note, "Excerpt Source")

    def root(name: str) -> str:
        code = book.by_name().get(name)
        while code is not None and code.parent:
            code = book.by_name().get(code.parent)
        return code.name if code else name

    roots = [c.name for c in book.children(None) if any(root(e.coding["code"]) == c.name for e in sel.excerpts)]
    by_session: dict[str, dict[str, int]] = {}
    for e in sel.excerpts:
        per = by_session.setdefault(e.transcript.name, {})
        per[root(e.coding["code"])] = per.get(root(e.coding["code"]), 0) + 1
    report.heading("Sessions by top-level code", 1)
    rows = [[name, *[per.get(r, 0) for r in roots], sum(per.values())] for name, per in sorted(by_session.items())]
    report.table(["Session", *roots, "Total"], rows)
    report.paragraph(note + " A code counts under its top-level code.", "Excerpt Source")
