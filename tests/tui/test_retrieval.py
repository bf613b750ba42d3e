"""The retrieval screen on the real demo project: every segment of a code across transcripts,
Enter opening the coding screen at that place; a typed query; blind mode showing one's own."""

import pytest

from accord.analysis import Query, load_coded, retrieve
from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import Choose, TextPrompt
from accord.tui.screens.retrieval import RetrievalScreen
from accord.tui.widgets.segment_list import SegmentList

from .conftest import screen_ready, wait_for


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from accord.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


def expected(path, query: Query, coder: str = "reference"):
    with Project.open(path) as project:
        return retrieve(load_coded(project, coder), query)


def rows(app) -> int:
    return len(app.screen.query_one(SegmentList).rows) if isinstance(app.screen, RetrievalScreen) else -1


async def test_a_codes_segments_and_enter_opens_the_coding_screen_there(demo):
    want = expected(demo, Query("Withdrawal rupture"))
    app = AccordApp(demo, coder="reference", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("r")
        await screen_ready(pilot, Choose)
        await pilot.press(*"withdrawal rupture", "enter")
        screen = await screen_ready(pilot, RetrievalScreen)
        await wait_for(pilot, lambda: rows(app) == len(want) == 36)
        listing = screen.query_one(SegmentList)
        assert str(screen.query_one("#retrieval-header").render()).split() == ["Transcript", "Utt.", "Speaker", "Code",
                                                                                 "Text"]
        for _ in range(20):  # a segment in the third transcript
            await pilot.press("down")
        await wait_for(pilot, lambda: listing.cursor == 20)
        target = want[20]
        assert listing.rows[20][:4] == (target.transcript, str(target.first), target.speaker, target.code)
        await pilot.press("enter")
        coding = await screen_ready(pilot, CodingScreen)
        assert coding.session.name == target.transcript
        await wait_for(pilot, lambda: coding.view.cursor == target.first - 1)
        await pilot.press("q")  # back to the list, where it was
        await screen_ready(pilot, RetrievalScreen)
        assert app.screen.query_one(SegmentList).cursor == 20


async def test_a_typed_query_from_the_command_palette(demo):
    want = expected(demo, Query("Rupture", followed_by="Repair", within=5))
    app = AccordApp(demo, coder="reference", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "CommandPalette")
        await pilot.press(*"retrieve with a query")
        await wait_for(pilot, lambda: "query" in str(app.screen.query("OptionList").first().get_option_at_index(0).prompt)
                       if app.screen.query("OptionList") and app.screen.query("OptionList").first().option_count else False)
        await pilot.press("enter")
        await screen_ready(pilot, TextPrompt)
        await pilot.press(*"rupture --followed-by repair --within 5", "enter")
        screen = await screen_ready(pilot, RetrievalScreen)
        await wait_for(pilot, lambda: rows(app) == len(want) == 32)
        first = want[0]
        assert screen.query_one(SegmentList).rows[0][4] == \
            f"→ {first.followed_by['utterance']} {first.followed_by['code']}"  # the repair that follows
        await pilot.press("slash")  # a new query on the same screen; a bad one is said, the table kept
        await screen_ready(pilot, TextPrompt)
        await pilot.press(*"Nonsense --and Repair", "enter")
        await screen_ready(pilot, RetrievalScreen)
        await wait_for(pilot, lambda: any("no code named 'Nonsense'" in str(n.message) for n in app._notifications))
        assert rows(app) == 32
        await pilot.press("slash")
        await screen_ready(pilot, TextPrompt)
        await pilot.press(*"Repair --speaker client", "enter")
        await wait_for(pilot, lambda: rows(app) == 1)


async def test_blind_mode_shows_only_the_coders_own_segments(demo, tmp_path):
    path = tmp_path / "blind.db"
    path.write_bytes(demo.read_bytes())  # no connection is open on the demo file here
    app = AccordApp(path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        app.open_retrieval("Repair")
        screen = await screen_ready(pilot, RetrievalScreen)
        await wait_for(pilot, lambda: "blind mode" in str(screen.query_one("#retrieval-title").render()))
        assert rows(app) == 0  # the reference coder's 76 repairs are not alice's to see


async def test_the_bench_opens_the_screen_on_every_segment(tmp_path):
    """bench/sequences.py times the screen on 10,000 segments; here on 1,000, checking that
    every segment is in the table."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import sequences as bench

    path = bench.build_retrieval(tmp_path, sessions=10, codings=1000)
    seconds, shown = await bench.open_retrieval_screen(path)
    assert shown == 1000 == len(expected(path, Query("Rupture"), coder="a")) and seconds > 0
