"""The agreement screen: switching out of blind mode, the per-code table, reconciling."""

from accord.agreement.reconcile import CONSENSUS
from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.agreement import AgreementScreen, DisagreementScreen
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import Confirm

from .conftest import screen_ready, wait_for, widget

NAME = "session04_withdrawal_repair"


def two_coders(path):
    with Project.open(path) as p:
        u = p.transcript(NAME).utterances
        for i in (1, 3, 5):
            p.apply_code(NAME, "Minimal response", "alice", u[i].start, u[i].end)
        for i in (1, 3, 7):
            p.apply_code(NAME, "Minimal response", "ben", u[i].start, u[i].end)
        return u


def table_row(app, key):
    """A row of the active screen's table, or None until the table holds it."""
    from textual.widgets.data_table import RowDoesNotExist

    table = widget(app, "DataTable")
    try:
        return table.get_row(key) if table is not None else None
    except RowDoesNotExist:
        return None


async def test_agreement_table_and_reconciling_disagreements(project_path):
    u = two_coders(project_path)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, Confirm)
        await pilot.press("y")
        await screen_ready(pilot, AgreementScreen)
        await wait_for(pilot, lambda: table_row(app, "Minimal response") is not None)
        row = table_row(app, "Minimal response")
        assert row[1:3] == ["3", "3"] and row[-1] == "2 of 2"
        await pilot.press("enter")
        await screen_ready(pilot, DisagreementScreen)
        dis = app.screen
        assert [(d.start, d.end) for d in dis.items] == [(u[5].start, u[5].end), (u[7].start, u[7].end)]
        await pilot.press("1")  # take alice's span on utterance 6
        await pilot.press("n")  # neither on utterance 8
        await wait_for(pilot, lambda: all(d.resolved for d in dis.items))
        await pilot.press("q")
        await screen_ready(pilot, AgreementScreen)
        await wait_for(pilot, lambda: (table_row(app, "Minimal response") or [""])[-1] == "0 of 2")
    with Project.open(project_path) as p:
        assert p.mode == "reconciliation"
        consensus = [(c.start, c.end) for c in p.codings(coder=CONSENSUS)]
        # what both coded (utterances 2 and 4) came in with the first decision, beside it
        assert consensus == [(u[i].start, u[i].end) for i in (1, 3, 5)]
        decided = [e for e in p.events() if e["action"] == "reconcile.decide"]
        assert {e["data"]["decision"] for e in decided} == {"take", "neither"}
        assert decided[0]["data"]["decided_by"] == ["alice", "ben"]


async def test_undo_takes_back_the_latest_consensus_decision_and_redo_restores_it(project_path):
    u = two_coders(project_path)
    with Project.open(project_path) as p:
        p.set_mode("reconciliation")
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, AgreementScreen)
        await pilot.press("enter")
        await screen_ready(pilot, DisagreementScreen)
        dis = app.screen
        await pilot.press("1", "2")  # alice's span on utterance 6; ben's (none there) on utterance 8
        await wait_for(pilot, lambda: all(d.resolved for d in dis.items))
        await pilot.press("k", "b")  # utterance 6 again: both, replacing "take alice"
        await pilot.press("u")  # back to "take alice"
        await wait_for(pilot, lambda: dis.items[0].decision == "take")
        assert dis.index == 0
        await pilot.press("u", "u")  # and the other one, then the first
        await wait_for(pilot, lambda: not any(d.resolved for d in dis.items))
        agreed = [(u[i].start, u[i].end) for i in (1, 3)]
        with Project.open(project_path) as p:  # the agreed codings the first decision brought in stay
            assert [(c.start, c.end) for c in p.codings(coder=CONSENSUS)] == agreed
        await pilot.press("u")
        await wait_for(pilot, lambda: "Undid seeding the consensus with 2" in str([n.message for n in app._notifications]))
        with Project.open(project_path) as p:
            assert p.codings(coder=CONSENSUS) == []
        await pilot.press("u")
        await wait_for(pilot, lambda: "Nothing to undo" in str([n.message for n in app._notifications]))
        await pilot.press("U", "U")
        await wait_for(pilot, lambda: dis.items[0].decision == "take")
        with Project.open(project_path) as p:
            assert [(c.start, c.end) for c in p.codings(coder=CONSENSUS)] == sorted(agreed + [(u[5].start, u[5].end)])
