"""How good are the suggestions against a coder (or a gold coding)?

Two levels, because they answer different questions. Utterance level: a code counts as
applied to an utterance when any span of it overlaps the utterance (the DESIGN's agreement
unit), giving precision, recall, F1 and Cohen's kappa per code. Span level with overlap
matching: a suggestion is right when it overlaps a reference span of the same code, and a
reference span is found when some suggestion of its code overlaps it. Each is computed for
rules only, model only and both, so a team sees what the learned part adds.

Codes can also be counted by group (`group_by`): each code under its nearest ancestor (or
itself) among chosen codes, e.g. every code under its root, or the alliance codebook's five
categories (withdrawal, confrontation, repair, power dynamics, real relationship), so a
suggestion of "Coercion" is right where the reference says "Power dynamics".
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .analysis import analyze
from .suggester import suggest_analyses

MODES = ("rules", "model", "both")


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}


def cohen_kappa(a: list, b: list) -> float | None:
    """Cohen's kappa of two label lists; None when undefined (only one category in play)."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def group_by(codebook, groups: list[str] | None = None) -> dict[str, str]:
    """Code name -> its group: the nearest of `groups` among the code and its ancestors (by
    default the roots). Codes under none of them are left out of the map."""
    by = codebook.by_name()
    if groups is None:
        groups = [c.name for c in codebook.codes if not c.parent]
    unknown = [g for g in groups if g not in by]
    if unknown:
        raise KeyError(", ".join(unknown))
    chosen, out = set(groups), {}
    for code in codebook.codes:
        name, seen = code.name, set()
        while name and name not in chosen and name not in seen:
            seen.add(name)
            name = by[name].parent if name in by else None
        if name in chosen:
            out[code.name] = name
    return out


def count_units(counts: dict, key, predicted: set, gold: set) -> None:
    """Add true positives, false positives and misses of one code's units to `counts[key]`."""
    counts[key][0] += len(predicted & gold)
    counts[key][1] += len(predicted - gold)
    counts[key][2] += len(gold - predicted)


def _units(analyses, spans):
    out = set()
    for code, start, end in spans:
        for i, a in enumerate(analyses):
            if a.start < end and a.end > start:
                out.add((i, code))
    return out


def evaluate(pipeline, transcripts, reference: dict[str, list[tuple[str, int, int]]], codes: list[str], *,
             groups: dict[str, str] | None = None, analyses: dict | None = None) -> dict:
    """Per-code and macro figures for each mode; `reference` maps transcript name to (code, start, end).

    With `groups` (code -> group, from `group_by`), suggested and reference codes are counted
    as their groups and `codes` names groups; codes outside `groups` are left out."""
    if analyses is None:
        analyses = {t.name: analyze(pipeline.nlp, t) for t in transcripts}
    keep = (lambda code: code) if groups is None else groups.get
    wanted = set(codes) if groups is None else {c for c, g in groups.items() if g in codes}
    report = {}
    for mode in MODES:
        if mode != "rules" and pipeline.classifier is None:
            continue
        utt: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
        span: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        kappa_pairs: defaultdict[str, tuple[list[bool], list[bool]]] = defaultdict(lambda: ([], []))
        made = 0
        for t in transcripts:
            a = analyses[t.name]
            items = suggest_analyses(pipeline, t.name, a, codes=wanted, use_rules=mode != "model",
                                     use_model=mode != "rules")
            pred = [(keep(i.code), i.start, i.end) for i in items if keep(i.code) in codes]
            gold = [(keep(g[0]), g[1], g[2]) for g in reference.get(t.name, []) if keep(g[0]) in codes]
            made += len(pred)
            pu, gu = _units(a, pred), _units(a, gold)
            for code in codes:
                p = {i for i, c in pu if c == code}
                g = {i for i, c in gu if c == code}
                count_units(utt, code, p, g)
                for i in range(len(a)):
                    kappa_pairs[code][0].append(i in g)
                    kappa_pairs[code][1].append(i in p)
                ps = [x for x in pred if x[0] == code]
                gs = [x for x in gold if x[0] == code]
                hit = sum(any(s < ge and e > gs_ for _, gs_, ge in gs) for _, s, e in ps)
                found = sum(any(s < ge and e > gs_ for _, s, e in ps) for _, gs_, ge in gs)
                span[code][0] += hit
                span[code][1] += len(ps) - hit
                span[code][2] += len(gs) - found
        levels = {"utterance": {c: prf(*utt[c]) for c in codes}, "span": {c: prf(*span[c]) for c in codes}}
        kappa = {c: cohen_kappa(*kappa_pairs[c]) for c in codes}
        in_reference = {c: utt[c][0] + utt[c][2] for c in codes}
        per_code = {c: {"utterance": levels["utterance"][c], "span": levels["span"][c], "kappa": kappa[c],
                        "reference": in_reference[c]} for c in codes}
        used = [c for c in codes if in_reference[c]]
        macro = {lvl: sum(by_code[c]["f1"] for c in used) / len(used) if used else 0.0 for lvl, by_code in levels.items()}
        kappas = [k for c in used if (k := kappa[c]) is not None]
        report[mode] = {"codes": per_code, "suggestions": made, "macro_f1": macro, "mean_kappa": sum(kappas) / len(kappas) if kappas else None}
    return report
