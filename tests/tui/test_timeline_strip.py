"""The timeline strip under the transcript: ruptures, repairs and other codes along the session,
the cursor's place, one row per coder in reconciliation mode, `}`/`{` to jump between episodes;
at 80x24 and 60x20, in 256 colours and under NO_COLOR."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem, Color
from rich.style import Style

from accord.codebook import load_codebook
from accord.sequences.timeline import column_of
from accord.store import Project
from accord.transcripts import read_transcript
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen
from accord.tui.widgets.timeline_strip import STYLES, TimelineStrip

from .conftest import ROOT, SESSION, screen_ready, wait_for

NAME = "session04_withdrawal_repair"


def coding_app(path, coder="alice"):
    return AccordApp(path, coder=coder, transcript=NAME, offer_demo=False)


def code(path, coder, pairs):
    """Apply (code, utterance index) pairs for `coder`; returns the transcript's utterances."""
    with Project.open(path) as p:
        u = p.transcript(NAME).utterances
        for name, i in pairs:
            p.apply_code(NAME, name, coder, u[i].start, u[i].end)
    return u


def rows(strip: TimelineStrip) -> list[str]:
    """The title on the strip's top border (the legend), then its rows as the terminal shows them."""
    return [str(strip.border_title or "")] + ["".join(seg.text for seg in strip.render_line(y))
                                              for y in range(strip.size.height)]


def drawn(strip: TimelineStrip) -> bool:
    return strip.size.width > 0 and len(rows(strip)) >= 2 and rows(strip)[1].strip() != ""


ALICE = [("Minimal response", 5), ("Meta-communication", 9), ("Agenda control", 15), ("Denial", 40)]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_strip_shows_where_ruptures_repairs_and_other_codes_lie(project_path, size):
    u = code(project_path, "alice", ALICE)
    n = len(u)
    async with coding_app(project_path).run_test(size=size) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        strip = screen.query_one("#timeline", TimelineStrip)
        await wait_for(pilot, lambda: drawn(strip))
        assert strip.region.width == size[0] and strip.region.height == 2  # its legend border and one row
        assert strip.region.y + strip.region.height <= size[1] - 2  # above the status line and the key bar
        assert screen.view.pane_height >= size[1] - 8  # the transcript keeps most of the screen
        legend, line = rows(strip)
        assert "▼ rupture" in legend and "▲ repair" in legend and "}/{" in legend
        width = len(line)
        assert width == size[0]
        assert line[column_of(6, n, width)] == "▼"  # Minimal response, repaired at 10
        assert line[column_of(10, n, width)] == "▲"
        assert line[column_of(16, n, width)] == "◆"  # Agenda control: power dynamics
        assert line[column_of(41, n, width)] == "▽"  # Denial: not repaired
        assert line[0] == "┃"  # the cursor, on utterance 1
        assert set(line) == {"▼", "▲", "◆", "▽", "┃", "━", "─"}
        await pilot.press(*"j" * 60)
        await wait_for(pilot, lambda: screen.view.cursor == 60 and rows(strip)[1][column_of(61, n, width)] == "┃")
        assert rows(strip)[1][0] != "┃"


async def test_braces_jump_from_episode_to_episode_and_the_border_says_which(project_path):
    u = code(project_path, "alice", ALICE)
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        strip = screen.query_one("#timeline", TimelineStrip)
        await wait_for(pilot, lambda: drawn(strip))
        await pilot.press("right_curly_bracket")
        await wait_for(pilot, lambda: screen.view.cursor == 5)
        assert screen.view.selected_span() == (u[5].start, u[5].end)  # the rupture is selected
        await wait_for(pilot, lambda: "1/2 Minimal response at 6 → Meta-communication at 10 (latency 4)"
                       in rows(strip)[0])
        await pilot.press("right_curly_bracket")
        await wait_for(pilot, lambda: screen.view.cursor == 40 and "2/2 Denial at 41, not repaired" in rows(strip)[0])
        await pilot.press("right_curly_bracket")  # none after: it says so and stays
        await wait_for(pilot, lambda: any("No rupture-repair episode after utterance 41" in str(n.message)
                                          for n in pilot.app._notifications))
        assert screen.view.cursor == 40
        await pilot.press("j")  # moving on brings the legend back
        await wait_for(pilot, lambda: "▼ rupture" in rows(strip)[0])
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        await wait_for(pilot, lambda: screen.view.cursor == 5)


async def test_the_strip_follows_coding_and_undo(project_path):
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        strip = screen.query_one("#timeline", TimelineStrip)
        await wait_for(pilot, lambda: drawn(strip))
        assert set(rows(strip)[1]) == {"┃", "─"}  # nothing coded yet
        n = len(screen.session.utterances)
        await pilot.press(*"j" * 30, "2")  # Minimal response on utterance 31
        await wait_for(pilot, lambda: "applied" in screen.last_saved)
        await pilot.press("k")
        await wait_for(pilot, lambda: rows(strip)[1][column_of(31, n, 80)] == "▽")
        await pilot.press("j", "j", "e")  # Meta-communication on 32 repairs it
        await wait_for(pilot, lambda: "applied Meta" in screen.last_saved)
        await pilot.press("j")
        await wait_for(pilot, lambda: rows(strip)[1][column_of(31, n, 80)] == "▼")
        await pilot.press("u")
        await wait_for(pilot, lambda: rows(strip)[1][column_of(31, n, 80)] in ("▽", "┃") and "▲" not in rows(strip)[1])


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_reconciliation_mode_has_a_row_per_coder(project_path, size):
    code(project_path, "alice", ALICE)
    code(project_path, "ben", [("Denial", 5), ("Coercion", 20)])
    with Project.open(project_path) as p:
        p.set_mode("reconciliation")
    async with coding_app(project_path).run_test(size=size) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        strip = screen.query_one("#timeline", TimelineStrip)
        await wait_for(pilot, lambda: drawn(strip) and strip.size.height == 2)
        _, alice, ben = rows(strip)
        assert alice.startswith("alice ") and ben.startswith("ben   ")
        cells_a, cells_b = alice[6:], ben[6:]
        assert len(cells_a) == len(cells_b) == size[0] - 6
        n, w = len(screen.session.utterances), size[0] - 6
        assert cells_a[column_of(6, n, w)] == "▼" and cells_b[column_of(6, n, w)] == "▽"  # ben did not repair
        assert cells_b[column_of(21, n, w)] == "◆" and cells_a[column_of(21, n, w)] != "◆"
        await pilot.press("right_curly_bracket")
        await wait_for(pilot, lambda: screen.view.cursor == 5 and "alice: Minimal response at 6" in rows(strip)[0])


async def test_without_colour_the_families_differ_by_glyph_and_the_cursor_shows(project_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    u = code(project_path, "alice", ALICE)
    async with coding_app(project_path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        assert screen.view.look.mode == "mono"
        strip = screen.query_one("#timeline", TimelineStrip)
        await wait_for(pilot, lambda: drawn(strip))
        n = len(u)
        line = strip.render_line(0)
        glyphs = "".join(seg.text for seg in line)
        assert {glyphs[column_of(k, n, 80)] for k in (6, 10, 16, 41)} == {"▼", "▲", "◆", "▽"}
        await pilot.press("right_curly_bracket")  # the cursor on a rupture: the glyph in reverse video
        await wait_for(pilot, lambda: screen.view.cursor == 5)
        await wait_for(pilot, lambda: any(seg.text == "▼" and seg.style and seg.style.reverse
                                          for seg in strip.render_line(0)))


def test_in_256_colours_the_families_get_different_colours():
    numbers = {kind: Color.parse(Style.parse(style).color.name).downgrade(ColorSystem.EIGHT_BIT).number
               for kind, style in STYLES.items()}
    assert len({numbers["resolved"], numbers["repair"], numbers["coded"], numbers["empty"]}) == 4


async def test_a_codebook_without_families_has_no_strip(tmp_path):
    path = tmp_path / "mi.db"
    with Project.create(path) as p:
        p.load_codebook(load_codebook(ROOT / "codebooks" / "mi.yaml"))
        p.import_transcript(read_transcript(SESSION))
        p.add_coder("alice")
    async with coding_app(path).run_test(size=(80, 24)) as pilot:
        screen = await screen_ready(pilot, CodingScreen)
        await wait_for(pilot, lambda: screen.view.pane_height > 0)
        assert not screen.query_one("#timeline").display
        await pilot.press("right_curly_bracket")
        await wait_for(pilot, lambda: any("does not say which codes are ruptures" in str(n.message)
                                          for n in pilot.app._notifications))
