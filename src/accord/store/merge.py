"""Merging another copy of a project: its coders and codings come in, nothing else changes.

Coders often code blind in copies of one project file on different laptops. Merging
matches transcripts by the SHA-256 of their text (names may differ between copies) and codes
by name, and brings in the other copy's active codings under their coders' names. Codings
keep their guid, so merging the same copy twice adds nothing (and writes nothing). A
transcript whose text differs from the one of that name here is reported, not merged; a
transcript this project does not have yet is added with its codings.

The other file is only read: it is opened read-only and copied into memory, where an older
copy is brought up to this accord's schema. A file that is not an accord project, or that a
newer accord wrote (schema steps this accord does not know), is refused before anything here
is touched. The merge is one transaction, logged as one `project.merge` event.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from ..errors import InputError
from .common import ProjectError, now
from .schema import known_migrations, migrations


@dataclass
class MergeResult:
    source: str
    codings_added: dict[str, int] = field(default_factory=dict)  # coder -> codings brought in
    coders_added: list[str] = field(default_factory=list)
    transcripts_added: list[str] = field(default_factory=list)
    transcripts_matched: dict[str, str] = field(default_factory=dict)  # theirs -> ours
    transcripts_differing: list[str] = field(default_factory=list)  # same name, other text: not merged
    codes_missing: dict[str, int] = field(default_factory=dict)  # code -> codings not merged
    already_here: int = 0  # codings with a guid this project has already
    removed_there: int = 0  # codings removed in the other copy but active here (left as they are)
    event_id: int | None = None

    @property
    def added(self) -> int:
        return sum(self.codings_added.values())

    @property
    def changed(self) -> bool:
        return bool(self.added or self.transcripts_added or self.coders_added)


def read_other_project(path: str | Path) -> sqlite3.Connection:
    """An in-memory copy of another project file at this accord's schema; the file is only read."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if not path.is_file():
        raise InputError(path, "not a file; give the other copy's project file (for example accord.db)")
    with open(path, "rb") as f:
        header = f.read(16)
    if header != b"SQLite format 3\x00":
        raise InputError(path, "not an accord project (not an SQLite file)")
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.backup(memory)
        finally:
            source.close()
        db = Database(memory)
        if not db["meta"].exists() or not db["codings"].exists():
            raise InputError(path, "an SQLite file, but not an accord project")
        known = known_migrations()
        applied = [m.name for m in migrations.applied(db)]
        newer = [name for name in applied if name not in known]
        if newer:
            raise InputError(
                path,
                f"written by a newer accord (schema steps this accord does not know: {', '.join(newer)}); "
                "upgrade accord to merge it",
            )
        if migrations.pending(db):
            migrations.apply(db)
    except sqlite3.DatabaseError as e:
        memory.close()
        raise InputError(path, f"cannot read it as an accord project: {e}") from None
    except BaseException:
        memory.close()
        raise
    return memory


class MergeStore:
    def merge_from(self, other: str | Path) -> MergeResult:
        """Bring another copy's coders and codings into this project (see module docstring)."""
        other = Path(other)
        if other.exists() and self.path.exists() and other.resolve().samefile(self.path.resolve()):
            raise ProjectError(f"{other} is this project itself; give the other copy's file")
        theirs = read_other_project(other)
        try:
            return self._merge(theirs, str(other))
        finally:
            theirs.close()

    def _merge(self, theirs: sqlite3.Connection, source: str) -> MergeResult:
        result = MergeResult(source)
        q = lambda sql, *p: theirs.execute(sql, p).fetchall()  # noqa: E731
        their_guid = (q("SELECT value FROM meta WHERE key = 'guid'") or [(None,)])[0][0]
        with self.transaction():
            ours_by_hash: dict[str, int] = {}
            for tid, sha in self.conn.execute("SELECT id, sha256 FROM transcripts ORDER BY id"):
                ours_by_hash.setdefault(sha, tid)
            ours_by_name = {name: tid for tid, name in self.conn.execute("SELECT id, name FROM transcripts")}
            transcript_map: dict[int, int] = {}
            for row in q("SELECT id, name, sha256 FROM transcripts ORDER BY id"):
                tid, name, sha = row
                if sha in ours_by_hash:
                    transcript_map[tid] = ours_by_hash[sha]
                    ours_name = self.conn.execute("SELECT name FROM transcripts WHERE id = ?", [ours_by_hash[sha]]).fetchone()[0]
                    result.transcripts_matched[name] = ours_name
                elif name in ours_by_name:
                    result.transcripts_differing.append(name)
                else:
                    transcript_map[tid] = self._copy_transcript(theirs, tid)
                    result.transcripts_added.append(name)

            code_names = {cid: name for cid, name in q("SELECT id, name FROM codes")}
            ours_codes = {name: cid for cid, name in self.conn.execute("SELECT id, name FROM codes")}
            ours_lower = {name.lower(): cid for name, cid in ours_codes.items()}
            code_map = {}
            for cid, name in code_names.items():
                match = ours_codes.get(name) or ours_lower.get(name.lower())
                if match is not None:
                    code_map[cid] = match
            coder_names = {cid: name for cid, name in q("SELECT id, name FROM coders")}
            coder_map: dict[int, int] = {}
            for cid, guid, name in q("SELECT id, guid, name FROM coders ORDER BY id"):
                row_ = self.conn.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
                if row_ is None:
                    coder_map[cid] = self.db["coders"].insert({"guid": guid, "name": name, "created_at": now()}).last_pk
                    result.coders_added.append(name)
                else:
                    coder_map[cid] = row_[0]

            ours_guids = {g: status for g, status in self.conn.execute("SELECT guid, status FROM codings")}
            added_ids = []
            for row in q(
                'SELECT guid, transcript_id, code_id, coder_id, start, "end", origin, status, memo, created_at, '
                "updated_at FROM codings ORDER BY id"
            ):
                guid, tid, cid, coder, start, end, origin, status, memo, created, updated = row
                if guid in ours_guids:
                    if status != "active" and ours_guids[guid] == "active":
                        result.removed_there += 1
                    else:
                        result.already_here += 1
                    continue
                if status != "active" or tid not in transcript_map:
                    continue
                if cid not in code_map:
                    name = code_names[cid]
                    result.codes_missing[name] = result.codes_missing.get(name, 0) + 1
                    continue
                added_ids.append(
                    self.db["codings"].insert(
                        {
                            "guid": guid,
                            "transcript_id": transcript_map[tid],
                            "code_id": code_map[cid],
                            "coder_id": coder_map[coder],
                            "start": start,
                            "end": end,
                            "origin": origin,
                            "suggestion_id": None,  # suggestions are the other copy's own
                            "status": "active",
                            "memo": memo or "",
                            "created_at": created,
                            "updated_at": updated,
                        }
                    ).last_pk
                )
                ours_guids[guid] = "active"
                coder_name = coder_names[coder]
                result.codings_added[coder_name] = result.codings_added.get(coder_name, 0) + 1
            if result.changed:
                result.event_id = self.log(
                    "project.merge",
                    "project",
                    None,
                    {
                        "source": source,
                        "source_guid": their_guid,
                        "coding_ids": added_ids,
                        "codings_added": result.codings_added,
                        "coders_added": result.coders_added,
                        "transcripts_added": result.transcripts_added,
                        "transcripts_differing": result.transcripts_differing,
                        "codes_missing": result.codes_missing,
                    },
                )
        return result

    def _copy_transcript(self, theirs: sqlite3.Connection, their_id: int) -> int:
        theirs.row_factory = sqlite3.Row
        try:
            row = dict(theirs.execute("SELECT * FROM transcripts WHERE id = ?", [their_id]).fetchone())
            utterances = [
                tuple(r)
                for r in theirs.execute(
                    'SELECT number, speaker, start, "end", time_start, time_end FROM utterances '
                    "WHERE transcript_id = ? ORDER BY number",
                    [their_id],
                )
            ]
        finally:
            theirs.row_factory = None
        row.pop("id")
        new_id = self.db["transcripts"].insert(row).last_pk
        self.conn.executemany(
            'INSERT INTO utterances (transcript_id, number, speaker, start, "end", time_start, time_end) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(new_id, *u) for u in utterances],
        )
        self.log(
            "transcript.import",
            "transcript",
            new_id,
            {"name": row["name"], "source": row["source"], "sha256": row["sha256"], "format": row["format"], "merged": True},
        )
        return new_id
