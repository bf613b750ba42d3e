"""The screens at the sizes and colours researchers have: 80x24 to 200x50, 256 colours, NO_COLOR.

Every word of the transcript must be on screen somewhere as the coder pages through it, and
every code name beside it whole; codes must differ without truecolor.
"""

import pytest
from rich.color import ColorType

from accord.store import Project
from accord.transcripts import read_transcript
from accord.tui.app import AccordApp
from accord.tui.screens.codebook import CodebookScreen
from accord.tui.screens.coding import CodingScreen
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import Choose

from .conftest import ROOT, screen_ready, wait_for, widget

NAME = "session04_withdrawal_repair"
LONG_SPEAKERS = "session05_interview_consent"  # "Interviewer", "Participant"


def coding_app(path, transcript=NAME):
    return AccordApp(path, coder="alice", transcript=transcript, offer_demo=False)


def stored(path):
    with Project.open(path) as p:
        return p.codings(coder="alice")


def screen_text(view) -> list[str]:
    """Every row of the transcript pane as the terminal would show it, top to bottom."""
    rows: dict[int, str] = {}
    view.scroll_rows_to(0)
    while True:
        top = view._top
        for y in range(view.pane_height):
            rows[top + y] = "".join(seg.text for seg in view.render_line(y))
        view.scroll_rows_to(top + view.pane_height)
        if view._top == top:
            return [rows[r] for r in range(view._row_count)]


def shown_words(view) -> list[str]:
    """The words in the text column of every row, in order."""
    g = view.geometry
    return " ".join(row[g.gutter : g.gutter + g.text] for row in screen_text(view)).split()


def transcript_words(session) -> list[str]:
    text = session.transcript.text
    return " ".join(text[u.start : u.end] for u in session.utterances).split()


@pytest.fixture
def long_speakers(project_path):
    with Project.open(project_path) as p:
        p.import_transcript(read_transcript(ROOT / "sample_transcripts" / f"{LONG_SPEAKERS}.vtt"))
    return project_path


@pytest.mark.parametrize("size, panel", [((80, 24), False), ((80, 24), True), ((60, 20), True), ((120, 40), False)])
async def test_no_word_is_lost_at_any_size(long_speakers, size, panel):
    async with coding_app(long_speakers, LONG_SPEAKERS).run_test(size=size) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        side = screen.query_one("#side")
        assert side.display == (size[0] >= 110)  # the panel only where there is room for it
        if panel != side.display:
            await pilot.press("p")
        view = screen.view
        await wait_for(pilot, lambda: side.display == panel and view.pane_width == view._layout_width
                       and (view.pane_width < size[0] - 30) == panel)
        shown, spoken = shown_words(view), transcript_words(screen.session)
        assert "".join(shown) == "".join(spoken)  # not one character lost
        if view.geometry.text >= 20:  # and words are split only when a word is wider than the text
            assert shown == spoken
        assert all(len(row) == view.pane_width for row in screen_text(view))


async def test_the_side_panel_toggles_and_the_text_rewraps_to_the_room_left(project_path):
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        view = screen.view
        await wait_for(pilot, lambda: view._layout_width == 80)
        assert view.geometry.text >= 40
        await pilot.press("p")
        await wait_for(pilot, lambda: view._layout_width == view.pane_width < 50)
        assert view.geometry.gutter + view.geometry.text + view.geometry.margin + 1 == view.pane_width


async def test_code_names_beside_the_text_are_whole_and_marks_show_when_there_is_no_room(project_path):
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances[0]
        for code in ("Self-criticism and hopelessness", "Complaint about the therapist", "Acknowledging therapist contribution"):
            p.apply_code(NAME, code, "alice", u.start, u.end)
    async with coding_app(project_path).run_test(size=(200, 50)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        view = screen.view
        await wait_for(pilot, lambda: view._layout_width == view.pane_width)
        g = view.geometry
        assert g.names
        rows = screen_text(view)[: view._rows_of(0)]
        margin = " ".join(row[g.gutter + g.text + 1 :] for row in rows)
        for code in ("Self-criticism and hopelessness", "Complaint about the therapist",
                     "Acknowledging therapist contribution"):
            assert f" {view.look.mark(code)} " in margin
            assert " ".join(code.split()) in " ".join(margin.replace(f" {view.look.mark(code)} ", " ").split())
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: view._layout_width == view.pane_width == 80)
        assert not view.geometry.names
        margin = " ".join(row[view.geometry.gutter + view.geometry.text + 1 :] for row in screen_text(view)[:3])
        assert all(f" {view.look.mark(code)} " in margin for code in ("Self-criticism and hopelessness",
                                                                       "Complaint about the therapist"))


async def test_the_status_line_keeps_the_code_just_applied_at_80_columns(project_path):
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("6")
        await wait_for(pilot, lambda: "Self-criticism and hopelessness" in str(screen.query_one("#status").render()))
        keys = str(screen.query_one("#keys").render())
        assert keys.rstrip().endswith("?  help") and len(keys.rstrip()) <= 80


async def test_in_256_colours_codes_get_distinct_palette_tints_and_marks(project_path, monkeypatch):
    monkeypatch.setenv("TERM", "screen-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances
        p.apply_code(NAME, "Denial", "alice", u[0].start, u[0].end)
        p.apply_code(NAME, "Minimal response", "alice", u[2].start, u[2].end)
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        look = screen.view.look
        assert look.mode == "256"
        siblings = [c.name for c in screen.session.codebook.children("Withdrawal rupture")]
        tints = [look.tint(name) for name in siblings]
        assert all(t.type == ColorType.EIGHT_BIT for t in tints)
        assert len({t.number for t in tints}) == len(siblings)  # no two siblings share a colour
        assert len({look.mark(c.name) for c in screen.session.codebook.codes}) == len(screen.session.codebook.codes)
        row = screen.view.render_line(0)
        backgrounds = {seg.style.bgcolor.number for seg in row if seg.style and seg.style.bgcolor
                       and seg.style.bgcolor.type == ColorType.EIGHT_BIT}
        assert look.tint("Denial").number in backgrounds


async def test_with_no_color_codes_still_differ_by_their_marks(project_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances[0]
        p.apply_code(NAME, "Denial", "alice", u.start, u.end)
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        assert screen.view.look.mode == "mono"
        await wait_for(pilot, lambda: screen.view._layout_width == 80)
        g = screen.view.geometry
        first = "".join(seg.text for seg in screen.view.render_line(0))
        assert f" {screen.view.look.mark('Denial')} " in first[g.gutter + g.text :]


async def test_resizing_keeps_the_cursor_utterance_in_view(project_path):
    async with coding_app(project_path).run_test(size=(120, 40)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        view = screen.view
        await pilot.press(*"j" * 40)
        await wait_for(pilot, lambda: view.cursor == 40)
        for size in [(80, 24), (200, 50), (60, 20), (120, 40)]:
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda: view._layout_width == view.pane_width and view.size.width < size[0] + 1)
            first, last = view.rows_of_span(*view.selected_span())
            top = view.region.y
            k = view._pos_of[40]
            assert view._top <= view._first_rows[k] < view._top + view.pane_height, size
            assert top <= first <= last < top + view.pane_height


async def test_the_code_picker_matches_as_people_type_shows_marks_and_leaves_the_text_visible(project_path):
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("j", "j", "enter")
        picker = await screen_ready(pilot, Choose)
        await pilot.press(*"self CRIT ")
        options = picker.query_one("#choose-list")
        await wait_for(pilot, lambda: options.option_count >= 1
                       and options.get_option_at_index(0).id == "Self-criticism and hopelessness")
        assert str(options.get_option_at_index(0).prompt).startswith(" 6  ")  # the code's hotkey as its mark
        first, last = screen.view.rows_of_span(*screen.view.selected_span())
        dialog = picker.query_one("#choose-dialog").region
        assert last < dialog.y or first >= dialog.y + dialog.height  # the selected utterance stays visible
        await pilot.press("enter")
        await wait_for(pilot, lambda: [c.code for c in stored(project_path)] == ["Self-criticism and hopelessness"])


async def test_reopening_a_transcript_returns_to_where_the_coder_stopped(project_path):
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press(*"j" * 30)
        await wait_for(pilot, lambda: screen.view.cursor == 30)
        await pilot.press("q")
    with Project.open(project_path) as p:
        assert p.position(NAME, "alice") == 31
        assert p.position(NAME, "ben") is None
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await wait_for(pilot, lambda: screen.view.cursor == 30)
        k = screen.view._pos_of[30]
        assert screen.view._top <= screen.view._first_rows[k] < screen.view._top + screen.view.pane_height


async def test_undo_and_redo_move_the_cursor_to_the_change(project_path):
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("j", "j", "1")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1)
        await pilot.press(*"j" * 20)
        await wait_for(pilot, lambda: screen.view.cursor == 22)
        await pilot.press("u")
        await wait_for(pilot, lambda: stored(project_path) == [] and screen.view.cursor == 2)
        await pilot.press(*"j" * 10, "U")
        await wait_for(pilot, lambda: len(stored(project_path)) == 1 and screen.view.cursor == 2)


async def test_codebook_shows_the_first_definition_at_once_and_leaves_have_no_arrows(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("c")
        screen = await screen_ready(pilot, CodebookScreen)
        first = screen.book.children(None)[0]
        await wait_for(pilot, lambda: first.definition[:30] in " ".join(str(screen.query_one("#codebook-detail").render()).split()))
        tree = screen.query_one("#codebook-tree")
        nodes = []

        def walk(node):
            for child in node.children:
                nodes.append(child)
                walk(child)

        walk(tree.root)
        leaves = [n for n in nodes if not screen.book.children(n.data)]
        assert leaves and all(not n.allow_expand for n in leaves)
        assert all(n.allow_expand for n in nodes if screen.book.children(n.data))


async def test_home_fits_80_columns_without_cutting_a_column(project_path):
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, HomeScreen)
        await wait_for(pilot, lambda: (t := widget(app, "#transcripts")) is not None and t.row_count == 1
                       and t.size.width > 0 and len(t.columns) >= 5)
        table = screen.query_one("#transcripts")
        labels = [str(c.label) for c in table.columns.values()]
        assert {"Transcript", "Reviewed", "Suggestions"} <= set(labels)
        assert table.virtual_size.width <= table.size.width  # no horizontal scrolling


async def test_a_long_suggestion_explanation_is_shown_whole_in_the_side_panel(project_path):
    explanation = ("phrase 'between us' matched; the model also weighs the turn before, where the "
                   "therapist asked about the relationship, and the client's hedging, so it is fairly sure")
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances
        p.replace_suggestions(NAME, "test", [{"code": "Inviting relationship talk", "start": u[4].start,
                                              "end": u[4].end, "score": 0.71, "explanation": explanation}])
    async with coding_app(project_path).run_test(size=(120, 40)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("right_square_bracket")
        panel = screen.query_one("#suggestion-panel")

        def whole() -> bool:
            text = screen._suggestion_text(*screen._shown["#suggestion-panel"][1])
            lines = text.wrap(screen.app.console, panel.content_size.width)
            return screen.current_suggestion is not None and len(lines) <= panel.content_size.height

        await wait_for(pilot, whole)
        shown = " ".join(str(panel.render()).split())
        assert " ".join(explanation.split()) in shown


async def test_keys_remapped_in_the_preferences_file_work_and_help_and_hints_show_them(project_path, tmp_path):
    import html
    import json
    import re

    from accord.tui.screens.help import HelpScreen

    prefs = tmp_path / "config" / "accord" / "prefs.json"  # conftest points XDG_CONFIG_HOME here
    prefs.parent.mkdir(parents=True)
    prefs.write_text(json.dumps({"keymap": {"move.down": "ctrl+down", "view.panel": "f2", "nonsense": 3}}))
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await pilot.press("ctrl+down", "ctrl+down")
        await wait_for(pilot, lambda: screen.view.cursor == 2)
        await pilot.press("j")  # no longer bound to moving
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen.query_one("#side").display)
        assert screen.view.cursor == 2
        assert "ctrl+down/k" in str(screen.query_one("#keys").render())
        await pilot.press("question_mark")
        help_screen = await screen_ready(pilot, HelpScreen)
        await wait_for(pilot, lambda: help_screen.query("Static"))
        svg = pilot.app.export_screenshot()  # what the terminal shows, as text
        shown = html.unescape(re.sub(r"<[^>]+>", "", svg[svg.index("<g class"):])).replace("\xa0", " ")
        assert re.search(r"ctrl\+down\s+Next\s+move\.down", shown)  # the help's row: keys in effect, id


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_long_prompt_is_shown_whole(project_path, size):
    """The warning before blind coding ends is read to the end, not cut at the dialog's edge."""
    from accord.tui.screens.modals import TextPrompt

    with Project.open(project_path) as p:
        name = p.transcripts()[0]["name"]
        u = p.transcript(name).utterances[1]
        for coder in ("alice", "ben"):
            p.apply_code(name, "Minimal response", coder, u.start, u.end)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=size) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        prompt = await screen_ready(pilot, TextPrompt)
        await wait_for(pilot, lambda: prompt.query(".dialog-title") and prompt.query_one(".dialog-title").region.height)
        title = prompt.query_one(".dialog-title")
        shown = " ".join("".join(seg.text for seg in title.render_line(y)).strip() for y in range(title.region.height))
        assert "Type reconciliation to switch, Escape to stay blind." in shown
        box = prompt.query_one(".dialog").content_region
        assert title.region.x >= box.x and title.region.right <= box.right  # wrapped inside, not cut at the edge
