"""Benchmark: import a generated corpus of 100 transcripts, 1M words in all.

Prints words/s and utterances/s for parsing (reading files into Transcripts) and for
storing (writing them into a fresh project), and the total against the goal of 10 s on a
2-core machine. For scale it also times spaCy's bare tokenizer on the same text in the same
run, so the figures can be compared across machines as a ratio.

    python bench/import.py [--transcripts 100] [--words 1000000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from accord.store import Project
from accord.transcripts import read_transcript

from _corpus import VOCAB  # noqa: E402  (bench/ is on the path when a script runs)


def generate(folder: Path, n_transcripts: int, total_words: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    per = total_words // n_transcripts
    paths = []
    for i in range(n_transcripts):
        lines, words, seconds, speaker = [], 0, 0, "T"
        while words < per:
            n = min(per - words, max(1, int(rng.expovariate(1 / 20))))
            text = " ".join(rng.choice(VOCAB) for _ in range(n))
            lines.append(f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}] {speaker}: {text.capitalize()}.")
            words += n
            seconds += 2 + n // 3
            speaker = "C" if speaker == "T" else "T"
        path = folder / f"generated_{i:03d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcripts", type=int, default=100)
    ap.add_argument("--words", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(folder, args.transcripts, args.words)

        t0 = time.perf_counter()
        transcripts = [read_transcript(p) for p in paths]
        parse_s = time.perf_counter() - t0
        words = sum(t.words for t in transcripts)
        utterances = sum(len(t.utterances) for t in transcripts)

        t0 = time.perf_counter()
        with Project.create(folder / "bench.db") as project:
            for t in transcripts:
                project.import_transcript(t)
        store_s = time.perf_counter() - t0

        import spacy

        nlp = spacy.blank("en")
        nlp("warm up the tokenizer's caches before timing")
        sample = [t.text for t in transcripts[:10]]
        sample_words = sum(len(s.split()) for s in sample)
        t0 = time.perf_counter()
        for _ in nlp.pipe(sample):
            pass
        tok_wps = sample_words / (time.perf_counter() - t0)

    total = parse_s + store_s
    print(f"corpus      {len(transcripts)} transcripts, {words:,} words, {utterances:,} utterances")
    print(f"parse       {parse_s:6.2f} s  {words / parse_s:12,.0f} words/s  {utterances / parse_s:10,.0f} utterances/s")
    print(f"store       {store_s:6.2f} s  {words / store_s:12,.0f} words/s  {utterances / store_s:10,.0f} utterances/s")
    print(f"total       {total:6.2f} s  {words / total:12,.0f} words/s  (goal: under 10 s for 1M words: {'met' if total < 10 else 'NOT met'})")
    print(f"spaCy bare tokenizer on the same text: {tok_wps:,.0f} words/s; import / tokenizer = {words / total / tok_wps:.2f}")


if __name__ == "__main__":
    main()
