"""Nothing the UI confirmed is lost: SIGKILL mid-session, and two coders at once."""

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from accord.store import Project

DRIVE = Path(__file__).with_name("drive.py")
NAME = "session04_withdrawal_repair"


def test_sigkill_at_a_random_moment_loses_nothing_the_ui_confirmed(project_path):
    rng = random.Random()
    proc = subprocess.Popen([sys.executable, str(DRIVE), str(project_path), "alice", NAME],
                            stdout=subprocess.PIPE, text=True)
    confirmed = []
    stop_after = rng.randint(5, 40)
    for line in proc.stdout:
        confirmed.append(int(line))
        if len(confirmed) >= stop_after:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    confirmed += [int(x) for x in proc.stdout.read().split()]
    assert len(confirmed) >= stop_after
    with Project.open(project_path) as p:
        assert p.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {c.id for c in p.codings(coder="alice")}
    assert set(confirmed) <= stored


def test_two_coders_in_two_processes_at_once(project_path):
    n = 25
    procs = [
        subprocess.Popen([sys.executable, str(DRIVE), str(project_path), coder, NAME, str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for coder in ("alice", "ben")
    ]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
        assert "locked" not in err
        assert len(out.split()) == n
    with Project.open(project_path) as p:
        assert len(p.codings(coder="alice")) == n
        assert len(p.codings(coder="ben")) == n
