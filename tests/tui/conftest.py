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


async def wait_for(pilot, condition, timeout: float = 5.0):
    """Poll until `condition()` is true, instead of sleeping a fixed time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)
