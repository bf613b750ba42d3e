"""Linking two codings from the coding screen with `&`, through the real app; results read back
from the SQLite file."""

from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen
from accord.tui.screens.modals import Choose

from .conftest import screen_ready, wait_for, widget

NAME = "session04_withdrawal_repair"
SIZE = (120, 40)


def stored(path):
    with Project.open(path) as p:
        return [(k.source.code, k.relation, k.target.code, k.coder) for k in p.links()]


def code(project_path, coder="alice"):
    """alice's Minimal response on utterance 2 and Meta-communication on utterance 4."""
    with Project.open(project_path) as p:
        t = p.transcript(NAME)
        u2, u4 = t.utterances[1], t.utterances[3]
        rupture = p.apply_code(NAME, "Minimal response", coder, u2.start, u2.end)
        repair = p.apply_code(NAME, "Meta-communication", coder, u4.start, u4.end)
    return rupture, repair


def options(app) -> list[str]:
    listing = widget(app, "#choose-list")
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_ampersand_on_two_codings_links_them_repairs_first_and_undo_takes_it_back(project_path):
    code(project_path)
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.view.cursor == 1)
        await pilot.press("ampersand")  # the rupture, marked first
        await wait_for(pilot, lambda: screen.link_from is not None)
        assert "linking from Minimal response (2)" in str(widget(app, "#status").render())
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: screen.view.cursor == 3)
        await pilot.press("ampersand")
        await screen_ready(pilot, Choose)
        shown = options(app)
        # repairs first, and the right way round whichever coding was marked first
        assert shown[0].startswith("Meta-communication repairs Minimal response")
        assert any(o.startswith("Minimal response continues Meta-communication") for o in shown)
        await pilot.press("enter")
        await wait_for(pilot, lambda: stored(project_path) == [("Meta-communication", "repairs", "Minimal response",
                                                                "alice")])
        await screen_ready(pilot, CodingScreen)
        assert screen.link_from is None and "linked: Meta-communication repairs Minimal response" in screen.last_saved
        panel = str(widget(app, "#memo-panel").render())
        assert "Links:" in panel and "4 Meta-communication repairs 2 Minimal response" in panel

        await pilot.press("u")
        await wait_for(pilot, lambda: stored(project_path) == [])
        assert screen.last_saved == "undid a link"
        await wait_for(pilot, lambda: "Links:" not in str(widget(app, "#memo-panel").render()))
        await pilot.press("U")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)


async def test_ampersand_again_offers_to_remove_the_link_and_escape_cancels_a_mark(project_path):
    rupture, repair = code(project_path)
    with Project.open(project_path) as p:
        p.add_link(repair.id, rupture.id, "repairs", "alice")
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("j", "j", "j")
        await wait_for(pilot, lambda: screen.view.cursor == 3)
        await pilot.press("ampersand")
        await wait_for(pilot, lambda: screen.link_from is not None)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.link_from is None)
        assert "linking" not in str(widget(app, "#status").render())

        await pilot.press("ampersand")  # the repair marked first this time
        await wait_for(pilot, lambda: screen.link_from is not None)
        await pilot.press("k", "k")
        await wait_for(pilot, lambda: screen.view.cursor == 1)
        await pilot.press("ampersand")
        await screen_ready(pilot, Choose)
        assert options(app)[0] == "remove: Meta-communication repairs Minimal response"
        await pilot.press("enter")
        await wait_for(pilot, lambda: stored(project_path) == [])
        await pilot.press("ampersand")  # where alice has no other coding to link to
        await wait_for(pilot, lambda: screen.link_from is not None)
        await pilot.press("ampersand")
        await wait_for(pilot, lambda: any("go to another of your codings" in n.message for n in app._notifications))
        assert not isinstance(app.screen, Choose)


async def test_blind_coder_sees_only_their_own_links(project_path):
    rupture, repair = code(project_path, "ben")
    with Project.open(project_path) as p:
        p.add_link(repair.id, rupture.id, "repairs", "ben")
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.view.cursor == 1)
        assert screen.session.links == []
        assert "Links:" not in str(widget(app, "#memo-panel").render())
        await pilot.press("ampersand")  # ben's codings are not alice's to link
        await wait_for(pilot, lambda: any("None of your codes here" in n.message for n in app._notifications))


async def test_at_80_columns_the_status_says_what_is_being_linked_whole(project_path):
    """A long code name leaves no room for the whole hint at 80 columns: the hint goes, what is
    being linked stays whole, and nothing in the status line is cut mid-word."""
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances[3]
        p.apply_code(NAME, "Acknowledging therapist contribution", "alice", u.start, u.end)
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("j", "j", "j")
        await wait_for(pilot, lambda: screen.view.cursor == 3)
        await pilot.press("ampersand")
        await wait_for(pilot, lambda: screen.link_from is not None)
        status = str(widget(app, "#status").render()).rstrip()
        assert "linking from Acknowledging therapist contribution (4)" in status
        assert len(status) <= 80 and "& on the oth" not in status.replace("& on the other coding, Esc cancels", "")
