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
from .importing import import_files, read_files

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
    transcripts, errors = read_files(files)
    if errors:  # the shipped samples are ours: a bad one is a packaging fault
        raise errors[0]
    book = load_codebook(codebook)
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    codings = 0
    with Project.create(tmp) as project:
        project.load_codebook(book)
        import_files(project, transcripts)
        by_name = {t.name: t for t in transcripts}
        codes = {c.name for c in book.codes}
        for table in sorted(samples.glob("reference_coding*.csv")):
            codings += project.import_codings(read_coding_table(table, by_name, codes), coder)
        ratings = 0
        for table in sorted(samples.glob("reference_ratings*.csv")):
            rows = [dict(r, coder=coder) for r in read_rating_table(table, by_name, book.ratings)]
            ratings += sum(project.import_ratings(rows).values())
        _variables(project, set(by_name))
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



# The demo's study design: which client each session is with, where it falls in treatment,
# and who the clients are (session 1 and session 6 are the same client, A, months apart).
_SESSIONS = {  # transcript: (client case, speaker label, session number, phase)
    "session01_cbt_panic": ("client A", "Client", 1, "early"),
    "session02_fees_rupture": ("client B", "Sam", 4, "early"),
    "session03_medication_review": ("client C", "Client", 6, "middle"),
    "session04_withdrawal_repair": ("client D", "C", 8, "middle"),
    "session05_interview_consent": ("participant E", "Participant", 1, "early"),
    "session06_ending": ("client A", "Client", 12, "late"),
}
_CLIENTS = {"client A": (34, "self"), "client B": (27, "self"), "client C": (52, "GP"), "client D": (41, "court"),
            "participant E": (29, "self")}


def _variables(project: Project, names: set[str]) -> None:
    """Session variables (session number, client, phase) and the clients as cases, with age and
    referral, so cross-tabs and the long CSV have something to show."""
    with project.transaction():
        project.define_variable("session", "transcript", "number")
        project.define_variable("client", "transcript", "text")
        project.define_variable("phase", "transcript", "category", ["early", "middle", "late"])
        project.define_variable("age", "case", "number")
        project.define_variable("referral", "case", "category", ["self", "GP", "court"])
        changes = []
        for name, (client, speaker, number, phase) in _SESSIONS.items():
            if name not in names:
                continue
            if not project.has_case(client):
                project.add_case(client)
            project.add_case_members(client, [(name, speaker)])
            changes += [("session", name, str(number)), ("client", name, client), ("phase", name, phase)]
        for client, (age, referral) in _CLIENTS.items():
            if project.has_case(client):
                changes += [("age", client, str(age)), ("referral", client, referral)]
        project.set_values(changes, source="demo")
