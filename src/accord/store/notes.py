"""The project's own notes: a journal of entries on the project as a whole, and its description.

Other tools keep these (QualCoder's journals, REFI-QDA's project `Description` and `Note`s
attached to nothing); accord keeps them so a project that travels through those tools comes
back whole. Each entry is written in one transaction and logged.
"""

from __future__ import annotations

from .base import ProjectBase
from .common import ProjectError, new_guid, now
from .events import JournalAdd, ProjectDescription


class ProjectNoteStore(ProjectBase):
    def add_project_note(self, title: str, text: str, coder: str | None = None, *,
                         created_at: str | None = None, guid: str | None = None) -> int:
        """Add a journal entry (by `coder`, or nobody named); returns its id."""
        if not text.strip():
            raise ProjectError("a journal entry needs some text")
        with self.transaction():
            stamp = now()
            coder_id = self.coder_id(coder) if coder else None
            note_id = self.db["project_notes"].insert(
                {"guid": guid or new_guid(), "title": title.strip() or text.strip().splitlines()[0][:60],
                 "text": text, "coder_id": coder_id, "created_at": created_at or stamp, "updated_at": stamp}
            ).last_pk
            self.log(JournalAdd(note_id=note_id, title=title), coder_id)
        return note_id

    def project_notes(self, coders: list[str] | None = None) -> list[dict]:
        """Journal entries, oldest first, with the coder's name (None: nobody named); only those of
        `coders` (and entries by nobody) when given."""
        rows = self.db.query(
            "SELECT n.id, n.guid, n.title, n.text, d.name AS coder, n.created_at FROM project_notes n "
            "LEFT JOIN coders d ON d.id = n.coder_id ORDER BY n.created_at, n.id"
        )
        return [r for r in rows if coders is None or r["coder"] is None or r["coder"] in coders]

    def has_project_note(self, guid: str) -> bool:
        return self.conn.execute("SELECT 1 FROM project_notes WHERE lower(guid) = lower(?)", [guid]).fetchone() is not None

    @property
    def description(self) -> str:
        """What the project is, in a sentence or two (REFI's project `Description`)."""
        return self.meta("description", "") or ""

    def set_description(self, text: str) -> None:
        with self.transaction():
            before = self.description
            self.db["meta"].upsert({"key": "description", "value": text}, pk="key")
            self.log(ProjectDescription(before=before, after=text))
