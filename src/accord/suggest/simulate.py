"""A learning curve: a simulated coder reviews suggestions and the model retrains.

Whole transcripts are held out. On the rest, the coder takes suggestions in the chosen
order (uncertain first, document order, or random) and accepts or rejects each as the gold
coding says; the model retrains every `every` decisions (or every quarter of the decisions
made so far, if that is more), and at each checkpoint the held-out transcripts are scored.
"all" trains on the full gold coding of the training transcripts, as a coder who coded
everything would. The project file is only read.

Held-out scoring is per utterance with one gold code among `codes`: the prediction is the
model's best code (the family is exclusive in such data), or the first rule hit before there
is a model. Macro-F1 and Cohen's kappa are against the gold code. The baseline (TF-IDF plus
logistic regression, scikit-learn, a test/bench extra) learns from the same number of
randomly chosen gold-labelled utterances.
"""

from __future__ import annotations

import bisect
import random
import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import numpy as np

from .analysis import analyze
from .evaluate import cohen_kappa, prf
from .review import uncertain_first
from .suggester import suggest_analyses
from .training import Labels, dataset, family, train_model

if TYPE_CHECKING:
    from ..store import Project

CHECKPOINTS = (50, 100, 200, 400, 1000)


def gold_units(analyses: dict, rows: list[dict], codes: set[str]) -> dict:
    """{(transcript, utterance index): {codes}} from gold coding spans."""
    out = defaultdict(set)
    for r in rows:
        if r["code"] not in codes or r["transcript"] not in analyses:
            continue
        for i, a in enumerate(analyses[r["transcript"]]):
            if a.start < r["end"] and a.end > r["start"]:
                out[(r["transcript"], i)].add(r["code"])
    return out


def _fit(pipeline, book, labels: Labels, analyses, codes, seed):
    roles = {u: analyses[u[0]][u[1]].role for u in set(labels.pos) | set(labels.neg)}
    inferred = labels.infer(roles)
    labels.apply_exclusive(inferred["exclusive_families"])
    feats, labs, groups = dataset(labels, lambda n: analyses[n])
    extra = [a.features for n in set(groups) for a in analyses[n]]
    model, report = train_model(book, pipeline.nlp, feats, labs, groups, codes=codes, extra=extra, seed=seed)
    if model is None:
        pipeline.set_model(None, {"exclusive": [], "roles": {}, "review_thresholds": {}})
        return
    exclusive = [[c for c in report["codes"] if family(book, c) == f] for f in inferred["exclusive_families"]]
    pipeline.set_model(model, {"exclusive": exclusive, "roles": inferred["roles"],
                               "review_thresholds": report.get("review_thresholds", {})})


def _predict(pipeline, analyses, units, codes: list[str]):
    model = pipeline.classifier
    out = {}
    by_t = defaultdict(list)
    for u in units:
        by_t[u[0]].append(u[1])
    for name, idx in by_t.items():
        a = analyses[name]
        if model is not None:
            cols = [model.codes.index(c) for c in codes if c in model.codes]
            names = [c for c in codes if c in model.codes]
            probs = model.scores([a[i].features for i in idx])
            for k, i in enumerate(idx):
                out[(name, i)] = names[int(np.argmax(probs[k, cols]))] if cols else "none"
        else:
            for i in idx:
                hits = [h.code for h in a[i].hits if h.code in codes]
                out[(name, i)] = hits[0] if hits else "none"
    return out


def _threshold(model, code: str, review: dict | None = None) -> float:
    if model is None or code not in model.codes:
        return 0.5
    t = float(model.thresholds[model.codes.index(code)])
    return min(t, review[code]) if review and code in review else t


def score(pred: dict, gold: dict, codes: list[str]) -> dict:
    units = [u for u, g in gold.items() if len(g) == 1]
    y = [next(iter(gold[u])) for u in units]
    p = [pred.get(u, "none") for u in units]
    per = {c: prf(sum(a == c and b == c for a, b in zip(y, p)), sum(a != c and b == c for a, b in zip(y, p)),
                  sum(a == c and b != c for a, b in zip(y, p)))["f1"] for c in codes}
    return {"per_code": per, "macro_f1": sum(per.values()) / len(per), "kappa": cohen_kappa(y, p), "units": len(units)}


def baseline(texts: dict, train_units: list, test_units: list, gold: dict, codes: list[str]):
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return None
    y = [next(iter(gold[u])) for u in train_units]
    if len(set(y)) < 2:
        return {u: y[0] for u in test_units} if y else {}
    vec = TfidfVectorizer()
    X = vec.fit_transform([texts[u] for u in train_units])
    clf = LogisticRegression(max_iter=1000).fit(X, y)
    return dict(zip(test_units, clf.predict(vec.transform([texts[u] for u in test_units]))))


def tuned_baseline(texts: dict, train_units: list, test_units: list, gold: dict, codes: list[str]):
    """The plain baseline as tuned on the AnnoMI pool: word pairs, "?" kept as a word, the first
    and last word, sublinear tf, balanced classes, C=10. A reference for how far a linear model
    of the words can go, not a goal."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return None
    import re

    token = re.compile(r"(?u)\b\w+\b|[?]")

    def words(text):
        w = token.findall(text.lower())
        return w + [a + " " + b for a, b in zip(w, w[1:])] + (["^" + w[0], w[-1] + "$"] if w else [])

    y = [next(iter(gold[u])) for u in train_units]
    if len(set(y)) < 2:
        return {u: y[0] for u in test_units} if y else {}
    vec = TfidfVectorizer(analyzer=words, sublinear_tf=True)
    X = vec.fit_transform([texts[u] for u in train_units])
    clf = LogisticRegression(max_iter=3000, C=10, class_weight="balanced").fit(X, y)
    return dict(zip(test_units, clf.predict(vec.transform([texts[u] for u in test_units]))))


def simulate(project: Project, pipeline_factory, rows: list[dict], codes: list[str], *, seeds=(0,), holdout: float = 0.25,
             checkpoints=CHECKPOINTS, order: str = "uncertain", every: int = 10, with_baseline: bool = True,
             references: bool = False, corrects: bool = False, codebook=None, review: bool = False,
             log=print) -> list[dict]:
    """Run the simulation; returns one record per (seed, checkpoint) with accord's and the baseline's scores.

    With `references`, each record also has "labels" (accord's model trained on the baseline's
    random, fully labelled utterances: what the same number of full labels, rather than
    accept/reject decisions, would teach it) and "tuned" (`tuned_baseline`). With `corrects`,
    the simulated coder rejects a wrong suggestion by naming the right code (`R` in the coding
    screen, `Project.correct_suggestion`), one decision either way. `codebook` replaces the
    project's (e.g. with a `min_precision`); with `review`, the uncertain-first queue also holds
    the model's candidates above its recall-first review thresholds (`suggest_analyses(review=True)`)."""
    book = codebook or project.require_codebook()
    names = sorted({r["transcript"] for r in rows})
    transcripts = {n: project.transcript(n) for n in names}
    pipeline = pipeline_factory()
    analyses = {n: analyze(pipeline.nlp, t) for n, t in transcripts.items()}
    code_set = set(codes)
    gold = gold_units(analyses, rows, code_set)
    texts = {u: transcripts[u[0]].text[analyses[u[0]][u[1]].start:analyses[u[0]][u[1]].end] for u in gold}
    results = []
    t0 = time.perf_counter()
    for seed in seeds:
        rng = random.Random(seed)
        shuffled = names[:]
        rng.shuffle(shuffled)
        n_test = max(1, round(len(names) * holdout))
        test, train = set(shuffled[:n_test]), shuffled[n_test:]
        test_units = [u for u in gold if u[0] in test]
        train_units = [u for u in gold if u[0] in train and len(gold[u]) == 1]
        test_gold = {u: gold[u] for u in test_units}
        pipeline = pipeline_factory()
        labels = Labels(book, code_set)
        decided, made = set(), 0
        rand_units = train_units[:]
        rng.shuffle(rand_units)
        rank = {n: i for i, n in enumerate(train)}
        rec = score(_predict(pipeline, analyses, test_units, codes), test_gold, codes)
        results.append({"seed": seed, "decisions": 0, "accord": rec, "baseline": None})
        log(f"seed {seed}: 0 decisions (rules only): macro-F1 {rec['macro_f1']:.3f}")
        for target in [*checkpoints, "all"]:
            if target == "all":
                labels = Labels(book, code_set)
                for u in train_units:
                    labels.positive(u, next(iter(gold[u])))
                _fit(pipeline, book, labels, analyses, code_set, seed)
                n_base = len(train_units)
            else:
                while made < target:
                    batch = min(target - made, max(every, made // 4))
                    queue, key_of = [], {}  # suggestions not yet decided, and each one's (unit, code)
                    model = pipeline.classifier
                    for name in train:
                        items = suggest_analyses(pipeline, name, analyses[name], codes=code_set,
                                                 review=review and order == "uncertain")
                        starts = [a.start for a in analyses[name]]
                        for it in items:
                            i = max(0, bisect.bisect_right(starts, it.start) - 1)
                            key = ((name, i), it.code)
                            if key not in decided:
                                queue.append(it)
                                key_of[id(it)] = key
                    if not queue:
                        break
                    if order == "uncertain":
                        positives = Counter(c for codes_ in labels.pos.values() for c in codes_)
                        lower = pipeline.meta.get("review_thresholds") if review else None
                        queue = uncertain_first(queue, threshold=lambda c: _threshold(model, c, lower), positives=positives,
                                                disagree=lambda it: "disagree" in it.explanation)
                    elif order == "document":
                        queue.sort(key=lambda it: (rank[it.transcript], it.start))
                    else:
                        rng.shuffle(queue)
                    taken = 0
                    for unit, code in (key_of[id(it)] for it in queue):
                        if (unit, code) in decided:
                            continue
                        decided.add((unit, code))
                        if code in gold.get(unit, ()):
                            labels.positive(unit, code)
                        else:
                            labels.negative(unit, code)
                            if corrects and len(gold.get(unit, ())) == 1:
                                right = next(iter(gold[unit]))
                                labels.positive(unit, right)
                                decided.add((unit, right))
                        made += 1
                        taken += 1
                        if taken == batch:
                            break
                    _fit(pipeline, book, labels, analyses, code_set, seed)
                n_base = made
            rec = score(_predict(pipeline, analyses, test_units, codes), test_gold, codes)
            base = baseline(texts, rand_units[:n_base], test_units, gold, codes) if with_baseline else None
            brec = score(base, test_gold, codes) if base is not None else None
            record = {"seed": seed, "decisions": target, "made": made if target != "all" else n_base,
                      "accord": rec, "baseline": brec}
            if references:
                full = Labels(book, code_set)
                for u in rand_units[:n_base]:
                    full.positive(u, next(iter(gold[u])))
                reference = pipeline_factory()
                _fit(reference, book, full, analyses, code_set, seed)
                record["labels"] = score(_predict(reference, analyses, test_units, codes), test_gold, codes)
                tuned = tuned_baseline(texts, rand_units[:n_base], test_units, gold, codes)
                record["tuned"] = score(tuned, test_gold, codes) if tuned is not None else None
            results.append(record)
            log(f"[{time.perf_counter() - t0:.0f}s] seed {seed}: {target} decisions: accord macro-F1 {rec['macro_f1']:.3f} kappa {rec['kappa'] or 0:.3f}"
                + (f"; baseline {brec['macro_f1']:.3f} kappa {brec['kappa'] or 0:.3f}" if brec else ""))
    return results


def summarise(results: list[dict], codes: list[str]) -> list[dict]:
    """Mean over seeds per checkpoint."""
    rows = []
    points = []
    for r in results:
        if r["decisions"] not in points:
            points.append(r["decisions"])
    for point in points:
        rs = [r for r in results if r["decisions"] == point]
        row = {"decisions": point, "seeds": len(rs)}
        for who in ("accord", "baseline", "labels", "tuned"):
            recs = [r[who] for r in rs if r.get(who)]
            if not recs:
                continue
            row[who] = {
                "macro_f1": float(np.mean([x["macro_f1"] for x in recs])),
                "macro_f1_sd": float(np.std([x["macro_f1"] for x in recs])),
                "kappa": float(np.mean([x["kappa"] or 0.0 for x in recs])),
                "per_code": {c: float(np.mean([x["per_code"][c] for x in recs])) for c in codes},
            }
        rows.append(row)
    return rows
