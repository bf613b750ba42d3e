"""SVG snapshots of the main screens at a pinned size (regenerate: pytest --snapshot-update)."""

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


def test_coding_screen(snap_compare, project_path):
    app = AccordApp(coded_project(project_path), coder="alice", transcript=NAME, offer_demo=False)
    assert snap_compare(app, terminal_size=SIZE, press=["j", "right_square_bracket"])


def test_help_screen(snap_compare, project_path):
    app = AccordApp(project_path, coder="alice", transcript=NAME, offer_demo=False)
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])


def test_home_screen(snap_compare, project_path):
    app = AccordApp(coded_project(project_path), coder="alice", offer_demo=False)
    assert snap_compare(app, terminal_size=SIZE)
