"""An action the store cannot save is never shown as saved: it is kept, retried, and saved
once the file is free again. Driven through the real app; another process holds the lock."""

import subprocess
import sys
import textwrap
import time

import accord.store.project
import accord.tui.saving as saving
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
    monkeypatch.setattr(saving, "RETRY_SECONDS", 0.2)
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


async def test_a_reconcile_decision_that_cannot_be_saved_says_so_and_is_saved_when_the_file_is_free(
        project_path, monkeypatch):
    from accord.agreement.reconcile import CONSENSUS
    from accord.tui.screens.agreement import AgreementScreen, ReconcileScreen
    from accord.tui.screens.home import HomeScreen

    from .conftest import screen_ready, widget

    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances
        for coder, at in (("alice", 1), ("ben", 1), ("alice", 5)):  # they agree on 2; 6 is alice's alone
            p.apply_code(NAME, "Minimal response", coder, u[at].start, u[at].end)
        p.set_mode("reconciliation")
    monkeypatch.setattr(accord.store.project, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(saving, "RETRY_SECONDS", 0.2)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, AgreementScreen)
        await pilot.press("enter")
        dis = await screen_ready(pilot, ReconcileScreen)
        blocker = hold_write_lock(project_path)
        try:
            await pilot.press("1")  # take alice's codes
            await wait_for(pilot, lambda: dis.unsaved is not None)
            assert "NOT SAVED: alice's codes on" in str(widget(app, "#reconcile-status").render())
            assert not dis.units[0].decided
        finally:
            blocker.communicate("go\n", timeout=30)
        await wait_for(pilot, lambda: dis.unsaved is None, timeout=10)
        assert dis.units[0].decision() == "alice's codes" and dis.index == 0
        assert "NOT SAVED" not in str(widget(app, "#reconcile-status").render())
        with Project.open(project_path) as p:
            assert [(c.start, c.end) for c in p.codings(coder=CONSENSUS)] == [(u[1].start, u[1].end), (u[5].start, u[5].end)]


async def test_a_codebook_edit_that_cannot_be_saved_is_kept_retried_and_saved(project_path, monkeypatch):
    """A new code typed in the codebook screen while another program holds the file is not lost
    (and does not crash the app): the screen says NOT SAVED and saves it once the file is free."""
    from accord.tui.screens.codebook import CodebookScreen
    from accord.tui.screens.home import HomeScreen
    from accord.tui.screens.modals import Choose

    from .conftest import widget

    monkeypatch.setattr(accord.store.project, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(saving, "RETRY_SECONDS", 0.2)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("c")
        screen = await screen_ready(pilot, CodebookScreen)
        blocker = hold_write_lock(project_path)
        try:
            await pilot.press("n", *"Humour", "enter")
            await screen_ready(pilot, Choose)
            await pilot.press(*"real relationship", "enter")
            await pilot.press(*"Shared laughter that eases tension.", "ctrl+s")
            await wait_for(pilot, lambda: screen.unsaved is not None)
            status = str(widget(app, "#codebook-status").render())
            assert "NOT SAVED: Added Humour" in status and "locked" in status
            footer = app.screen.query_one("Footer")  # the bar sits above the key hints, not under them
            assert widget(app, "#codebook-status").region.bottom <= footer.region.y
            assert "Humour" not in screen.book.by_name()  # not shown as saved
            with Project.open(project_path) as p:
                assert len(p.codebook_versions()) == 1
        finally:
            blocker.communicate("go\n", timeout=30)
        await wait_for(pilot, lambda: screen.unsaved is None, timeout=10)
        assert "Humour" in screen.book.by_name()
        assert "NOT SAVED" not in str(widget(app, "#codebook-status").render())
    with Project.open(project_path) as p:
        code = p.codebook().by_name()["Humour"]
        assert (code.parent, code.definition) == ("Real relationship", "Shared laughter that eases tension.")
        assert len(p.codebook_versions()) == 2


async def test_a_variable_that_cannot_be_saved_says_so_and_the_app_goes_on(project_path, monkeypatch):
    from accord.tui.screens.home import HomeScreen
    from accord.tui.screens.modals import Choose, TextPrompt

    with Project.open(project_path) as p:
        p.define_variable("sessions attended", "transcript", "number")
    monkeypatch.setattr(accord.store.project, "BUSY_TIMEOUT_MS", 300)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("v")
        await screen_ready(pilot, Choose)
        await pilot.press("enter")
        await screen_ready(pilot, TextPrompt)
        blocker = hold_write_lock(project_path)
        try:
            await pilot.press("3", "enter")
            await wait_for(pilot, lambda: any("Not saved" in n.message for n in app._notifications))
            assert isinstance(app.screen, HomeScreen) and app.is_running
        finally:
            blocker.communicate("go\n", timeout=30)
    with Project.open(project_path) as p:
        assert p.variable_values().get("sessions attended", {}) == {}


async def test_the_screen_stays_usable_while_an_unsaved_action_is_retried(project_path, monkeypatch):
    """Each retry waits only briefly for the lock (RETRY_WAIT_MS), so keys are handled at once
    while another program holds the file, not after a whole busy timeout."""
    monkeypatch.setattr(accord.store.project, "BUSY_TIMEOUT_MS", 8000)  # what the first attempt waits
    monkeypatch.setattr(saving, "RETRY_SECONDS", 0.2)
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        blocker = hold_write_lock(project_path)
        try:
            await pilot.press("2")
            await wait_for(pilot, lambda: screen.unsaved is not None, timeout=30)
            at, started = screen.view.cursor, time.monotonic()
            await pilot.press("j")
            await wait_for(pilot, lambda: screen.view.cursor != at)
            # a retry that waited the whole 8 s busy timeout would hold the key that long
            assert time.monotonic() - started < 4
        finally:
            blocker.communicate("go\n", timeout=30)
        await wait_for(pilot, lambda: screen.unsaved is None, timeout=10)
    assert [c.code for c in stored(project_path)] == ["Minimal response"]


async def test_quitting_with_an_unsaved_action_asks_first(project_path, monkeypatch):
    """Ctrl+Q (and Ctrl+C, which quits as in any terminal program) do not drop an action that
    is still being retried: accord asks, and staying keeps it."""
    from accord.tui.screens.modals import Confirm

    monkeypatch.setattr(accord.store.project, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(saving, "RETRY_SECONDS", 0.2)
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        blocker = hold_write_lock(project_path)
        try:
            await pilot.press("2")
            await wait_for(pilot, lambda: screen.unsaved is not None)
            for key in ("ctrl+q", "ctrl+c"):
                await pilot.press(key)
                await screen_ready(pilot, Confirm)
                assert app.is_running
                await pilot.press("escape")  # stay and keep retrying
                await screen_ready(pilot, CodingScreen)
        finally:
            blocker.communicate("go\n", timeout=30)
        await wait_for(pilot, lambda: screen.unsaved is None, timeout=10)
        await pilot.press("ctrl+c")  # nothing unsaved: quits at once
        await wait_for(pilot, lambda: not app.is_running)
    assert [c.code for c in stored(project_path)] == ["Minimal response"]
