"""Plain rows for whole-project arithmetic (agreement's unit tables): tuples, not objects.

A report may load a hundred thousand codings; building a `Coding` for each would take longer
than all the arithmetic, so these hand back rows that go straight into numpy arrays.
"""

from __future__ import annotations

from .base import ProjectBase


class RowsStore(ProjectBase):
    def coding_rows(self, coder: str) -> list[tuple[int, int, int, int, int]]:
        """A coder's active codings as (transcript id, code id, start, end, coding id)."""
        return self.conn.execute(
            'SELECT transcript_id, code_id, start, "end", id FROM codings WHERE coder_id = ? AND status = \'active\'',
            [self.coder_id(coder)],
        ).fetchall()

    def utterance_rows(self) -> list[tuple[int, int, int]]:
        """Every non-empty utterance as (transcript id, start, end), by transcript and start."""
        return self.conn.execute(
            'SELECT transcript_id, start, "end" FROM utterances WHERE "end" > start ORDER BY transcript_id, start'
        ).fetchall()

    def transcript_rows(self) -> list[tuple[int, str, int]]:
        """Every transcript as (id, name, length of its text), by id."""
        return self.conn.execute("SELECT id, name, length(text) FROM transcripts ORDER BY id").fetchall()

    def code_rows(self) -> list[tuple[int, str, int, int]]:
        """Every code, retired ones too, as (id, name, position, retired)."""
        return self.conn.execute("SELECT id, name, position, retired FROM codes").fetchall()
