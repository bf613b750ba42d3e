"""From rule hits and model scores to suggestions a coder can judge.

A suggestion comes from the rules (a phrase or pattern of the codebook matched in a
sentence), from the model (its score for the whole utterance reached the code's threshold),
or from both. Each says why in words. Where the model knows a code and scores it low while a
rule fired, the suggestion is kept but marked as a disagreement: those are the most useful
places for a coder to look, and they come first in the "uncertain" review order.

In a family of codes that the coders use exclusively (one code per utterance, learned from
their decisions), only the model's best code of the family is suggested per utterance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Transcript
from .analysis import UtteranceAnalysis, analyze
from .pipeline import Pipeline

RULE_SCORE = {"phrase": 0.9, "pattern": 0.85, "lemma": 0.8}


@dataclass(frozen=True)
class Item:
    transcript: str
    code: str
    start: int
    end: int
    score: float
    explanation: str
    source: str  # rule | model | both

    def as_store_item(self) -> dict:
        return {"code": self.code, "start": self.start, "end": self.end, "score": self.score,
                "explanation": self.explanation, "source": self.source}


def model_scores(pipeline: Pipeline, analyses: list[UtteranceAnalysis]) -> np.ndarray | None:
    model = pipeline.classifier
    if model is None or not analyses:
        return None
    return model.scores([a.features for a in analyses])


def _allowed(pipeline: Pipeline, code: str, role: str | None) -> bool:
    roles = pipeline.meta.get("roles", {}).get(code)
    return not roles or role in roles


def suggest_analyses(
    pipeline: Pipeline,
    name: str,
    analyses: list[UtteranceAnalysis],
    *,
    codes: set[str] | None = None,
    use_rules: bool = True,
    use_model: bool = True,
    probs: np.ndarray | None = None,
) -> list[Item]:
    model = pipeline.classifier if use_model else None
    if model is not None and probs is None:
        probs = model_scores(pipeline, analyses)
    index = {c: j for j, c in enumerate(model.codes)} if model is not None else {}
    thresholds = model.thresholds if model is not None else None
    families = [f for f in pipeline.meta.get("exclusive", []) if model is not None]
    family_of = {c: i for i, f in enumerate(families) for c in f if c in index}
    items: list[Item] = []
    for i, a in enumerate(analyses):
        chosen: dict[str, float] = {}
        if model is not None:
            row = probs[i]
            best: dict[int, tuple[float, str]] = {}
            for code, j in index.items():
                if (codes is not None and code not in codes) or not _allowed(pipeline, code, a.role):
                    continue
                p = float(row[j])
                fam = family_of.get(code)
                if fam is not None:
                    if fam not in best or p > best[fam][0]:
                        best[fam] = (p, code)
                elif p >= thresholds[j]:
                    chosen[code] = p
            for p, code in best.values():
                if p >= thresholds[index[code]]:
                    chosen[code] = p
        rule_hits: dict[str, list] = {}
        if use_rules:
            for h in a.hits:
                if (codes is None or h.code in codes) and _allowed(pipeline, h.code, a.role):
                    rule_hits.setdefault(h.code, []).append(h)
        preferred = {}
        if model is not None:
            for p, code in best.values():
                for c in families[family_of[code]]:
                    preferred[c] = (p, code)
        for code, p in chosen.items():
            j = index[code]
            why = f"model {p:.2f} (threshold {thresholds[j]:.2f})"
            drivers = _drivers(model, a, j)
            if drivers:
                why += "; driven by " + ", ".join(drivers)
            hits = rule_hits.pop(code, None)
            source = "model"
            if hits:
                why = _rule_text(pipeline, hits) + "; " + why
                source = "both"
            items.append(Item(name, code, a.start, a.end, round(p, 4), why, source))
        for code, hits in rule_hits.items():
            by_sentence: dict[tuple[int, int], list] = {}
            for h in hits:
                by_sentence.setdefault((h.start, h.end), []).append(h)
            for (start, end), group in by_sentence.items():
                kind = pipeline.rules[group[0].rule].kind
                score = RULE_SCORE.get(kind, 0.85)
                why = _rule_text(pipeline, group)
                if code in index:
                    p = float(probs[i][index[code]])
                    score = p
                    other = preferred.get(code)
                    if other and other[1] != code and p >= thresholds[index[code]]:
                        why += f"; but the model prefers {other[1]!r} here ({other[0]:.2f} against {p:.2f})"
                    else:
                        why += f"; but the model scores it {p:.2f}, below its threshold {thresholds[index[code]]:.2f}"
                    why += " (rules and model disagree)"
                items.append(Item(name, code, start, end, round(score, 4), why, "rule"))
    return items


def _rule_text(pipeline: Pipeline, hits) -> str:
    texts = []
    for h in hits[:2]:
        rule = pipeline.rules.get(h.rule)
        texts.append(rule.explain(h.matched) if rule else f"a rule of {h.code!r} matched \"{h.matched}\"")
    more = f" (+{len(hits) - 2} more)" if len(hits) > 2 else ""
    return "rule: " + "; ".join(texts) + more


def _drivers(model, a: UtteranceAnalysis, j: int, k: int = 3) -> list[str]:
    if a.names is None:
        return []
    row, pos, vals, _ = model.rows([a.features], model.keys, model.idf)
    contrib = model.W[pos, j] * vals
    out = []
    for i in np.argsort(-contrib):
        if contrib[i] <= 0 or len(out) == k:
            break
        name = a.names.get(int(model.keys[pos[i]]))
        if name and name != "bias":
            out.append(name)
    return out


def suggest_transcript(pipeline: Pipeline, transcript: Transcript, *, codes=None, use_rules=True, use_model=True,
                       explain=True) -> list[Item]:
    analyses = analyze(pipeline.nlp, transcript, names=explain and pipeline.classifier is not None and use_model)
    return suggest_analyses(pipeline, transcript.name, analyses, codes=codes, use_rules=use_rules, use_model=use_model)
