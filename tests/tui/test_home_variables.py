"""Home shows the session and participant variables of the transcript under the cursor."""

from accord.demo import build_demo
from accord.store import Project
from accord.tui.app import AccordApp
from textual.widgets import DataTable, Static

from .conftest import wait_for


async def test_variables_follow_the_cursor(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("alice")
    app = AccordApp(path, coder="alice", offer_demo=False)
    async with app.run_test(size=(140, 60)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#home-variables"))
        shown = lambda: str(app.screen.query_one("#home-variables", Static).render())  # noqa: E731
        assert app.screen.query_one("#home-variables").display
        assert "session01_cbt_panic" in shown() and "session: 1" in shown() and "client A (Client)" in shown()
        assert "age: 34" in shown() and "referral: self" in shown()
        table = app.screen.query_one(DataTable)
        await pilot.press(*["down"] * 5)
        await wait_for(pilot, lambda: "session06_ending" in shown())
        assert table.cursor_row == 5 and "session: 12" in shown() and "phase: late" in shown()


async def test_hidden_without_variables(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#home-variables"))
        assert not app.screen.query_one("#home-variables").display
        assert not app.screen.query_one("#home-variables-title").display


async def test_setting_a_variable_from_home_is_stored_logged_and_undone(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("alice")
    app = AccordApp(path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#home-variables"))
        home = app.screen
        await pilot.press("v")  # session01_cbt_panic: session, client, phase; then client A's age, referral
        await wait_for(pilot, lambda: app.screen is not home and app.screen.query("#choose-filter"))
        await pilot.press(*"phase", "enter")  # a category: its categories are offered
        await wait_for(pilot, lambda: "phase of session01_cbt_panic" in str(
            app.screen.query_one(".dialog-title").render()) if app.screen.query(".dialog-title") else False)
        await pilot.press(*"late", "enter")
        await wait_for(pilot, lambda: app.screen is home and "phase: late" in str(
            home.query_one("#home-variables", Static).render()))
        await pilot.press("v")
        await wait_for(pilot, lambda: app.screen is not home and app.screen.query("#choose-filter"))
        await pilot.press(*"age", "enter")  # a number of client A: typed, and checked
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"))
        assert app.screen.query_one("#prompt-input").value == "34"
        await pilot.press("backspace", "backspace", *"x1", "enter")
        await wait_for(pilot, lambda: app.screen is home and any("age of client A" in n.message for n in app._notifications))
        assert "age: 34" in str(home.query_one("#home-variables", Static).render())  # refused: nothing changed
    with Project.open(path) as p:
        assert p.variable_values()["phase"]["session01_cbt_panic"] == "late"
        event = p.events(coder="alice", action="variables.set")[-1]
        assert event["data"]["changes"][0]["before"] == "early"
        p.undo("alice")
        assert p.variable_values()["phase"]["session01_cbt_panic"] == "early"
