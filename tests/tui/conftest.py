"""Fixtures for driving the real accord app with Pilot on real project files."""

import asyncio
from pathlib import Path

import pytest

from accord.codebook import load_codebook
from accord.store import Project
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[2]
SESSION = ROOT / "sample_transcripts" / "session04_withdrawal_repair.txt"


@pytest.fixture(autouse=True)
def private_prefs(tmp_path, monkeypatch):
    """Remembered coder names go to a temporary config folder, never the tester's home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "study.db"
    with Project.create(path) as p:
        p.load_codebook(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
        p.import_transcript(read_transcript(SESSION))
        p.add_coder("alice")
        p.add_coder("ben")
    return path


async def wait_for(pilot, condition, timeout: float = 20.0):
    """Poll until `condition()` is true, instead of sleeping a fixed time. The timeout is only
    a deadline for a hung app: generous, so a loaded machine passes as an idle one does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def screen_ready(pilot, screen_class, timeout: float = 20.0):
    """Wait until `screen_class` is the active screen and has composed and mounted its widgets
    (a screen becomes active before its children exist); return it."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, screen_class) and app.screen.is_mounted, timeout)
    return app.screen


def widget(app, selector):
    """The active screen's widget matching `selector`, or None while it is still being built."""
    from textual.css.query import NoMatches

    try:
        return app.screen.query_one(selector)
    except NoMatches:
        return None
