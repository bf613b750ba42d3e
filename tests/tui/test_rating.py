"""Rating the cursor's segment from the coding screen, through the real app; results read back
from the SQLite file."""

from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen
from accord.tui.screens.rating import RatingDialog

from .conftest import screen_ready, wait_for, widget

NAME = "session04_withdrawal_repair"
SIZE = (120, 40)
SCALE = "Rupture intensity"


def stored(path, coder=None):
    with Project.open(path) as p:
        return [(r["segment"], r["coder"], r["value"]) for r in p.ratings(coder=coder)]


async def test_S_rates_the_cursor_segment_with_the_anchors_shown_and_undo_takes_it_back(project_path):
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        for _ in range(24):  # utterance 25: the second run of 20 utterances (session04 has no times)
            await pilot.press("j")
        await wait_for(pilot, lambda: screen.view.cursor == 24)
        await pilot.press("S")
        dialog = await screen_ready(pilot, RatingDialog)
        title = str(widget(app, "#rating-title").render())
        assert "segment 2 of 5" in title and "utterances 21-40" in title
        points = widget(app, "#rating-points")
        assert [str(points.get_option_at_index(i).prompt) for i in (0, 4)] == [
            "1  No rupture", "5  Severe rupture, the work breaks down"]
        assert dialog.current is None
        utts = screen.session.utterances
        assert screen.view.selected_span() == (utts[20].start, utts[39].end)  # the segment, marked in the transcript
        await pilot.press("4")
        await wait_for(pilot, lambda: "rated Rupture intensity segment 2" in screen.last_saved)
        assert stored(project_path) == [(2, "alice", 4)]

        await pilot.press("S")  # again: the dialog starts on the coder's rating; Enter on another point
        dialog = await screen_ready(pilot, RatingDialog)
        assert dialog.current == 4 and widget(app, "#rating-points").highlighted == 3
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: stored(project_path) == [(2, "alice", 3)])

        await pilot.press("u")
        await wait_for(pilot, lambda: stored(project_path) == [(2, "alice", 4)])
        assert screen.last_saved == "undid a rating"
        await pilot.press("S")
        await screen_ready(pilot, RatingDialog)
        await pilot.press("delete")
        await wait_for(pilot, lambda: stored(project_path) == [])
        await pilot.press("S")
        await screen_ready(pilot, RatingDialog)
        await pilot.press("escape")
        await screen_ready(pilot, CodingScreen)
        assert stored(project_path) == []
        assert screen.view.selection is None and screen.view.selected_span() == (utts[24].start, utts[24].end)


async def test_blind_coder_sees_only_their_own_rating_in_the_dialog(project_path):
    with Project.open(project_path) as p:
        p.set_rating(NAME, SCALE, 1, "ben", 5)
        assert p.mode == "blind"
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, CodingScreen)
        await pilot.press("S")
        dialog = await screen_ready(pilot, RatingDialog)
        assert dialog.current is None  # ben's 5 is not alice's to see
        await pilot.press("2")
        await wait_for(pilot, lambda: (1, "alice", 2) in stored(project_path))
    assert sorted(stored(project_path)) == [(1, "alice", 2), (1, "ben", 5)]


async def test_with_two_scales_S_asks_which_and_without_any_says_how_to_add_one(tmp_path):
    from accord.codebook import parse_codebook
    from accord.transcripts import read_transcript
    from accord.tui.screens.modals import Choose

    from .conftest import SESSION

    book = ("name: b\ncodes:\n  - name: A\nratings:\n"
            "  - {name: Bond, segment: session, anchors: {1: weak, 7: strong}}\n"
            "  - {name: Tasks, segment: 10 utterances, anchors: {0: none, 2: much}}\n")
    path = tmp_path / "two.db"
    with Project.create(path) as p:
        p.load_codebook(parse_codebook(book, "b.yaml"))
        p.import_transcript(read_transcript(SESSION))
        p.add_coder("alice")
    app = AccordApp(path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, CodingScreen)
        await pilot.press("S")
        await screen_ready(pilot, Choose)
        await pilot.press(*"tasks", "enter")
        dialog = await screen_ready(pilot, RatingDialog)
        assert dialog.scale.name == "Tasks" and dialog.count == 9 and dialog.segment.label == "utterances 1-10"
        await pilot.press("2")
        await wait_for(pilot, lambda: stored(path) == [(1, "alice", 2)])

    with Project.open(path) as p:
        p.load_codebook(parse_codebook(book.split("ratings:")[0], "b.yaml"))
    app = AccordApp(path, coder="alice", transcript=NAME, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("S")
        await wait_for(pilot, lambda: any("no rating scales" in str(n.message) for n in app._notifications))
        assert app.screen is screen
