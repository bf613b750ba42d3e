"""Do the MI pool's expert labels help the alliance model? `python bench/mi_pool_eval.py`.

Round 3 of issue #12, item 5. The AnnoMI pool has one MI code per utterance from expert
coders. On the 23 alliance sessions, 56 of the 131 utterances the MI coders called therapist
input are power dynamics and 24 of 65 client sustain-talk utterances are confrontation. This
bench tries that signal on sessions outside the 23, two ways, against the model without it:

- data: MI-labelled utterances as weak, down-weighted training rows of the alliance model
  (therapist input -> a positive for Power dynamics, the other therapist codes -> a negative;
  sustain talk -> a positive for Confrontation rupture, change and neutral talk -> a negative;
  or the positives only). They are learned from, never used to choose thresholds.
- feature: a model trained on the MI labels (accord's own classifier, the 7 MI codes) whose
  score becomes a feature of every utterance for the alliance model ("mi=Therapist input"
  when the MI model gives it 0.5 or more, "mi=...:hi" at 0.75).

The 100 high-quality pool sessions outside the 23 are split by a seeded draw into 50 that
give MI labels (SOURCE) and 50 on which suggestions per ordinary session are counted
(MEASURE), so no session is counted where its own labels were learned. The alliance model is
trained leave one session out on the other 22 sessions' gold (imported as `accord codings
import` does, trained as `accord train --for` does), both rules and model, the 11 held-out
sessions of `alliance_real.DEV` reported apart. Skipped when the corpus is absent.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import alliance_real as ar  # noqa: E402

MI = {"reflection": "Reflection", "question": "Question", "therapist_input": "Therapist input",
      "other": "Other (therapist)", "change": "Change talk", "neutral": "Neutral talk", "sustain": "Sustain talk"}
THERAPIST = ["Reflection", "Question", "Therapist input", "Other (therapist)"]
CLIENT = ["Change talk", "Neutral talk", "Sustain talk"]
# Weak label of each MI code: {alliance code: 1 or 0}.
WEAK = {"Therapist input": {"Power dynamics": 1}, "Reflection": {"Power dynamics": 0},
        "Question": {"Power dynamics": 0}, "Other (therapist)": {"Power dynamics": 0},
        "Sustain talk": {"Confrontation rupture": 1}, "Change talk": {"Confrontation rupture": 0},
        "Neutral talk": {"Confrontation rupture": 0}}


def split_ordinary(seed: int = 12) -> tuple[list[int], list[int]]:
    ids = sorted(ar.ordinary_ids())
    random.Random(seed).shuffle(ids)
    half = len(ids) // 2
    return sorted(ids[:half]), sorted(ids[half:])


def mi_labels(analyses: dict, source: list[int]) -> list[tuple[str, int, str]]:
    """(transcript, utterance index, MI code) of the SOURCE sessions' expert labels."""
    out = []
    for r in csv.DictReader(open(ar.POOL / "gold.csv", encoding="utf-8")):
        tid = int(r["transcript_id"])
        if tid not in source:
            continue
        name = ar.name(tid)
        s, e = int(r["text_start"]), int(r["text_end"])
        for i, a in enumerate(analyses[name]):
            if a.start < e and a.end > s:
                out.append((name, i, MI[r["code"]]))
                break
    return out


def weak_rows(analyses, labelled, weight: float, positives_only: bool, negatives: int = 1200, seed: int = 0):
    """Weak rows: every positive, and (unless `positives_only`) a seeded sample of `negatives`
    of the negatives (all 4,200 made each training take minutes: accord's trainer costs
    time in rows times the codebook's codes)."""
    feats, labels, weights = [], [], []
    neg = [k for k, (_, _, code) in enumerate(labelled) if 1 not in WEAK[code].values()]
    keep = set(random.Random(seed).sample(neg, min(negatives, len(neg)))) if not positives_only else set()
    for k, (name, i, code) in enumerate(labelled):
        lab = WEAK[code]
        if 1 not in lab.values() and k not in keep:
            continue
        feats.append(analyses[name][i].features)
        labels.append(dict(lab))
        weights.append(weight)
    return feats, labels, weights


def mi_model(analyses, labelled):
    from accord.suggest.training import fit

    feats, labels = [], []
    for name, i, code in labelled:
        fam = THERAPIST if code in THERAPIST else CLIENT
        feats.append(analyses[name][i].features)
        labels.append({c: int(c == code) for c in fam})
    extra = [a.features for name in {n for n, _, _ in labelled} for a in analyses[name]]
    return fit(THERAPIST + CLIENT, feats, labels, extra=extra)


def with_mi_features(analyses: dict, model, codes: list[str]) -> dict:
    from accord.suggest.features import key

    out = {}
    for name, items in analyses.items():
        probs = model.scores([a.features for a in items])
        cols = [model.codes.index(c) for c in codes]
        new = []
        for a, p in zip(items, probs):
            extra = [key(f"mi={c}") for c, j in zip(codes, cols) if p[j] >= 0.5]
            extra += [key(f"mi={c}:hi") for c, j in zip(codes, cols) if p[j] >= 0.75]
            b = copy.copy(a)
            if extra:
                b.features = np.unique(np.concatenate([a.features, np.array(extra, dtype=np.uint64)]))
            new.append(b)
        out[name] = new
    return out


def train(project, book, coder, analyses, weak=None):
    from accord.suggest.pipeline import build_pipeline
    from accord.suggest.training import train_pipeline

    pipeline = build_pipeline(book)
    result = train_pipeline(project, pipeline, book, coders=[coder], cache=analyses, weak=weak)
    rep = result["report"]
    pipeline.set_model(result["model"], {"exclusive": rep["exclusive"], "roles": rep["roles"],
                                         "thresholds": rep["thresholds"],
                                         "review_thresholds": rep.get("review_thresholds", {})})
    return pipeline, rep


def evaluate(project, book, scorer, analyses, names, measure, weak=None, log=print) -> dict:
    from accord.suggest.suggester import suggest_analyses

    from accord.suggest.review import uncertain_first

    items = {"model": {}, "both": {}, "probes": {}}
    thresholds, uncertain, uncertain_probes = [], {}, {}
    gold = ar.read_rows(ar.ALLIANCE / "gold.csv")
    for k, n in enumerate(names):
        pipeline, rep = train(project, book, f"cv{k}", analyses, weak)
        thresholds.append(rep["thresholds"])
        items["model"][n] = suggest_analyses(pipeline, n, analyses[n], use_rules=False)
        items["both"][n] = suggest_analyses(pipeline, n, analyses[n])
        items["probes"][n] = [it for it in suggest_analyses(pipeline, n, analyses[n], review=True) if it.source == "probe"]
        # The uncertain-first order (accord.suggest.review) without and with the review-only candidates.
        t, low = rep["thresholds"], rep.get("review_thresholds") or {}
        positives = Counter(r["code"] for r in gold if r["transcript"] != n)
        for out_, extra, th in ((uncertain, [], lambda c: t.get(c, 0.5)),
                                (uncertain_probes, items["probes"][n], lambda c: min(t.get(c, 0.5), low.get(c, 1.01)))):
            queue = sorted(items["both"][n] + extra, key=lambda it: (it.start, it.code))
            out_[n] = uncertain_first(queue, threshold=th, positives=positives,
                                      disagree=lambda it: it.source == "rule" and "disagree" in it.explanation)
    pipeline, _ = train(project, book, "gold", analyses, weak)
    per_ord = [len(suggest_analyses(pipeline, n, analyses[n])) for n in measure]
    probes_ord = [sum(it.source == "probe" for it in suggest_analyses(pipeline, n, analyses[n], review=True))
                  for n in measure]
    held = [n for n in names if int(n.split("_")[1]) not in ar.DEV]
    out = {}
    for cond, by in items.items():
        out[cond] = {"all": scorer.table(by, names), "held": scorer.table(by, held)}
    ordered = {n: sorted(items["both"][n], key=lambda it: (it.start, it.code)) for n in names}
    out["first ten"] = {"all": ar.first_ten(scorer, ordered, names), "held": ar.first_ten(scorer, ordered, held)}
    out["first ten uncertain"] = {s: ar.first_ten(scorer, uncertain, ns) for s, ns in (("all", names), ("held", held))}
    out["first ten uncertain with probes"] = {s: ar.first_ten(scorer, uncertain_probes, ns)
                                              for s, ns in (("all", names), ("held", held))}
    out["ordinary"] = {"sessions": len(per_ord), "per session": sum(per_ord) / len(per_ord), "max": max(per_ord),
                       "none": sum(1 for x in per_ord if not x), "probes per session": sum(probes_ord) / len(probes_ord)}
    out["thresholds"] = {c: float(np.median([t.get(c, np.nan) for t in thresholds])) for c in ar.GROUPS}
    return out


def run(folder: Path, variants: list[str], log=print) -> dict:
    from accord.suggest.analysis import analyze
    from accord.suggest.pipeline import build_pipeline

    t0 = time.perf_counter()
    source, measure_ids = split_ordinary()
    project = ar.build(folder, ordinary=False)
    from accord.transcripts import read_transcript

    for tid in source + measure_ids:
        project.import_transcript(read_transcript(ar.POOL / "transcripts" / f"{ar.name(tid)}.txt"))
    book = project.codebook()
    gold = ar.read_rows(ar.ALLIANCE / "gold.csv")
    ids = ar.session_ids()
    names = [ar.name(t) for t in ids]
    measure = [ar.name(t) for t in measure_ids]
    rules = build_pipeline(book)
    analyses = {ar.name(t): analyze(rules.nlp, project.transcript(ar.name(t))) for t in ids + source + measure_ids}
    for k, t in enumerate(ids):
        ar.import_gold(project, [r for r in gold if r["id"] != t], f"cv{k}", folder)
    ar.import_gold(project, gold, "gold", folder)
    labelled = mi_labels(analyses, source)
    counts = defaultdict(int)
    for _, _, c in labelled:
        counts[c] += 1
    log(f"ready in {time.perf_counter() - t0:.0f}s: {len(labelled)} MI-labelled utterances from {len(source)} "
        f"sessions ({dict(counts)}); ordinary counted on {len(measure)}")
    results = {"source": source, "measure": measure_ids, "mi counts": dict(counts)}
    for v in variants:
        t1 = time.perf_counter()
        weak, an = None, analyses
        if v.startswith("data"):  # data:WEIGHT or data+:WEIGHT (positives only)
            w = float(v.split(":")[1])
            weak = weak_rows(analyses, labelled, w, positives_only=v.startswith("data+"))
        elif v.startswith("feature"):  # feature (all 7 MI codes) or feature:ti (therapist input, sustain talk)
            codes = THERAPIST + CLIENT if v == "feature" else ["Therapist input", "Sustain talk"]
            an = with_mi_features({n: analyses[n] for n in names + measure}, mi_model(analyses, labelled), codes)
        from accord.suggest import features as F

        saved = F.CONTEXT
        if v == "context":  # item 3: the previous turn's speaker and question, position (features.CONTEXT)
            F.CONTEXT = True
            an = {n: analyze(rules.nlp, project.transcript(n)) for n in names + measure}
        try:
            results[v] = evaluate(project, book, ar.Scorer(project, an, gold), an, names, measure, weak)
        finally:
            F.CONTEXT = saved
        log(f"{v}: {time.perf_counter() - t1:.0f}s")
        print_variant(v, results[v])
    project.close()
    return results


def _f(x):
    return "-" if x is None else f"{x:.2f}"


def print_variant(v, r):
    print(f"\n#### {v}")
    for split in ("all", "held"):
        cells = []
        for cat in ("withdrawal", "confrontation", "repair", "power dynamics", "real relationship"):
            x = r["both"][split][cat]
            cells.append(f"{cat} {_f(x['precision'])}/{_f(x['recall'])}/{_f(x['f1'])} ({x['suggested']})")
        a = r["both"][split]["all suggestions"]
        m = r["model"][split]["all suggestions"]
        ft = r["first ten"][split]
        print(f"{split}: " + "; ".join(cells) + f"; precision all {_f(a['precision'])} of {a['suggestions']}"
              f" (model only {_f(m['precision'])} of {m['suggestions']}); first 10: {ft['right']} of {ft['shown']}"
              f" ({ft['sessions with 6+ right of 10']} sessions 6+)")
    for split in ("all", "held"):
        pr = r["probes"][split]
        a, b = r["first ten uncertain"][split], r["first ten uncertain with probes"][split]
        print(f"review-only candidates, {split}: " + "; ".join(
            f"{cat} {pr[cat]['tp']} of {pr[cat]['suggested']}" for cat in
            ("withdrawal", "confrontation", "repair", "power dynamics", "real relationship"))
            + f"; uncertain first 10: {a['right']} of {a['shown']} without, {b['right']} of {b['shown']} with them")
    o = r["ordinary"]
    print(f"ordinary: {o['per session']:.2f}/session (max {o['max']}, none {o['none']}; review-only "
          f"{o['probes per session']:.2f}/session); "
          f"median thresholds {', '.join(f'{ar.SHORT[c]} {t:.2f}' for c, t in r['thresholds'].items())}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("variants", nargs="*", default=["none", "data:0.3", "data+:0.3", "feature"])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--signal", action="store_true", help="only how well the MI model's scores rank the alliance gold")
    a = ap.parse_args()
    if not ar.available():
        print(f"skipped: {ar.ALLIANCE} or {ar.POOL} not found")
        return 0
    if a.signal:
        signal()
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        res = run(Path(tmp), a.variants, log=lambda s: print("  " + s, file=sys.stderr, flush=True))
    if a.json:
        a.json.write_text(json.dumps(res, indent=1, default=str))
    return 0



def signal(log=print) -> dict:
    """How well the MI model's scores (trained on the SOURCE sessions) rank the 23 sessions'
    alliance gold: average precision of "Therapist input" for power dynamics (therapist turns)
    and of "Sustain talk" for confrontation (client turns), against the share of positives."""
    from sklearn.metrics import average_precision_score

    from accord.suggest.analysis import analyze
    from accord.suggest.pipeline import build_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        source, _ = split_ordinary()
        project = ar.build(Path(tmp), ordinary=False)
        from accord.transcripts import read_transcript

        for tid in source:
            project.import_transcript(read_transcript(ar.POOL / "transcripts" / f"{ar.name(tid)}.txt"))
        rules = build_pipeline(project.codebook())
        ids = ar.session_ids()
        analyses = {ar.name(t): analyze(rules.nlp, project.transcript(ar.name(t))) for t in ids + source}
        scorer = ar.Scorer(project, analyses, ar.read_rows(ar.ALLIANCE / "gold.csv"))
        model = mi_model(analyses, mi_labels(analyses, source))
        out = {}
        for mi_code, cat, role in (("Therapist input", "Power dynamics", "therapist"),
                                   ("Sustain talk", "Confrontation rupture", "client")):
            y, p = [], []
            for t in ids:
                n = ar.name(t)
                probs = model.scores([a.features for a in analyses[n]])[:, model.codes.index(mi_code)]
                for i, a in enumerate(analyses[n]):
                    if a.role == role:
                        y.append(cat in scorer.gold_units.get((n, i), ()))
                        p.append(float(probs[i]))
            out[cat] = {"average precision": average_precision_score(y, p), "share": sum(y) / len(y), "n": len(y)}
            log(f"{mi_code} score for {cat} on {role} turns of the 23: average precision "
                f"{out[cat]['average precision']:.2f} (chance {out[cat]['share']:.2f}, {len(y)} turns)")
        project.close()
    return out


if __name__ == "__main__":
    sys.exit(main())
