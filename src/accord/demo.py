"""The demo project: shipped sample sessions, the alliance codebook and a reference coding.

A new user should see real work after one command, so the demo is built in full (in a
temporary file, renamed into place at the end) or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from .codebook import load_codebook
from .coding_table import read_coding_table
from .errors import AccordError
from .store import Project
from .transcripts import read_transcript

TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".vtt", ".srt"}


def shipped(folder: str) -> Path:
    """A top-level folder of the source tree (accord is installed editable, see README)."""
    path = Path(__file__).resolve().parents[2] / folder
    if not path.is_dir():
        raise AccordError(f"cannot find the shipped {folder}/ folder at {path}; install accord with `pip install -e .` from its source tree")
    return path


def build_demo(path: str | Path, coder: str = "reference", suggestions: bool = False) -> dict:
    """Build the demo project at `path`; with `suggestions`, also the codebook rules'
    suggestions, so a new user meets them at once (not a model: one trained on the reference
    coding would hand a new coder the reference's answers)."""
    path = Path(path)
    samples = shipped("sample_transcripts")
    files = sorted(p for p in samples.iterdir() if p.suffix.lower() in TRANSCRIPT_SUFFIXES)
    transcripts = [read_transcript(f) for f in files]
    book = load_codebook(shipped("codebooks") / "alliance.yaml")
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    codings = 0
    with Project.create(tmp) as project:
        project.load_codebook(book)
        for t in transcripts:
            project.import_transcript(t)
        by_name = {t.name: t for t in transcripts}
        codes = {c.name for c in book.codes}
        for table in sorted(samples.glob("reference_coding*.csv")):
            codings += project.import_codings(read_coding_table(table, by_name, codes), coder)
        suggested = 0
        if suggestions:
            from .suggest import service

            suggested = service.suggest(project, [t.name for t in transcripts])
    os.replace(tmp, path)
    return {
        "transcripts": len(transcripts),
        "words": sum(t.words for t in transcripts),
        "codebook": book.name,
        "codings": codings,
        "suggestions": suggested,
    }

