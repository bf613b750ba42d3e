"""Codings and their undo/redo, backed by the event log.

Coding rows are never deleted: removing one marks it `removed`. That keeps every event's
reference valid, so the log is a complete audit trail and undo is just flipping status or
restoring a memo recorded in the event. Undo and redo are per coder and survive restarts,
because the stack is the log itself.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Coding
from .base import ProjectBase
from .common import ProjectError, new_guid, now
from .edits import EDITS
from .events import (CodingApply, CodingMemo, CodingRemove, CodingsImport, LinkAdd, LinkRemove, MemoSet, ReconcileDecide,
                     ReconcileSeed, ReconcileUnit, Redo, SuggestionAccept, SuggestionAcceptAll, SuggestionCorrect,
                     SuggestionReject, Undo, payload)

UNDOABLE = (
    "coding.apply",
    "coding.remove",
    "coding.memo",
    "codings.import",
    "suggestion.accept",
    "suggestion.reject",
    "suggestion.accept_all",
    "suggestion.correct",
    "memo.set",
    "reconcile.decide",
    "reconcile.seed",
    "reconcile.unit",
    *EDITS,
    "rating.set",
    "ratings.import",
    "variables.set",  # only when a coder set them (the CLI's --coder, the UI): a coder's undo
    "link.add",
    "link.remove",
    "links.import",
)

_SELECT = (
    'SELECT k.id, t.name, c.name, d.name, k.start, k."end", k.origin, k.memo, k.suggestion_id '
    "FROM codings k JOIN transcripts t ON t.id = k.transcript_id JOIN codes c ON c.id = k.code_id "
    "JOIN coders d ON d.id = k.coder_id "
)


class CodingStore(ProjectBase):
    def apply_code(
        self,
        transcript: str,
        code: str,
        coder: str,
        start: int,
        end: int,
        *,
        origin: str = "manual",
        memo: str = "",
        suggestion_id: int | None = None,
    ) -> Coding:
        """Code `[start, end)` of a transcript; committed before this returns."""
        with self.transaction():
            coding_id = self._insert_coding(transcript, code, coder, start, end, origin, memo, suggestion_id)
            coding = self.coding(coding_id)
            self.log(CodingApply.of(coding), self.coder_id(coder))
        return coding

    def _insert_coding(self, transcript, code, coder, start, end, origin, memo, suggestion_id) -> int:
        transcript_id = self.transcript_id(transcript)
        length = self.conn.execute("SELECT length(text) FROM transcripts WHERE id = ?", [transcript_id]).fetchone()[0]
        if not (0 <= start < end <= length):
            raise ProjectError(f"span [{start}, {end}) is not inside transcript {transcript!r} (0..{length})")
        code_id = self.code_id(code)
        if self.conn.execute("SELECT retired FROM codes WHERE id = ?", [code_id]).fetchone()[0]:
            raise ProjectError(f"code {code!r} was retired from the codebook; it cannot be applied")
        categories = self.categories()
        name = self.conn.execute("SELECT name FROM codes WHERE id = ?", [code_id]).fetchone()[0] if categories else None
        if name in categories:
            under = ", ".join(c.name for c in self.require_codebook().children(name)) or "none"
            raise ProjectError(f"{name!r} is a category: it groups codes and is not applied itself (its codes: {under})")
        stamp = now()
        return self.db["codings"].insert(
            {
                "guid": new_guid(),
                "transcript_id": transcript_id,
                "code_id": code_id,
                "coder_id": self.coder_id(coder),
                "start": start,
                "end": end,
                "origin": origin,
                "suggestion_id": suggestion_id,
                "status": "active",
                "memo": memo or "",
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk

    def import_codings(self, rows: list[dict], coder: str) -> int:
        """Add many codings for one coder in one transaction (and one undoable event)."""
        with self.transaction():
            coder_id = self.ensure_coder(coder)
            ids = [
                self._insert_coding(
                    r["transcript"], r["code"], coder, r["start"], r["end"], "import", r.get("memo", ""), None
                )
                for r in rows
            ]
            self.log(CodingsImport(coder_id=coder_id, coding_ids=ids), coder_id)
        return len(ids)

    def coding(self, coding_id: int) -> Coding:
        row = self.conn.execute(_SELECT + "WHERE k.id = ?", [coding_id]).fetchone()
        if row is None:
            raise ProjectError(f"no coding with id {coding_id}")
        return Coding(*row)

    def codings_by_id(self, ids: list[int]) -> list[Coding]:
        """These codings (removed ones too), in the order of `ids`; an unknown id is left out."""
        if not ids:
            return []
        rows = {row[0]: Coding(*row) for row in self.conn.execute(_SELECT + f"WHERE k.id IN ({','.join('?' * len(ids))})",
                                                                  list(ids))}
        return [rows[i] for i in ids if i in rows]

    def codings(
        self,
        *,
        transcript: str | None = None,
        coder: str | None = None,
        code: str | None = None,
        include_removed: bool = False,
    ) -> list[Coding]:
        where: list[str] = []
        params: list[Any] = []
        if not include_removed:
            where.append("k.status = 'active'")
        for column, value, lookup in (
            ("k.transcript_id", transcript, self.transcript_id),
            ("k.coder_id", coder, self.coder_id),
            ("k.code_id", code, self.code_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(lookup(value))
        sql = _SELECT + (f"WHERE {' AND '.join(where)} " if where else "") + "ORDER BY t.id, k.start, k.\"end\", k.id"
        return [Coding(*row) for row in self.conn.execute(sql, params)]

    def _own_coding(self, coding_id: int, coder: str) -> dict:
        rows = list(self.db["codings"].rows_where("id = ?", [coding_id]))
        if not rows:
            raise ProjectError(f"no coding with id {coding_id}")
        row = rows[0]
        if row["coder_id"] != self.coder_id(coder):
            raise ProjectError(f"coding {coding_id} belongs to another coder; coders change only their own codings")
        return row

    def remove_coding(self, coding_id: int, coder: str) -> Coding:
        with self.transaction():
            row = self._own_coding(coding_id, coder)
            if row["status"] != "active":
                raise ProjectError(f"coding {coding_id} is already removed")
            self._set_status(coding_id, "removed")
            coding = self.coding(coding_id)
            self.log(CodingRemove.of(coding), row["coder_id"])
        return coding

    def set_coding_memo(self, coding_id: int, memo: str, coder: str) -> Coding:
        with self.transaction():
            row = self._own_coding(coding_id, coder)
            self.db["codings"].update(coding_id, {"memo": memo, "updated_at": now()})
            self.log(CodingMemo(coding_id=coding_id, before=row["memo"], after=memo), row["coder_id"])
        return self.coding(coding_id)

    def _set_status(self, coding_id: int, status: str) -> None:
        self.db["codings"].update(coding_id, {"status": status, "updated_at": now()})

    # --- steps of a larger action, for a caller that logs the action's one event ---------------

    def insert_coding(self, transcript: str, code: str, coder: str, start: int, end: int, *,
                      origin: str, memo: str = "", suggestion_id: int | None = None) -> int:
        """Add a coding with no event of its own; returns its id. For reconciliation, which
        adds and removes several codings as one decision and logs that one event: call it
        inside the caller's `transaction()`, so the event undo reads is committed with it."""
        self._inside_transaction("insert_coding")
        return self._insert_coding(transcript, code, coder, start, end, origin, memo, suggestion_id)

    def set_coding_status(self, coding_id: int, status: str) -> None:
        """Mark a coding removed (or active again) with no event of its own; as insert_coding."""
        self._inside_transaction("set_coding_status")
        self._set_status(coding_id, status)

    def _inside_transaction(self, what: str) -> None:
        if not self.conn.in_transaction:
            raise ProjectError(f"{what} is a step of a larger action: call it inside project.transaction(), "
                               "which also logs the action's event")

    # --- undo / redo --------------------------------------------------------------------------

    def undo(self, coder: str) -> dict | None:
        """Revert this coder's latest action that is not yet undone; None when there is none."""
        coder_id = self.coder_id(coder)
        with self.transaction():
            event = self._last_event(coder_id, undone=0)
            if event is None:
                return None
            self._revert(event, undo=True)
            self.conn.execute("UPDATE events SET undone = 1 WHERE id = ?", [event["id"]])
            self.log(Undo(event_id=event["id"], undone=event["action"]), coder_id)
        return event

    def redo(self, coder: str) -> dict | None:
        """Re-apply the action most recently undone, unless the coder has acted since."""
        coder_id = self.coder_id(coder)
        with self.transaction():
            row = self.conn.execute(
                "SELECT u.entity_id FROM events u JOIN events e ON e.id = u.entity_id "
                "WHERE u.coder_id = ? AND u.action = 'undo' AND e.undone = 1 "
                "AND NOT EXISTS (SELECT 1 FROM events n WHERE n.coder_id = u.coder_id AND n.id > u.id "
                f"  AND n.action IN ({','.join('?' * len(UNDOABLE))})) "
                "ORDER BY u.id DESC LIMIT 1",
                [coder_id, *UNDOABLE],
            ).fetchone()
            if row is None:
                return None
            event = self._event(row[0])
            self._revert(event, undo=False)
            self.conn.execute("UPDATE events SET undone = 0 WHERE id = ?", [event["id"]])
            self.log(Redo(event_id=event["id"], undone=event["action"]), coder_id)
        return event

    def event_place(self, event: dict) -> tuple[str, int] | None:
        """The transcript and text offset an undoable action touched, so undo and redo can
        show the coder what changed; None for actions without one place (an import)."""
        p = payload(event)
        if isinstance(p, (CodingApply, CodingRemove, CodingMemo)):
            coding = self.coding(p.coding_id)
            return coding.transcript, coding.start
        if isinstance(p, (LinkAdd, LinkRemove)):
            coding = self.coding(p.source)
            return coding.transcript, coding.start
        if isinstance(p, SuggestionAcceptAll):
            ids = [coding_id for _, coding_id in p.accepted]
        elif isinstance(p, (SuggestionAccept, SuggestionReject, SuggestionCorrect)):
            suggestion = self.suggestion(p.suggestion_id)
            return suggestion.transcript, suggestion.start if p.start is None else p.start
        elif isinstance(p, MemoSet):
            row = self.conn.execute(
                "SELECT t.name, u.start FROM utterances u JOIN transcripts t ON t.id = u.transcript_id "
                "WHERE u.transcript_id = ? AND u.number = ?", [p.transcript_id, p.utterance]).fetchone()
            return (row[0], row[1]) if row else None
        elif isinstance(p, (ReconcileDecide, ReconcileSeed, ReconcileUnit)):
            ids = p.added + _removed(p)
        else:
            return None
        codings = [self.coding(i) for i in ids]
        first = min(codings, key=lambda c: c.start, default=None)
        return (first.transcript, first.start) if first else None

    def _last_event(self, coder_id: int, undone: int) -> dict | None:
        row = self.conn.execute(
            f"SELECT id FROM events WHERE coder_id = ? AND undone = ? AND action IN ({','.join('?' * len(UNDOABLE))}) "
            "ORDER BY id DESC LIMIT 1",
            [coder_id, undone, *UNDOABLE],
        ).fetchone()
        return self._event(row[0]) if row else None

    def _event(self, event_id: int) -> dict:
        row = self.db["events"].get(event_id)
        return dict(row, data=json.loads(row["data"]))

    def _revert(self, event: dict, *, undo: bool) -> None:
        """Undo (or redo) one logged action by restoring what the event recorded."""
        action, p = event["action"], payload(event)
        if isinstance(p, CodingApply):
            self._set_status(p.coding_id, "removed" if undo else "active")
        elif isinstance(p, CodingRemove):
            self._set_status(p.coding_id, "active" if undo else "removed")
        elif isinstance(p, CodingMemo):
            self.db["codings"].update(p.coding_id, {"memo": p.before if undo else p.after, "updated_at": now()})
        elif isinstance(p, CodingsImport):
            for cid in p.coding_ids:
                self._set_status(cid, "removed" if undo else "active")
        elif action.startswith("suggestion."):
            self._revert_decision(event, undo=undo)
        elif action == "memo.set":
            self._revert_memo(event, undo=undo)
        elif action in EDITS:
            self._revert_edit(event, undo=undo)
        elif action in ("rating.set", "ratings.import"):
            self._revert_rating(event, undo=undo)
        elif action == "variables.set":
            self._revert_variables(event, undo=undo)
        elif action in ("link.add", "link.remove", "links.import"):
            self._revert_link(event, undo=undo)
        elif isinstance(p, (ReconcileDecide, ReconcileSeed, ReconcileUnit)):  # the consensus coder's own actions
            for cid in p.added:
                self._set_status(cid, "removed" if undo else "active")
            for cid in _removed(p):
                self._set_status(cid, "active" if undo else "removed")
            for link_id in p.links or []:  # the links it carried over to the consensus
                self._set_link_status(link_id, "removed" if undo else "active")


def _removed(p) -> list[int]:
    """The codings a reconciliation event removed (seeding only adds)."""
    return [] if isinstance(p, ReconcileSeed) else p.removed
