"""SVG snapshots of the main screens at pinned sizes and colours (regenerate: pytest --snapshot-update).

The colour system is pinned too: accord picks code colours by what the terminal can show,
so a snapshot must not depend on the TERM and COLORTERM of whoever runs the tests.
"""

import pytest

from accord.store import Project
from accord.tui.app import AccordApp

NAME = "session04_withdrawal_repair"
SIZE = (120, 40)


def coded_project(path):
    with Project.open(path) as p:
        t = p.transcript(NAME)
        u = t.utterances
        p.apply_code(NAME, "Minimal response", "alice", u[1].start, u[1].end)
        p.apply_code(NAME, "Denial", "alice", u[1].start, u[1].start + 12)
        p.apply_code(NAME, "Meta-communication", "alice", u[2].start, u[2].end)
        p.replace_suggestions(NAME, "snap", [
            {"code": "Inviting relationship talk", "start": u[4].start, "end": u[4].start + 20,
             "score": 0.71, "explanation": "phrase 'between us' matched"},
        ])
        p.set_utterance_memo(NAME, 3, "alice", "Flat tone; check the video.")
    return path


@pytest.fixture(autouse=True)
def truecolor(monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def colors_256(monkeypatch):
    """A terminal like tmux's default or macOS Terminal: 256 colours, no truecolor."""
    monkeypatch.setenv("TERM", "screen-256color")
    monkeypatch.delenv("COLORTERM")


@pytest.mark.parametrize("size", [(80, 24), SIZE, (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_coding_screen(snap_compare, project_path, size):
    app = AccordApp(coded_project(project_path), coder="alice", transcript=NAME, offer_demo=False)
    assert snap_compare(app, terminal_size=size, press=["j", "right_square_bracket"])


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=lambda s: f"{s[0]}x{s[1]}")
def test_coding_screen_in_256_colours(snap_compare, project_path, colors_256, size):
    app = AccordApp(coded_project(project_path), coder="alice", transcript=NAME, offer_demo=False)
    assert snap_compare(app, terminal_size=size, press=["j", "right_square_bracket"])


def test_code_picker_at_80x24(snap_compare, project_path, colors_256):
    app = AccordApp(coded_project(project_path), coder="alice", transcript=NAME, offer_demo=False)
    assert snap_compare(app, terminal_size=(80, 24), press=["j", "j", "enter", *"self crit"])


def test_help_screen(snap_compare, project_path):
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_screen(snap_compare, project_path, size):
    app = AccordApp(coded_project(project_path), coder="alice", offer_demo=False)
    assert snap_compare(app, terminal_size=size)
