"""Review-only suggestions (the model's candidates under a codebook's min_precision) in the
coding screen: `]` never reaches one in text order, and reaches it in uncertain-first order
(`O`). The real app driven by Pilot; suggestions stored in the real project file."""

from accord.store import Project

from .conftest import wait_for
from .test_coding import NAME, SIZE, coding_app, open_coding


def store(path):
    with Project.open(path) as p:
        t = p.transcript(NAME)
        items = [{"code": code, "start": t.utterances[n].start, "end": t.utterances[n].end, "score": score,
                  "explanation": why, "source": source}
                 for n, code, score, source, why in [
                     (1, "Minimal response", 0.95, "model", "model 0.95 (threshold 0.50)"),
                     (3, "Denial", 0.40, "probe", "model 0.40, below the 0.70 it needs to be suggested: asked in "
                                                  "uncertain-first review only, to learn from your answer"),
                     (5, "Minimal response", 0.70, "model", "model 0.70 (threshold 0.50)")]]
        p.replace_suggestions(NAME, "test-1", items)
        every = p.suggestions(transcript=NAME, coder="alice", probes=True)
        return next(s.id for s in every if s.code == "Denial"), {s.id for s in every if s.code != "Denial"}


async def test_text_order_skips_review_only_suggestions_and_uncertain_first_asks_them(project_path):
    probe, shown = store(project_path)
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert screen.session.order == "text"
        seen = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            if screen.current_suggestion is not None and screen.current_suggestion.id not in seen:
                seen.append(screen.current_suggestion.id)
        assert set(seen) == shown
        await pilot.press("O")
        assert screen.session.order == "uncertain"
        await pilot.press("escape", "g")
        seen = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            seen.append(screen.current_suggestion.id)
        assert probe in seen and set(seen) == shown | {probe}
        while screen.current_suggestion.id != probe:
            await pilot.press("left_square_bracket")
        await pilot.press("a")
        await wait_for(pilot, lambda: any(k.code == "Denial" for k in screen.session.codings))
    with Project.open(project_path) as p:
        assert [k.code for k in p.codings(coder="alice")] == ["Denial"]
