"""Renaming, merging and deleting codes and transcripts: logged, and undone like any action.

Each edit is one transaction and one event, logged as the action of the coder who made it,
so `accord undo --coder NAME` takes it back (and `redo` brings it again), as for codings.

Codings are never deleted or rewritten, because the event log refers to them by id:
merging code A into B removes each A coding and adds the same span as B (undo flips them
back), and deleting a code removes its codings and retires it, as a codebook without it
would. A transcript can be deleted only while nobody's work points at it (no codings, not
even removed ones, no memos, no decisions on its suggestions): a wrongly imported file. Its
rows then go, and the event keeps a copy of them, so undo puts them back.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import replace

from ..codebook import codebook_to_dict
from .base import ProjectBase
from .common import ProjectError, now
from .events import CodeDelete, CodeMerge, CodeRename, TranscriptDelete, TranscriptRename, payload

EDITS = ("code.rename", "code.merge", "code.delete", "transcript.rename", "transcript.delete")

# What a transcript's rows are, in the order they are put back (deleted in reverse).
_TRANSCRIPT_TABLES = ("transcripts", "utterances", "suggestions", "review_progress", "case_members")


class EditStore(ProjectBase):
    # --- codes ------------------------------------------------------------------------------

    def rename_code(self, old: str, new: str, coder: str) -> dict:
        """Rename a code; its codings, sub-codes and definition go with it. Returns the event."""
        new = new.strip()
        with self.transaction():
            code_id, old = self.code_id(old), self.code_name(old)
            coder_id = self.coder_id(coder)
            if not new:
                raise ProjectError("a code needs a name")
            clash = self.conn.execute("SELECT name FROM codes WHERE lower(name) = lower(?) AND id != ?",
                                      [new, code_id]).fetchone()
            if clash:
                raise ProjectError(f"there is already a code named {clash[0]!r}; to fold {old!r} into it, "
                                   f"merge them: `accord codes merge {shlex.quote(old)} {shlex.quote(clash[0])}`")
            self._rename_code(code_id, old, new)
            return self._event(self.log(CodeRename(code_id=code_id, before=old, after=new), coder_id))

    def _rename_code(self, code_id: int, old: str, new: str) -> None:
        """The rename itself, also used by undo: codes, sub-codes' parent, and a codebook version
        that says so (the codebook's per-code settings are read from the newest version by name)."""
        book = self.codebook()
        self.conn.execute("UPDATE codes SET name = ? WHERE id = ?", [new, code_id])
        self.conn.execute("UPDATE codes SET parent = ? WHERE parent = ?", [new, old])
        if book is not None:
            codes = [replace(c, name=new if c.name == old else c.name, parent=new if c.parent == old else c.parent)
                     for c in book.codes]
            self._store_codebook_version(replace(book, codes=codes), f"code {old!r} renamed {new!r}")

    def _store_codebook_version(self, book, source: str) -> int:
        snapshot = json.dumps(codebook_to_dict(book), ensure_ascii=False, sort_keys=True)
        return self.db["codebook_versions"].insert({
            "name": book.name, "label": book.version, "sha256": hashlib.sha256(snapshot.encode()).hexdigest(),
            "source": source, "snapshot": snapshot, "loaded_at": now(),
        }).last_pk

    def merge_codes(self, source: str, into: str, coder: str) -> dict:
        """Fold code `source` into `into`: every coding of `source` becomes one of `into` (a
        coder who already has `into` on that exact span keeps just that one), and `source` is
        retired. Returns the event."""
        with self.transaction():
            source_id, source = self.code_id(source), self.code_name(source)
            into_id, into = self.code_id(into), self.code_name(into)
            coder_id = self.coder_id(coder)
            if source_id == into_id:
                raise ProjectError(f"cannot merge {source!r} into itself")
            self._no_children(source, "merge")
            if self._retired(into_id):
                raise ProjectError(f"code {into!r} was retired from the codebook; merge into a current code")
            removed, added, replaced = [], [], {}
            for k in self.codings(code=source):
                removed.append(k.id)
                self._set_status(k.id, "removed")
                twin = self.conn.execute(
                    'SELECT id FROM codings WHERE transcript_id = ? AND code_id = ? AND coder_id = ? AND start = ? '
                    'AND "end" = ? AND status = \'active\'',
                    [self.transcript_id(k.transcript), into_id, self.coder_id(k.coder), k.start, k.end]).fetchone()
                if not twin:
                    added.append(self._insert_coding(k.transcript, into, k.coder, k.start, k.end, k.origin, k.memo, None))
                replaced[k.id] = twin[0] if twin else added[-1]
            self.conn.execute("UPDATE codes SET retired = 1 WHERE id = ?", [source_id])
            links = self.carry_links(replaced)  # a merged coding keeps its links
            merged = CodeMerge(code_id=source_id, code=source, into=into, added=added, removed=removed, links=links)
            return self._event(self.log(merged, coder_id))

    def delete_code(self, name: str, coder: str) -> dict:
        """Take a code out of the codebook: its codings (everyone's) are removed and it is
        retired, as a codebook without it would. Returns the event."""
        with self.transaction():
            code_id, name = self.code_id(name), self.code_name(name)
            coder_id = self.coder_id(coder)
            self._no_children(name, "delete")
            removed = [k.id for k in self.codings(code=name)]
            for coding_id in removed:
                self._set_status(coding_id, "removed")
            self.conn.execute("UPDATE codes SET retired = 1 WHERE id = ?", [code_id])
            return self._event(self.log(CodeDelete(code_id=code_id, code=name, removed=removed), coder_id))

    def _no_children(self, name: str, verb: str) -> None:
        children = [r[0] for r in self.conn.execute("SELECT name FROM codes WHERE parent = ? AND retired = 0 ORDER BY position",
                                                     [name])]
        if children:
            raise ProjectError(f"code {name!r} has sub-codes ({', '.join(children)}); {verb} or move them first")

    def _retired(self, code_id: int) -> bool:
        return bool(self.conn.execute("SELECT retired FROM codes WHERE id = ?", [code_id]).fetchone()[0])

    # --- transcripts ------------------------------------------------------------------------

    def rename_transcript(self, old: str, new: str, coder: str) -> dict:
        new = new.strip()
        with self.transaction():
            transcript_id, coder_id = self.transcript_id(old), self.coder_id(coder)
            if not new:
                raise ProjectError("a transcript needs a name")
            if self.conn.execute("SELECT 1 FROM transcripts WHERE name = ? AND id != ?", [new, transcript_id]).fetchone():
                raise ProjectError(f"there is already a transcript named {new!r}")
            self.conn.execute("UPDATE transcripts SET name = ? WHERE id = ?", [new, transcript_id])
            renamed = TranscriptRename(transcript_id=transcript_id, before=old, after=new)
            return self._event(self.log(renamed, coder_id))

    def delete_transcript(self, name: str, coder: str) -> dict:
        """Delete a transcript nobody has worked on (see the module docstring). Returns the event."""
        with self.transaction():
            transcript_id, coder_id = self.transcript_id(name), self.coder_id(coder)
            if self._worked_on(transcript_id):  # no counts or names: the project may be blind
                raise ProjectError(
                    f"someone has worked on transcript {name!r} (codings, even removed ones, memos, decisions on "
                    "its suggestions or ratings); accord keeps a transcript once anyone has, because their work and the event "
                    f"log point at it. Rename it instead: `accord transcripts rename {shlex.quote(name)} NEW_NAME`")
            rows = {table: self._rows_of(table, transcript_id) for table in _TRANSCRIPT_TABLES}
            rows["variable_values"] = self._transcript_values(transcript_id)
            self._delete_transcript_rows(transcript_id)
            deleted = TranscriptDelete(transcript_id=transcript_id, name=name, rows=rows)
            return self._event(self.log(deleted, coder_id))

    def _worked_on(self, transcript_id: int) -> bool:
        """Whether anyone has coded, memoed or decided a suggestion on a transcript."""
        return any(self.conn.execute(sql, [transcript_id]).fetchone() for sql in (
            "SELECT 1 FROM codings WHERE transcript_id = ? LIMIT 1",
            "SELECT 1 FROM memos WHERE transcript_id = ? LIMIT 1",
            "SELECT 1 FROM suggestion_decisions d JOIN suggestions s ON s.id = d.suggestion_id "
            "WHERE s.transcript_id = ? LIMIT 1",
        )) or self._rated(transcript_id)

    def _rows_of(self, table: str, transcript_id: int) -> list[dict]:
        column = "id" if table == "transcripts" else "transcript_id"
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE {column} = ?", [transcript_id])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]

    # --- undo / redo --------------------------------------------------------------------------

    def _revert_edit(self, event: dict, *, undo: bool) -> None:
        """Undo (or redo) one of the edits above from what its event recorded."""
        p = payload(event)
        if isinstance(p, CodeRename):
            before, after = (p.after, p.before) if undo else (p.before, p.after)
            if self.conn.execute("SELECT 1 FROM codes WHERE lower(name) = lower(?) AND id != ?", [after, p.code_id]).fetchone():
                raise ProjectError(f"cannot rename code {before!r} back to {after!r}: another code has that name now")
            self._rename_code(p.code_id, before, after)
        elif isinstance(p, (CodeMerge, CodeDelete)):
            added, links = (p.added, p.links) if isinstance(p, CodeMerge) else ([], [])
            for coding_id in added:
                self._set_status(coding_id, "removed" if undo else "active")
            for coding_id in p.removed:
                self._set_status(coding_id, "active" if undo else "removed")
            for link_id in links:
                self._set_link_status(link_id, "removed" if undo else "active")
            self.conn.execute("UPDATE codes SET retired = ? WHERE id = ?", [0 if undo else 1, p.code_id])
        elif isinstance(p, TranscriptRename):
            name = p.before if undo else p.after
            if self.conn.execute("SELECT 1 FROM transcripts WHERE name = ? AND id != ?", [name, p.transcript_id]).fetchone():
                raise ProjectError(f"cannot name the transcript {name!r} again: another transcript has that name now")
            self.conn.execute("UPDATE transcripts SET name = ? WHERE id = ?", [name, p.transcript_id])
        elif isinstance(p, TranscriptDelete) and undo:
            self._restore_transcript(p)
        elif isinstance(p, TranscriptDelete):
            self._delete_transcript_rows(p.transcript_id)

    def _delete_transcript_rows(self, transcript_id: int) -> None:
        self._delete_transcript_values(transcript_id)
        for table in reversed(_TRANSCRIPT_TABLES):
            column = "id" if table == "transcripts" else "transcript_id"
            self.conn.execute(f"DELETE FROM {table} WHERE {column} = ?", [transcript_id])

    def _restore_transcript(self, deleted: TranscriptDelete) -> None:
        """Put a deleted transcript's rows back as they were, ids included."""
        name = deleted.name
        if self.conn.execute("SELECT 1 FROM transcripts WHERE name = ?", [name]).fetchone():
            raise ProjectError(f"cannot bring transcript {name!r} back: another transcript has that name now; "
                               "rename that one first")
        [transcript] = deleted.rows["transcripts"]
        if self.conn.execute("SELECT 1 FROM transcripts WHERE id = ?", [transcript["id"]]).fetchone():
            raise ProjectError(f"cannot bring transcript {name!r} back: a transcript imported since took its place")
        for table in (*_TRANSCRIPT_TABLES, "variable_values"):
            for row in deleted.rows.get(table, []):  # events from before variables have no values
                columns = list(row)
                self.conn.execute(
                    f"INSERT INTO {table} ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
                    [row[c] for c in columns])
