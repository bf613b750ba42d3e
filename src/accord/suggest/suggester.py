"""From rule hits and model scores to suggestions a coder can judge.

A suggestion comes from the rules (a phrase or pattern of the codebook matched in a
sentence), from the model (its score for the whole utterance reached the code's threshold),
or from both. Each says why in words. Where the model knows a code and scores it low while a
rule fired, the suggestion is kept but marked as a disagreement: those are the most useful
places for a coder to look, and they come first in the "uncertain" review order.

A code with `backchannels: false` (a withdrawal code such as "Minimal response") is never
suggested on a turn that only acknowledges ("Yeah.", "Okay.", "Mm-hmm.", "Right."), by rules or
model: a backchannel is not a minimal answer.

A code the codebook gives to some speaker roles only (`speakers: [client]`) is never suggested
on another role's utterance, by rules or model. Where the speaker's role is unknown (no role
given at import and none guessed from the label), it is suggested, and the explanation says
the role is unknown and which roles the codebook gives the code to.

Under a codebook's `min_precision`, with `review` the model's candidates between a code's
recall-first review threshold and its precise one are added as review-only suggestions (source
"probe"): stored, but asked in uncertain-first order only, so active learning can still ask
about a code the gate keeps from being suggested (without them, uncertain-first review never
asked about MI's "therapist input" again and its F1 stayed at 0.03).

In a family of codes that the coders use exclusively (one code per utterance, learned from
their decisions), only the model's best code of the family is suggested per utterance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Transcript
from .analysis import UtteranceAnalysis, analyze, analyze_lazily
from .classifier import LinearModel
from .pipeline import Pipeline

RULE_SCORE = {"phrase": 0.9, "pattern": 0.85, "lemma": 0.8}


def known_role(role: str | None) -> bool:
    """False for a speaker without a role (`analysis.roles_of` calls them "speaker X")."""
    return bool(role and not role.startswith("speaker "))


def role_allows(speakers: dict, code: str, role: str | None) -> bool:
    """Whether the codebook's `speakers` (code -> roles) let `code` be suggested for `role`."""
    roles = speakers.get(code)
    return not roles or not known_role(role) or role in roles


def _unknown_role_note(speakers: dict, code: str, role: str | None) -> str:
    roles = speakers.get(code)
    if not roles or known_role(role):
        return ""
    return f"; the speaker's role is unknown (the codebook gives {code!r} to the {' and '.join(roles)} only)"


@dataclass(frozen=True)
class Item:
    transcript: str
    code: str
    start: int
    end: int
    score: float
    explanation: str
    source: str  # rule | model | both | probe (review-only: see suggest_analyses' `review`)

    def as_store_item(self) -> dict:
        return {"code": self.code, "start": self.start, "end": self.end, "score": self.score,
                "explanation": self.explanation, "source": self.source}


def _model_choices(pipeline, model, analyses, probs, index, family_of, codes, thresholds=None):
    """For each utterance, the codes the model suggests ({code: p}: codes outside exclusive
    families whose score reaches their threshold, in model order, then each family's best code
    if it reaches its own) and each family's best code ({family: (p, code)}), among the codes
    allowed for the speaker's role (and in `codes`). Thresholds are compared for all
    utterances at once; only what is chosen is visited in Python."""
    thresholds = model.thresholds if thresholds is None else thresholds  # lower ones for the review queue
    names = list(index)
    cols = np.array([index[c] for c in names], dtype=np.intp)
    P = np.asarray(probs)[:, cols]
    T = np.asarray(thresholds)[cols]
    fam = np.array([family_of.get(c, -1) for c in names], dtype=np.int64)
    members = {f: np.flatnonzero(fam == f) for f in sorted(set(fam.tolist()) - {-1})}
    roles = pipeline.meta.get("roles", {})
    masks: dict[tuple[str | None, bool], int] = {}  # (role, backchannel) -> row of `allowed`
    role_of: list[int] = []
    speakers = pipeline.meta.get("speakers", {})
    quiet = set(pipeline.meta.get("no_backchannels", ()))
    for a in analyses:
        kind = (a.role, a.backchannel)
        if kind not in masks:
            masks[kind] = len(masks)
        role_of.append(masks[kind])
    allowed = np.array([[(codes is None or c in codes) and (not roles.get(c) or role in roles.get(c))
                         and role_allows(speakers, c, role) and not (backchannel and c in quiet) for c in names]
                        for role, backchannel in masks], dtype=bool).reshape(len(masks), len(names))
    E = allowed[np.array(role_of, dtype=np.intp)]
    # Families in the order the first of their allowed members comes in the model's codes.
    order = [sorted((f for f, m in members.items() if allowed[r, m].any()), key=lambda f: members[f][allowed[r, members[f]]][0])
             for r in range(len(masks))]
    hits: list[list[int]] = [[] for _ in analyses]
    for i, j in zip(*(x.tolist() for x in np.nonzero(E & (fam == -1) & (P >= T)))):
        hits[i].append(j)
    tops: dict[int, list[int]] = {}
    has: dict[int, list[bool]] = {}  # family -> per utterance, whether a member is allowed
    for f, m in members.items():
        tops[f] = m[np.where(E[:, m], P[:, m], -np.inf).argmax(axis=1)].tolist()  # the first best, as `>` keeps
        has[f] = np.any(E[:, m], axis=1).tolist()
    chosen_all, best_all = [], []
    for i in range(len(analyses)):
        chosen = {names[j]: float(P[i, j]) for j in hits[i]}
        best = {}
        for f in order[role_of[i]]:
            if has[f][i]:
                j = tops[f][i]
                best[f] = (float(P[i, j]), names[j])
        for p, code in best.values():
            if p >= thresholds[index[code]]:
                chosen[code] = p
        chosen_all.append(chosen)
        best_all.append(best)
    return chosen_all, best_all


@dataclass
class _ModelPart:
    """What the model says about each utterance of one `suggest_analyses` call."""

    model: LinearModel
    probs: np.ndarray  # utterance x the model's codes
    index: dict[str, int]  # code -> column
    families: list[list[str]]  # the exclusive families
    family_of: dict[str, int]
    chosen: list[dict[str, float]]  # per utterance, as `_model_choices` returns them
    best: list[dict[int, tuple[float, str]]]

    def preferred(self, i: int) -> dict[str, tuple[float, str]]:
        """Code -> (p, the best code of its exclusive family) at utterance i."""
        out = {}
        for p, code in self.best[i].values():
            for c in self.families[self.family_of[code]]:
                out[c] = (p, code)
        return out


def _model_part(pipeline: Pipeline, model: LinearModel, analyses: list[UtteranceAnalysis], probs: np.ndarray | None,
                codes: set[str] | None, review: bool) -> _ModelPart:
    if probs is None:
        probs = model.scores([a.features for a in analyses])
    index = {c: j for j, c in enumerate(model.codes)}
    gate = model.thresholds
    if review and pipeline.meta.get("review_thresholds"):
        lower = pipeline.meta["review_thresholds"]
        gate = np.minimum(model.thresholds, np.array([lower.get(c, 1.01) for c in model.codes], np.float32))
    families = list(pipeline.meta.get("exclusive", []))
    family_of = {c: i for i, f in enumerate(families) for c in f if c in index}
    chosen, best = _model_choices(pipeline, model, analyses, probs, index, family_of, codes, gate)
    return _ModelPart(model, probs, index, families, family_of, chosen, best)


def suggest_analyses(
    pipeline: Pipeline,
    name: str,
    analyses: list[UtteranceAnalysis],
    *,
    codes: set[str] | None = None,
    use_rules: bool = True,
    use_model: bool = True,
    probs: np.ndarray | None = None,
    namer=None,
    review: bool = False,
) -> list[Item]:
    """Suggestions from analysed utterances; `namer(i)` (from `analyze_lazily`) names the
    features of utterance i when the model's part of its explanation needs them."""
    model = pipeline.classifier if use_model else None
    part = _model_part(pipeline, model, analyses, probs, codes, review) if model is not None and analyses else None
    roles = pipeline.meta.get("roles", {})
    speakers = pipeline.meta.get("speakers", {})
    quiet = set(pipeline.meta.get("no_backchannels", ()))
    items: list[Item] = []
    for i, a in enumerate(analyses):
        rule_hits: dict[str, list] = {}
        if use_rules:
            for h in a.hits:
                if (codes is None or h.code in codes) and (not roles.get(h.code) or a.role in roles[h.code]) \
                        and role_allows(speakers, h.code, a.role) and not (a.backchannel and h.code in quiet):
                    rule_hits.setdefault(h.code, []).append(h)
        preferred = part.preferred(i) if part is not None else {}
        if part is not None:
            items += _model_items(pipeline, part, name, i, a, rule_hits, namer)
        for code, hits in rule_hits.items():
            for (start, end), group in _overlapping(hits):
                kind = pipeline.rules[group[0].rule].kind
                score = RULE_SCORE.get(kind, 0.85)
                why = _rule_text(pipeline, group)
                if part is not None and code in part.index:
                    j = part.index[code]
                    threshold = part.model.thresholds[j]
                    p = float(part.probs[i][j])
                    score = p
                    other = preferred.get(code)
                    if other and other[1] != code and p >= threshold:
                        why += f"; but the model prefers {other[1]!r} here ({other[0]:.2f} against {p:.2f})"
                    elif threshold > 1:
                        why += (f"; the model scores it {p:.2f} but does not suggest {code!r} on its own: "
                                "on held-out decisions it was not precise enough")
                    else:
                        why += f"; but the model scores it {p:.2f}, below its threshold {threshold:.2f}"
                    if threshold <= 1:
                        why += " (rules and model disagree)"
                why += _unknown_role_note(speakers, code, a.role)
                items.append(Item(name, code, start, end, round(score, 4), why, "rule"))
    return items


def _overlapping(hits) -> list[tuple[tuple[int, int], list]]:
    """A code's rule hits in one utterance, grouped into spans that do not overlap: one
    suggestion per sentence, and one where two matches of the same wording overlap (a match
    on the words as said and one on their tidied view, which skips a filler)."""
    groups: list[tuple[tuple[int, int], list]] = []
    for h in sorted(hits, key=lambda h: (h.start, h.end)):
        if groups and h.start < groups[-1][0][1]:
            (start, end), group = groups[-1]
            groups[-1] = ((start, max(end, h.end)), [*group, h])
        else:
            groups.append(((h.start, h.end), [h]))
    return groups


def _model_items(pipeline: Pipeline, part: _ModelPart, name: str, i: int, a: UtteranceAnalysis,
                 rule_hits: dict[str, list], namer) -> list[Item]:
    """The model's suggestions on utterance i; a rule hit of the same code joins its explanation
    and is taken out of `rule_hits`."""
    model, thresholds = part.model, part.model.thresholds
    speakers = pipeline.meta.get("speakers", {})
    items = []
    rows = None
    for code, p in part.chosen[i].items():
        j = part.index[code]
        probe = p < thresholds[j]
        if probe and code in rule_hits:
            continue  # the rule's suggestion is shown anyway, marked as a disagreement
        why = f"model {p:.2f} (threshold {thresholds[j]:.2f})"
        if probe:
            need = ("not precise enough on held-out decisions to be suggested on its own" if thresholds[j] > 1
                    else f"below the {thresholds[j]:.2f} it needs to be suggested")
            why = f"model {p:.2f}, {need}: asked in uncertain-first review only, to learn from your answer"
        if a.names is None and namer is not None:
            a.names = namer(i)
        if a.names is not None and rows is None:
            rows = model.rows([a.features], model.keys, model.idf)
        drivers = _drivers(model, a, j, rows)
        if drivers:
            why += "; driven by " + ", ".join(drivers)
        hits = rule_hits.pop(code, None)
        source = "probe" if probe else "model"
        if hits:
            why = _rule_text(pipeline, hits) + "; " + why
            source = "both"
        why += _unknown_role_note(speakers, code, a.role)
        items.append(Item(name, code, a.start, a.end, round(p, 4), why, source))
    return items


def _rule_text(pipeline: Pipeline, hits) -> str:
    texts = []
    longest: dict = {}  # a rule once, with its longest match (what was said, stutters and all)
    for h in hits:
        if h.rule not in longest or len(h.matched) > len(longest[h.rule].matched):
            longest[h.rule] = h
    hits = list(longest.values())
    for h in hits[:2]:
        rule = pipeline.rules.get(h.rule)
        texts.append(rule.explain(h.matched) if rule else f"a rule of {h.code!r} matched \"{h.matched}\"")
    more = f" (+{len(hits) - 2} more)" if len(hits) > 2 else ""
    return "rule: " + "; ".join(texts) + more


def _drivers(model, a: UtteranceAnalysis, j: int, rows, k: int = 3) -> list[str]:
    """The (up to k) named features adding most to code j's score; `rows` is
    `model.rows([a.features], ...)`."""
    if a.names is None:
        return []
    _, pos, vals, _ = rows
    contrib = model.W[pos, j] * vals
    out: list[str] = []
    for i in np.argsort(-contrib):
        if contrib[i] <= 0 or len(out) == k:
            break
        name = a.names.get(int(model.keys[pos[i]]))
        if name and name != "bias":
            out.append(name)
    return out


def suggest_transcript(pipeline: Pipeline, transcript: Transcript, *, codes=None, use_rules=True, use_model=True,
                       explain=True, review=True) -> list[Item]:
    namer = None
    if explain and pipeline.classifier is not None and use_model:
        analyses, namer = analyze_lazily(pipeline.nlp, transcript)
    else:
        analyses = analyze(pipeline.nlp, transcript)
    return suggest_analyses(pipeline, transcript.name, analyses, codes=codes, use_rules=use_rules, use_model=use_model,
                            namer=namer, review=review)
