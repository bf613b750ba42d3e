"""The project file: one SQLite database per project, opened through `Project`.

Why it is set up this way:
- The file is created readable by its owner only (clinical material); SQLite gives its WAL
  and shared-memory files the same mode.
- WAL lets a second coder's process read while the first writes; `busy_timeout` and
  `BEGIN IMMEDIATE` make concurrent writers wait their turn instead of failing with
  "database is locked"; `synchronous=FULL` so a confirmed action survives a power cut too.
- Every change runs in `transaction()`: one action, one commit, together with its event.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path
from collections.abc import Iterator
from typing import Any, Self, overload

from sqlite_utils import Database

from .codebooks import CodebookStore
from .codings import CodingStore
from .edits import EditStore
from .events import CoderAdd, Payload
from .memos import MemoStore
from .merge import MergeStore
from .common import ProjectError, new_guid, now
from .health import check_readable, explain_database_error
from .interchange import InterchangeStore
from .links import LinkStore
from .models import ModelStore
from .notes import ProjectNoteStore
from .ratings import RatingStore
from .rows import RowsStore
from .schema import known_migrations, migrations
from .suggestions import SuggestionStore
from .transcripts import TranscriptStore
from .variables import VariableStore

DEFAULT_PROJECT = "accord.db"
BUSY_TIMEOUT_MS = 15_000


class Project(TranscriptStore, CodebookStore, CodingStore, EditStore, SuggestionStore, MemoStore, InterchangeStore, MergeStore,
              ModelStore, RowsStore, ProjectNoteStore, RatingStore, VariableStore, LinkStore):
    """A coding project. Create with `Project.create(path)`, reopen with `Project.open(path)`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.db = Database(conn)

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path) -> "Project":
        path = Path(path)
        if path.exists():
            raise ProjectError(f"{path}: a file already exists there; open it, or choose another name")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        project = None
        try:
            project = cls._connect(path)
            project._migrate()
            with project.transaction():
                project.db["meta"].insert_all(
                    [
                        {"key": "guid", "value": new_guid()},
                        {"key": "created_at", "value": now()},
                        {"key": "mode", "value": "blind"},
                    ]
                )
        except BaseException:
            if project is not None:
                project.close()  # before the file goes: SQLite must not hold it
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return project

    @classmethod
    def open(cls, path: str | Path) -> "Project":
        """Open a project, refusing anything else without writing a byte to it.

        The file is never read with Python's `open()`: closing that descriptor would drop the
        locks of every SQLite connection this process has on it (see the module docstring).
        SQLite itself says whether the file is a database; WAL is switched on only after
        the checks pass, so a refused file is left exactly as it was.
        """
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no project here (create one with `accord init --project {path}`)")
        if not path.is_file():
            raise ProjectError(f"{path}: not a file; give the project file (for example accord.db)")
        if path.stat().st_size == 0:
            raise ProjectError(f"{path}: an empty file, not an accord project")
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        project = cls(path, conn)
        try:
            check_readable(conn, path)
            if not project.db["meta"].exists():
                raise ProjectError(f"{path}: an SQLite file, but not an accord project")
            known = set(known_migrations())
            newer = [m.name for m in migrations.applied(project.db) if m.name not in known]
            if newer:  # never write to a schema this accord does not understand
                raise ProjectError(
                    f"{path}: written by a newer accord (schema steps {', '.join(newer)}); upgrade accord to open it"
                )
            project._configure()
            project._migrate()
        except sqlite3.DatabaseError as e:
            project.close()
            raise ProjectError(explain_database_error(path, e)) from None
        except BaseException:
            project.close()
            raise
        return project

    @classmethod
    def _connect(cls, path: Path) -> "Project":
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        project = cls(path, conn)
        project._configure()
        return project

    def _configure(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        if migrations.pending(self.db):
            with self.transaction():
                migrations.apply(self.db)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions and the event log ------------------------------------------------------

    @contextlib.contextmanager
    def waiting_at_most(self, ms: int) -> Iterator[Self]:
        """Wait at most `ms` for another program's lock inside this block, then the usual
        BUSY_TIMEOUT_MS again: a screen retrying an unsaved action must not freeze for the
        whole timeout each time it tries."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield self
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """One unit of work: all of it is committed, or none of it.

        BEGIN IMMEDIATE takes the write lock up front, so a second coder's process waits
        (up to the busy timeout) instead of failing half-way with "database is locked".
        Nested calls join the outer transaction.
        """
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:  # not committed (disk full, I/O error): leave no transaction open
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def log(self, payload: Payload, coder_id: int | None = None) -> int:
        """Append an action's event (see store/events.py); call inside the transaction that made the change."""
        if not isinstance(payload, Payload):
            raise TypeError(f"log() takes an event payload from store/events.py, not {type(payload).__name__}")
        return self.db["events"].insert(
            {
                "at": now(),
                "coder_id": coder_id,
                "action": payload.action,
                "entity": payload.entity,
                "entity_id": payload.entity_id,
                "data": json.dumps(payload.to_data(), ensure_ascii=False),
                "undone": 0,
            }
        ).last_pk

    def events(self, coder: str | None = None, limit: int | None = None, action: str | None = None,
               undone: bool | None = None) -> list[dict]:
        """The event log, newest first; optionally one coder's, one action's, undone or not."""
        clauses: list[str] = []
        params: list[Any] = []
        if coder is not None:
            clauses.append("coder_id = ?")
            params.append(self.coder_id(coder))
        if action is not None:
            clauses.append("action = ?")
            params.append(action)
        if undone is not None:
            clauses.append("undone = ?")
            params.append(int(undone))
        where = " AND ".join(clauses)
        rows = self.db["events"].rows_where(where or None, params, order_by="id desc", limit=limit)
        return [dict(r, data=json.loads(r["data"])) for r in rows]

    # --- meta and coders ---------------------------------------------------------------------

    @overload
    def meta(self, key: str, default: str) -> str: ...
    @overload
    def meta(self, key: str, default: None = None) -> str | None: ...
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    def add_coder(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise ProjectError("a coder needs a name")
        existing = self.conn.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
        if existing:
            raise ProjectError(f"coder {name!r} already exists")
        with self.transaction():
            coder_id = self.db["coders"].insert({"guid": new_guid(), "name": name, "created_at": now()}).last_pk
            self.log(CoderAdd(coder_id=coder_id, name=name), coder_id)
        return coder_id

    def ensure_coder(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
        return row[0] if row else self.add_coder(name)

    def coders(self) -> list[dict]:
        return list(
            self.db.query(
                "SELECT c.id, c.name, c.created_at, "
                "(SELECT count(*) FROM codings k WHERE k.coder_id = c.id AND k.status = 'active') AS codings "
                "FROM coders c ORDER BY c.id"
            )
        )

    def has_coder(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM coders WHERE name = ?", [name]).fetchone() is not None

    def coder_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
        if not row:
            known = ", ".join(c["name"] for c in self.coders()) or "none yet"
            raise ProjectError(f"no coder named {name!r} (coders: {known}; add one with `accord coders add NAME`)")
        return row[0]

    def status(self) -> dict:
        q = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        cb = self.conn.execute(
            "SELECT name, label, version FROM codebook_versions ORDER BY version DESC LIMIT 1"
        ).fetchone()
        return {
            "project": str(self.path),
            "mode": self.meta("mode", "blind"),
            "transcripts": q("SELECT count(*) FROM transcripts"),
            "utterances": q("SELECT count(*) FROM utterances"),
            "words": q("SELECT coalesce(sum(words), 0) FROM transcripts"),
            "codebook": {"name": cb[0], "version": cb[1], "stored_version": cb[2]} if cb else None,
            "codes": q("SELECT count(*) FROM codes WHERE retired = 0"),
            "coders": [{"name": c["name"], "codings": c["codings"]} for c in self.coders()],
            "codings": q("SELECT count(*) FROM codings WHERE status = 'active'"),
            "suggestions": q("SELECT count(*) FROM suggestions WHERE status = 'current' AND source IS NOT 'probe'"),
            "events": q("SELECT count(*) FROM events"),
        }
