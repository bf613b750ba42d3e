"""An action the store cannot save is never shown as saved: it is kept, retried, and saved
once the file is free again. Driven through the real app; another process holds the lock."""

import subprocess
import sys
import textwrap

import accord.store.project
import accord.tui.screens.coding as coding_screen
from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen

from .conftest import screen_ready, wait_for

NAME = "session04_withdrawal_repair"


def stored(path, coder="alice"):
    with Project.open(path) as p:
        return p.codings(coder=coder)


def hold_write_lock(path):
    """Another program that takes the project's write lock and keeps it until told to stop."""
    script = textwrap.dedent(f"""
        import sqlite3, sys
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        sys.stdin.readline()
        conn.execute("COMMIT")
        conn.close()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


async def test_a_code_that_cannot_be_saved_says_so_and_is_saved_when_the_file_is_free(project_path, monkeypatch):
    monkeypatch.setattr(accord.store.project, "BUSY_TIMEOUT_MS", 300)  # wait 0.3 s for the lock, not 15
    monkeypatch.setattr(coding_screen, "RETRY_SECONDS", 0.2)
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, CodingScreen)
        screen = app.screen
        blocker = hold_write_lock(project_path)
        try:
            await pilot.press("2")  # Minimal response on the first utterance
            await wait_for(pilot, lambda: screen.unsaved is not None)
            status = str(screen.query_one("#status").render())
            assert "NOT SAVED: apply Minimal response" in status and "locked" in status
            assert "unsaved: none" not in status
            assert screen.session.codings == []  # not shown as coded either
            await pilot.press("j", "3")  # a later action waits its turn: nothing jumps the queue
            await pilot.pause()  # until the app has handled both keys
            assert stored(project_path) == [] and screen.unsaved[0] == "apply Minimal response"
        finally:
            blocker.communicate("go\n", timeout=30)
        await wait_for(pilot, lambda: screen.unsaved is None, timeout=10)
        status = str(screen.query_one("#status").render())
        assert "unsaved: none ✓ applied Minimal response" in status
        [coding] = stored(project_path)
        first = screen.session.utterances[0]
        assert (coding.code, coding.start, coding.end) == ("Minimal response", first.start, first.end)
        assert [c.id for c in screen.session.codings] == [coding.id]
