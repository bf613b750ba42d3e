"""Memos on utterances, review progress, and what a coder may see.

Blind coding is enforced here, in the layer every screen reads through: while the project
is in `blind` mode a coder sees only their own codings and memos; only in `reconciliation`
mode are other coders' visible.
"""

from __future__ import annotations

import json

from ..model import Coding
from .base import ProjectBase
from .common import ProjectError, now
from .events import MemoSet, ProjectMode

MODES = ("blind", "reconciliation")


class MemoStore(ProjectBase):
    # --- blind coding ---------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.meta("mode", "blind")

    def set_mode(self, mode: str, by: str | None = None, login: str | None = None) -> None:
        """Switch modes, logged with the coder who did (`by`) and the account that ran it
        (`login`), for `accord mode --history`."""
        if mode not in MODES:
            raise ProjectError(f"unknown mode {mode!r}; choose {' or '.join(MODES)}")
        with self.transaction():
            coder_id = self.coder_id(by) if by is not None else None
            before = self.mode
            self.db["meta"].upsert({"key": "mode", "value": mode}, pk="key")
            self.log(ProjectMode(before=before, after=mode, by=by, login=login), coder_id)

    def visible_codings(self, viewer: str, transcript: str | None = None) -> list[Coding]:
        """The codings `viewer` may see: their own while blind, everyone's when reconciling."""
        if self.mode == "reconciliation":
            return self.codings(transcript=transcript)
        return self.codings(transcript=transcript, coder=viewer)

    # --- memos on utterances ----------------------------------------------------------------

    def set_utterance_memo(self, transcript: str, number: int, coder: str, text: str) -> None:
        """Write (or clear, with empty text) this coder's memo on an utterance; undoable."""
        with self.transaction():
            transcript_id, coder_id = self.transcript_id(transcript), self.coder_id(coder)
            if not self.conn.execute(
                "SELECT 1 FROM utterances WHERE transcript_id = ? AND number = ?", [transcript_id, number]
            ).fetchone():
                raise ProjectError(f"transcript {transcript!r} has no utterance {number}")
            before = self._memo_text(transcript_id, number, coder_id)
            self._write_memo(transcript_id, number, coder_id, text)
            self.log(MemoSet(utterance=number, transcript_id=transcript_id, before=before, after=text), coder_id)

    def _memo_text(self, transcript_id: int, number: int, coder_id: int) -> str:
        row = self.conn.execute(
            "SELECT text FROM memos WHERE transcript_id = ? AND utterance = ? AND coder_id = ?",
            [transcript_id, number, coder_id],
        ).fetchone()
        return row[0] if row else ""

    def _write_memo(self, transcript_id: int, number: int, coder_id: int, text: str) -> None:
        self.conn.execute(
            "DELETE FROM memos WHERE transcript_id = ? AND utterance = ? AND coder_id = ?",
            [transcript_id, number, coder_id],
        )
        if text:
            stamp = now()
            self.db["memos"].insert(
                {"transcript_id": transcript_id, "utterance": number, "coder_id": coder_id, "text": text,
                 "created_at": stamp, "updated_at": stamp}
            )

    def utterance_memos(self, transcript: str, viewer: str) -> dict[int, str]:
        """Utterance number -> memo text, for the memos `viewer` may see."""
        params = [self.transcript_id(transcript)]
        sql = "SELECT m.utterance, m.text, c.name FROM memos m JOIN coders c ON c.id = m.coder_id WHERE m.transcript_id = ?"
        if self.mode != "reconciliation":
            sql += " AND m.coder_id = ?"
            params.append(self.coder_id(viewer))
        out: dict[int, str] = {}
        for number, text, name in self.conn.execute(sql + " ORDER BY m.id", params):
            out[number] = text if name == viewer or number not in out else out[number]
        return out

    def _revert_memo(self, event: dict, *, undo: bool) -> None:
        p = MemoSet.from_event(event)
        self._write_memo(p.transcript_id, p.utterance, event["coder_id"], p.before if undo else p.after)

    # --- review progress --------------------------------------------------------------------

    def reviewed(self, transcript: str, coder: str) -> set[int]:
        row = self.conn.execute(
            "SELECT ranges FROM review_progress WHERE transcript_id = ? AND coder_id = ?",
            [self.transcript_id(transcript), self.coder_id(coder)],
        ).fetchone()
        return {n for a, b in json.loads(row[0]) for n in range(a, b + 1)} if row else set()

    def save_reviewed(self, transcript: str, coder: str, numbers: set[int]) -> None:
        """Store the set of reviewed utterances (progress only, so not in the undo log)."""
        ranges: list[list[int]] = []
        for n in sorted(numbers):
            if ranges and ranges[-1][1] == n - 1:
                ranges[-1][1] = n
            else:
                ranges.append([n, n])
        with self.transaction():
            self.db["review_progress"].upsert(
                {"transcript_id": self.transcript_id(transcript), "coder_id": self.coder_id(coder),
                 "ranges": json.dumps(ranges), "updated_at": now()},
                pk=("transcript_id", "coder_id"),
            )

    def review_counts(self, coder: str) -> dict[str, tuple[int, int]]:
        """Transcript name -> (utterances this coder has reviewed, utterances in all).

        Agreement asks it: a coder who reviewed every utterance of a transcript has read it,
        so coding nothing there is their judgement, not work not yet done.
        """
        coder_id = self.coder_id(coder)
        numbers: dict[int, set[int]] = {}
        for tid, number in self.conn.execute("SELECT transcript_id, number FROM utterances"):
            numbers.setdefault(tid, set()).add(number)
        reviewed = {
            tid: {n for a, b in json.loads(ranges) for n in range(a, b + 1)}
            for tid, ranges in self.conn.execute(
                "SELECT transcript_id, ranges FROM review_progress WHERE coder_id = ?", [coder_id])
        }
        return {
            name: (len(reviewed.get(tid, set()) & numbers.get(tid, set())), len(numbers.get(tid, ())))
            for tid, name in self.conn.execute("SELECT id, name FROM transcripts ORDER BY id")
        }

    def position(self, transcript: str, coder: str) -> int | None:
        """The utterance number where this coder last stopped in this transcript, if saved."""
        value = self.meta(self._position_key(transcript, coder))
        return int(value) if value and value.isdigit() else None

    def save_position(self, transcript: str, coder: str, number: int) -> None:
        """Remember where the coder stopped, so reopening the transcript returns there.

        Kept in `meta` rather than a new table: it is a per-coder bookmark, not data, so it is
        neither logged nor undoable nor merged between project files.
        """
        self.set_meta(self._position_key(transcript, coder), str(number))

    def _position_key(self, transcript: str, coder: str) -> str:
        return f"position:{self.transcript_id(transcript)}:{self.coder_id(coder)}"

    def progress(self, coder: str) -> dict[str, float]:
        """Transcript name -> share of its utterances this coder has reviewed."""
        coder_id = self.coder_id(coder)
        out = {}
        for name, ranges, total in self.conn.execute(
            "SELECT t.name, p.ranges, (SELECT count(*) FROM utterances u WHERE u.transcript_id = t.id) "
            "FROM transcripts t LEFT JOIN review_progress p ON p.transcript_id = t.id AND p.coder_id = ?",
            [coder_id],
        ):
            done = sum(b - a + 1 for a, b in json.loads(ranges)) if ranges else 0
            out[name] = done / total if total else 0.0
        return out
