"""Agreement between coders' ratings on each rating scale of a project.

The unit is a segment (transcript, segment number) of the scale. ICC needs every coder's
value on a segment, so it is computed over the segments all coders rated (the number left
out is reported); Krippendorff's alpha takes missing values, so it uses every segment at
least two coders rated; weighted kappa is for exactly two coders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from .coefficients import krippendorff_alpha
from .ratings import FORMS, ICC, icc, weighted_kappa

if TYPE_CHECKING:
    from ..store import Project


@dataclass
class ScaleAgreement:
    scale: str
    points: tuple[int, int]  # lowest and highest point
    coders: list[str]
    segments: int  # rated by any of the coders
    complete: int  # rated by all of them: ICC's targets
    exact: float | None  # share of complete segments where all coders gave the same value
    iccs: list[ICC] = field(default_factory=list)
    alpha_ordinal: float | None = None
    alpha_interval: float | None = None
    kappa_linear: float | None = None  # two coders only
    kappa_quadratic: float | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["iccs"] = [r._asdict() for r in self.iccs]
        return d


def ratings_agreement(project: Project, coders: list[str], scales: list[str] | None = None,
                      transcripts: list[str] | None = None, confidence: float = 0.95) -> list[ScaleAgreement]:
    """Per rating scale (all of the codebook's, or `scales`), the agreement of `coders`."""
    from ..store.common import ProjectError

    if len(set(coders)) < 2:
        raise ProjectError("agreement needs two or more coders: --coders alice,bob")
    chosen = [project.rating_scale(s) for s in scales] if scales else project.rating_scales()
    if not chosen:
        raise ProjectError("the codebook has no rating scales: add `ratings:` to its YAML and load it again")
    for t in transcripts or []:
        project.transcript_id(t)
    out = []
    for scale in chosen:
        values: dict[tuple[str, int], dict[str, int]] = {}
        for r in project.ratings(scale=scale.name, coders=list(coders)):
            if transcripts is None or r["transcript"] in transcripts:
                values.setdefault((r["transcript"], r["segment"]), {})[r["coder"]] = r["value"]
        table = [[v.get(c) for c in coders] for v in values.values()]
        complete = [row for row in table if None not in row]
        result = ScaleAgreement(
            scale=scale.name, points=(scale.low, scale.high), coders=list(coders), segments=len(table),
            complete=len(complete),
            exact=sum(len(set(row)) == 1 for row in complete) / len(complete) if complete else None,
            iccs=[icc(complete, form, confidence) if complete else
                  ICC(form, None, None, None, None, 0, 0, None, 0, len(coders), confidence) for form in FORMS],
        )
        by_coder = [list(col) for col in zip(*table)] if table else [[] for _ in coders]
        if table:
            result.alpha_ordinal = krippendorff_alpha(by_coder, "ordinal")
            result.alpha_interval = krippendorff_alpha(by_coder, "interval")
        if len(coders) == 2 and table:
            result.kappa_linear = weighted_kappa(by_coder[0], by_coder[1], "linear", scale.points)
            result.kappa_quadratic = weighted_kappa(by_coder[0], by_coder[1], "quadratic", scale.points)
        out.append(result)
    return out


def _fmt(x: float | None) -> str:
    """Two decimals without a leading zero, as APA style has coefficients bounded by 1."""
    if x is None:
        return "n/a"
    text = f"{x:.2f}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def ratings_text(results: list[ScaleAgreement]) -> str:
    """The figures as plain text for the terminal."""
    lines = []
    for r in results:
        lines.append(f"{r.scale} ({r.points[0]}-{r.points[1]}), coders {', '.join(r.coders)}: "
                     f"{r.segments} segments rated, {r.complete} by every coder"
                     + (f", exact agreement {r.exact:.0%}" if r.exact is not None else ""))
        for i in r.iccs:
            lines.append(f"  ICC({i.form:<3})  {_fmt(i.value):>5}  {i.confidence:.0%} CI [{_fmt(i.low)}, {_fmt(i.high)}]"
                         + (f"  F({i.df1:g}, {i.df2:.4g}) = {i.f:.2f}, p = {_p(i.p)}" if i.f is not None else ""))
        lines.append(f"  Krippendorff's alpha  ordinal {_fmt(r.alpha_ordinal)}  interval {_fmt(r.alpha_interval)}")
        if len(r.coders) == 2:
            lines.append(f"  weighted kappa       linear {_fmt(r.kappa_linear)}  quadratic {_fmt(r.kappa_quadratic)}")
        lines.append("")
    lines.append("ICC(1,*): one-way random; ICC(2,*): two-way random, absolute agreement; ICC(3,*): two-way mixed, "
                 "consistency; *,1 a single coder's rating, *,k the mean of k coders (Shrout & Fleiss, 1979).")
    return "\n".join(lines)


def ratings_csv(results: list[ScaleAgreement]) -> str:
    """One row per scale and coefficient, for a statistics package (figures unrounded)."""
    import csv
    import io

    from ..spreadsheet_safe import neutralise

    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, lineterminator="\r\n")

    class writer:  # every cell through neutralise: a scale or coder called "=..." stays text
        writerow = staticmethod(lambda row: out.writerow([neutralise(v) for v in row]))

    writer.writerow(["scale", "coders", "segments", "complete", "coefficient", "value", "ci_low", "ci_high", "f", "df1",
                     "df2", "p"])
    for r in results:
        head = [r.scale, ",".join(r.coders), r.segments, r.complete]
        for i in r.iccs:
            writer.writerow(head + [f"ICC({i.form})", i.value, i.low, i.high, i.f, i.df1, i.df2, i.p])
        for name, value in (("alpha_ordinal", r.alpha_ordinal), ("alpha_interval", r.alpha_interval),
                            ("kappa_linear", r.kappa_linear), ("kappa_quadratic", r.kappa_quadratic),
                            ("exact_agreement", r.exact)):
            if value is not None or not name.startswith("kappa") or len(r.coders) == 2:
                writer.writerow(head + [name, value, "", "", "", "", "", ""])
    return buffer.getvalue()


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "< .001" if p < 0.001 else _fmt(p)
