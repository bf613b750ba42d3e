"""Benchmark: exports of a large project (100 transcripts, 10,000 codings by two coders).

Times the Word excerpts report (quotes only, and with one utterance of context), the
REFI-QDA .qdpx export, and reading that .qdpx back and storing it in a new project, each
against the goal of 10 s on a 2-core machine. For scale across machines it also times
python-docx's own `add_paragraph`, which the reports avoid because it slows down as a
document grows.

    python bench/export.py [--transcripts 100] [--codings 10000] [--words 5000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from accord.codebook import load_codebook
from accord.demo import shipped
from accord.export.excerpts import excerpts_report
from accord.export.select import select
from accord.interchange import read_qdpx, write_qdpx
from accord.model import Transcript, Utterance
from accord.store import Project

from _corpus import VOCAB  # noqa: E402  (bench/ is on the path when a script runs)
GOAL_S = 10.0


def transcript(rng: random.Random, i: int, words: int) -> Transcript:
    parts, utterances, pos, said, seconds, speaker = [], [], 0, 0, 0, "T"
    while said < words:
        n = min(words - said, max(1, int(rng.expovariate(1 / 20))))
        text = " ".join(rng.choice(VOCAB) for _ in range(n)).capitalize() + "."
        prefix = f"{speaker}: "
        start = pos + len(prefix)
        utterances.append(Utterance(len(utterances) + 1, speaker, start, start + len(text), float(seconds)))
        parts.append(prefix + text + "\n")
        pos = start + len(text) + 1
        said += n
        seconds += 2 + n // 3
        speaker = "C" if speaker == "T" else "T"
    return Transcript(f"session_{i:03d}", "".join(parts), utterances, "text",
                      roles={"T": "therapist", "C": "client"})


def build(path: Path, n_transcripts: int, n_codings: int, words: int) -> None:
    rng = random.Random(11)
    with shipped("codebooks") as books:
        book = load_codebook(books / "alliance.yaml")
    codes = [c.name for c in book.codes]
    with Project.create(path) as project:
        project.load_codebook(book)
        transcripts = [transcript(rng, i, words) for i in range(n_transcripts)]
        for t in transcripts:
            project.import_transcript(t)
        for coder in ("alice", "bob"):
            rows = []
            for k in range(n_codings // 2):
                t = transcripts[k % n_transcripts]
                u = rng.choice(t.utterances)
                a = u.start + rng.randrange(0, max(1, (u.end - u.start) // 2))
                rows.append({"transcript": t.name, "code": rng.choice(codes), "start": a,
                             "end": rng.randrange(a + 1, u.end + 1),
                             "memo": "a note on why this was coded" if k % 10 == 0 else ""})
            project.import_codings(rows, coder)


def timed(label: str, fn) -> float:
    t0 = time.perf_counter()
    fn()
    s = time.perf_counter() - t0
    print(f"{label:<42} {s:6.2f} s  ({'goal met' if s < GOAL_S else 'goal NOT met'}: under {GOAL_S:.0f} s)")
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcripts", type=int, default=100)
    ap.add_argument("--codings", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=5_000, help="words per transcript")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build(folder / "bench.db", args.transcripts, args.codings, args.words)
        print(f"project     {args.transcripts} transcripts x {args.words:,} words, {args.codings:,} codings "
              f"(2 coders), built in {time.perf_counter() - t0:.1f} s")
        with Project.open(folder / "bench.db") as project:
            timed("excerpts .docx (quotes)", lambda: excerpts_report(select(project), folder / "a.docx"))
            timed("excerpts .docx (--context 1)",
                  lambda: excerpts_report(select(project), folder / "b.docx", context=1))
            timed("qdpx export", lambda: write_qdpx(project, folder / "bench.qdpx"))
            size = (folder / "bench.qdpx").stat().st_size

        def import_back():
            bundle = read_qdpx(folder / "bench.qdpx")
            with Project.create(folder / "back.db") as back:
                back.import_bundle(bundle)

        timed("qdpx import (read, check, store)", import_back)
        with Project.open(folder / "back.db") as back:
            assert back.status()["codings"] == args.codings
        print(f"qdpx size   {size / 1e6:.1f} MB")

        import docx

        document = docx.Document()
        style = document.styles["Normal"]
        t0 = time.perf_counter()
        for _ in range(2_000):
            document.add_paragraph("plain paragraph", style=style)
        naive = time.perf_counter() - t0
        print(f"for scale: python-docx add_paragraph, 2,000 plain paragraphs: {naive:.2f} s "
              f"({2_000 / naive:,.0f}/s, and slower as the document grows; the reports build their "
              "paragraphs directly)")

if __name__ == "__main__":
    main()
