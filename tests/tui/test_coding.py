"""The coding workflows, driven through the real app with Pilot; results read back from SQLite."""

from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.codebook import CodebookScreen
from accord.tui.screens.coding import CodingScreen
from accord.tui.screens.help import HelpScreen
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import Choose, Confirm, MemoEditor, Message

from .conftest import screen_ready, wait_for, widget

NAME = "session04_withdrawal_repair"
SIZE = (120, 40)


def stored(path, coder="alice"):
    """What another process would find in the file right now."""
    with Project.open(path) as p:
        return p.codings(coder=coder)


def coding_app(path, coder="alice"):
    return AccordApp(path, coder=coder, transcript=NAME, offer_demo=False)


async def open_coding(pilot):
    await screen_ready(pilot, CodingScreen)
    return pilot.app.screen


async def test_hotkey_applies_code_to_current_utterance_and_commits_first(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("j", "j")
        u = screen.session.utterances[2]
        await pilot.press("2")  # Minimal response
        await wait_for(pilot, lambda: "applied Minimal response" in screen.last_saved)
        [c] = stored(project_path)
        assert (c.code, c.start, c.end, c.origin) == ("Minimal response", u.start, u.end, "manual")


async def test_selection_by_word_and_character_then_overlapping_codes(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        text = screen.session.transcript.text
        u = screen.session.utterances[0]
        await pilot.press("l", "l", "shift+left", "1")  # two words, minus one character: Denial
        await pilot.press("escape", "2")  # whole utterance: Minimal response, overlapping
        await wait_for(pilot, lambda: len(stored(project_path)) == 2)
        first, second = sorted(stored(project_path), key=lambda c: c.end - c.start)
        two_words = " ".join(text[u.start : u.end].split()[:2])
        assert text[first.start : first.end] == two_words[:-1]
        assert (second.start, second.end) == (u.start, u.end)
        assert {c.code for c in screen.session.codings_by_utterance[0]} == {"Denial", "Minimal response"}


async def test_extend_by_utterance_and_remove(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("shift+down", "e")  # utterances 1-2: Meta-communication
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        [c] = stored(project_path)
        utts = screen.session.utterances
        assert (c.start, c.end) == (utts[0].start, utts[1].end)
        await pilot.press("escape", "x")
        await wait_for(pilot, lambda: stored(project_path) == [])


async def test_apply_by_fuzzy_name(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_coding(pilot)
        await pilot.press("enter")
        await screen_ready(pilot, Choose)
        await pilot.press(*"genuin", "enter")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        assert stored(project_path)[0].code == "Genuineness"


def add_suggestions(path, spans):
    with Project.open(path) as p:
        t = p.transcript(NAME)
        items = []
        for number, code, words in spans:
            u = t.utterances[number - 1]
            start = u.start
            end = start + len(" ".join(t.text[u.start : u.end].split(" ")[:words]))
            items.append({"code": code, "start": start, "end": end, "score": 0.8, "explanation": "phrase 'test' matched"})
        p.replace_suggestions(NAME, "test-1", items)


async def test_suggestions_next_accept_adjusted_reject_and_accept_all(project_path):
    add_suggestions(project_path, [(2, "Minimal response", 3), (4, "Denial", 4), (6, "Minimal response", 2), (8, "Minimal response", 2)])
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("right_square_bracket")
        first = screen.current_suggestion
        assert first.code == "Minimal response" and screen.view.selected_span() == (first.start, first.end)
        await pilot.press("h", "a")  # shrink by a word, then accept: adjusted boundaries
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        [c] = stored(project_path)
        assert c.origin == "suggestion" and c.suggestion_id == first.id
        assert c.start == first.start and c.end < first.end
        second = screen.current_suggestion  # accepting moves on to the next suggestion
        assert second.code == "Denial"
        await pilot.press("r")
        with Project.open(project_path) as p:
            assert p.decision(second.id, "alice") == "rejected"
            assert p.decision(second.id, "ben") is None, "blind: alice's decision is not ben's"
        await pilot.press("A")
        await screen_ready(pilot, Confirm)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(stored(project_path)) == 3)
        assert screen.session.suggestions == []


async def test_coding_by_hand_what_a_suggestion_proposes_settles_it_and_removing_brings_it_back(project_path):
    add_suggestions(project_path, [(2, "Minimal response", 3), (4, "Denial", 4)])
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("right_square_bracket")
        assert screen.current_suggestion.code == "Minimal response"
        await pilot.press("2")  # the coder applies Minimal response herself
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        assert screen.current_suggestion is None
        assert [s.code for s in screen.session.suggestions] == ["Denial"]
        await pilot.press("right_square_bracket")
        assert screen.current_suggestion.code == "Denial", "the settled suggestion is skipped"
        await pilot.press("escape", "k", "k", "x")  # back to utterance 2, remove her code
        await wait_for(pilot, lambda: stored(project_path) == [])
        assert [s.code for s in screen.session.suggestions] == ["Minimal response", "Denial"]


async def test_uncertain_first_order_walks_suggestions_as_review_order_ranks_them_and_is_remembered(project_path):
    from accord.suggest.review import review_order

    with Project.open(project_path) as p:
        t = p.transcript(NAME)
        items = [{"code": code, "start": t.utterances[n].start, "end": t.utterances[n].end, "score": score,
                  "explanation": f"model {score:.2f} (threshold 0.50)", "source": "model"}
                 for n, code, score in [(1, "Minimal response", 0.95), (3, "Denial", 0.52), (5, "Minimal response", 0.7),
                                        (7, "Denial", 0.31), (9, "Minimal response", 0.55), (11, "Denial", 0.9)]]
        p.replace_suggestions(NAME, "test-1", items)
        expected = [s.id for s in review_order(p, p.suggestions(transcript=NAME, coder="alice"), "uncertain", "alice")]
    assert expected != sorted(expected), "the ranking differs from text order, or this test proves nothing"
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("O")
        assert screen.session.order == "uncertain"
        seen = []
        for _ in expected:
            await pilot.press("right_square_bracket")
            seen.append(screen.current_suggestion.id)
        assert seen == expected
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.current_suggestion.id == expected[-3]
        await pilot.press("r")  # rejecting moves on to the next in the ranking, not in the text
        await wait_for(pilot, lambda: screen.current_suggestion is not None and screen.current_suggestion.id == expected[-2])
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert screen.session.order == "uncertain", "the order is remembered"
        await pilot.press("right_square_bracket")
        assert screen.current_suggestion.id == expected[0]
        await pilot.press("O", "escape", "g", "right_square_bracket")
        assert screen.session.order == "text"
        assert screen.current_suggestion.id == min(expected), "text order again: the first in the transcript"


async def test_R_rejects_a_suggestion_and_applies_the_right_code_in_one_undoable_step(project_path):
    add_suggestions(project_path, [(2, "Denial", 3), (4, "Denial", 4)])
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("right_square_bracket")
        wrong = screen.current_suggestion
        await pilot.press("R")
        await screen_ready(pilot, Choose)
        with Project.open(project_path) as p:
            siblings = [c.name for c in p.codebook().codes if c.parent == "Withdrawal rupture" and c.name != "Denial"]
        offered = [value for value, _ in app.screen.choices]
        assert offered[:len(siblings)] == siblings and "Denial" not in offered, "Denial's siblings come first"
        await pilot.press(*"minimal resp", "enter")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        [c] = stored(project_path)
        assert (c.code, c.start, c.end, c.origin, c.suggestion_id) == ("Minimal response", wrong.start, wrong.end,
                                                                       "correction", wrong.id)
        with Project.open(project_path) as p:
            assert p.decision(wrong.id, "alice") == "rejected"
        assert screen.last_saved == "applied Minimal response, not Denial"
        assert screen.current_suggestion is not None and screen.current_suggestion.id != wrong.id, "on to the next"
        await pilot.press("u")
        await wait_for(pilot, lambda: stored(project_path) == [])
        assert "correcting a suggestion" in screen.last_saved
        with Project.open(project_path) as p:
            assert p.decision(wrong.id, "alice") is None
        assert wrong.id in {s.id for s in screen.session.suggestions}


async def test_a_suggestion_replaced_by_another_process_gives_a_message_not_a_crash(project_path):
    add_suggestions(project_path, [(2, "Minimal response", 3), (4, "Denial", 4)])
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("right_square_bracket")
        stale = screen.current_suggestion
        add_suggestions(project_path, [(6, "Denial", 2)])  # `accord suggest` elsewhere replaces the pending ones
        await pilot.press("a")
        await wait_for(pilot, lambda: [s.code for s in screen.session.suggestions] == ["Denial"])
        assert stored(project_path) == [] and screen.current_suggestion is None
        assert screen.last_saved == "nothing yet"
        await pilot.press("right_square_bracket", "r")
        await wait_for(pilot, lambda: screen.session.suggestions == [])
        assert stale.id not in {s.id for s in screen.session.suggestions}


async def test_memo_search_filter_and_help(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("m")
        await pilot.press(*"long silence here", "ctrl+s")
        await wait_for(pilot, lambda: 1 in screen.session.memos)
        with Project.open(project_path) as p:
            assert p.utterance_memos(NAME, "alice") == {1: "long silence here"}
        await pilot.press("slash", *"don.t know", "enter")
        await wait_for(pilot, lambda: bool(screen.view.hits))
        text = screen.session.transcript.text
        start, end = screen.view.selected_span()
        assert text[start:end].lower().replace("'", ".") == "don.t know"
        first_hit = screen.view.cursor
        await pilot.press("n")
        assert screen.view.cursor >= first_hit
        await pilot.press("ctrl+f")
        await screen_ready(pilot, Choose)
        await pilot.press(*"speaker: c", "enter")
        await wait_for(pilot, lambda: screen.filter_label == "C")
        assert all(screen.session.utterances[i].speaker == "C" for i in screen.view.shown)
        await pilot.press("question_mark")
        await screen_ready(pilot, HelpScreen)
        await pilot.press("escape")


async def test_undo_and_redo_survive_a_restart(project_path):
    async with coding_app(project_path).run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("1")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
    async with coding_app(project_path).run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert len(screen.session.codings) == 1
        await pilot.press("u")
        await wait_for(pilot, lambda: stored(project_path) == [])
        assert screen.last_saved == "undid applying a code"
        await pilot.press("U")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        assert screen.last_saved == "redid applying a code"


async def test_blind_coder_never_sees_another_coders_codes(project_path):
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances[0]
        p.apply_code(NAME, "Denial", "ben", u.start, u.end)
    async with coding_app(project_path, coder="alice").run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert screen.session.codings == []
        assert "Denial" not in str(screen.view.render_line(0))
    with Project.open(project_path) as p:
        p.set_mode("reconciliation")
    async with coding_app(project_path, coder="alice").run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert [c.coder for c in screen.session.codings] == ["ben"]


async def test_home_lists_progress_and_opens_a_transcript(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("enter")
        await open_coding(pilot)
        await pilot.press("j", "j", "j", "q")
        await screen_ready(pilot, HomeScreen)
    with Project.open(project_path) as p:
        assert p.reviewed(NAME, "alice") == {1, 2, 3, 4}


async def test_j_and_k_move_through_the_transcripts_on_home(project_path):
    from accord.transcripts import read_transcript

    from .conftest import ROOT

    with Project.open(project_path) as p:
        p.import_transcript(read_transcript(ROOT / "sample_transcripts" / "session01_cbt_panic.txt"))
        names = [t["name"] for t in p.transcripts()]
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        home = await screen_ready(pilot, HomeScreen)
        table = home.query_one("#transcripts")
        await wait_for(pilot, lambda: table.row_count == 2)
        first = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.press("j")
        await wait_for(pilot, lambda: table.cursor_row == 1)
        second = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert {first, second} == set(names)
        await pilot.press("k")
        await wait_for(pilot, lambda: table.cursor_row == 0)
        await pilot.press("j", "enter")
        screen = await open_coding(pilot)
        assert screen.session.name == second


async def test_paging_to_the_end_reads_every_utterance(project_path):
    """Page down passes over the utterances it scrolls past: they were on screen, so a coder who
    pages through a session has read all of it (agreement counts it even if they coded nothing)."""
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("enter")
        screen = await open_coding(pilot)
        total, pages = len(screen.session.utterances), 0
        while screen.view.cursor < total - 1:
            before = screen.view.cursor
            await pilot.press("pagedown")
            await wait_for(pilot, lambda: screen.view.cursor != before)
            pages += 1
        assert 2 <= pages < total // 4  # several pages, each passing over many utterances
        await pilot.press("q")
        await screen_ready(pilot, HomeScreen)
    with Project.open(project_path) as p:
        assert p.reviewed(NAME, "alice") == set(range(1, total + 1))
        assert p.review_counts("alice")[NAME] == (total, total)


async def test_coder_is_asked_once_then_remembered(project_path):
    app = AccordApp(project_path, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, Choose)
        await pilot.press(*"ben", "enter")
        await screen_ready(pilot, HomeScreen)
        assert app.coder == "ben"
    app = AccordApp(project_path, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, HomeScreen)
        assert app.coder == "ben"


async def test_codebook_screen_search_add_and_edit(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("c")
        await screen_ready(pilot, CodebookScreen)
        await pilot.press("n", *"Humour", "enter")
        await screen_ready(pilot, Choose)
        await pilot.press(*"real relationship", "enter")
        await pilot.press(*"Shared laughter that eases tension.", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.book and "Humour" in app.screen.book.by_name())
    with Project.open(project_path) as p:
        code = p.codebook().by_name()["Humour"]
        assert (code.parent, code.definition) == ("Real relationship", "Shared laughter that eases tension.")
        assert len(p.codebook_versions()) == 2


async def test_editing_a_definition_adds_to_the_end_of_what_is_there(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("c")
        screen = await screen_ready(pilot, CodebookScreen)
        await wait_for(pilot, lambda: getattr(screen, "current", None) == "Rupture")
        before = screen.book.by_name()["Rupture"].definition
        await pilot.press("e")
        await screen_ready(pilot, MemoEditor)
        await pilot.press(*" See also the 3RS manual.", "ctrl+s")
        await wait_for(pilot, lambda: screen.book.by_name()["Rupture"].definition != before)
        assert screen.book.by_name()["Rupture"].definition == before + " See also the 3RS manual."


async def test_unreadable_project_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    app = AccordApp(bad, coder="alice", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, Message)
        assert "not an accord project" in app.screen.body
        await pilot.press("space")
    assert app.return_code == 1


async def test_unknown_transcript_is_a_message(project_path):
    app = AccordApp(project_path, coder="alice", transcript="nope", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, Message)
        assert "no transcript named 'nope'" in app.screen.body


async def test_no_project_offers_the_demo(tmp_path):
    path = tmp_path / "accord.db"
    app = AccordApp(path, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, Confirm)
        await pilot.press("y")
        await screen_ready(pilot, HomeScreen, timeout=180)  # builds the demo and its suggestions: slow on a loaded machine
        await wait_for(pilot, lambda: widget(app, "DataTable") is not None and widget(app, "DataTable").row_count == 6)
    assert path.exists()
    with Project.open(path) as p:
        pending = p.suggestions(coder="alice")
        assert pending, "a new user meets suggestions at once"
        assert {s.pipeline_version for s in pending} == {p.latest_pipeline()["version"]}
        assert p.latest_pipeline()["meta"].get("utterances") is None, "rules only: no model trained on the reference"


async def test_keys_typed_faster_than_the_app_keep_their_order(project_path):
    """A terminal delivers `jj2` in one burst; the code must land on the third utterance."""
    from textual import events

    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        for key in ("j", "j", "2"):
            app.post_message(events.Key(key, key))
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        [c] = stored(project_path)
        assert (c.start, c.end) == (screen.session.utterances[2].start, screen.session.utterances[2].end)


async def test_mouse_drag_selects_then_hotkey_codes_it(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        view = screen.view
        u = screen.session.utterances[0]
        x0 = view.geometry.gutter  # first text column of the first row
        await pilot.mouse_down("#transcript", offset=(x0 + 2, 0))
        await pilot.hover("#transcript", offset=(x0 + 9, 0))
        await pilot.mouse_up("#transcript", offset=(x0 + 9, 0))
        assert view.selected_span() == (u.start + 2, u.start + 9)
        await pilot.press("3")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        assert (stored(project_path)[0].start, stored(project_path)[0].end) == (u.start + 2, u.start + 9)


def palette_offers(app, words: str) -> bool:
    """Whether the command palette's highlighted command (its first, when searching) says `words`."""
    commands = widget(app, "CommandList")
    if commands is None or commands.highlighted is None or not commands.option_count:
        return False
    return words in str(commands.get_option_at_index(commands.highlighted).prompt)


async def test_memo_on_a_coding_and_the_command_palette(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_coding(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"apply code realism")
        await wait_for(pilot, lambda: palette_offers(app, "Realism"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        assert stored(project_path)[0].code == "Realism"
        await pilot.press("M", *"seen through the idealisation", "ctrl+s")
        await wait_for(pilot, lambda: stored(project_path)[0].memo == "seen through the idealisation")


async def test_mouse_wheel_scrolls_the_pane_without_moving_the_cursor(project_path):
    from textual import events

    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        view = screen.view
        top = view._top
        for _ in range(3):
            view.post_message(events.MouseScrollDown(view, 5, 5, 0, 1, 0, False, False, False))
        await wait_for(pilot, lambda: view._top == top + 9)
        assert view.cursor == 0
        first_row = view.render_line(0).text
        number = [u.number for u in screen.session.utterances if f"{u.number:>5} " in first_row[:6]]
        assert not number or number[0] > 1, "the first row on screen is no longer utterance 1"
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, -1, 0, False, False, False))
        await wait_for(pilot, lambda: view._top == top + 6)


async def test_a_new_coder_can_type_their_name_in_the_coder_list(project_path):
    from accord.tui.screens.home import HomeScreen

    app = AccordApp(project_path, offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await screen_ready(pilot, Choose)
        await pilot.press(*"Rita", "enter")
        await screen_ready(pilot, HomeScreen)
        assert app.coder == "Rita"
    with Project.open(project_path) as p:
        assert "Rita" in [c["name"] for c in p.coders()]


async def test_retrain_learns_from_this_coder_only_and_refreshes_suggestions(project_path):
    with Project.open(project_path) as p:
        utterances = p.transcript(NAME).utterances
        for u in utterances[20:40]:
            p.apply_code(NAME, "Denial", "ben", u.start, u.end)
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert screen.session.suggestions == []
        for _ in range(6):
            await pilot.press("2", "j", "j")  # Minimal response on every other utterance
        await wait_for(pilot, lambda: len(stored(project_path)) == 6)
        await pilot.press("T")
        await wait_for(pilot, lambda: screen.last_saved.startswith("retrained"), timeout=60)
        assert screen.session.suggestions
        assert screen.last_saved == f"retrained: {len(screen.session.suggestions)} suggestions pending"
        coded = [(c.start, c.end) for c in screen.session.codings]
        assert not any(s.code == "Minimal response" and any(a < s.end and b > s.start for a, b in coded)
                       for s in screen.session.suggestions), "nothing she already coded is suggested again"
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.current_suggestion is not None)
    with Project.open(project_path) as p:
        assert p.latest_pipeline() is None  # the model is alice's own, not the project's
        meta = p.latest_pipeline("alice")["meta"]
        assert meta["counts"]["Minimal response"][0] >= 6
        assert meta["counts"]["Denial"][0] == 0  # ben's codings are not alice's to learn from
        assert {s.id for s in p.suggestions(transcript=NAME, coder="alice")} == {s.id for s in screen.session.suggestions}
    # Blind coding: alice's model learned her judgement, so its suggestions are for her only.
    async with coding_app(project_path, coder="ben").run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        assert screen.session.suggestions == []


async def test_suggestions_retrain_in_the_background_as_the_coder_decides(project_path, monkeypatch):
    from accord.tui.screens import coding

    monkeypatch.setattr(coding, "AUTO_RETRAIN", 4)
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        for _ in range(3):
            await pilot.press("2", "j", "j")  # Minimal response on every other utterance
        await wait_for(pilot, lambda: len(stored(project_path)) == 3)
        assert not screen._retraining and screen._since_retrain == 3, "not yet: three decisions"
        with Project.open(project_path) as p:
            assert p.latest_pipeline("alice") is None
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.session.suggestions, timeout=60)
        with Project.open(project_path) as p:
            assert p.latest_pipeline("alice") is not None and p.latest_pipeline() is None, "alice's own model"
        assert not screen._retraining and screen.last_saved == "applied Minimal response", "quietly"


async def test_refreshed_suggestions_keep_the_one_being_looked_at_when_still_proposed(project_path):
    add_suggestions(project_path, [(2, "Minimal response", 3), (4, "Denial", 4)])
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        shown = screen.current_suggestion
        add_suggestions(project_path, [(4, "Denial", 4), (6, "Denial", 2)])  # a retrain elsewhere
        screen._reload_suggestions()
        now = screen.current_suggestion
        assert (now.code, now.start, now.end) == (shown.code, shown.start, shown.end)
        add_suggestions(project_path, [(6, "Denial", 2)])
        screen._reload_suggestions()
        assert screen.current_suggestion is None, "no longer proposed: nothing selected"


async def test_a_transcript_opened_after_retraining_gets_suggestions_from_the_coders_own_model(project_path):
    from accord.suggest import service
    from accord.transcripts import read_transcript

    from .conftest import ROOT

    with Project.open(project_path) as p:
        p.import_transcript(read_transcript(ROOT / "sample_transcripts" / "session01_cbt_panic.txt"))
        for u in p.transcript(NAME).utterances[:30:2]:
            p.apply_code(NAME, "Minimal response", "alice", u.start, u.end)
        service.train(p, personal="alice")  # alice's own model, trained on the first transcript
        own = p.own_pipeline_version("alice")
        assert p.suggestions(transcript="session01_cbt_panic", coder="alice") == []
    app = AccordApp(project_path, coder="alice", transcript="session01_cbt_panic", offer_demo=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await wait_for(pilot, lambda: screen.session.suggestions, timeout=60)
        assert {s.pipeline_version for s in screen.session.suggestions} == {own}
    with Project.open(project_path) as p:
        assert p.suggestions(transcript="session01_cbt_panic", coder="ben") == [], "hers alone"
        assert p.own_pipeline_version("ben") is None


async def test_retrain_with_nothing_decided_says_so_and_changes_nothing(project_path):
    app = coding_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("T")
        await wait_for(pilot, lambda: screen.last_saved == "retraining failed", timeout=60)
    with Project.open(project_path) as p:
        assert p.latest_pipeline() is None
        assert p.suggestions() == []


async def test_applying_a_code_on_a_role_the_codebook_excludes_is_saved_with_a_warning(tmp_path):
    from accord.codebook import parse_codebook
    from accord.transcripts import read_transcript

    from .conftest import SESSION

    path = tmp_path / "roles.db"
    with Project.create(path) as p:
        p.load_codebook(parse_codebook('name: roles\ncodes:\n  - name: Withdrawal\n    hotkey: "2"\n'
                                       '    speakers: [client]\n', "roles.yaml"))
        p.import_transcript(read_transcript(SESSION))
        p.add_coder("alice")
    app = coding_app(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_coding(pilot)
        await pilot.press("2")  # utterance 1 is the therapist's
        await wait_for(pilot, lambda: "applied Withdrawal" in screen.last_saved)
        messages = lambda: [n.message for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: any("is a code for the client's turns" in m for m in messages()))
        assert [c.code for c in stored(path)] == ["Withdrawal"]
        await pilot.press("j", "2")  # utterance 2 is the client's: no warning
        await wait_for(pilot, lambda: len(stored(path)) == 2)
        assert sum("is a code for the client's turns" in m for m in messages()) == 1
