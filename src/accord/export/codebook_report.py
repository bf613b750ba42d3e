"""The codebook as a Word document: for a methods appendix, or to train a new coder.

A summary table first (every code with its place in the hierarchy and how often each coder
used it), then one section per code, nested as in the codebook: definition, when to use,
when not to use, examples and near misses.
"""

from __future__ import annotations

from pathlib import Path

from .docx import Report
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
        ("Coders", ", ".join(sel.coders) or "none"),
        ("Codings", str(len(sel.excerpts))),
    ]
    for key, values in sel.filters.items():
        facts.append((f"Counted only {key}", ", ".join(values)))
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
