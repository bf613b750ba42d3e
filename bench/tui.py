"""Benchmark: the real coding UI on a generated 100k-word, 5,000-utterance transcript.

The transcript carries 5,000 codings and 2,000 pending suggestions. The app is driven
headlessly (Textual's Pilot) at 120x40 and the script prints time to first paint, CPU time
per key (down, page down, apply code, next suggestion in text order and, after switching
with `O`, uncertain first) and peak memory, against the goals:
first paint under 0.5 s, under 15 ms CPU per key, under 250 MB.

CPU per key includes the test harness's own cost (Pilot waits for every widget on the screen
to drain its message queue after each key). That cost is measured alone, pressing an
unbound key in an empty app, and each key is also printed less it; the goal verdicts apply
to the full figure. First paint is timed from creating the app; importing it, which a user
also waits for, is timed separately in a fresh process.

    python bench/tui.py [--utterances 5000] [--words 100000] [--presses 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
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


async def press_cpu(pilot, keys: list[str], presses: int) -> float:
    """CPU milliseconds per press of `keys`, including the frames they cause."""
    await pilot.pause()
    cpu = time.process_time()
    for _ in range(presses):
        for key in keys:
            await pilot.press(key)
    await pilot.pause()
    return (time.process_time() - cpu) / presses * 1000


async def harness_cpu(presses: int) -> float:
    """Pilot's own cost per key: an unbound key in an app with nothing in it."""
    from textual.app import App
    from textual.widgets import Static

    class Empty(App):
        def compose(self):
            yield Static("empty")

    async with Empty().run_test(size=(120, 40)) as pilot:
        await press_cpu(pilot, ["f12"], presses)  # warm up
        return await press_cpu(pilot, ["f12"], presses)


def import_seconds() -> float:
    """Time to import the app in a fresh interpreter (the part of start-up before the app exists)."""
    code = "import time; t = time.perf_counter(); import accord.tui.app; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


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
            ("unbound key", ["f12"]),
            ("down", ["j"]),
            ("page down", ["pagedown"]),
            ("apply code", ["1"]),
            ("next suggestion", ["right_square_bracket"]),
        ):
            figures[f"{label} (ms CPU/key)"] = await press_cpu(pilot, keys, presses)
        cpu = time.process_time()
        await pilot.press("O")
        figures["switch to uncertain first (ms CPU, once)"] = (time.process_time() - cpu) * 1000
        figures["next suggestion, uncertain first (ms CPU/key)"] = await press_cpu(pilot, ["right_square_bracket"], presses)
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
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # remembered coder and order stay here
        path = build_project(Path(tmp), args.utterances, args.words, args.codings, args.suggestions)
        figures = asyncio.run(drive(path, args.presses))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    harness = asyncio.run(harness_cpu(args.presses))
    imports = import_seconds()
    print(f"transcript: {args.utterances} utterances, ~{args.words:,} words, {args.codings} codings, {args.suggestions} suggestions")
    print(f"{'import the app (s)':46} {imports:10.2f}  (fresh process; not part of first paint)")
    for key, value in figures.items():
        goal = 0.5 if key == "first paint (s)" else 15.0 if "CPU/key" in key else None
        verdict = "" if goal is None else ("  (goal met)" if value < goal else f"  (goal {goal}: NOT met)")
        less = f"  {value - harness:6.2f} less harness" if "CPU/key" in key else ""
        print(f"{key:46} {value:10.2f}{less}{verdict}")
    print(f"{'harness alone (ms CPU/key)':46} {harness:10.2f}  (Pilot pressing an unbound key in an empty app)")
    print(f"{'peak memory (MB)':46} {peak_mb:10.1f}  ({'goal met' if peak_mb < 250 else 'goal 250: NOT met'})")


if __name__ == "__main__":
    main()
