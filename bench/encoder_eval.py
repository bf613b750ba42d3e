"""Does the optional sentence encoder help? `python bench/encoder_eval.py [alliance|mi|speed|all]`

Issue 12, item 6: an encoder is kept only if it measurably helps. This measures the numpy
all-MiniLM-L6-v2 (`minilm.py`) three ways, always in 5-fold cross-validation
grouped by session:

- alliance: the 23 sessions of ../shared/corpus/alliance, one classifier per category
  (scikit-learn logistic regression, balanced classes) on TF-IDF word 1-2-grams with the
  speaker's role, on the sentence vector, and on both side by side; average precision (ranking,
  threshold-free) and F1 at 0.5. Also "zero-shot": each utterance's best cosine similarity to
  the codebook examples of the category (what suggestions for a code nobody has coded yet would
  rank by).
- mi: therapist codes of the 123 pool sessions (one code per utterance), macro-F1 at 50, 100,
  200, 400 and all training labels, TF-IDF against TF-IDF plus the vector (the setting where
  ../shared/DESIGN.md reports +0.03 to +0.07).
- speed: utterances and words per second on one core.

Sentence vectors are cached per text under the system temp folder, so a second run is fast.
Needs tokenizers, safetensors and the model package (`minilm.INSTALL_HINT`) and scikit-learn.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import alliance_real as ar  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "accord-encoder-cache"
FAMILY = {"reflection": "Reflection", "question": "Question", "therapist_input": "Therapist input",
          "other": "Other (therapist)"}


def vectors(encoder, texts: list[str]) -> np.ndarray:
    """Sentence vectors, cached on disk by a digest of all the texts."""
    CACHE.mkdir(exist_ok=True)
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    out = encoder.encode(texts)
    np.save(path, out)
    return out


def alliance_data():
    from accord.transcripts import read_transcript

    gold = ar.read_rows(ar.ALLIANCE / "gold.csv")
    texts, roles, groups, Y = [], [], [], []
    for tid in ar.session_ids():
        t = read_transcript(ar.POOL / "transcripts" / f"{ar.name(tid)}.txt")
        rows = [r for r in gold if r["id"] == tid]
        for u in t.utterances:
            cats = {r["code"] for r in rows if r["start"] < u.end and r["end"] > u.start}
            texts.append(t.text[u.start:u.end])
            roles.append((u.speaker or "x").split()[0].lower())
            groups.append(tid)
            Y.append([g in cats for g in ar.GROUPS])
    return texts, roles, np.array(groups), np.array(Y)


def with_role(texts, roles):
    return [f"role_{r} {t}" for r, t in zip(roles, texts)]


def cross_val_scores(X_text, E, Y, groups, kind: str, *, c: float = 10.0):
    """Held-out probabilities per column of Y, in 5 folds grouped by session."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    out = np.zeros(Y.shape, float)
    for train, test in GroupKFold(5).split(X_text, groups=groups):
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        Xtr = vec.fit_transform([X_text[i] for i in train])
        Xte = vec.transform([X_text[i] for i in test])
        if kind == "vector":
            Xtr, Xte = E[train], E[test]
        elif kind == "both":
            Xtr = hstack([Xtr, csr_matrix(E[train])]).tocsr()
            Xte = hstack([Xte, csr_matrix(E[test])]).tocsr()
        for j in range(Y.shape[1]):
            if Y[train, j].sum() < 2:
                continue
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
            out[test, j] = model.fit(Xtr, Y[train, j]).predict_proba(Xte)[:, 1]
    return out


def alliance(encoder) -> dict:
    from sklearn.metrics import average_precision_score, f1_score

    from accord.codebook import load_codebook

    texts, roles, groups, Y = alliance_data()
    E = vectors(encoder, texts)
    X_text = with_role(texts, roles)
    cats = ar.GROUPS[:4]  # real relationship: 5 utterances in 813, nothing to rank
    result = {}
    for kind in ("tfidf", "vector", "both"):
        P = cross_val_scores(X_text, E, Y, groups, kind)
        result[kind] = {ar.SHORT[g]: (average_precision_score(Y[:, j], P[:, j]), f1_score(Y[:, j], P[:, j] > 0.5))
                        for j, g in enumerate(cats)}
    codebook = load_codebook(ar.ROOT / "codebooks" / "alliance.yaml")
    by_name = codebook.by_name()

    def category(code):
        while code is not None:
            if code.name in ar.GROUPS:
                return code.name
            code = by_name[code.parent] if code.parent else None

    examples = {g: [] for g in cats}
    for code in codebook.codes:
        if category(code) in examples:
            examples[category(code)] += code.examples
    result["zero-shot"] = {}
    for j, g in enumerate(cats):
        sim = (E @ encoder.encode(examples[g]).T).max(1)
        result["zero-shot"][ar.SHORT[g]] = (average_precision_score(Y[:, j], sim), None)
    result["prevalence"] = {ar.SHORT[g]: (Y[:, j].mean(), None) for j, g in enumerate(cats)}
    print("\nalliance, 23 sessions, 813 utterances, 5 folds grouped by session: average precision / F1 at 0.5")
    print(f"{'':12}" + "".join(f"{ar.SHORT[g]:>20}" for g in cats))
    for kind, row in result.items():
        cells = "".join(f"{ap:>12.2f} / {f1:.2f}" if f1 is not None else f"{ap:>19.2f}" for ap, f1 in row.values())
        print(f"{kind:12}{cells}")
    return result


def mi(encoder, *, seeds: int = 3) -> dict:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    rows = [r for r in csv.DictReader(open(ar.POOL / "gold.csv", encoding="utf-8")) if r["code"] in FAMILY]
    texts_by_file = {}
    texts, labels, groups = [], [], []
    for r in rows:
        tid = int(r["transcript_id"])
        if tid not in texts_by_file:
            texts_by_file[tid] = (ar.POOL / "transcripts" / f"{ar.name(tid)}.txt").read_text(encoding="utf-8")
        texts.append(texts_by_file[tid][int(r["text_start"]):int(r["text_end"])])
        labels.append(r["code"])
        groups.append(tid)
    t0 = time.perf_counter()
    E = vectors(encoder, texts)
    print(f"\nmi: {len(texts)} therapist utterances in {len(texts_by_file)} sessions (vectors in {time.perf_counter() - t0:.0f} s)")
    labels, groups = np.array(labels), np.array(groups)
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = [50, 100, 200, 400, None]
    result = {kind: {n: [] for n in counts} for kind in ("tfidf", "both")}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        for train, test in GroupKFold(5).split(texts, groups=groups):
            for n in counts:
                pick = train if n is None else rng.choice(train, size=n, replace=False)
                if len(set(labels[pick])) < 2:
                    continue
                vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
                Xtr = vec.fit_transform([texts[i] for i in pick])
                Xte = vec.transform([texts[i] for i in test])
                for kind in ("tfidf", "both"):
                    a, b = (Xtr, Xte) if kind == "tfidf" else (hstack([Xtr, csr_matrix(E[pick])]).tocsr(),
                                                                hstack([Xte, csr_matrix(E[test])]).tocsr())
                    model = LogisticRegression(C=10, class_weight="balanced", max_iter=3000).fit(a, labels[pick])
                    result[kind][n].append(f1_score(labels[test], model.predict(b), average="macro"))
    print(f"therapist macro-F1, 5 folds grouped by session x {seeds} draws of the training labels")
    print(f"{'labels':8}{'tfidf':>8}{'+vector':>9}{'gain':>7}")
    for n in counts:
        a, b = np.mean(result["tfidf"][n]), np.mean(result["both"][n])
        print(f"{n or 'all'!s:8}{a:>8.3f}{b:>9.3f}{b - a:>+7.3f}")
    return result


def speed(encoder) -> None:
    texts, _, _, _ = alliance_data()
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    encoder.encode(texts)
    dt = time.perf_counter() - t0
    print(f"\nspeed: {len(texts)} utterances, {words} words in {dt:.1f} s: {len(texts) / dt:.0f} utterances/s, "
          f"{words / dt:.0f} words/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all", choices=["alliance", "mi", "speed", "all"])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    from minilm import Encoder, status

    if not ar.available():
        print(f"skipped: {ar.ALLIANCE} not found (the shared AnnoMI corpus)")
        return 0
    encoder = Encoder.load()
    if encoder is None:
        print(f"skipped: {status()}")
        return 0
    print(status())
    if args.what in ("speed", "all"):
        speed(encoder)
    if args.what in ("alliance", "all"):
        alliance(encoder)
    if args.what in ("mi", "all"):
        mi(encoder, seeds=args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
