"""Benchmark: agreement at character level over 1M characters, and a full utterance report.

1. Character level: 2 coders, 20 codes, transcripts totalling 1M characters of speech.
   Times Cohen's kappa for all 20 codes from the project (loading codings, marking the
   coded characters, kappa), kappa alone on the ready boolean arrays, and the full
   character-level report (alpha, unitizing alpha, the overall set-of-codes figures).
   Goal: under 2 s.
2. Utterance level: a full `agreement_report` over 100 generated transcripts with 3 coders
   (Fleiss' kappa, alpha with 1000 bootstrap resamples per code, pairwise matrices,
   unitizing alpha), from opening the project to the finished report. Goal: under 1 s.

Projects are generated in a temporary folder first (not timed).

    python bench/agreement.py [--chars 1000000] [--transcripts 100]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from accord.agreement.coefficients import cohen_kappa
from accord.agreement.report import agreement_report
from accord.agreement.unit_table import build_unit_table
from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project

CODES = [f"Code {i:02d}" for i in range(20)]
BOOK = "name: Bench\ncodes:\n" + "".join(f"  - name: {c}\n" for c in CODES)
WORDS = "I you we it that this what just really know think feel like so um yeah okay right mean sort of the and but".split()


def make_transcript(rng: random.Random, name: str, chars: int) -> Transcript:
    lines, utterances, pos, n = [], [], 0, 0
    while sum(u.end - u.start for u in utterances) < chars:
        n += 1
        said = " ".join(rng.choice(WORDS) for _ in range(max(1, int(rng.expovariate(1 / 20))))).capitalize() + "."
        line = f"{'TC'[n % 2]}: {said}"
        utterances.append(Utterance(n, line[0], pos + 3, pos + len(line)))
        lines.append(line)
        pos += len(line) + 1
    return Transcript(name, "\n".join(lines) + "\n", utterances, "text")


def codings_for(rng: random.Random, t: Transcript, per_code: int, whole: bool) -> dict[str, list[dict]]:
    """A first coder, and others who mostly agree with them (spans jittered or dropped)."""
    first = []
    for code in CODES:
        for u in rng.sample(t.utterances, min(per_code, len(t.utterances))):
            if whole:
                s, e = u.start, u.end
            else:
                s = rng.randrange(u.start, u.end)
                e = min(u.end, s + rng.randrange(1, 200))
            first.append({"transcript": t.name, "code": code, "start": s, "end": e})
    return first


def jitter(rng: random.Random, rows: list[dict], t: Transcript, whole: bool) -> list[dict]:
    out = []
    for r in rows:
        if rng.random() < 0.15:
            continue
        if whole:
            out.append(dict(r))
        else:
            s = min(len(t.text) - 1, max(0, r["start"] + rng.randint(-5, 5)))
            e = min(len(t.text), max(s + 1, r["end"] + rng.randint(-5, 5)))
            out.append(dict(r, start=s, end=e))
    return out


def build(path: Path, n_transcripts: int, chars: int, coders: int, per_code: int, whole: bool, seed: int) -> None:
    rng = random.Random(seed)
    with Project.create(path) as p:
        p.load_codebook(parse_codebook(BOOK))
        rows = {f"coder{i}": [] for i in range(coders)}
        for k in range(n_transcripts):
            t = make_transcript(rng, f"t{k:03d}", chars // n_transcripts)
            p.import_transcript(t)
            base = codings_for(rng, t, per_code, whole)
            rows["coder0"] += base
            for i in range(1, coders):
                rows[f"coder{i}"] += jitter(rng, base, t, whole)
        for coder, batch in rows.items():
            p.import_codings(batch, coder)


def timed(label: str, fn, goal: float | None = None):
    t0 = time.perf_counter()
    value = fn()
    took = time.perf_counter() - t0
    print(f"  {label:<58} {took:7.3f} s" + (f"   (goal < {goal:g} s: {'met' if took < goal else 'NOT met'})" if goal else ""))
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chars", type=int, default=1_000_000)
    ap.add_argument("--transcripts", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        chars_db, utt_db = Path(tmp) / "chars.db", Path(tmp) / "utterances.db"
        build(chars_db, 20, args.chars, 2, 60, whole=False, seed=1)
        build(utt_db, args.transcripts, args.transcripts * 15_000, 3, 5, whole=True, seed=2)

        print(f"Character level: 2 coders, {len(CODES)} codes")
        with Project.open(chars_db) as p:

            def kappas():
                table = build_unit_table(p, ["coder0", "coder1"], "character")
                return table, [cohen_kappa(table.applied[i][0], table.applied[i][1]) for i in range(len(CODES))]

            table, values = timed("Cohen's kappa, 20 codes, from the project", kappas, 2.0)
            print(f"    {table.n_units:,} characters, {sum(len(s) for c in table.spans for s in c):,} codings; "
                  f"kappa {min(values):.3f}..{max(values):.3f}")
            timed("Cohen's kappa, 20 codes, on ready boolean arrays",
                  lambda: [cohen_kappa(table.applied[i][0], table.applied[i][1]) for i in range(len(CODES))])
            timed("full character-level report", lambda: agreement_report(p, ["coder0", "coder1"], unit="character"))

        print(f"Utterance level: {args.transcripts} transcripts, 3 coders, {len(CODES)} codes")
        with Project.open(utt_db) as p:
            report = timed("full report (1000 bootstrap resamples per code)",
                           lambda: agreement_report(p, ["coder0", "coder1", "coder2"]), 1.0)
            print(f"    {report.units:,} utterances, overall Fleiss' kappa {report.overall.all_units.kappa:.3f}")
            timed("the same with --per-transcript", lambda: agreement_report(p, ["coder0", "coder1", "coder2"], per_transcript=True))


if __name__ == "__main__":
    main()
