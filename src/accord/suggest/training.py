"""Training data from coders' decisions, and training with held-out scores.

Unit: the utterance. A coder's active codings (accepted suggestions, manual and imported
codes) are positives for their code and its ancestors; rejected suggestions are negatives for
their code and its descendants; everything a coder has not looked at is left out (unknown,
masked in the loss). Two things are learned from the decisions rather than assumed:

- exclusive families: when a coder never gives one utterance two codes of the same top-level
  family (MI: one therapist behaviour per turn), a positive for one code is also a negative
  for its siblings, so one accepted suggestion teaches the model about every code of the family;
- speaker roles: a code applied only ever to one role (therapist, client) is suggested only there.

The codebook's own example phrases and counter-examples are added as a small prior, so the
model knows every described code before the first decision (cold start).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from ..model import Codebook
from .analysis import UtteranceAnalysis, analyze
from .classifier import LinearModel
from .features import ATTRS, turn_features, turn_from_arrays

if TYPE_CHECKING:
    from ..store import Project

MIN_EXCLUSIVE = 10  # positive utterances a family needs before exclusivity is inferred
MIN_ROLE = 5


def ancestors(codebook: Codebook, code: str) -> list[str]:
    by = codebook.by_name()
    out, parent = [], by[code].parent if code in by else None
    while parent:
        out.append(parent)
        parent = by[parent].parent
    return out


def family(codebook: Codebook, code: str) -> str:
    chain = ancestors(codebook, code)
    return chain[-1] if chain else code


def descendants(codebook: Codebook, code: str) -> set[str]:
    out, frontier = set(), [code]
    while frontier:
        kids = [c.name for c in codebook.codes if c.parent in frontier]
        out.update(kids)
        frontier = kids
    return out


class Labels:
    """Utterance labels: {(transcript, utterance index): {code: 1 or 0}}, positives winning."""

    def __init__(self, codebook: Codebook, codes: set[str] | None = None):
        self.codebook = codebook
        self.codes = codes
        self.pos: dict[tuple, set[str]] = defaultdict(set)
        self.neg: dict[tuple, set[str]] = defaultdict(set)
        self.coders: list[str] = []  # whose decisions these are (from a project)

    def _keep(self, code):
        return self.codes is None or code in self.codes

    def positive(self, unit, code):
        if self._keep(code):
            self.pos[unit].add(code)

    def negative(self, unit, code):
        for c in [code, *descendants(self.codebook, code)]:
            if self._keep(c):
                self.neg[unit].add(c)

    def infer(self, roles: dict) -> dict:
        """Exclusive families and role restrictions implied by the positives."""
        related = lambda a, b: a in ancestors(self.codebook, b) or b in ancestors(self.codebook, a)  # noqa: E731
        fam_units: defaultdict[str, int] = defaultdict(int)
        overlap: set[str] = set()
        for unit, codes in self.pos.items():
            by_fam = defaultdict(list)
            for c in codes:
                by_fam[family(self.codebook, c)].append(c)
            for fam, cs in by_fam.items():
                fam_units[fam] += 1
                leaves = [c for c in cs if not any(c in ancestors(self.codebook, d) for d in cs)]
                if len(leaves) > 1 and any(not related(a, b) for a in leaves for b in leaves if a != b):
                    overlap.add(fam)
        exclusive = sorted(f for f, n in fam_units.items() if n >= MIN_EXCLUSIVE and f not in overlap)
        seen_roles: defaultdict[str, defaultdict[str | None, int]] = defaultdict(lambda: defaultdict(int))
        for unit, codes in self.pos.items():
            for c in codes:
                seen_roles[c][roles.get(unit)] += 1
        restrict = {c: sorted(r for r in rs if r) for c, rs in seen_roles.items()
                    if sum(rs.values()) >= MIN_ROLE and len(rs) == 1 and None not in rs}
        return {"exclusive_families": exclusive, "roles": restrict}

    def apply_exclusive(self, exclusive: list[str]):
        for unit, codes in list(self.pos.items()):
            for c in list(codes):
                fam = family(self.codebook, c)
                if fam not in exclusive:
                    continue
                keep = {c, *ancestors(self.codebook, c), *descendants(self.codebook, c)}
                for other in self.codebook.codes:
                    if family(self.codebook, other.name) == fam and other.name not in keep and other.name not in codes:
                        if self._keep(other.name):
                            self.neg[unit].add(other.name)


def prior_examples(nlp, codebook: Codebook, used: set[str]) -> tuple[list[np.ndarray], list[dict]]:
    """The codebook's examples as tiny labelled utterances, for the codes coders use.

    An example of code X (or of a sub-code of X nobody uses) is a positive for X and a
    negative for the other used codes of X's family; a counter-example is a negative for X.
    """
    feats, labels = [], []
    by_fam = defaultdict(set)
    for c in used:
        by_fam[family(codebook, c)].add(c)
    for code in codebook.codes:
        target = next((c for c in [code.name, *ancestors(codebook, code.name)] if c in used), None)
        if target is None:
            continue
        others = by_fam[family(codebook, target)] - {target} - set(ancestors(codebook, target)) - descendants(codebook, target)
        pairs = [(p, {target: 1, **{o: 0 for o in others}}) for p in code.examples]
        if code.name == target:
            pairs += [(p, {target: 0}) for p in code.counter_examples]
        for phrase, label in pairs:
            with nlp.select_pipes(disable=["accord_classifier"]):
                doc = nlp(phrase)
            hits = sorted({s.label_ for s in doc.spans.get("accord", []) if not s.label_.startswith("not:")})
            feats.append(turn_features(turn_from_arrays(doc.to_array(ATTRS), None), None, hits, ()))
            labels.append(label)
    return feats, labels


def fit(codes: list[str], feats: list[np.ndarray], labels: list[dict], *, extra=(), weights=None, epochs=150) -> LinearModel:
    Y = np.full((len(feats), len(codes)), np.nan, np.float32)
    index = {c: j for j, c in enumerate(codes)}
    for i, lab in enumerate(labels):
        for c, v in lab.items():
            if c in index:
                Y[i, index[c]] = v
    return LinearModel.train(feats, Y, codes=codes, extra_docs=extra, sample_weight=weights, epochs=epochs)


def _best_threshold(y: np.ndarray, p: np.ndarray, beta: float = 1.5) -> tuple[float, dict]:
    """The threshold maximising F-beta (beta 1.5: recall weighs more than precision), and P/R/F1 there."""
    best: tuple[float, float, dict[str, float]] = (0.5, -1.0, {})
    for t in np.arange(0.15, 0.71, 0.05):
        pred = p >= t
        tp, fp, fn = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        fb = (1 + beta**2) * prec * rec / (beta**2 * prec + rec) if prec + rec else 0.0
        if fb > best[1]:
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            best = (float(round(t, 2)), fb, {"precision": prec, "recall": rec, "f1": f1})
    return best[0], best[2]


# With the codebook's `min_precision`, per-code thresholds are chosen for precision: where a
# suggestion a coder has to reject costs her time and trust (rare codes in ordinary sessions:
# on real alliance sessions a recall-first threshold suggested "real relationship" 37 times
# for none right). The threshold is then the recall-leaning best (F-beta, beta 1.5) among
# those whose cross-validated precision on the coders' own decisions reaches the target; a
# code that reaches it nowhere is left to the rules (NEVER), and a code with fewer than
# MIN_POSITIVES confirmed examples held out is suggested by the model only above HIGH_BAR.
# Without it (the MI codebook: one code per utterance, where uncertain-first review needs the
# model to propose rare codes to learn them) thresholds lean to recall, as `_best_threshold`.
TARGET_PRECISION = 0.5  # what the alliance codebook asks for, and the default of the helper below
MIN_POSITIVES = 5
HIGH_BAR = 0.9
NEVER = 1.01  # above any probability: the model does not suggest the code on its own
CANDIDATES = np.round(np.arange(0.15, 0.951, 0.05), 2)


def _threshold_for_precision(y: np.ndarray, p: np.ndarray, beta: float = 1.5, target: float = TARGET_PRECISION,
                             min_positives: int = MIN_POSITIVES) -> tuple[float, dict]:
    """The per-code threshold from held-out scores `p` of decisions `y` (1 or 0), and P/R/F1 there.

    Among the candidate thresholds whose precision reaches `target` (with at least two right),
    the one with the best F-beta; NEVER when none does; at least HIGH_BAR when fewer than
    `min_positives` positives were held out. The scores reported are at the chosen threshold
    (zero recall for NEVER)."""
    npos = int((y == 1).sum())
    best = (NEVER, -1.0)
    for t in CANDIDATES:
        pred = p >= t
        tp, fp = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / npos if npos else 0.0
        if tp < 2 or prec < target:
            continue
        fb = (1 + beta**2) * prec * rec / (beta**2 * prec + rec)
        if fb > best[1]:
            best = (float(t), fb)
    t = best[0]
    if npos < min_positives and t < NEVER:
        t = max(t, HIGH_BAR)
    pred = p >= t
    tp, fp, fn = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return t, {"precision": prec, "recall": rec, "f1": f1}


def train_model(
    codebook: Codebook,
    nlp,
    feats: list[np.ndarray],
    labels: list[dict],
    groups: list,
    *,
    codes: set[str] | None = None,
    extra=(),
    folds: int = 3,
    seed: int = 0,
    prior: bool = True,
    weak: tuple[list, list, list] | None = None,
) -> tuple[LinearModel | None, dict]:
    """Fit the classifier; per-code thresholds and held-out scores come from grouped
    cross-validation (whole transcripts held out when there are enough of them). `weak` rows
    (features, labels, weights) are learned from in every fit but never scored, so they cannot
    move a threshold (`bench/mi_pool_eval.py`: the MI pool's labels, measured and not kept)."""
    started = time.perf_counter()
    all_codes = [c.name for c in codebook.codes if codes is None or c.name in codes]
    counts = {c: [0, 0] for c in all_codes}
    for lab in labels:
        for c, v in lab.items():
            if c in counts:
                counts[c][0 if v else 1] += 1
    # The model learns the codes coders use, and (from the codebook's examples) the other
    # described codes of families in use, so a code nobody has been shown yet can still come up.
    used_families = {family(codebook, c) for c in all_codes if counts[c][0] > 0}
    by = codebook.by_name()
    model_codes = [c for c in all_codes if (counts[c][0] > 0 and counts[c][1] > 0)
                   or (counts[c][0] == 0 and family(codebook, c) in used_families and by[c].examples and by[c].parent)]
    p_feats, p_labels = prior_examples(nlp, codebook, set(model_codes)) if prior else ([], [])
    p_weights = [1.0] * len(p_feats)
    if weak is not None:  # (features, labels, weights) learned from but never scored on
        p_feats, p_labels, p_weights = p_feats + list(weak[0]), p_labels + list(weak[1]), p_weights + list(weak[2])
    if not model_codes:
        return None, {"counts": counts, "codes": [], "scores": {}, "seconds": time.perf_counter() - started}
    target = codebook.min_precision
    # Until held-out decisions say how precise a code is, the model suggests it at 0.5, or
    # only above the high bar where the codebook asks for precision.
    scores, thresholds = {}, np.full(len(model_codes), 0.5 if target is None else HIGH_BAR, np.float32)
    # Under the precision gate, a second, recall-first threshold per code (the one the model
    # would use without the gate) for the uncertain-first review queue only.
    review = np.full(len(model_codes), 0.5, np.float32)
    if len(feats) >= 20:
        uniq = sorted(set(groups), key=str)
        rng = random.Random(seed)
        if len(uniq) >= folds:
            rng.shuffle(uniq)
            fold_of_group = {g: i % folds for i, g in enumerate(uniq)}
            fold = [fold_of_group[g] for g in groups]
        else:
            fold = [rng.randrange(folds) for _ in feats]
        oof = np.full((len(feats), len(model_codes)), np.nan, np.float32)
        for k in range(folds):
            tr = [i for i, f in enumerate(fold) if f != k]
            te = [i for i, f in enumerate(fold) if f == k]
            if not tr or not te:
                continue
            m = fit(model_codes, [feats[i] for i in tr] + p_feats, [labels[i] for i in tr] + p_labels, extra=extra,
                    weights=[1.0] * len(tr) + p_weights)
            oof[te] = m.scores([feats[i] for i in te])
        for j, c in enumerate(model_codes):
            y = np.array([lab.get(c, np.nan) for lab in labels], dtype=np.float32)
            ok = ~np.isnan(y) & ~np.isnan(oof[:, j])
            if target is None and (y[ok] == 1).sum() >= 3 and (y[ok] == 0).sum() >= 3:
                thresholds[j], scores[c] = _best_threshold(y[ok], oof[ok, j])
            elif target is not None and (y[ok] == 1).sum() >= 1 and (y[ok] == 0).sum() >= 3:
                thresholds[j], scores[c] = _threshold_for_precision(y[ok], oof[ok, j], target=target)
            if target is not None and (y[ok] == 1).sum() >= 3 and (y[ok] == 0).sum() >= 3:
                review[j], _ = _best_threshold(y[ok], oof[ok, j])
    model = fit(model_codes, feats + p_feats, labels + p_labels, extra=extra, weights=[1.0] * len(feats) + p_weights)
    model.thresholds = thresholds
    return model, {"counts": counts, "codes": model_codes, "scores": scores,
                   "thresholds": dict(zip(model_codes, thresholds.tolist())),
                   "review_thresholds": dict(zip(model_codes, np.minimum(review, thresholds).tolist()))
                   if target is not None else {},
                   "seconds": round(time.perf_counter() - started, 2)}


def utterance_index(analyses: list[UtteranceAnalysis], start: int, end: int) -> list[int]:
    """Utterances a span overlaps."""
    return [i for i, a in enumerate(analyses) if a.start < end and a.end > start]


def labels_from_project(project: Project, codebook: Codebook, analyses_of, *, coders=None, codes=None) -> tuple[Labels, dict]:
    """Labels from the project's codings and rejected suggestions (of `coders`, default all)."""
    labels = Labels(codebook, codes)
    roles = {}
    names = coders or [c["name"] for c in project.coders()]
    current = {c.name for c in codebook.codes}
    labels.coders = []
    for coder in names:
        contributed = False
        read, imported = set(), set()
        for k in project.codings(coder=coder):
            if k.code not in current:
                continue
            if k.origin in ("manual", "import"):
                read.add(k.transcript)
            if k.origin == "import":
                imported.add(k.transcript)
            analyses = analyses_of(k.transcript)
            for i in utterance_index(analyses, k.start, k.end):
                labels.positive((k.transcript, i), k.code)
                roles[(k.transcript, i)] = analyses[i].role
                contributed = True
        # What a coder coded by hand counts as read: what they left uncoded there is a negative
        # for the codes they use. That is the utterances the coding screen saw them reach (its
        # review progress), or the whole transcript for an imported coding or one coded outside
        # the screen; otherwise a retrain halfway through a session would learn that everything
        # not yet read is none of the codes. Text reviewed only through suggestions is not read.
        used = {c for codes_ in labels.pos.values() for c in codes_}
        for name in read:
            reviewed = set() if name in imported else project.reviewed(name, coder)
            for i, a in enumerate(analyses_of(name)):
                if reviewed and a.number not in reviewed:
                    continue
                for code in used - labels.pos.get((name, i), set()):
                    labels.neg[(name, i)].add(code)
                roles[(name, i)] = a.role
        for d in project.decisions(coder):
            if d["decision"] != "rejected" or d["code"] not in current:
                continue
            analyses = analyses_of(d["transcript"])
            for i in utterance_index(analyses, d["start"], d["end"]):
                labels.negative((d["transcript"], i), d["code"])
                roles[(d["transcript"], i)] = analyses[i].role
                contributed = True
        if contributed:
            labels.coders.append(coder)
    return labels, roles


def dataset(labels: Labels, analyses_of) -> tuple[list, list, list]:
    feats, out, groups = [], [], []
    for unit in sorted(set(labels.pos) | set(labels.neg), key=lambda u: (str(u[0]), u[1])):
        lab = {c: 0 for c in labels.neg.get(unit, ())}
        lab.update({c: 1 for c in labels.pos.get(unit, ())})
        if not lab:
            continue
        feats.append(analyses_of(unit[0])[unit[1]].features)
        out.append(lab)
        groups.append(unit[0])
    return feats, out, groups


def train_pipeline(project: Project, pipeline, codebook: Codebook, *, coders=None, codes=None, cache=None, weak=None) -> dict:
    """Retrain `pipeline`'s classifier from the project's decisions; returns the report."""
    cache = {} if cache is None else cache

    def analyses_of(name):
        if name not in cache:
            cache[name] = analyze(pipeline.nlp, project.transcript(name))
        return cache[name]

    labels, roles = labels_from_project(project, codebook, analyses_of, coders=coders, codes=codes)
    inferred = labels.infer(roles)
    labels.apply_exclusive(inferred["exclusive_families"])
    feats, labs, groups = dataset(labels, analyses_of)
    extra = [a.features for name in {g for g in groups} for a in analyses_of(name)]
    model, report = train_model(codebook, pipeline.nlp, feats, labs, groups, codes=codes, extra=extra, weak=weak)
    exclusive = [[c for c in (report["codes"]) if family(codebook, c) == f] for f in inferred["exclusive_families"]]
    report.update(utterances=len(feats), exclusive=exclusive, roles=inferred["roles"],
                  transcripts=len(set(groups)), coders=labels.coders)
    return {"model": model, "report": report}
