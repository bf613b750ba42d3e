"""Benchmark: rupture-repair episodes and lag tables over 100 generated sessions with 10,000
codings, from opening the project to the finished figures. Goal: under 2 s. Then, for each
coder from opening the project: talk statistics and code rates by role (`accord stats`), the
three co-occurrence matrices, and a retrieval query (`accord retrieve`). Goal: all of it for
both coders (10,000 codings) under 2 s. MITI scores need the MI codebook and are not timed
here (they are one pass over the codings, like the code rates). Last, the retrieval screen of
the terminal UI (driven by Pilot at 120x40) opening on 10,000 segments: 100 sessions with 100
rupture codings each, from asking for Rupture to the filled table. Goal: under 0.5 s.

Each session has 300 timed utterances alternating therapist and client; 100 codings per session
are drawn from the alliance codebook (ruptures on client turns, repairs on therapist turns,
power and real-relationship codes on either). The project is generated in a temporary folder
first (not timed). Timed: `project_episodes` + `summarize` per session and overall, episode
agreement between two coders (5,000 codings each), and lag tables 1-3 with by-role categories.

    python bench/sequences.py [--sessions 100] [--codings 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from accord.analysis import Query, code_frequencies, cooccurrence, load_coded, retrieve, talk
from accord.codebook import load_codebook
from accord.model import Transcript, Utterance
from accord.sequences import episode_agreement, event_sequences, lag_table, project_episodes, summarize
from accord.store import Project

ROOT = Path(__file__).resolve().parents[1]
SAYS = ["I guess.", "Whatever you think.", "That's not what I meant at all.", "Can we talk about how this is going?",
        "It sounds like I got that wrong.", "Work has been hard this week, honestly.", "Okay."]


def make_transcript(rng: random.Random, name: str, turns: int) -> Transcript:
    parts, utterances, pos = [], [], 0
    for n in range(1, turns + 1):
        who = "T" if n % 2 else "C"
        said = rng.choice(SAYS)
        line = f"{who}: {said}\n"
        utterances.append(Utterance(n, who, pos + 3, pos + 3 + len(said), 8.0 * n, 8.0 * n + 7))
        parts.append(line)
        pos += len(line)
    return Transcript(name, "".join(parts), utterances, "text", roles={"T": "therapist", "C": "client"})


def build(folder: Path, sessions: int, codings: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    rupture = [c.name for c in book.codes if book.family_of(c.name)[0] == "rupture"]
    repair = [c.name for c in book.codes if book.family_of(c.name)[0] == "repair"]
    other = [c.name for c in book.codes if book.family_of(c.name)[0] is None]
    path = folder / "bench.db"
    per = codings // sessions // 2
    with Project.create(path) as project:
        project.load_codebook(book)
        for s in range(sessions):
            t = make_transcript(rng, f"session{s:03d}", 300)
            project.import_transcript(t)
            for coder in ("a", "b"):
                rows = []
                for _ in range(per):
                    u = rng.choice(t.utterances)
                    pool = rupture if u.speaker == "C" and rng.random() < 0.5 else repair if rng.random() < 0.5 else other
                    rows.append({"transcript": t.name, "code": rng.choice(pool), "start": u.start, "end": u.end})
                project.import_codings(rows, coder)
    return path


def run(path: Path) -> dict:
    start = time.perf_counter()
    with Project.open(path) as project:
        found = {c: project_episodes(project, c) for c in ("a", "b")}
        summaries = {n: summarize(es) for n, es in found["a"].items()}
        overall = summarize([e for es in found["a"].values() for e in es])
        agreement = episode_agreement(found["a"], found["b"])
        seqs = event_sequences(project, "a", by_role=True)
        tables = [lag_table(seqs.values(), k) for k in (1, 2, 3)]
        for t in tables:
            t.adjusted_residuals, t.yules_q, t.probabilities
    return {"seconds": time.perf_counter() - start, "sessions": len(summaries), "ruptures": overall["ruptures"],
            "resolved": overall["resolved"], "agreement": agreement["agreement"], "categories": len(tables[0].categories)}


def run_analysis(path: Path, coders=("a", "b")) -> dict:
    """Seconds for each analysis, summed over both coders (10,000 codings), from opening the
    project; and the sizes of what they found for coder a."""
    times: dict[str, float] = {}
    sizes: dict[str, int] = {}

    def timed(key, f):
        t0 = time.perf_counter()
        out = f()
        times[key] = times.get(key, 0.0) + time.perf_counter() - t0
        return out

    start = time.perf_counter()
    for coder in coders:
        with Project.open(path) as project:
            coded = timed("load", lambda: load_coded(project, coder))
        spoken = timed("stats", lambda: talk(coded.transcripts, "role"))
        rates = timed("stats", lambda: code_frequencies(coded, "role"))
        found = {mode: timed(f"cooccurrence {mode}", lambda: cooccurrence(coded, mode, within))
                 for mode, within in (("utterance", 0), ("overlap", 0), ("within", 2))}
        segments = timed("retrieve", lambda: retrieve(coded, Query("Rupture", none_of=("Power dynamics",),
                                                                   followed_by="Repair", within=2)))
        if coder == coders[0]:
            sizes = {"talk rows": len(spoken["groups"]), "code rows": len(rates), "codes": len(found["utterance"].codes),
                     "retrieved": len(segments)}
    times["all"] = time.perf_counter() - start
    return {"seconds": times, "sizes": sizes}


def build_retrieval(folder: Path, sessions: int, codings: int, seed: int = 1) -> Path:
    """A project whose coder `a` has `codings` rupture codings over `sessions` sessions: every
    one of them a segment of Rupture."""
    rng = random.Random(seed)
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    rupture = [c.name for c in book.codes if book.family_of(c.name)[0] == "rupture"]
    path = folder / "retrieval.db"
    with Project.create(path) as project:
        project.load_codebook(book)
        for s in range(sessions):
            t = make_transcript(rng, f"session{s:03d}", 300)
            project.import_transcript(t)
            rows = []
            for _ in range(codings // sessions):
                u = rng.choice(t.utterances)
                rows.append({"transcript": t.name, "code": rng.choice(rupture), "start": u.start, "end": u.end})
            project.import_codings(rows, "a")
    return path


async def open_retrieval_screen(path: Path, code: str = "Rupture") -> tuple[float, int]:
    """Seconds from asking the app for `code`'s segments to the table holding them, and how many."""
    from accord.tui.app import AccordApp
    from accord.tui.screens.home import HomeScreen
    from accord.tui.screens.retrieval import RetrievalScreen
    from accord.tui.widgets.segment_list import SegmentList

    app = AccordApp(path, coder="a", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, HomeScreen) and app.screen.is_mounted):
            await pilot.pause(0.01)
        start = time.perf_counter()
        app.open_retrieval(code)
        while not (isinstance(app.screen, RetrievalScreen) and app.screen.is_mounted
                   and app.screen.query_one(SegmentList).rows):
            await pilot.pause(0.001)
        await pilot.wait_for_scheduled_animations()
        seconds = time.perf_counter() - start
        return seconds, len(app.screen.query_one(SegmentList).rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--codings", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder), args.sessions, args.codings)
        result = run(path)
        analysis = run_analysis(path)
        retrieval_db = build_retrieval(Path(folder), args.sessions, args.codings)
        opened = [asyncio.run(open_retrieval_screen(retrieval_db)) for _ in range(3)]
        screen_seconds, shown = min(opened)
    print(f"{result['sessions']} sessions, {args.codings} codings (two coders): episodes for both coders, summaries, "
          f"episode agreement and by-role lag tables 1-3 ({result['categories']} categories) in "
          f"{result['seconds']:.2f} s (goal: under 2 s); coder a: {result['ruptures']} ruptures, "
          f"{result['resolved']} resolved")
    t, n = analysis["seconds"], analysis["sizes"]
    print(f"stats, co-occurrence and retrieval for both coders ({args.codings} codings): loading {t['load']:.2f} s, "
          f"talk and code rates by role {t['stats']:.2f} s ({n['code rows']} rows), co-occurrence by utterance "
          f"{t['cooccurrence utterance']:.2f} s, overlap {t['cooccurrence overlap']:.2f} s, within 2 "
          f"{t['cooccurrence within']:.2f} s ({n['codes']} codes), retrieval of ruptures not beside power "
          f"dynamics followed by a repair {t['retrieve']:.2f} s ({n['retrieved']} segments of coder a); all together "
          f"{t['all']:.2f} s (goal: under 2 s)")
    print(f"retrieval screen: {shown} segments of Rupture shown {screen_seconds:.2f} s after asking, best of 3 "
          f"(runs: {', '.join(f'{s:.2f}' for s, _ in opened)} s; goal: under 0.5 s)")


if __name__ == "__main__":
    main()
