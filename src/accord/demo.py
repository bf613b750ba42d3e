"""The demo project: shipped sample sessions, the alliance codebook, a reference coding and
the reference coder's ratings on the codebook's 5-minute rupture scale.

A new user should see real work after one command, so the demo is built in full (in a
temporary file, renamed into place at the end) or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from .codebook import load_codebook
from .coding_table import read_coding_table
from .errors import AccordError
from .ratings import read_rating_table
from .store import Project
from .transcripts import read_transcript

TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".vtt", ".srt"}


@contextmanager
def shipped(folder: str) -> Iterator[Path]:
    """A folder of the data shipped inside the package (`accord/data/`), as a real path for
    the readers, which open files by path. Read through importlib.resources, so an installed
    wheel finds it with no source tree beside it; the top-level codebooks/ and
    sample_transcripts/ are copies for people browsing the repository (a test keeps them equal)."""
    with resources.as_file(resources.files("accord") / "data" / folder) as path:
        if not path.is_dir():
            raise AccordError(f"accord's shipped {folder}/ folder is missing from its installation ({path}); reinstall accord")
        yield path


def build_demo(path: str | Path, coder: str = "reference", suggestions: bool = False) -> dict:
    """Build the demo project at `path`; with `suggestions`, also the codebook rules'
    suggestions, so a new user meets them at once (not a model: one trained on the reference
    coding would hand a new coder the reference's answers)."""
    with shipped("sample_transcripts") as samples, shipped("codebooks") as codebooks:
        return _build(Path(path), samples, codebooks / "alliance.yaml", coder, suggestions)


def _build(path: Path, samples: Path, codebook: Path, coder: str, suggestions: bool) -> dict:
    files = sorted(p for p in samples.iterdir() if p.suffix.lower() in TRANSCRIPT_SUFFIXES)
    transcripts = [read_transcript(f) for f in files]
    book = load_codebook(codebook)
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
        ratings = 0
        for table in sorted(samples.glob("reference_ratings*.csv")):
            rows = [dict(r, coder=coder) for r in read_rating_table(table, by_name, book.ratings)]
            ratings += sum(project.import_ratings(rows).values())
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
        "ratings": ratings,
        "suggestions": suggested,
    }

