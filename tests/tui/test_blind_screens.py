"""Blind mode in the terminal UI (issue 11, part 4): the home screen counts only your own
codings, and leaving blind mode for the agreement screen needs the word typed and is logged
as a reveal (issue 14)."""

from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.agreement import AgreementScreen
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import TextPrompt

from .conftest import wait_for

NAME = "session04_withdrawal_repair"


def code_both(path):
    with Project.open(path) as p:
        u = p.transcript(NAME).utterances
        p.apply_code(NAME, "Minimal response", "alice", u[1].start, u[1].end)
        for i in (1, 3, 5):
            p.apply_code(NAME, "Minimal response", "ben", u[i].start, u[i].end)


def reveals(path):
    with Project.open(path) as p:
        return [e for e in p.events() if e["action"] == "blind.reveal"]


async def test_home_counts_only_your_codings_and_leaving_blind_mode_asks_and_is_logged(project_path):
    code_both(project_path)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        coders = str(app.screen.query_one("#home-coders").render())
        assert "alice  (1 codings)" in coders and "ben" in coders and "3 codings" not in coders
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("escape")  # stay blind: nothing changes, nothing is logged
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("y", "enter")  # a stray yes is not enough
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert "type the word reconciliation" in str([n.message for n in app._notifications])
        assert reveals(project_path) == []
        with Project.open(project_path) as p:
            assert p.mode == "blind"
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"reconciliation", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AgreementScreen))
    [event] = reveals(project_path)
    assert event["data"]["by"] == "alice" and event["data"]["coders"] == ["ben"]
    assert "agreement screen" in event["data"]["command"]
    with Project.open(project_path) as p:
        assert p.mode == "reconciliation"
