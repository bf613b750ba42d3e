"""What generalises to alliance sessions nobody read: `python bench/alliance_ceiling.py`.

Two questions about the goals of the alliance suggestions on real sessions (see
docs/suggestions.md), answered on ../shared/corpus/alliance with the rule-writing split of
`alliance_real.py` (DEV: 12 sessions the rules were written from; HELD: the other 11):

1. Markers. Would broad, act-level markers (directives and warnings for power dynamics, client
   pushback for confrontation, clipped answers for withdrawal), written from the manual rather
   than from any session, reach precision 0.5 and recall 0.4 on the held-out sessions? Each
   marker set is scored on DEV, on HELD, and by how often it fires on the 100 ordinary
   (high-quality, uncoded) pool sessions, where every hit counts as a wrong suggestion.
2. Learning. What does a linear model of the words make of 22 coded sessions, leave one
   session out, if it is even handed the best threshold for the held-out sessions afterwards
   (an oracle no real coder has)? scikit-learn's logistic regression on TF-IDF word 1-2-grams
   ("?" kept, sublinear tf, balanced classes) plus speaker role and turn length; then the same
   with marker counts and the previous turn (its speaker, whether it asked, its length); then
   with content words masked, so that topic ("asthma", "smoking") cannot stand in for the act.

Nothing here is part of accord; it prints figures for the docs. Skipped when the corpus is
absent.
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import alliance_real as A  # noqa: E402

# Written from the manual's markers and ordinary English, not from any session's wording.
DIRECTIVE = (r"\b(you|we) (really |do |just |definitely |still )?(need|have|got|ought|must|'ve got|'d better|should)\b"
             r"|\bmake sure\b|\bat risk\b|\bdanger|\brecommend|\bI want you to|\bI need you to|\bimportant\b"
             r"|\bdoctor|\bserious|\brisk\b")
MARKERS = {
    "Power dynamics": [
        ("a directive or warning (practitioner)", DIRECTIVE, "T", 1, 0),
        ("the same, in a turn of 30+ words", DIRECTIVE, "T", 1, 30),
        ("two or more of them in one turn", DIRECTIVE, "T", 2, 0),
    ],
    "Confrontation rupture": [
        ("starts with no / but (client)", r"^(no|but|well,? (no|but|i don't|i'm not))\b", "C", 1, 0),
        ("rejects or defends (client)", r"\b(i'm not (a|an|going|gonna)|i don't need|you don't understand"
                                        r"|that's not (true|fair|right)|i know(,|\.| that))", "C", 1, 0),
    ],
    "Withdrawal rupture": [
        ("a clipped answer of 3 words or fewer (client)", r"\w", "C", 1, -3),
        ("'I guess', 'whatever', 'I'm fine', 'I don't know' (client)",
         r"\b(i guess|whatever|i'm fine|i don't know)\b", "C", 1, 0),
    ],
}
TOKEN = re.compile(r"(?u)\b\w[\w']*\b|\?")


def utterances(tid: int) -> list[tuple[str, str]]:
    """(role letter, text) per transcript line."""
    out = []
    for line in (A.POOL / "transcripts" / f"{A.name(tid)}.txt").read_text(encoding="utf-8").splitlines():
        role, _, text = line.partition(":")
        out.append((role.strip(), text.strip()))
    return out


def gold_lines() -> dict[tuple[int, int], set[str]]:
    g = defaultdict(set)
    for r in A.read_rows(A.ALLIANCE / "gold.csv"):
        g[(r["id"], r["line"])].add(r["code"])
    return g


def split() -> dict[str, list[int]]:
    ids = A.session_ids()
    return {"dev": sorted(A.DEV), "held": [t for t in ids if t not in A.DEV], "ordinary": A.ordinary_ids()}


def pr(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"{p:.2f} / {r:.2f} ({tp + fp})"


def markers(gold, sets) -> None:
    print("\n### 1. Act-level markers from the manual (utterance level; P / R (suggestions))\n")
    print("| category | marker | 12 dev sessions | 11 held-out sessions | ordinary: hits per session |")
    print("|---|---|---|---|---|")
    for code, rows in MARKERS.items():
        for label, pattern, role, at_least, words in rows:
            rx = re.compile(pattern, re.I)
            counts = {}
            for s, ids in sets.items():
                tp = fp = fn = 0
                for t in ids:
                    for i, (who, text) in enumerate(utterances(t), 1):
                        n = len(text.split())
                        long_enough = n <= -words if words < 0 else n >= words
                        hit = who == role and long_enough and len(rx.findall(text)) >= at_least
                        g = code in gold.get((t, i), ())
                        tp += hit and g
                        fp += hit and not g
                        fn += g and not hit
                counts[s] = (tp, fp, fn)
            print(f"| {A.SHORT[code]} | {label} | {pr(*counts['dev'])} | {pr(*counts['held'])} | "
                  f"{counts['ordinary'][1] / len(sets['ordinary']):.2f} |")


def learning(gold, sets) -> None:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, f1_score

    ids = sets["dev"] + sets["held"]
    rows = []
    for t in ids:
        utts = utterances(t)
        for i, (who, text) in enumerate(utts, 1):
            prev = utts[i - 2] if i > 1 else ("", "")
            rows.append((t, i, who, text, prev))
    groups = np.array([r[0] for r in rows])
    cats = ["Power dynamics", "Confrontation rupture", "Withdrawal rupture"]
    y = {c: np.array([c in gold.get((t, i), ()) for t, i, *_ in rows]) for c in cats}
    directive = re.compile(DIRECTIVE, re.I)
    keep = set(ENGLISH_STOP_WORDS) | {"?", "need", "needs", "have", "got", "gonna", "want", "make", "sure", "really",
                                      "important", "just", "don't", "can't", "won't", "i'm", "you're", "it's", "not",
                                      "okay", "yeah", "going", "think", "know", "try", "tell", "well", "mean",
                                      "better", "should", "must", "fine", "whatever", "guess", "sorry"}

    def mask(text: str) -> str:
        return " ".join(w if w.lower() in keep else "x" for w in TOKEN.findall(text))

    def dense(r, context: bool) -> list[float]:
        _, _, who, text, (pwho, ptext) = r
        n = len(text.split())
        f = [who == "T", who == "C", np.log1p(n), n >= 30]
        if context:
            k = len(directive.findall(text))
            f += [k, min(k, 3) * (who == "T"), pwho == "T", ptext.endswith("?"), np.log1p(len(ptext.split()))]
        return f

    variants = [("words, role, length", False, False), ("+ markers and previous turn", True, False),
                ("function words only (topic masked)", False, True)]
    print("\n### 2. A linear model of the words, leave one session out, handed the best threshold afterwards\n")
    print("| features | " + " | ".join(f"{A.SHORT[c]}: AP, F1 at 0.5, best F1 (dev / held)" for c in cats) + " |")
    print("|---|" + "---|" * len(cats))
    for label, context, masked in variants:
        texts = [mask(r[3]) if masked else r[3] for r in rows]
        dense_all = np.array([dense(r, context) for r in rows], float)
        scores = {c: {"dev": ([], []), "held": ([], [])} for c in cats}
        for g in ids:
            tr, te = groups != g, groups == g
            vec = TfidfVectorizer(ngram_range=(1, 2), token_pattern=TOKEN.pattern, sublinear_tf=True, min_df=2)
            xw = vec.fit_transform([t for t, m in zip(texts, tr) if m])
            mu, sd = dense_all[tr].mean(0), dense_all[tr].std(0) + 1e-9
            d = (dense_all - mu) / sd
            xtr = hstack([xw, csr_matrix(d[tr])]).tocsr()
            xte = hstack([vec.transform([t for t, m in zip(texts, te) if m]), csr_matrix(d[te])]).tocsr()
            part = "dev" if g in A.DEV else "held"
            for c in cats:
                model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(xtr, y[c][tr])
                scores[c][part][0].extend(model.predict_proba(xte)[:, 1])
                scores[c][part][1].extend(y[c][te])
        cells = []
        for c in cats:
            parts = []
            for part in ("dev", "held"):
                p, t = map(np.array, scores[c][part])
                best = max(f1_score(t, p >= th) for th in np.arange(0.1, 0.95, 0.05))
                parts.append(f"{average_precision_score(t, p):.2f}, {f1_score(t, p >= 0.5):.2f}, {best:.2f}")
            cells.append(" / ".join(parts))
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> int:
    if not A.available():
        print(f"skipped: {A.ALLIANCE} or {A.POOL} not found (the shared alliance corpus)")
        return 0
    started = time.perf_counter()
    gold, sets = gold_lines(), split()
    markers(gold, sets)
    learning(gold, sets)
    print(f"\n({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
