"""Telling a damaged or foreign file from a project, using SQLite alone.

Python never opens the project file to look at it: on POSIX, closing that descriptor drops
the locks of every SQLite connection the process holds on the file, and another process may
then delete the WAL this one is still writing to. SQLite reads the header instead, and its
own errors are turned into a sentence that says what to do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DAMAGED_ADVICE = (
    "restore it from a backup (or another coder's copy, then `accord merge`); "
    "`sqlite3 FILE 'PRAGMA integrity_check'` lists what is damaged"
)


def check_readable(conn: sqlite3.Connection, path: Path) -> None:
    """Read the schema through `conn`, which makes SQLite check the header and page count
    (a file cut short claims more pages than it has). Raises sqlite3.DatabaseError."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def explain_database_error(path: Path | str, error: sqlite3.DatabaseError) -> str:
    """One sentence for a user: what is wrong with the file at `path`, and what to do."""
    message = str(error)
    if "not a database" in message:
        return f"{path}: not an accord project (not an SQLite file)"
    if "malformed" in message or "corrupt" in message or "disk image" in message:
        return f"{path}: the project file is damaged ({message}); {DAMAGED_ADVICE}"
    if "locked" in message or "busy" in message:
        return f"{path}: another program holds the project file locked ({message}); close it and try again"
    return f"{path}: cannot read the project file ({message}); {DAMAGED_ADVICE}"
