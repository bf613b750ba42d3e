"""The agreement report as a Word document: tables for a paper and a paragraph for its methods.

Figures come from `accord.agreement.report.agreement_report`, so they are the ones the
command line prints; this module only lays them out. A summary paragraph states the unit of
analysis, the coefficients, the number of units and the coders in words a methods section
can adapt, and the report's own method text follows with every definition. Figures that are
not defined print as "n/a", never as 0 or 1.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

from ..agreement.render import apa
from .docx import Report, fact

NA = "n/a"
OVERALL = "All codes (set of codes per unit)"


def _num(x: float | None) -> str:
    return apa(x)  # APA: kappa = .71


def _pct(x: float | None) -> str:
    return NA if x is None else f"{100 * x:.1f}%"


def _ci(figures) -> str:
    i = figures.alpha_interval
    if i is None:
        return ""
    return NA if i.low is None else f"[{apa(i.low)},\u00a0{apa(i.high)}]"  # kept on one line in a table cell


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summary_paragraph(report) -> str:
    """Results in a sentence or three, for a methods or results section to adapt."""
    unit = {"utterance": "utterances (speaker turns)", "sentence": "sentences",
            "character": "characters of spoken text", "document": "characters of the whole document"}[report.unit]
    o = report.overall.all_units
    boot = report.bootstrap
    ci = _ci(o)
    level = f"{round(boot['level'] * 100)}% CI " if boot else ""
    kappas = [c.all_units.kappa for c in report.by_code if c.all_units.kappa is not None]
    text = (
        f"Agreement between the "
        f"{len(report.coders)} coders ({_names(report.coders)}) was assessed on {report.units} {unit} "
        f"in {len(report.transcripts)} transcript(s), for {len(report.codes)} code(s). "
        f"A coder applied a code to a unit when one of their codings of it overlapped the unit. "
        f"Over all codes (each unit's value being the set of codes applied), percent agreement was "
        f"{_pct(o.percent_agreement)}, {report.kappa} {_num(o.kappa)} and Krippendorff's alpha "
        f"(nominal) {_num(o.alpha)}{f' ({level}{ci[1:-1]})' if ci and ci != NA else ''}."
    )
    if kappas:
        text += (f" Per code, {report.kappa} ranged from {_num(min(kappas))} to {_num(max(kappas))} "
                 f"(median {_num(median(kappas))}; {len(kappas)} of {len(report.by_code)} codes computable).")
    if report.overall.unitized_alpha is not None:
        text += f" Unitizing alpha over the coders' spans was {_num(report.overall.unitized_alpha)} ({report.unitizing})."
    return text


UNIT_NAMES = {"utterance": "utterances", "sentence": "sentences", "character": "characters of spoken text",
              "document": "characters of the whole document"}


def table_note(report, corpus: dict | None, units: int | None = None) -> str:
    """What APA asks to state with every agreement table: the unit of analysis, how many units,
    how many coders, and how much of the corpus was double-coded."""
    n = report.units if units is None else units
    text = (f"Note. Unit of analysis: {UNIT_NAMES[report.unit]}; N = {n:,} units; "
            f"{len(report.coders)} coders; {len(report.transcripts)} transcript(s) double-coded")
    if corpus and corpus.get("transcripts"):
        share = corpus["words_compared"] / corpus["words"] if corpus.get("words") else None
        text += (f" of {corpus['transcripts']} in the project"
                 + (f" ({100 * share:.0f}% of its {corpus['words']:,} words)" if share is not None else ""))
    return text + "."


def agreement_document(report, path: str | Path, project_name: str, ratings: list | None = None,
                       corpus: dict | None = None) -> dict:
    """The Word report; `ratings` (from `ratings_agreement`) adds a section on the rating scales;
    `corpus` ({"transcripts", "words", "words_compared"}) lets each table say how much of the
    project was double-coded."""
    many = len(report.coders) > 2
    doc = Report(f"Inter-coder agreement: {project_name}")
    facts = [
        ("Project", project_name),
        fact("coders", report.coders),
        ("Unit of analysis", report.unit),
        ("Units", str(report.units)),
        ("Transcripts", str(len(report.transcripts))),
        ("Codes", str(len(report.codes))),
        ("Kappa", report.kappa),
        ("Unitizing alpha", report.unitizing),
    ]
    if report.bootstrap:
        b = report.bootstrap
        facts.append(("Alpha interval", f"{round(b['level'] * 100)}% percentile bootstrap, "
                                        f"{b['resamples']} resamples, seed {b['seed']}"))
    doc.title_page("Inter-coder agreement", project_name, facts)

    doc.heading("Summary for a methods section", 1)
    doc.paragraph(summary_paragraph(report))

    doc.heading("Agreement per code, over all units", 1)
    use_heads = report.coders if len(report.coders) <= 4 else ["uses (min\u2013max)"]
    boot = report.bootstrap is not None
    columns = ["Code", *use_heads, "% agree", "\u03ba", "\u03b1"] + (["\u03b1 CI"] if boot else []) + ["u-\u03b1"]
    rows = []
    for c in report.by_code + [report.overall]:
        overall = c is report.overall
        uses = ([""] * len(use_heads) if overall else
                [str(c.use[n]) for n in report.coders] if len(report.coders) <= 4 else
                [f"{min(c.use.values())}\u2013{max(c.use.values())}"])
        a = c.all_units
        rows.append([OVERALL if overall else c.code, *uses, _pct(a.percent_agreement), _num(a.kappa), _num(a.alpha)]
                    + ([_ci(a)] if boot else []) + [_num(c.unitized_alpha)])
    doc.table(columns, rows)
    doc.paragraph(
        table_note(report, corpus)
        + f" Uses: units each coder applied the code to. \u03ba: {report.kappa}"
        + ("; % agree is the mean over pairs of coders" if many else "")
        + ". \u03b1: Krippendorff's alpha (nominal). u-\u03b1: unitizing alpha on the spans. "
        "n/a: not computable.", "Excerpt Source")

    doc.heading("Agreement per code, over the units anyone coded", 1)
    rows = [[OVERALL if c is report.overall else c.code, str(c.coded_units.units), _pct(c.coded_units.percent_agreement),
             _num(c.coded_units.kappa), _num(c.coded_units.alpha)] for c in report.by_code + [report.overall]]
    doc.table(["Code", "Units", "% agree", "\u03ba", "\u03b1"], rows)
    doc.paragraph(table_note(report, corpus, report.overall.coded_units.units) + " Leaving out the text nobody "
                  "coded, which otherwise dominates the figures for rare codes.", "Excerpt Source")

    if many:
        doc.heading("Pairwise Cohen's kappa, all codes", 1)
        matrix = report.matrix(None)
        doc.table(["", *report.coders],
                  [[a, *("\u2013" if v is None else _num(v) for v in row)] for a, row in zip(report.coders, matrix)])
        doc.paragraph(table_note(report, corpus), "Excerpt Source")

    if report.by_transcript:
        doc.heading("Agreement per transcript, all codes", 1)
        doc.table(["Transcript", "Units", "% agree", "\u03ba", "\u03b1", "u-\u03b1"],
                  [[t.transcript, str(t.units), _pct(t.overall.all_units.percent_agreement),
                    _num(t.overall.all_units.kappa), _num(t.overall.all_units.alpha),
                    _num(t.overall.unitized_alpha)] for t in report.by_transcript])
        doc.paragraph(table_note(report, corpus), "Excerpt Source")

    if ratings:
        ratings_section(doc, ratings)

    doc.heading("Method", 1)
    for part in report.method.split("\n\n"):
        doc.paragraph(part)
    if report.notes:
        doc.heading("Notes", 1)
        for note in report.notes:
            doc.paragraph(note, "List Bullet")
    doc.save(path)
    return {"codes": len(report.by_code), "units": report.units}


def ratings_section(doc: Report, results: list) -> None:
    """Agreement on each rating scale: the six ICCs with their intervals, then alpha and kappa."""
    doc.heading("Agreement on ratings", 1)
    for r in results:
        doc.heading(f"{r.scale} ({r.points[0]}\u2013{r.points[1]})", 2)
        doc.paragraph(f"{r.segments} segments rated by any of {_names(r.coders)}; {r.complete} rated by every coder "
                      "(the ICC's targets)" + (f"; exact agreement on {_pct(r.exact)} of them." if r.exact is not None
                                              else "."))
        level = round(r.iccs[0].confidence * 100) if r.iccs else 95
        doc.table(["Form", "ICC", f"{level}% CI", "F", "p"],
                  [[f"ICC({i.form})", _num(i.value),
                    "n/a" if i.low is None else f"[{_num(i.low)}, {_num(i.high)}]",
                    "n/a" if i.f is None else f"F({i.df1:g}, {i.df2:.3g}) = {i.f:.2f}",
                    "n/a" if i.p is None else ("< .001" if i.p < 0.001 else _num(i.p))] for i in r.iccs])
        others = [["Krippendorff's \u03b1, ordinal", _num(r.alpha_ordinal)],
                  ["Krippendorff's \u03b1, interval", _num(r.alpha_interval)]]
        if len(r.coders) == 2:
            others += [["Weighted \u03ba, linear", _num(r.kappa_linear)], ["Weighted \u03ba, quadratic", _num(r.kappa_quadratic)]]
        doc.table(["Coefficient", "Value"], others)
    doc.paragraph("ICC(1,\u00b7): one-way random effects; ICC(2,\u00b7): two-way random effects, absolute agreement; "
                  "ICC(3,\u00b7): two-way mixed effects, consistency; (\u00b7,1) the reliability of one coder's rating, "
                  "(\u00b7,k) of the mean of k coders (Shrout & Fleiss, 1979). Intervals from the F distribution "
                  "(McGraw & Wong, 1996). Weighted \u03ba weighs a disagreement by the distance between the values "
                  "(linear) or its square (quadratic).", "Excerpt Source")
