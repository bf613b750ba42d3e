"""The transcript pane's row cache, on the real coding screen."""

from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen
from accord.tui.widgets import transcript_view

from .conftest import screen_ready


async def test_a_row_in_use_stays_cached_while_others_come_and_go(project_path, monkeypatch):
    """A cache hit refreshes the row, so the row painted most often is never the one evicted
    (the hand-made cache this replaced evicted by first insertion, hits or not)."""
    monkeypatch.setattr(transcript_view, "CACHE_ROWS", 8)
    app = AccordApp(project_path, coder="alice", transcript="session04_withdrawal_repair", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        view = (await screen_ready(pilot, CodingScreen)).view
        first = view.render_line(0)
        texts = []
        for y in range(1, 30):  # rows of the transcript (and the blank rows between utterances)
            texts.append(view.render_line(y).text.strip())
            assert view.render_line(0) is first, f"row 0 was rendered again after row {y}"
        assert sum(bool(t) for t in texts) > 15, "the test needs a screenful of transcript rows"
