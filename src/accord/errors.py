"""Errors a user can act on.

`InputError` is for bad files: it names the file and, where there is one, the line, so the
CLI can print it as `file:line: message` and exit with status 2. Anything else escaping to
the CLI is a bug in accord.
"""

from __future__ import annotations

from pathlib import Path


class AccordError(Exception):
    """A problem the user can fix; the message is shown as is."""


class InputError(AccordError):
    def __init__(self, file: str | Path | None, message: str, line: int | None = None,
                 problems: list[InputError] | None = None):
        """`problems`: every problem found in the file when there are several (this error is
        the first of them), so one run can report them all."""
        self.file = str(file) if file is not None else None
        self.line = line
        self.message = message
        self.problems = problems or [self]
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"
