"""Who is coding (issue 14): people are offered before the demo's reference coder, and the
coder can be switched inside the app without restarting it."""

from accord.store import Project
from accord.tui import prefs
from accord.tui.app import AccordApp
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import Choose

from .conftest import screen_ready, wait_for


def options(app):
    from textual.widgets import OptionList

    found = app.screen.query_one(OptionList)
    return [found.get_option_at_index(i).id for i in range(found.option_count)]


def first_hit(app) -> str:
    """The command palette's first hit, or "" while it is still searching."""
    found = app.screen.query("OptionList")
    if not found or not found.first().option_count:
        return ""
    return str(found.first().get_option_at_index(0).prompt)


async def test_the_first_run_list_offers_people_before_the_reference_coder(project_path):
    with Project.open(project_path) as p:  # as in the demo: the reference coding is the first coder
        p.add_coder("reference")
        p.add_coder("consensus")
    app = AccordApp(project_path, offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, Choose)
        await wait_for(pilot, lambda: len(options(app)) == 5)
        assert options(app) == ["alice", "ben", "\0new", "reference", "consensus"]


async def test_in_the_demo_someone_new_is_offered_before_the_reference_coder(tmp_path):
    from accord.demo import build_demo

    path = tmp_path / "demo.db"
    build_demo(path)
    app = AccordApp(path, offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, Choose)
        await wait_for(pilot, lambda: len(options(app)) == 2)
        assert options(app) == ["\0new", "reference"]
        await pilot.press(*"carol", "enter")  # typing a name at once makes a new coder
        await screen_ready(pilot, HomeScreen)
        assert app.coder == "carol"


async def test_switching_coder_from_the_command_palette(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "CommandPalette")
        await pilot.press(*"switch coder")
        await wait_for(pilot, lambda: "Switch coder (now alice)" in first_hit(app))
        await pilot.press("enter")
        await screen_ready(pilot, Choose)
        await pilot.press(*"ben", "enter")
        await wait_for(pilot, lambda: app.coder == "ben" and isinstance(app.screen, HomeScreen))
        await wait_for(pilot, lambda: "coder: ben" in str(app.screen.query_one("#home-title").render()))
    assert prefs.remembered_coder(project_path) == "ben"


async def palette(pilot, words: str) -> None:
    """Run a command from the command palette by typing it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "CommandPalette")
    await pilot.press(*words)
    await wait_for(pilot, lambda: words.lower() in first_hit(app).lower())
    await pilot.press("enter")


async def test_renaming_a_code_and_deleting_a_transcript_from_the_app_then_undoing(project_path, tmp_path):
    from accord.transcripts import read_transcript
    from accord.tui.screens.modals import Confirm, TextPrompt

    from .conftest import SESSION

    with Project.open(project_path) as p:
        wrong = read_transcript(SESSION, name="wrong file")
        p.import_transcript(wrong)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await palette(pilot, "Rename a code")
        await screen_ready(pilot, Choose)
        await pilot.press(*"topic shift", "enter")
        await screen_ready(pilot, TextPrompt)
        await pilot.press("ctrl+u", *"Changing the subject", "enter")
        await screen_ready(pilot, HomeScreen)
        with Project.open(project_path) as p:
            assert "Changing the subject" in p.codebook().by_name() and "Topic shift" not in p.codebook().by_name()
        await palette(pilot, "Delete a transcript")
        await screen_ready(pilot, Choose)
        await pilot.press(*"wrong file", "enter")
        await screen_ready(pilot, Confirm)
        await pilot.press("y")
        await wait_for(pilot, lambda: "Deleted transcript wrong file" in str([n.message for n in app._notifications]))
        with Project.open(project_path) as p:
            assert [t["name"] for t in p.transcripts()] == [SESSION.stem]
        await screen_ready(pilot, HomeScreen)
        await palette(pilot, "Undo my last action")
        await wait_for(pilot, lambda: "Undid transcript.delete" in str([n.message for n in app._notifications]))
    with Project.open(project_path) as p:
        assert [t["name"] for t in p.transcripts()] == [SESSION.stem, "wrong file"]
        assert [e["action"] for e in p.events(coder="alice", action="code.rename")] == ["code.rename"]
