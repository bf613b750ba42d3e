"""An agreement report as a terminal table or CSV.

Plain text, so the command line and a Word export can share it; the UI draws its own table
from the same report. Undefined figures print as "n/a", never as 0 or 1.
"""

from __future__ import annotations

import csv
import io

from ..spreadsheet_safe import neutralise
from .report import AgreementReport, CodeAgreement, Figures, OverallAgreement

OVERALL = "All codes (set per unit)"
NA = "n/a"


# how a unit reads after "by" in a heading
UNIT_LABELS = {"document": "character of the whole document (labels and line breaks too)"}

def fixed(x: float, digits: int) -> str:
    """`x` to `digits` decimals as a reader expects it: a tiny negative rounds to "0.00",
    never "-0.00". Every agreement figure accord shows goes through here."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def apa(x: float | None, digits: int = 2) -> str:
    """A coefficient bounded by 1 as APA style writes it: no leading zero, a true minus sign
    (kappa = .71, alpha = \u2212.05); "n/a" when it is not defined."""
    if x is None:
        return "n/a"
    text = fixed(x, digits)
    sign = "\u2212" if text.startswith("-") else ""
    text = text.lstrip("-")
    return sign + (text[1:] if text.startswith("0.") else text)


def _num(x: float | None) -> str:
    return NA if x is None else fixed(x, 3)


def _pct(x: float | None) -> str:
    return NA if x is None else f"{100 * x:.1f}%"


def _ci(f: Figures) -> str:
    i = f.alpha_interval
    if i is None:
        return ""
    if i.low is None or i.high is None:
        return "[n/a]"
    return f"[{fixed(i.low, 2)}, {fixed(i.high, 2)}]"


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _use(row: CodeAgreement | OverallAgreement, coders: list[str], n_units: int) -> list[str]:
    if isinstance(row, OverallAgreement):
        return [""] * (len(coders) if len(coders) <= 4 else 1)
    use = [row.use[c] for c in coders]
    if len(coders) <= 4:
        return [str(u) for u in use]
    return [f"{min(use)}-{max(use)}"]


def _table(report: AgreementReport, rows: list, n_units: int) -> list[str]:
    coders = report.coders
    use_heads = coders if len(coders) <= 4 else ["min-max"]
    code_w = min(34, max([len(OVERALL)] + [len(r.code) for r in rows if hasattr(r, "code")]))
    boot = report.bootstrap is not None
    level = round(report.bootstrap["level"] * 100) if report.bootstrap is not None else None
    head = (
        ["code"] + [_short(c, 10) for c in use_heads]
        + ["agree", "kappa", "alpha"] + ([f"{level}% CI"] if boot else [])
        + ["units", "agree", "kappa", "alpha"] + ["u-alpha"]
    )
    body = []
    for r in rows:
        name = OVERALL if isinstance(r, OverallAgreement) else r.code
        a, c = r.all_units, r.coded_units
        body.append(
            [_short(name, code_w)] + _use(r, coders, n_units)
            + [_pct(a.percent_agreement), _num(a.kappa), _num(a.alpha)] + ([_ci(a)] if boot else [])
            + [str(c.units), _pct(c.percent_agreement), _num(c.kappa), _num(c.alpha)] + [_num(r.unitized_alpha)]
        )
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    n_use = len(use_heads)
    n_all = 3 + (1 if boot else 0)
    groups = [
        ("", 1),
        ("units coded by" if n_use > 1 else "used", n_use),
        (f"all {n_units} units", n_all),
        ("units anyone coded", 4),
        ("spans", 1),
    ]

    def fmt(cells: list[str]) -> str:
        out = []
        for i, (cell, w) in enumerate(zip(cells, widths)):
            out.append(cell.ljust(w) if i == 0 else cell.rjust(w))
        return "  ".join(out).rstrip()

    top, i = [], 0
    for label, span in groups:
        w = sum(widths[i : i + span]) + 2 * (span - 1)
        top.append(label.center(w) if label else " " * w)
        i += span
    lines = ["  ".join(top).rstrip(), fmt(head)]
    for k, cells in enumerate(body):
        if isinstance(rows[k], OverallAgreement):
            lines.append("-" * len(fmt(head)))
        lines.append(fmt(cells))
    return lines


def _matrix_lines(report: AgreementReport, code: str | None) -> list[str]:
    m = report.matrix(code)
    names = [_short(c, 10) for c in report.coders]
    w = max(6, max(len(n) for n in names))
    lines = [" " * w + "  " + "  ".join(n.rjust(w) for n in names)]
    for name, row in zip(names, m):
        lines.append(name.ljust(w) + "  " + "  ".join(("-" if v is None else fixed(v, 2)).rjust(w) for v in row))
    return lines


def disputed_text(report: AgreementReport) -> str:
    """How many disagreements, counted both ways, so the figure matches `accord disagreements`
    (each unit once) and the per-code rows (once per code the coders differ on there)."""
    if not report.code_disagreements:
        return "disagreements: none (the coders applied the same codes to every unit)"
    units = "characters" if report.unit in ("character", "document") else f"{report.unit}s"
    listed = " (each listed once by `accord disagreements`)" if report.unit in ("utterance", "sentence") else ""
    return (f"disagreements: {report.disputed_units} {units} where the coders' codes differ{listed}; "
            f"{report.code_disagreements} counted per code, as the per-code rows add up (a unit disputed on "
            "two codes counts twice)")


def report_text(report: AgreementReport, pairwise: bool = False, method: bool = False) -> str:
    """The report as a terminal table, with its unit, coefficients and notes stated."""
    n_t = len(report.transcripts)
    lines = [
        f"Agreement of {', '.join(report.coders)} by {UNIT_LABELS.get(report.unit, report.unit)}: {report.units} units in {n_t} transcript(s)",
        f"kappa: {report.kappa}; alpha: Krippendorff's alpha (nominal)"
        + (
            f", {round(report.bootstrap['level'] * 100)}% bootstrap interval over {report.bootstrap['resamples']} resamples of units"
            if report.bootstrap
            else ""
        ),
        f"u-alpha: {report.unitizing}",
        "",
    ]
    lines += _table(report, report.by_code + [report.overall], report.units)
    lines.append("")
    lines.append(
        "agree = percent agreement" + (" (mean over pairs of coders)" if len(report.coders) > 2 else "")
        + "; units anyone coded = units at least one coder gave the code; n/a = not computable"
    )
    lines.append(disputed_text(report))
    overall = report.overall
    if overall.multi_coded_units:
        lines.append(
            f"{overall.multi_coded_units} unit(s) got more than one of these codes from a coder; the overall row "
            f"treats each set of codes as one category ({overall.categories} in use)."
        )
    if len(report.coders) > 2:
        lines += ["", "Pairwise Cohen's kappa, all codes (set per unit):"] + _matrix_lines(report, None)
        if pairwise:
            for c in report.by_code:
                lines += ["", f"Pairwise Cohen's kappa, {c.code}:"] + _matrix_lines(report, c.code)
        else:
            lines.append("(per-code pairwise matrices: --pairwise)")
    for t in report.by_transcript:
        lines += ["", f"Transcript {t.transcript}: {t.units} units (per transcript, intervals and pairwise figures for the overall row only)"]
        lines += _table(report, t.by_code + [t.overall], t.units)
    for note in report.notes:
        lines += ["", f"note: {note}"]
    if method:
        lines += ["", "Method", "", report.method]
    else:
        lines += ["", "Definitions and formulas for a methods section: --method (or the JSON's `method`)."]
    return "\n".join(lines)


CSV_COLUMNS = [
    "transcript", "code", "units", "percent_agreement", "kappa", "kappa_type", "alpha", "alpha_low", "alpha_high",
    "coded_units", "coded_percent_agreement", "coded_kappa", "coded_alpha", "coded_alpha_low", "coded_alpha_high",
    "unitized_alpha",
]


def report_csv(report: AgreementReport) -> str:
    """One row per code and an overall row (and the same per transcript, when computed).
    Names (codes, transcripts, coders) that a spreadsheet would run as a formula get a `'`
    in front, as in every CSV accord writes."""

    kind = "cohen" if len(report.coders) == 2 else "fleiss"
    columns = CSV_COLUMNS[:3] + [f"use:{c}" for c in report.coders] + CSV_COLUMNS[3:]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([neutralise(c) for c in columns])  # coder names are the user's text

    def figures(f: Figures) -> list:
        i = f.alpha_interval
        return [f.percent_agreement, f.kappa, kind, f.alpha, i.low if i else None, i.high if i else None]

    def rows(scope: str, by_code: list, overall: OverallAgreement, units: int):
        for r in by_code + [overall]:
            name = "(all codes: set per unit)" if r is overall else r.code
            use = [r.use[c] for c in report.coders] if r is not overall else [None] * len(report.coders)
            coded = figures(r.coded_units)
            del coded[2]
            w.writerow(
                [neutralise(scope), neutralise(name), r.all_units.units] + use + figures(r.all_units) + [r.coded_units.units] + coded + [r.unitized_alpha]
            )

    rows("all", report.by_code, report.overall, report.units)
    for t in report.by_transcript:
        rows(t.transcript, t.by_code, t.overall, t.units)
    return out.getvalue()
