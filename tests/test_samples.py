"""The shipped sample sessions are realistic enough to demo and test with."""

from pathlib import Path

import pytest

from accord.codebook import load_codebook
from accord.coding_table import read_coding_table
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "sample_transcripts").iterdir() if p.suffix in {".txt", ".docx", ".vtt"})


def test_there_are_six_sessions_in_several_formats():
    assert len(SAMPLES) >= 6
    assert {p.suffix for p in SAMPLES} >= {".txt", ".docx", ".vtt"}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_each_session_is_long_and_has_a_therapist_and_a_client(path):
    t = read_transcript(path)
    assert t.words >= 1500
    assert len(t.speakers) == 2
    assert len(t.utterances) >= 60
    assert "therapist" in t.roles.values() or "interviewer" in t.roles.values()


def test_reference_coding_resolves_and_uses_every_top_level_branch():
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    transcripts = {t.name: t for t in map(read_transcript, SAMPLES)}
    rows = []
    for table in sorted((ROOT / "sample_transcripts").glob("reference_coding*.csv")):
        rows += read_coding_table(table, transcripts, {c.name for c in book.codes})
    assert len(rows) >= 150
    assert {r["transcript"] for r in rows} == set(transcripts)
    branches = {book.path(r["code"])[0] for r in rows}
    assert branches == {"Rupture", "Repair", "Power dynamics", "Real relationship"}
