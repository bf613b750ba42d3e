"""Benchmark: the real coding UI on a generated 100k-word, 5,000-utterance transcript.

The transcript carries 5,000 codings and 2,000 pending suggestions. The app is driven
headlessly (Textual's Pilot) at 120x40 and the script prints time to first paint, CPU time
per key (down, page down, apply code, next suggestion) and peak memory, against the goals:
first paint under 0.5 s, under 15 ms CPU per key, under 250 MB.

    python bench/tui.py [--utterances 5000] [--words 100000] [--presses 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import tempfile
import time
from pathlib import Path

from accord.codebook import load_codebook
from accord.model import Transcript, Utterance
from accord.store import Project

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("I you we it that this what just really know think feel like so um yeah okay mean kind of the "
         "and but because when then week sleep work mother partner anxious angry tired safe better worse "
         "maybe never always session talk said help trying want need hard little time today").split()


def build_project(folder: Path, n_utt: int, n_words: int, n_codings: int, n_suggestions: int) -> Path:
    rng = random.Random(3)
    lines, utterances, pos = [], [], 0
    per = n_words // n_utt
    for i in range(n_utt):
        speaker = "T" if i % 2 == 0 else "C"
        body = " ".join(rng.choice(WORDS) for _ in range(max(1, int(rng.gauss(per, per / 2)))))
        line = f"{speaker}: {body.capitalize()}."
        utterances.append(Utterance(i + 1, speaker, pos + 3, pos + len(line), float(i * 7)))
        lines.append(line)
        pos += len(line) + 1
    transcript = Transcript("bench", "\n".join(lines) + "\n", utterances, "text")
    path = folder / "bench.db"
    with Project.create(path) as p:
        book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
        p.load_codebook(book)
        p.import_transcript(transcript)
        leaves = [c.name for c in book.codes if not book.children(c.name)]
        rows = []
        for _ in range(n_codings):
            u = rng.choice(utterances)
            a = rng.randint(u.start, u.end - 1)
            rows.append({"transcript": "bench", "code": rng.choice(leaves), "start": a, "end": rng.randint(a + 1, u.end)})
        p.import_codings(rows, "alice")
        items = []
        for u in rng.sample(utterances, n_suggestions):
            items.append({"code": rng.choice(leaves), "start": u.start, "end": u.end, "score": 0.7, "explanation": "bench"})
        p.replace_suggestions("bench", "bench", items)
    return path


async def drive(path: Path, presses: int) -> dict:
    from accord.tui.app import AccordApp
    from accord.tui.screens.coding import CodingScreen

    started = time.perf_counter()
    app = AccordApp(path, coder="alice", transcript="bench", offer_demo=False)
    figures = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, CodingScreen) and app.screen.view._row_cache):
            await pilot.pause(0.001)
        figures["first paint (s)"] = time.perf_counter() - started
        screen = app.screen
        for label, keys in (
            ("unbound key (Pilot's own cost)", ["f12"]),
            ("down", ["j"]),
            ("page down", ["pagedown"]),
            ("apply code", ["1"]),
            ("next suggestion", ["right_square_bracket"]),
        ):
            await pilot.pause()
            cpu = time.process_time()
            for _ in range(presses):
                for key in keys:
                    await pilot.press(key)
            await pilot.pause()
            figures[f"{label} (ms CPU/key)"] = (time.process_time() - cpu) / presses * 1000
        figures["codings at end"] = len(screen.session.codings)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--utterances", type=int, default=5000)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--codings", type=int, default=5000)
    ap.add_argument("--suggestions", type=int, default=2000)
    ap.add_argument("--presses", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_project(Path(tmp), args.utterances, args.words, args.codings, args.suggestions)
        figures = asyncio.run(drive(path, args.presses))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    goals = {"first paint (s)": 0.5}
    print(f"transcript: {args.utterances} utterances, ~{args.words:,} words, {args.codings} codings, {args.suggestions} suggestions")
    for key, value in figures.items():
        goal = goals.get(key, 15.0 if "per key" in key or "CPU/key" in key else None)
        verdict = "" if goal is None else ("  (goal met)" if value < goal else f"  (goal {goal}: NOT met)")
        print(f"{key:32} {value:10.2f}{verdict}")
    print(f"{'peak memory (MB)':32} {peak_mb:10.1f}  ({'goal met' if peak_mb < 250 else 'goal 250: NOT met'})")


if __name__ == "__main__":
    main()
