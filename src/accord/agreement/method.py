"""The method text of an agreement report: the unit, the coefficients and their formulas.

A report states how every figure was computed, in words a methods section can adapt, so the
numbers never travel without their definitions.
"""

from __future__ import annotations

UNIT_DESCRIPTIONS = {
    "utterance": "the utterance (one speaker turn, as stored by accord)",
    "sentence": (
        "the sentence, found within each utterance by spaCy's rule-based sentencizer "
        "(a blank English pipeline with the `sentencizer` component, which ends a sentence at "
        "full stops, question and exclamation marks and similar punctuation)"
    ),
    "character": (
        "the character (one Unicode code point) of spoken text; speaker labels, timestamps and "
        "the line breaks between utterances are not units"
    ),
    "document": (
        "the character (one Unicode code point) of the whole stored transcript, speaker labels, "
        "timestamps and line breaks included, as NVivo's coding comparison counts characters; "
        "a coding that spans two turns also covers the label between them"
    ),
}

UNITIZING = {
    "2004": "Krippendorff's alpha for unitizing, 1995/2004 definition (cu-alpha per code)",
    "2016": "Krippendorff's u-alpha, 2016 definition (Krippendorff, Mathet, Bouvry & Widlöcher)",
}

NO_BOOTSTRAP_CHARACTERS = (
    "No bootstrap interval is given at character level: neighbouring characters are not "
    "independent units (one coding covers a whole run of them), so resampling characters as if "
    "they were independent would give intervals far too narrow."
)

REFERENCES = [
    "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and "
    "Psychological Measurement, 20(1), 37-46.",
    "Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological "
    "Bulletin, 76(5), 378-382.",
    "Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological "
    "Methodology, 25, 47-76.",
    "Krippendorff, K. (2004). Measuring the reliability of qualitative text analysis data. "
    "Quality & Quantity, 38, 787-800.",
    "Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for "
    "Communication, University of Pennsylvania.",
    "Krippendorff, K., Mathet, Y., Bouvry, S., & Widlöcher, A. (2016). On the reliability of "
    "unitizing textual continua: further developments. Quality & Quantity, 50, 2347-2364.",
]


def _names(coders: list[str]) -> str:
    return coders[0] if len(coders) == 1 else ", ".join(coders[:-1]) + " and " + coders[-1]


def method_text(
    *,
    unit: str,
    coders: list[str],
    n_units: int,
    n_transcripts: int,
    bootstrap: dict | None,
    unitizing: str,
    version: str,
) -> str:
    """Paragraphs describing how the report was computed (plain text, Unicode symbols)."""
    many = len(coders) > 2
    kappa_name = "Fleiss' kappa" if many else "Cohen's kappa"
    unit_plural = {"utterance": "utterances", "sentence": "sentences", "character": "characters",
                   "document": "characters"}[unit]
    parts = [
        f"Agreement between {len(coders)} coders ({_names(coders)}) was computed with accord "
        f"{version} over {n_units} {unit_plural} in {n_transcripts} transcript(s). Unit of "
        f"analysis: {UNIT_DESCRIPTIONS[unit]}. A coder was counted as applying a code to a unit "
        "when at least one of their codings with that code overlapped the unit (coding start < "
        "unit end and coding end > unit start, in Unicode code points of the stored transcript "
        "text, end exclusive). Codes were compared as applied: a sub-code does not count as its "
        "parent code. Transcripts enter the figures only when every coder has coded them (at "
        "least one coding) or read them through (reviewed every utterance, so that coding "
        "nothing there was their judgement), unless they were chosen by name.",
    ]
    pa = (
        "Percent agreement is the share of units on which the two coders made the same decision."
        if not many
        else "Percent agreement is the share of agreeing pairs of coders per unit, averaged over "
        "units (Fleiss' P̄; for two coders the plain share of units with the same decision)."
    )
    kappa = (
        "Cohen's kappa (Cohen, 1960): κ = (p_o − p_e) / (1 − p_e), with p_o the observed "
        "agreement and p_e = Σ_k p_A(k)·p_B(k) from each coder's own proportions."
        if not many
        else "Fleiss' kappa (Fleiss, 1971): κ = (P̄ − P̄_e) / (1 − P̄_e), with P̄ as above and "
        "P̄_e = Σ_k p_k² from the category proportions pooled over all coders. Cohen's kappa, "
        "percent agreement and alpha are also given for every pair of coders."
    )
    alpha = (
        "Krippendorff's alpha, nominal (Krippendorff, 2011): α = 1 − D_o / D_e = "
        "1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, from the coincidence matrix o of the "
        "values within each unit (each unit with m values adds 1/(m − 1) per ordered pair of "
        "them), n_c the number of values c and n the number of values; units with fewer than "
        "two values drop out."
    )
    if bootstrap:
        boot = (
            f"Its {round(bootstrap['level'] * 100)}% interval is the percentile interval of "
            f"{bootstrap['resamples']} bootstrap resamples of the units (drawn with replacement, "
            f"as many as there are; random seed {bootstrap['seed']}); resamples in which alpha "
            "is not defined are left out."
        )
    elif unit in ("character", "document"):
        boot = NO_BOOTSTRAP_CHARACTERS
    else:
        boot = "No bootstrap interval was requested."
    parts.append(
        "Per code, each coder's decision on each unit is binary (applied or not). "
        f"{pa} {kappa} {alpha} {boot} Every figure is given twice: over all units, and over "
        "the units at least one coder applied the code to. The second leaves out the agreement "
        "on text nobody coded, which otherwise dominates the figures for rare codes (above all "
        "at character level)."
    )
    parts.append(
        "Overall figure: each unit's value for a coder is the set of codes that coder applied to "
        "it (the empty set when none), every distinct set being one nominal category; percent "
        f"agreement, {kappa_name} and alpha are computed on these "
        "values as above, over all units and over the units anyone coded. For a scheme whose "
        "codes are mutually exclusive this is the usual multi-category kappa and alpha."
    )
    if unitizing == "2004":
        uni = (
            "Unitizing: Krippendorff's alpha for unitizing in its 1995/2004 definition "
            "(Krippendorff, 1995, 2004) compares the coders' spans themselves, not units: the "
            "transcripts' texts are laid end to end as one continuum of characters; for code c "
            "each coder's continuum is cut into units of c (overlapping codings of c by the same "
            "coder joined into one) and gaps; D_o(c) sums, over pairs of coders, the squared "
            "differences of the start and end points of overlapping units and the squared "
            "length of a unit lying inside the other coder's gap; D_e(c) is the same expected by "
            "chance from all units' and gaps' lengths; α_u(c) = 1 − D_o(c) / D_e(c). The overall "
            "value is 1 − Σ_c D_o(c) / Σ_c D_e(c)."
        )
    else:
        uni = (
            "Unitizing: Krippendorff's u-alpha in its 2016 definition (Krippendorff, Mathet, "
            "Bouvry & Widlöcher, 2016) compares the coders' spans themselves: the transcripts' "
            "texts are laid end to end as one continuum of characters, cut by each coder into "
            "segments of each code and gaps (overlapping codings of one code by one coder joined "
            "into one); the length of the intersections of segments between coders gives a "
            "coincidence matrix over codes and gap, from which nominal alpha is computed. Per "
            "code the same is done on that code's segments and gaps. The overall value needs "
            "each coder's codings of different codes not to overlap; otherwise it is not given."
        )
    parts.append(
        uni + " Unlike the per-unit figures, it is sensitive to where exactly a coding begins "
        "and ends, and it differs a lot between the two definitions: state which one you report."
    )
    parts.append(
        "Figures that are not defined (for instance when only one category occurs, so that the "
        "agreement expected by chance is already perfect) are reported as not computable, "
        "never as 0 or 1. One coder never using a code while the other does gives kappa 0."
    )
    parts.append("References: " + " ".join(REFERENCES))
    return "\n\n".join(parts)
