"""A cross-tab of codes by a session or participant variable, as a Word table for a paper:
counts and rates per value, with each code's test of independence stated in APA style."""

from __future__ import annotations

from pathlib import Path

from ..crosstab import describe_test
from .docx import Report


def crosstab_document(table: dict, path: str | Path, project_name: str) -> dict:
    by = table["by"]
    report = Report(f"Codes by {by}")
    facts = [("Project", project_name), ("Variable", f"{by} ({table['type']}, of {table['of']}s)"),
             ("Coder", table["coder"] or "none"),
             ("Utterances", str(sum(table["utterances"].values()))), ("Words", str(sum(table["words"].values())))]
    for key, values in table["filters"].items():
        facts.append((f"Counted only {key}", ", ".join(values)))
    report.title_page(f"Codes by {by}", project_name, facts)
    levels = table["levels"]
    report.heading(f"Codes by {by}", 1)
    report.paragraph(
        f"Codings of each code by {by}, with codings per 1,000 words in brackets. The unit of analysis "
        "is the utterance: a coding counts at the utterance it starts in.")
    columns = ["Code", *[f"{lv} (n = {table['utterances'][lv]})" for lv in levels], "Total"]
    rows = [[r["code"], *[_count(r["cells"][lv]["codings"], r["cells"][lv]["per_1000_words"]) for lv in levels],
             r["total"]["codings"]] for r in table["codes"]]
    report.table(columns, rows)
    report.heading(f"Share of utterances coded, by {by}", 1)
    report.paragraph(
        "Percent of utterances that a coding of the code overlaps, and whether that share differs between "
        f"values of {by}: Fisher's exact test for two values, else Pearson's chi-square where no expected "
        "count is below 1 and at most 20% are below 5; utterances with no value are not tested.")
    columns = ["Code", *levels, "Test"]
    rows = [[r["code"], *[_share(r["cells"][lv]["share_of_utterances"]) for lv in levels], describe_test(r["test"])]
            for r in table["codes"]]
    report.table(columns, rows)
    report.save(path)
    return {"codes": len(table["codes"]), "levels": len(levels)}


def _count(n: int, rate: float | None) -> str:
    return f"{n} ({rate:.1f})" if rate is not None else str(n)


def _share(share: float | None) -> str:
    return f"{100 * share:.1f}%" if share is not None else ""
