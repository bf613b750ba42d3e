"""What the context features add to accord's learned model, in cross-validation grouped by session.

    python bench/context_ablation.py [--seeds 3] [--mi-seeds 1] [--skip-mi]

Context features (`accord.suggest.features.CONTEXT`): the previous turn's role and question
kind (open, closed, other, none), that kind joined with the turn's length, the turn's place in
the session and whether it is a backchannel. Each arm trains accord's own trainer
(`training.train_model`: class weights, per-code thresholds from inner grouped folds) on the
same folds, with and without them.

- Alliance: the 23 sessions of `../shared/corpus/alliance/` (gold.csv), five categories,
  utterance level, 5 folds of whole sessions per seed; precision, recall and F1 per category
  from the pooled held-out predictions, and macro-F1 over the categories. The guard that keeps
  `backchannels: false` codes off backchannels is applied to withdrawal in both arms, and the
  script counts how many withdrawal predictions it removed.
- MI: the 123 pool sessions (`pool/gold.csv`), therapist codes (reflection, question, input,
  other) and client codes (change, neutral, sustain), one per utterance (the likeliest),
  5 folds of whole sessions; macro-F1 per role.

The corpus is read from `../shared/corpus/` and never copied. Sessions differ a lot; compare the
two arms on the same folds, and mind the spread over seeds.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from bisect import bisect_right
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
CATEGORIES = ["rupture/withdrawal", "rupture/confrontation", "repair", "power dynamics", "real relationship"]
MI = {"therapist": ["reflection", "question", "therapist_input", "other"], "client": ["change", "neutral", "sustain"]}


def read_sessions(ids):
    from accord.transcripts import read_transcript

    return {i: read_transcript(CORPUS / "pool" / "transcripts" / f"annomi_{int(i):03d}.txt") for i in ids}


def utterance_at(t, offset: int) -> int:
    return bisect_right([u.start for u in t.utterances], offset) - 1


def features(nlp, sessions, context: bool):
    from accord.suggest import features as F
    from accord.suggest.analysis import analyze

    saved, F.CONTEXT = F.CONTEXT, context
    try:
        return {i: analyze(nlp, t) for i, t in sessions.items()}
    finally:
        F.CONTEXT = saved


def folds_of(ids, seed: int, k: int = 5):
    ids = sorted(ids)
    random.Random(seed).shuffle(ids)
    return [set(ids[j::k]) for j in range(k)]


def train(codes, nlp, X, Y, groups):
    from accord.codebook import parse_codebook
    from accord.suggest.training import train_model

    book = parse_codebook("name: ablation\ncodes:\n" + "".join(f"  - name: {c!r}\n" for c in codes))
    model, _ = train_model(book, nlp, X, Y, groups, prior=False)
    return model


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def alliance(nlp, seeds: int):
    index = list(csv.DictReader(open(CORPUS / "alliance" / "index.csv", encoding="utf-8")))
    ids = [int(r["transcript_id"]) for r in index]
    sessions = read_sessions(ids)
    gold = {i: [set() for _ in sessions[i].utterances] for i in ids}
    for row in csv.DictReader(open(CORPUS / "alliance" / "gold.csv", encoding="utf-8")):
        i = int(row["transcript_id"])
        gold[i][utterance_at(sessions[i], int(row["start"]))].add(row["code"])
    print(f"alliance: {len(ids)} sessions, {sum(len(g) for g in gold.values())} utterances, "
          f"{sum(len(s) for g in gold.values() for s in g)} gold codings")
    results = {}
    for context in (False, True):
        analyses = features(nlp, sessions, context)
        counts = {c: np.zeros(3) for c in CATEGORIES}  # tp, fp, fn, pooled over seeds and folds
        per_seed, removed = [], np.zeros(2, dtype=int)  # withdrawal predictions the guard removed; of them right
        for seed in range(seeds):
            seed_counts = {c: np.zeros(3) for c in CATEGORIES}
            for test in folds_of(ids, seed):
                X, Y, G = [], [], []
                for i in ids:
                    if i in test:
                        continue
                    for a, labels in zip(analyses[i], gold[i]):
                        X.append(a.features)
                        Y.append({c: int(c in labels) for c in CATEGORIES})
                        G.append(i)
                model = train(CATEGORIES, nlp, X, Y, G)
                for i in test:
                    scores = model.scores([a.features for a in analyses[i]])
                    for a, labels, row in zip(analyses[i], gold[i], scores):
                        for j, c in enumerate(model.codes):
                            said = row[j] >= model.thresholds[j]
                            truth = c in labels
                            if said and c == "rupture/withdrawal" and a.backchannel:
                                said = False  # the backchannel guard
                                removed += np.array([1, truth])
                            seed_counts[c] += [said and truth, said and not truth, truth and not said]
            for c in CATEGORIES:
                counts[c] += seed_counts[c]
            per_seed.append(np.mean([prf(*seed_counts[c])[2] for c in CATEGORIES]))
        results[context] = (counts, per_seed, removed)
    print(f"\nalliance, {seeds} seed(s) x 5 folds by session (P / R / F1 pooled over all held-out predictions)")
    print(f"{'category':24} {'without context':>20} {'with context':>20}")
    for c in CATEGORIES:
        cells = ["{:.2f} / {:.2f} / {:.2f}".format(*prf(*results[ctx][0][c])) for ctx in (False, True)]
        print(f"{c:24} {cells[0]:>20} {cells[1]:>20}")
    for ctx in (False, True):
        counts, per_seed, removed = results[ctx]
        macro = np.mean([prf(*counts[c])[2] for c in CATEGORIES])
        print(f"{'with' if ctx else 'without':7} context: macro-F1 {macro:.3f} (per seed: "
              f"{', '.join(f'{x:.3f}' for x in per_seed)}); withdrawal predictions on backchannels removed by "
              f"the guard: {removed[0]} ({removed[1]} of them right)")
    return results


def mi(nlp, seeds: int):
    rows = list(csv.DictReader(open(CORPUS / "pool" / "gold.csv", encoding="utf-8")))
    ids = sorted({int(r["transcript_id"]) for r in rows})
    sessions = read_sessions(ids)
    gold = {i: [None for _ in sessions[i].utterances] for i in ids}
    for r in rows:
        i = int(r["transcript_id"])
        gold[i][utterance_at(sessions[i], int(r["text_start"]))] = (r["interlocutor"], r["code"])
    print(f"\nMI pool: {len(ids)} sessions, {len(rows)} coded utterances")
    out = {}
    for context in (False, True):
        analyses = features(nlp, sessions, context)
        scores = {role: [] for role in MI}
        for seed in range(seeds):
            for test in folds_of(ids, seed):
                for role, codes in MI.items():
                    X, Y, G = [], [], []
                    for i in ids:
                        if i in test:
                            continue
                        for a, g in zip(analyses[i], gold[i]):
                            if g and g[0] == role and g[1] in codes:
                                X.append(a.features)
                                Y.append({c: int(c == g[1]) for c in codes})
                                G.append(i)
                    model = train(codes, nlp, X, Y, G)
                    truth, pred = [], []
                    for i in test:
                        pairs = [(a, g) for a, g in zip(analyses[i], gold[i]) if g and g[0] == role and g[1] in codes]
                        if not pairs:
                            continue
                        s = model.scores([a.features for a, _ in pairs])
                        pred += [model.codes[j] for j in s.argmax(axis=1)]
                        truth += [g[1] for _, g in pairs]
                    f1s = [prf(sum(p == c and t == c for p, t in zip(pred, truth)),
                               sum(p == c and t != c for p, t in zip(pred, truth)),
                               sum(p != c and t == c for p, t in zip(pred, truth)))[2] for c in codes]
                    scores[role].append(float(np.mean(f1s)))
        out[context] = scores
    print(f"MI, {seeds} seed(s) x 5 folds by session: macro-F1 (mean ± sd over folds)")
    for role in MI:
        cells = [f"{np.mean(out[ctx][role]):.3f} ± {np.std(out[ctx][role]):.3f}" for ctx in (False, True)]
        print(f"  {role:10} without context {cells[0]}   with context {cells[1]}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--mi-seeds", type=int, default=1)
    ap.add_argument("--skip-mi", action="store_true")
    args = ap.parse_args()
    if not (CORPUS / "alliance" / "gold.csv").is_file():
        print(f"{CORPUS} not found: this bench needs the shared corpus", file=sys.stderr)
        return 2
    from accord.codebook import load_codebook
    from accord.suggest.pipeline import build_pipeline

    started = time.perf_counter()
    nlp = build_pipeline(load_codebook(ROOT / "codebooks" / "alliance.yaml")).nlp
    alliance(nlp, args.seeds)
    if not args.skip_mi:
        mi(build_pipeline(load_codebook(ROOT / "codebooks" / "mi.yaml")).nlp, args.mi_seeds)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
