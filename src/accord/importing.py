"""Importing transcript files into a project: read every file first, then store them all.

One path for the command line, the demo and scripts. Files are parsed and checked before the
project is touched, so a bad file (or a changed text under a stored name) leaves the project
file as it was. `progress` wraps an iterable for a face that shows progress (the CLI's bar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import AccordError, InputError
from .model import Transcript
from .transcripts import read_transcript

Progress = Callable[[Iterable, str], Iterable]


def _plain(items: Iterable, label: str) -> Iterable:
    return items


class ImportRefused(AccordError):
    """Storing would replace stored text; `problems` names each file and transcript."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("nothing imported: codings are anchored to stored text, so a transcript is never replaced; "
                         "store the new text as a new transcript (as_new) or under another name")
        self.problems = problems


def read_files(paths: Iterable[str | Path], *, format: str | None = None, name: str | None = None,
               roles: dict | None = None, columns: dict | None = None,
               progress: Progress = _plain) -> tuple[list[Transcript], list[InputError]]:
    """Every file parsed, and the errors of those that could not be (each names its file)."""
    parsed, errors = [], []
    for path in progress(list(paths), "Reading"):
        try:
            parsed.append(read_transcript(path, format=format, name=name, roles=roles, columns=columns))
        except InputError as e:
            errors.append(e)
    return parsed, errors


def import_files(project, transcripts: list[Transcript], *, as_new: bool = False, progress: Progress = _plain) -> list:
    """Store parsed transcripts, each in its own transaction, after checking the whole batch:
    a changed text under a stored name refuses all of them (`ImportRefused`) unless `as_new`."""
    problems = [] if as_new else project.import_conflicts(transcripts)
    if problems:
        raise ImportRefused(problems)
    return [project.import_transcript(t, as_new=as_new) for t in progress(transcripts, "Storing")]
