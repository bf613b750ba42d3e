"""A cross-tab of codes by a session or participant variable, as a Word table for a paper:
counts and rates per value, with each code's test of independence stated in APA style."""

from __future__ import annotations

from pathlib import Path

from ..crosstab import describe_test
from .docx import Report, fact


def crosstab_document(table: dict, path: str | Path, project_name: str) -> dict:
    by = table["by"]
    report = Report(f"Codes by {by}")
    facts = [("Project", project_name), ("Variable", f"{by} ({table['type']}, of {table['of']}s)"),
             ("Coder", table["coder"] or "none"),
             ("Utterances", str(sum(table["utterances"].values()))), ("Words", str(sum(table["words"].values())))]
    for key, values in table["filters"].items():
        facts.append(fact(key, values, "Counted only"))
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


TEST_SENTENCE = ("Fisher's exact test for a 2 x 2 table, else Pearson's chi-square where no expected count is below 1 "
                 "and at most 20% are below 5; values not set are not tested.")


def ratings_document(table: dict, path: str | Path, project_name: str) -> dict:
    """Ratings by a variable: per scale, n, M (SD) and Mdn per value, and the test."""
    by = table["by"]
    report = Report(f"Ratings by {by}")
    report.title_page(f"Ratings by {by}", project_name, [
        ("Project", project_name), ("Variable", f"{by} ({table['type']}, of {table['of']}s)"), ("Coder", table["coder"])])
    report.heading(f"Ratings by {by}", 1)
    report.paragraph(
        f"Ratings given by {table['coder']}, one per rated segment, by the value of {by}: the number of ratings, "
        "M (SD) and Mdn. The test asks whether the ratings fall on the scale's points alike across values: "
        + TEST_SENTENCE)
    for s in table["scales"]:
        report.heading(f"{s['scale']} ({s['low']}-{s['high']})", 2)
        columns = [by, "n", "M (SD)", "Mdn", *[f"rated {p}" for p in range(s["low"], s["high"] + 1)]]
        rows = []
        for lv in s["levels"]:
            c = s["cells"][lv]
            m = "" if c["mean"] is None else f"{c['mean']:.2f}" + ("" if c["sd"] is None else f" ({c['sd']:.2f})")
            rows.append([lv, str(c["n"]), m, "" if c["median"] is None else f"{c['median']:g}",
                         *[str(c["points"][str(p)]) for p in range(s["low"], s["high"] + 1)]])
        report.table(columns, rows)
        report.paragraph(f"Note. {describe_test(s['test'])}.")
    report.save(path)
    return {"scales": len(table["scales"])}


def episodes_document(table: dict, path: str | Path, project_name: str) -> dict:
    """Rupture-repair episodes by a variable: ruptures, rate and share resolved per value."""
    by = table["by"]
    report = Report(f"Episodes by {by}")
    report.title_page(f"Rupture-repair episodes by {by}", project_name, [
        ("Project", project_name), ("Variable", f"{by} ({table['type']}, of {table['of']}s)"),
        ("Coder", table["coder"]), ("Repair window", f"{table['within']} utterances")])
    report.heading(f"Rupture-repair episodes by {by}", 1)
    report.paragraph(
        f"Ruptures coded by {table['coder']} by the value of {by} (of the rupture's speaker for a participant "
        f"variable), with ruptures per 1,000 words in brackets and the percent resolved by a repair within "
        f"{table['within']} utterances. The test asks whether the share resolved differs between values: "
        + TEST_SENTENCE)
    levels = table["levels"]
    columns = ["Marker", *[f"{lv} ({table['words'][lv]:,} words)" for lv in levels]]
    rows = []
    for m in table["markers"]:
        cells = []
        for lv in levels:
            c = m["cells"][lv]
            share = "" if c["share_resolved"] is None else f", {100 * c['share_resolved']:.0f}% resolved"
            cells.append(_count(c["ruptures"], c["per_1000_words"]) + share)
        rows.append([m["marker"], *cells])
    report.table(columns, rows)
    report.paragraph("Note. Share resolved by " + by + ": "
                     + "; ".join(f"{m['marker']}, {describe_test(m['test'])}" for m in table["markers"]) + ".")
    report.save(path)
    return {"markers": len(table["markers"])}
