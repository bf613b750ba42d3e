"""Suggestion speed and size on a generated corpus of at least 1M words.

    python bench/suggest.py [--words 1000000]

Builds a corpus by shuffling the shipped sample sessions' utterances into new transcripts,
trains a model on the sample reference coding, then prints words/s for spaCy's bare
tokenizer, rules only, and rules plus model (each also as a ratio to the tokenizer, same run),
the speed-up of two worker processes over one, the time to retrain on 2,000 decisions, the
time to load the saved pipeline, and peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus(words: int, seed: int = 0):
    from accord.model import Transcript, Utterance
    from accord.transcripts import read_transcript

    samples = [read_transcript(p) for p in sorted((ROOT / "sample_transcripts").iterdir())
               if p.suffix in {".txt", ".docx", ".vtt"}]
    pool = [(s.roles.get(u.speaker, "client"), s.utterance_text(u)) for s in samples for u in s.utterances]
    rng = random.Random(seed)
    out, total, k = [], 0, 0
    while total < words:
        parts, utts, pos = [], [], 0
        for n in range(400):
            role, text = rng.choice(pool)
            label = "T" if role == "therapist" else "C"
            line = f"{label}: {text}\n"
            utts.append(Utterance(n + 1, label, pos + 3, pos + 3 + len(text)))
            parts.append(line)
            pos += len(line)
            total += len(text.split())
        out.append(Transcript(f"gen{k:04d}", "".join(parts), utts, "text", roles={"T": "therapist", "C": "client"}))
        k += 1
    return out, total


def rate(fn, words):
    t = time.perf_counter()
    fn()
    dt = time.perf_counter() - t
    return words / dt, dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=1_000_000)
    args = ap.parse_args()
    from accord.codebook import load_codebook
    from accord.demo import build_demo
    from accord.store import Project
    from accord.suggest import service
    from accord.suggest.analysis import analyze
    from accord.suggest.pipeline import Pipeline, build_pipeline
    from accord.suggest.suggester import suggest_transcript
    from accord.suggest.workers import suggest_parallel

    transcripts, words = corpus(args.words)
    print(f"corpus: {len(transcripts)} transcripts, {words:,} words (shuffled sample utterances)")
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        build_demo(Path(tmp) / "demo.db")
        with Project.open(Path(tmp) / "demo.db") as project:
            trained, report = service.train(project)
            t = time.perf_counter()
            loaded, _ = service.load_pipeline(project)
            load_s = time.perf_counter() - t
    rules = build_pipeline(book)
    print(f"pipeline: {len(rules.rules)} rules from {len(book.codes)} codes; saved size {len(trained.to_bytes()) / 1e6:.1f} MB; "
          f"load from project {load_s:.2f}s")

    tok = rules.nlp.tokenizer
    tok_rate, _ = rate(lambda: [tok(t.text) for t in transcripts], words)
    rules_rate, _ = rate(lambda: [suggest_transcript(rules, t) for t in transcripts], words)
    model_rate, one_s = rate(lambda: [suggest_transcript(loaded, t) for t in transcripts], words)
    print(f"bare tokenizer     {tok_rate:>10,.0f} words/s")
    print(f"rules only         {rules_rate:>10,.0f} words/s  ({rules_rate / tok_rate:.3f} x tokenizer)   goal 100,000")
    print(f"rules + model      {model_rate:>10,.0f} words/s  ({model_rate / tok_rate:.3f} x tokenizer)   goal 40,000")
    two_rate, two_s = rate(lambda: suggest_parallel(loaded, transcripts, workers=2), words)
    print(f"rules + model, 2 workers {two_rate:>10,.0f} words/s: {one_s / two_s:.2f}x one process   goal 1.7x")

    # Retraining on 2,000 decisions: the reference coding's utterances plus generated ones.
    import numpy as np

    from accord.suggest.training import train_model

    analyses = [a for t in transcripts[:10] for a in analyze(rules.nlp, t)]
    rng = random.Random(1)
    codes = [c.name for c in book.codes if c.parent][:12]
    feats, labels, groups = [], [], []
    for i, a in enumerate(rng.sample(analyses, 2000)):
        feats.append(a.features)
        labels.append({rng.choice(codes): rng.random() < 0.4})
        groups.append(i % 10)
    t = time.perf_counter()
    train_model(book, rules.nlp, feats, labels, groups, extra=[a.features for a in analyses])
    print(f"retrain on 2,000 decisions: {time.perf_counter() - t:.1f}s (with 3-fold held-out scores)   goal < 30s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:.0f} MB   goal < 1024 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
