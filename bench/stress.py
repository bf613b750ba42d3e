"""Stress: the real coding app codes at random while other processes write to the project.

A coder ("alice") works in the real coding screen, driven by Textual's Pilot: moving, applying
codes by hotkey, accepting, rejecting and correcting suggestions, removing codes, undoing and
redoing; the screen's own background retrain runs every 10 decisions, as for a real coder.
Beside it, a second coder ("ben") codes another transcript through the library API in his own
process (a new connection every few actions, as commands run one after another), and a loop runs `accord import`, `accord suggest` and `accord train --for ben` beside them.

Every action the app confirmed (the status bar said saved) is then checked against the file:
each must have left exactly one event of alice's in the event log, and the codings the screen
shows as hers must be those the file holds. The same for ben's. Printed per run: actions
confirmed, actions lost, errors shown (error notifications, NOT SAVED, failed commands), and
the p99 latency of an action (key press to the screen updated, including the commit), and of the
app's own transactions alone (lock waits included), which tells the store's share from the rest.

    python bench/stress.py                      # one run of 2 minutes
    python bench/stress.py --runs 10 --seconds 120
    python bench/stress.py --seconds 20 --json  # what the test suite runs
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

from accord.demo import build_demo
from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen

ALICE_TRANSCRIPT = "session04_withdrawal_repair"
BEN_TRANSCRIPT = "session01_cbt_panic"
ACCORD = Path(sys.executable).with_name("accord")
# The actions the event log records, one event per confirmed action.
LOGGED = ("coding.apply", "coding.remove", "suggestion.accept", "suggestion.reject", "suggestion.correct",
          "undo", "redo", "memo.set", "coding.memo", "suggestion.accept_all")

SECOND_CODER = textwrap.dedent("""
    import random, sys, time
    from accord.store import Project
    path, name, until, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    mine = []
    while time.time() < until:  # a few actions per connection, as one command after another would
        with Project.open(path) as p:
            t = p.transcript(name)
            codes = [c.name for c in p.codebook().codes]
            for _ in range(rng.randint(1, 10)):
                if mine and rng.random() < 0.3:
                    cid = mine.pop(rng.randrange(len(mine)))
                    p.remove_coding(cid, "ben")
                    print(f"- {cid}", flush=True)
                else:
                    u = rng.choice(t.utterances)
                    c = p.apply_code(name, rng.choice(codes), "ben", u.start, u.end)
                    mine.append(c.id)
                    print(f"+ {c.id}", flush=True)
                time.sleep(rng.uniform(0, 0.05))
""")


def generated_transcript(rng: random.Random, turns: int = 40) -> str:
    words = ("I you we it that what just really know think feel like so um yeah okay mean the and but "
             "because when week sleep work angry tired safe better maybe never session talk help").split()
    return "\n".join(f"{'T' if i % 2 == 0 else 'C'}: " + " ".join(rng.choice(words) for _ in range(rng.randint(3, 25))) + "."
                     for i in range(turns)) + "\n"


class Background:
    """The other writers: ben's process, and a loop of accord commands, until `until`."""

    def __init__(self, path: Path, workdir: Path, until: float, seed: int):
        self.path, self.workdir, self.until, self.seed = path, workdir, until, seed
        self.ben_applied: set[int] = set()
        self.ben_removed: set[int] = set()
        self.command_failures: list[str] = []
        self.commands = 0
        self.ben = subprocess.Popen([sys.executable, "-c", SECOND_CODER, str(path), BEN_TRANSCRIPT, str(until), str(seed)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.threads = [threading.Thread(target=self._read_ben), threading.Thread(target=self._commands)]
        for t in self.threads:
            t.start()

    def _read_ben(self) -> None:
        for line in self.ben.stdout:
            sign, cid = line.split()
            (self.ben_applied if sign == "+" else self.ben_removed).add(int(cid))

    def _run(self, *args: str) -> None:
        result = subprocess.run([str(ACCORD), *args, "--project", str(self.path)], capture_output=True, text=True)
        self.commands += 1
        if result.returncode != 0:
            self.command_failures.append(f"accord {' '.join(args)}: exit {result.returncode}: {result.stderr.strip()[-300:]}")

    def _commands(self) -> None:
        rng = random.Random(self.seed + 1)
        i = 0
        while time.time() < self.until:
            i += 1
            name = f"stress_{self.seed}_{i:03d}"
            file = self.workdir / f"{name}.txt"
            file.write_text(generated_transcript(rng))
            self._run("import", str(file))
            self._run("suggest", name)
            if i % 3 == 0:
                self._run("train", "--for", "ben")  # blind mode: a shared model would need --reveal

    def join(self) -> None:
        for t in self.threads:
            t.join()
        self.ben.wait()
        err = self.ben.stderr.read()
        if self.ben.returncode != 0:
            self.command_failures.append(f"second coder: exit {self.ben.returncode}: {err.strip()[-300:]}")


KEYS = [  # (key, weight): what a coder at the keyboard does most
    ("j", 20), ("k", 5), ("pagedown", 2), ("1", 6), ("2", 6), ("3", 4), ("5", 4), ("8", 3),
    ("right_square_bracket", 10), ("a", 8), ("r", 7), ("x", 4), ("u", 5), ("U", 2), ("R", 2),
]
DECISIONS = {"1", "2", "3", "5", "8", "a", "r", "x", "u", "U", "R"}


async def drive_app(path: Path, until: float, rng: random.Random) -> dict:
    app = AccordApp(path, coder="alice", transcript=ALICE_TRANSCRIPT, offer_demo=False)
    errors: list[str] = []
    notify = app.notify

    def record(message, *args, severity="information", **kwargs):  # observe what the coder is shown
        if severity == "error":
            errors.append(str(message))
        return notify(message, *args, severity=severity, **kwargs)

    app.notify = record
    said_saved: list[str] = []  # every time the status bar said an action was saved
    latencies, not_saved = [], 0
    by_key: dict[str, list[float]] = {}
    keys, weights = zip(*KEYS)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, CodingScreen) and app.screen.is_mounted):
            await pilot.pause(0.02)
        screen = app.screen
        saved = screen.saved

        def observe(what: str) -> None:  # count confirmations where the screen makes them
            said_saved.append(what)
            saved(what)

        screen.saved = observe
        project = screen.session.project
        transaction = project.transaction
        store_times: list[float] = []

        @contextlib.contextmanager
        def timed_transaction():  # how long the app's own writes take, lock waits included
            started = time.perf_counter()
            with transaction() as t:
                yield t
            store_times.append(time.perf_counter() - started)

        project.transaction = timed_transaction
        while time.time() < until:
            while app.screen is not screen:  # a chooser left open (remove among several, R): take its first choice
                await pilot.press("enter")
                await pilot.pause()
                if app.screen is not screen:
                    await pilot.press("escape")
                    await pilot.pause()
            key = rng.choices(keys, weights)[0]
            before, retraining = len(said_saved), screen._retraining
            started = time.perf_counter()
            await pilot.press(key)
            if app.screen is not screen:
                await pilot.press("enter")
            await pilot.pause()
            if screen.unsaved:
                not_saved += 1
                while screen.unsaved and time.time() < until + 30:
                    await pilot.pause(0.1)
            if key in DECISIONS and len(said_saved) > before:
                latencies.append((time.perf_counter() - started, retraining))
                by_key.setdefault(key, []).append(time.perf_counter() - started)
        while screen._retraining:  # let the last background retrain finish, as a coder would
            await pilot.pause(0.1)
        shown = {(c.id, c.code, c.start, c.end) for c in screen.session.codings if c.coder == "alice"}
        await pilot.press("q")
    confirmed = sum(1 for what in said_saved if not what.startswith(("nothing to", "retrain")))
    return {"confirmed": confirmed, "by_key": {k: _p99(sorted(v)) for k, v in by_key.items()},
            "store_times": sorted(store_times), "latencies": latencies, "errors": errors, "not_saved": not_saved, "shown": shown}


def _p99(sorted_seconds: list[float]) -> float | None:
    if not sorted_seconds:
        return None
    return round(1000 * sorted_seconds[min(len(sorted_seconds) - 1, int(0.99 * len(sorted_seconds)))], 1)


def one_run(seconds: float, seed: int, workdir: Path) -> dict:
    os.environ["XDG_CONFIG_HOME"] = str(workdir / "config")  # remembered coder names stay out of $HOME
    path = workdir / "stress.db"
    build_demo(path, suggestions=True)
    with Project.open(path) as p:
        p.ensure_coder("alice")
        p.ensure_coder("ben")
        first_event = p.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    until = time.time() + seconds
    background = Background(path, workdir, until, seed)
    app = asyncio.run(drive_app(path, until, random.Random(seed)))
    background.join()
    with Project.open(path) as p:
        marks = ",".join("?" * len(LOGGED))
        alice_events = p.conn.execute(
            f"SELECT count(*) FROM events e JOIN coders c ON c.id = e.coder_id "
            f"WHERE c.name = 'alice' AND e.id > ? AND e.action IN ({marks})", [first_event, *LOGGED]).fetchone()[0]
        in_file = {(c.id, c.code, c.start, c.end) for c in p.codings(coder="alice", transcript=ALICE_TRANSCRIPT)}
        ben_in_file = {c.id for c in p.codings(coder="ben", transcript=BEN_TRANSCRIPT)}
        integrity = p.conn.execute("PRAGMA integrity_check").fetchone()[0]
    ben_expected = background.ben_applied - background.ben_removed
    lost = (max(0, app["confirmed"] - alice_events) + len(app["shown"] - in_file)
            + len(ben_expected - ben_in_file))
    lat = sorted(t for t, _ in app["latencies"])
    quiet = sorted(t for t, retraining in app["latencies"] if not retraining)
    return {
        "seconds": seconds,
        "confirmed": app["confirmed"] + len(background.ben_applied) + len(background.ben_removed),
        "app_confirmed": app["confirmed"],
        "alice_events_in_file": alice_events,
        "second_coder_confirmed": len(background.ben_applied) + len(background.ben_removed),
        "commands": background.commands,
        "lost": lost,
        "phantom": len(in_file - app["shown"]) + len(ben_in_file - ben_expected),
        "errors_shown": len(app["errors"]) + app["not_saved"] + len(background.command_failures),
        "error_messages": (app["errors"] + background.command_failures)[:10],
        "not_saved": app["not_saved"],
        "p99_ms": _p99(lat),
        "median_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "p99_ms_no_retrain": _p99(quiet),  # keys pressed while no background retrain ran
        "p99_ms_by_key": app["by_key"],
        "p99_ms_store": _p99(app["store_times"]),  # the app's transactions alone, waiting for the lock included
        "max_ms_store": round(1000 * app["store_times"][-1], 1) if app["store_times"] else None,
        "integrity": integrity,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None, help="first run's seed (default: random)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per run")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="accord-stress-") as tmp:
            r = one_run(args.seconds, seed + run, Path(tmp))
        r["seed"] = seed + run
        results.append(r)
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            print(f"run {run + 1}/{args.runs} (seed {r['seed']}): {r['confirmed']} actions confirmed "
                  f"({r['app_confirmed']} in the app, {r['second_coder_confirmed']} by the second coder), "
                  f"{r['commands']} commands; lost {r['lost']}, phantom {r['phantom']}, errors shown {r['errors_shown']}, "
                  f"p99 {r['p99_ms']} ms ({r['p99_ms_no_retrain']} ms with no retrain running; median {r['median_ms']} ms; "
                  f"the store's part: p99 {r['p99_ms_store']} ms, max {r['max_ms_store']} ms), "
                  f"integrity {r['integrity']}", flush=True)
            print("    p99 ms by key: " + ", ".join(f"{k} {v}" for k, v in sorted(r["p99_ms_by_key"].items())), flush=True)
            for m in r["error_messages"]:
                print(f"    {m}", flush=True)
    if not args.json and args.runs > 1:
        print(f"total: {len(results)} runs, {sum(r['confirmed'] for r in results)} actions confirmed, "
              f"{sum(r['lost'] for r in results)} lost, {sum(r['errors_shown'] for r in results)} errors shown, "
              f"worst p99 {max((r['p99_ms'] or 0) for r in results)} ms")
    sys.exit(1 if any(r["lost"] or r["errors_shown"] or r["phantom"] for r in results) else 0)


if __name__ == "__main__":
    main()
