"""Rupture-repair episodes as a Word report for a paper: a methods paragraph written from the
parameters actually used, a summary table, per session a timeline figure and the episode
table, and the lag-sequential tables, captioned and noted in APA style.

The figures are those of `accord sequences` with the same coder, sessions and window (this
module lays out what `accord.sequences` computes); the timelines come from
`accord.sequences.timeline` and are drawn by `timeline_figure`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..agreement.render import apa
from ..sequences import lag_table, summarize
from ..sequences.lag import UNCODED
from ..sequences.timeline import OTHER, Timeline, timeline_rows
from .docx import ZWSP, Report
from .timeline_figure import timeline_figure

DASH = "\u2013"
MINUS = "\u2212"
Z_CRITICAL = 1.96

REFERENCES = [
    "Allison, P. D., & Liker, J. K. (1982). Analyzing sequential categorical data on dyadic interaction: "
    "A comment on Gottman. Psychological Bulletin, 91(2), 393\u2013403.",
    "Bakeman, R., & Quera, V. (2011). Sequential analysis and observer agreement in the behavioral sciences: "
    "Methods, programs, and tools. Cambridge University Press.",
]


def _names(names: list[str]) -> str:
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _number(x: float, digits: int = 1) -> str:
    """A figure not bounded by 1, with a true minus sign and no needless ".0"."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"
    return text.replace("-", MINUS)


def _spread(s: dict | None, digits: int = 1) -> str:
    if not s:
        return DASH
    return f"{_number(s['median'], digits)} [{_number(s['q1'], digits)}{DASH}{_number(s['q3'], digits)}]"


def _resolved(s: dict) -> str:
    if not s["ruptures"]:
        return DASH
    return f"{s['resolved']} ({100 * s['share_resolved']:.0f}%)"


def _roles(s: dict) -> str:
    return ", ".join(f"{role} {n}" for role, n in s["repairs_by_role"].items()) or DASH


def _utterances(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}{DASH}{last}"


def _breakable(name: str) -> str:
    """A session name that may wrap after its underscores in a narrow table column."""
    return name.replace("_", "_" + ZWSP)


def _who(marker) -> str:
    return marker.role or marker.speaker


def _z(x: float) -> str:
    if x != x:
        return DASH
    return f"{x:.2f}".replace("-", MINUS) + ("*" if abs(x) > Z_CRITICAL else "")


def methods_paragraph(codebook, timelines: dict[str, Timeline], coder: str, within: int, tables: list) -> str:
    """What was done, in the words of a methods section, from the parameters of this report."""
    every = [e for t in timelines.values() for e in t.episodes]
    s = summarize(every)
    utterances = sum(t.utterances for t in timelines.values())
    rupture_roots, repair_roots = codebook.family_roots("rupture"), codebook.family_roots("repair")
    types = [c.name for root in rupture_roots for c in codebook.children(root)]
    text = (
        f"Rupture-repair episodes were identified from the codings of one coder ({coder}) in "
        f"{len(timelines)} session{'s' if len(timelines) != 1 else ''} ({utterances:,} utterances). Each coding of a "
        f"rupture marker (a code under {_names(rupture_roots)}"
        + (f"; marker types {_names(types)}" if types else "")
        + f") was an episode. A rupture was counted as resolved when the same coder's first repair coding (a code "
        f"under {_names(repair_roots)}), by either speaker, began after the rupture began and no more than {within} "
        f"utterance{'s' if within != 1 else ''} after the rupture's last utterance; one repair could resolve several "
        "ruptures. Latency was counted from the rupture's last utterance to the repair's first, in utterances and, "
        "where the transcript had timestamps, in seconds between the starts of those utterances. "
    )
    if s["ruptures"]:
        lu, ls = s["latency_utterances"], s["latency_seconds"]
        text += (f"Of the {s['ruptures']} ruptures, {s['resolved']} ({100 * s['share_resolved']:.0f}%) were resolved"
                 + (f", after a median of {_number(lu['median'])} utterances (IQR {_number(lu['q1'])}{DASH}"
                    f"{_number(lu['q3'])})" if lu else "")
                 + (f" or {_number(ls['median'], 0)} s (IQR {_number(ls['q1'], 0)}{DASH}{_number(ls['q3'], 0)}; "
                    f"{ls['n']} timed episodes)" if ls else "")
                 + ". Medians and quartiles use linear interpolation. ")
    else:
        text += "No ruptures were coded. "
    if tables:
        lags = ", ".join(f"lag {t.lag}: {t.total:,}" for t in tables)
        text += (
            "For the lag-sequential analysis (Bakeman & Quera, 2011), each utterance was an event carrying the "
            "categories of the codes overlapping it (a rupture code as its marker type, any other code as its root "
            f"code), or \u201c{UNCODED}\u201d; every pair of events the given number of utterances apart within one "
            f"session was tallied, never across sessions ({lags} pairs). For each cell, the adjusted residual z "
            "(Allison & Liker, 1982) tests whether the target category follows the given one more often than "
            f"chance (|z| > {Z_CRITICAL}, p < .05, uncorrected for the number of cells), and Yule's Q gives the "
            "strength of the association from \u22121 to +1."
        )
    return text.strip()


def sequences_document(timelines: dict[str, Timeline], codebook, path: str | Path, project_name: str, coder: str,
                       within: int, lags: int, sequences: dict[str, list]) -> dict:
    """The Word report; `sequences` are the sessions' utterance events (`event_sequences`)
    for the lag tables 1 to `lags`. Returns what it wrote, for the command's message."""
    tables = [lag_table(sequences.values(), k) for k in range(1, lags + 1)]
    every = [e for t in timelines.values() for e in t.episodes]
    overall = summarize(every)
    doc = Report(f"Rupture-repair episodes: {project_name}")
    doc.title_page("Rupture-repair episodes", project_name, [
        ("Project", project_name), ("Coder", coder), ("Sessions", str(len(timelines))),
        ("Ruptures", str(overall["ruptures"])),
        ("Repair window", f"{within} utterance{'s' if within != 1 else ''}"),
        ("Lag tables", ", ".join(str(t.lag) for t in tables) or "none")])

    doc.heading("Method", 1)
    doc.paragraph(methods_paragraph(codebook, timelines, coder, within, tables))

    table_no, figure_no = 1, 1
    doc.heading("Episodes per session", 1)
    doc.caption(f"Table {table_no}", "Rupture-Repair Episodes per Session")
    table_no += 1
    columns = ["Session", "Utterances", "Ruptures", "Resolved, n (%)", "Latency, utt. Mdn [IQR]",
               "Latency, s Mdn [IQR]", "Repairs by"]
    rows = []
    for name, t in timelines.items():
        s = summarize(t.episodes)
        rows.append([_breakable(name), str(t.utterances), str(s["ruptures"]), _resolved(s), _spread(s["latency_utterances"]),
                     _spread(s["latency_seconds"], 0), _roles(s)])
    rows.append(["Overall", str(sum(t.utterances for t in timelines.values())), str(overall["ruptures"]),
                 _resolved(overall), _spread(overall["latency_utterances"]), _spread(overall["latency_seconds"], 0),
                 _roles(overall)])
    doc.table(columns, rows)
    doc.note(f"Coded by {coder}. A rupture is resolved when a repair begins within {within} utterances of its "
             "last utterance. Latency from the rupture's last utterance to the repair's first; seconds only where "
             f"the transcript has timestamps. Mdn = median; IQR = interquartile range; {DASH} = none. Repairs by: "
             "repair codings that resolved a rupture, by the repairer's role, each counted once.")

    rows_of_figure = timeline_rows(codebook, list(timelines.values()))
    figures = []
    for name, t in timelines.items():
        doc.heading(name, 1)
        s = summarize(t.episodes)
        doc.paragraph(f"{t.utterances} utterances; {s['ruptures']} rupture{'s' if s['ruptures'] != 1 else ''}"
                      + (f", {_resolved(s)} resolved" if s["ruptures"] else "") + ".")
        if t.utterances:
            figure = timeline_figure(t, rows_of_figure, width_in=doc.text_width_in)
            figures.append(figure)
            doc.caption(f"Figure {figure_no}", f"Timeline of {name}")
            figure_no += 1
            doc.picture(figure.png, figure.width_in)
            others = [r for r, f in rows_of_figure if f == OTHER]
            doc.note(f"Coded by {coder}. Each marker is a coding, at the utterance where it begins (a bar runs to its "
                     "last utterance); a line joins each rupture to the repair that resolved it (within "
                     f"{within} utterances); a hollow marker is a rupture not repaired."
                     + (f" Other codes: {_names(others)}." if others else "")
                     + (" Minutes along the top." if t.timed and t.utterances > 1 else ""))
        if not t.episodes:
            doc.paragraph("No ruptures were coded in this session.")
            continue
        doc.caption(f"Table {table_no}", f"Episodes in {name}")
        table_no += 1
        timed = any(e.latency_seconds is not None for e in t.episodes)
        columns = ["Utt.", "Rupture (marker type)", "By", "Repair", "Utt.", "By",
                   "Latency, utt. (s)" if timed else "Latency, utt."]
        rows = []
        for e in t.episodes:
            r, p = e.rupture, e.repair
            latency = DASH if e.latency_utterances is None else str(e.latency_utterances)
            if timed and e.latency_seconds is not None:
                latency += f" ({_number(e.latency_seconds, 0)})"
            rows.append([_utterances(r.first, r.last), f"{r.code} ({r.marker})" if r.code != r.marker else r.code,
                         _who(r), p.code if p else DASH, str(p.first) if p else DASH, _who(p) if p else DASH, latency])
        doc.table(columns, rows)
        doc.note("Utt. = utterance number (where the coding begins); By = the speaker's role (or name). Latency in "
                 "utterances from the rupture's last utterance to the repair's first"
                 + (", in brackets seconds between their starts" if timed else "")
                 + f". {DASH} = not repaired within {within} utterances. One repair may resolve several ruptures.")

    if tables:
        doc.heading("Lag-sequential analysis", 1)
    for table in tables:
        doc.caption(f"Table {table_no}", f"Adjusted Residuals and Yule\u2019s Q at Lag {table.lag}")
        table_no += 1
        z, q = table.adjusted_residuals, table.yules_q
        k = len(table.categories)
        cells = [[f"{i + 1}. {table.categories[i]}"] + [f"{_z(z[i][j])} ({DASH if np.isnan(q[i][j]) else apa(float(q[i][j]))})"
                                                   for j in range(k)] for i in range(k)]
        doc.table(["Given"] + [str(j + 1) for j in range(k)], cells)
        doc.note(f"N = {table.total:,} pairs of utterances {table.lag} apart within a session. Rows: the category of the "
                 "earlier (given) utterance; columns: that of the later (target) one, numbered as the rows. Each "
                 f"cell: adjusted residual z (Yule\u2019s Q). *|z| > {Z_CRITICAL}, p < .05. {DASH}: undefined (an "
                 "empty row or column). An utterance with several categories counts in each.")

    doc.heading("References", 1)
    for reference in REFERENCES:
        doc.paragraph(reference)
    doc.save(path)
    return {"sessions": len(timelines), "ruptures": overall["ruptures"], "figures": len(figures),
            "tables": table_no - 1, "lags": len(tables)}
