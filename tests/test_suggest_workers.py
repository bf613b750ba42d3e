"""Suggestions across worker processes are exactly those of one process."""

import multiprocessing
from pathlib import Path

import pytest

from accord.codebook import load_codebook
from accord.suggest import workers
from accord.suggest.pipeline import build_pipeline
from accord.suggest.suggester import suggest_transcript
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_suggest_what_one_process_suggests(start, monkeypatch):
    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: [start])
    pipeline = build_pipeline(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
    transcripts = [read_transcript(p) for p in sorted((ROOT / "sample_transcripts").glob("*.txt"))[:3]]
    seen = []
    result = workers.suggest_parallel(pipeline, transcripts, workers=2, progress=seen.append)
    assert list(result) == [t.name for t in transcripts] and len(seen) == len(transcripts)
    for t in transcripts:
        assert result[t.name] == suggest_transcript(pipeline, t)
    assert any(result.values())
