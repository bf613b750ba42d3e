"""MITI 4.2.1 summary scores from the codes of the shipped MI codebook (codebooks/mi.yaml).

The Motivational Interviewing Treatment Integrity code, version 4.2.1 (Moyers, Manuel &
Ernst, 2014; revised 2015), summarises a session's practitioner behaviour counts as:

- reflection-to-question ratio  R:Q = total reflections / total questions
  (benchmarks: fair 1:1, good 2:1)
- percent complex reflections   %CR = complex reflections / (simple + complex reflections)
  (benchmarks: fair 40%, good 50%)

Where the codes come from (names as in mi.yaml, matched without regard to case; each counts
its sub-codes):

| MITI count            | codes                                                           |
|-----------------------|-----------------------------------------------------------------|
| simple reflections    | Simple reflection                                               |
| complex reflections   | Complex reflection                                              |
| total reflections     | Reflection and everything under it (simple, complex, and reflections coded without the split) |
| total questions       | Question and everything under it (Open question, Closed question; MITI 4 counts all questions as one behaviour) |

A reflection coded as Reflection itself (depth not judged) counts towards R:Q but not towards
%CR, whose denominator is the reflections whose depth was coded; the number left out is
reported. Each coding is one behaviour count, as MITI counts utterances. A value whose
denominator is zero is None, with no level.
"""

from __future__ import annotations

from ..errors import AccordError
from .load import Coded

REFLECTION, SIMPLE, COMPLEX, QUESTION = "Reflection", "Simple reflection", "Complex reflection", "Question"
OPEN, CLOSED = "Open question", "Closed question"
# (fair, good) thresholds of MITI 4.2.1
RQ_BENCHMARKS = (1.0, 2.0)
CR_BENCHMARKS = (0.40, 0.50)


class NotMiti(AccordError):
    """The codebook lacks the codes the MITI summary needs."""


def level(value: float | None, benchmarks: tuple[float, float]) -> str | None:
    """"good", "fair" or "below fair" against MITI 4.2.1's (fair, good) thresholds."""
    if value is None:
        return None
    fair, good = benchmarks
    return "good" if value >= good else "fair" if value >= fair else "below fair"


def summary(simple: int, complex_: int, reflections: int, questions: int, **extra) -> dict:
    """The scores and levels from the counts (a plain function, for checking by hand)."""
    depth = simple + complex_
    rq = reflections / questions if questions else None
    cr = complex_ / depth if depth else None
    return {"simple_reflections": simple, "complex_reflections": complex_, "reflections": reflections,
            "reflections_without_depth": reflections - depth, "questions": questions, **extra,
            "reflection_to_question": None if rq is None else round(rq, 4), "rq_level": level(rq, RQ_BENCHMARKS),
            "percent_complex_reflections": None if cr is None else round(100 * cr, 2),
            "cr_level": level(cr, CR_BENCHMARKS)}


def mapping(coded: Coded) -> dict[str, str | None]:
    """The codebook's codes for each MITI count; NotMiti when a needed one is missing."""
    h = coded.hierarchy
    found = {k: h.find(k) for k in (REFLECTION, SIMPLE, COMPLEX, QUESTION, OPEN, CLOSED)}
    missing = [k for k in (SIMPLE, COMPLEX, QUESTION) if found[k] is None]
    if missing:
        raise NotMiti("the codebook has no " + ", ".join(repr(m) for m in missing)
                      + " code: the MITI 4.2.1 summary needs the MI codebook's codes (codebooks/mi.yaml)")
    return found


def miti_scores(coded: Coded) -> dict:
    """{"sessions": {name: summary}, "all": summary over every session} for the coder's codings."""
    m = mapping(coded)
    h = coded.hierarchy

    def counts(placed) -> dict:
        n = {k: 0 for k in m}
        for p in placed:
            lineage = h.lineage(p.coding.code)
            for key, code in m.items():
                if code is not None and code in lineage:
                    n[key] += 1
        reflections = n[REFLECTION] if m[REFLECTION] else n[SIMPLE] + n[COMPLEX]
        return {"simple": n[SIMPLE], "complex_": n[COMPLEX], "reflections": reflections, "questions": n[QUESTION],
                "open_questions": n[OPEN], "closed_questions": n[CLOSED]}

    sessions = {name: counts(placed) for name, placed in coded.placed.items()}
    total = {k: sum(s[k] for s in sessions.values()) for k in
             ("simple", "complex_", "reflections", "questions", "open_questions", "closed_questions")}
    return {"codes": {k: v for k, v in m.items() if v}, "sessions": {n: summary(**s) for n, s in sessions.items()},
            "all": summary(**total)}
