"""Machine suggestions and each coder's decisions on them.

Suggestions belong to the project; decisions belong to coders. Coders code blind, so one
coder accepting or rejecting a suggestion never decides it for another: a suggestion is
pending for a coder until that coder has a row in `suggestion_decisions`.

Re-running the pipeline replaces what nobody has decided on and keeps every decided
suggestion, and every suggestion a coding points at, even a removed one (an accept that was
undone: redo brings it back), as `superseded` when the new run no longer proposes it, so
decisions and the provenance of accepted codings are never lost.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from ..model import Coding, Suggestion
from .base import ProjectBase
from .common import ProjectError, now
from .events import (SuggestionAccept, SuggestionAcceptAll, SuggestionCorrect, SuggestionReject, SuggestionsReplace,
                     payload)

_SELECT = (
    'SELECT s.id, t.name, c.name, s.start, s."end", s.score, s.explanation, s.pipeline_version, s.status '
    "FROM suggestions s JOIN transcripts t ON t.id = s.transcript_id JOIN codes c ON c.id = s.code_id "
)

# A suggestion that must outlive a new run: decided by a coder, or pointed at by a coding.
# (`IN` builds the set of referenced ids once; codings have no index on suggestion_id.)
_KEPT = (
    "(EXISTS (SELECT 1 FROM suggestion_decisions d WHERE d.suggestion_id = s.id) "
    "OR s.id IN (SELECT k.suggestion_id FROM codings k WHERE k.suggestion_id IS NOT NULL))"
)


class SuggestionStore(ProjectBase):
    def replace_suggestions(self, transcript: str, pipeline_version: str, items: list[dict],
                            coder: str | None = None) -> dict:
        """Store one run's suggestions for a transcript: the shared ones, or with `coder` that
        coder's own (from a model trained on their decisions alone, seen by nobody else).

        `items` are dicts with code, start, end, score, explanation and optionally source
        (rule | model | both | probe). Returns counts of added, kept and superseded suggestions,
        and of the added ones how many are review-only (probe).
        """
        with self.transaction():
            transcript_id = self.transcript_id(transcript)
            owner = self.coder_id(coder) if coder is not None else None
            code_ids = {name: self.code_id(name) for name in {i["code"] for i in items}}
            # Kept: suggestions someone decided on, and those a coding points at, even a removed
            # one (an undone accept or correction: its provenance, and what redo brings back).
            decided = {
                (r[1], r[2], r[3]): r[0]
                for r in self.conn.execute(
                    'SELECT s.id, s.code_id, s.start, s."end" FROM suggestions s WHERE s.transcript_id = ? '
                    "AND s.coder_id IS ? AND " + _KEPT + " ORDER BY s.id DESC",
                    [transcript_id, owner],
                )
            }
            # What this coder already decided on a shared suggestion is not asked again, nor is
            # a code she has already applied there herself.
            decided_shared = set() if owner is None else {
                tuple(r)
                for r in self.conn.execute(
                    'SELECT s.code_id, s.start, s."end" FROM suggestions s JOIN suggestion_decisions d '
                    "ON d.suggestion_id = s.id WHERE s.transcript_id = ? AND s.coder_id IS NULL AND d.coder_id = ?",
                    [transcript_id, owner],
                )
            }
            coded = defaultdict(list)
            if owner is not None:
                for code_id, start, end in self.conn.execute(
                    'SELECT code_id, start, "end" FROM codings WHERE transcript_id = ? AND coder_id = ? AND status = \'active\'',
                    [transcript_id, owner],
                ):
                    coded[code_id].append((start, end))
            self.conn.execute(
                "DELETE FROM suggestions AS s WHERE s.transcript_id = ? AND s.coder_id IS ? AND NOT " + _KEPT,
                [transcript_id, owner],
            )
            self.conn.execute("UPDATE suggestions SET status = 'superseded' WHERE transcript_id = ? AND coder_id IS ?",
                              [transcript_id, owner])
            stamp, added, kept = now(), [], 0
            for item in items:
                key = (code_ids[item["code"]], item["start"], item["end"])
                values = {
                    "score": float(item["score"]),
                    "explanation": item["explanation"],
                    "source": item.get("source", "rule"),
                    "pipeline_version": pipeline_version,
                    "status": "current",
                }
                if key in decided:
                    self.db["suggestions"].update(decided[key], values)
                    kept += 1
                elif key in decided_shared or any(a < key[2] and b > key[1] for a, b in coded[key[0]]):
                    kept += 1
                else:
                    added.append(dict(values, transcript_id=transcript_id, code_id=key[0], start=key[1], end=key[2],
                                      created_at=stamp, coder_id=owner))
            self.db["suggestions"].insert_all(added)
            superseded = self.conn.execute(
                "SELECT count(*) FROM suggestions WHERE transcript_id = ? AND coder_id IS ? AND status = 'superseded'",
                [transcript_id, owner],
            ).fetchone()[0]
            self.log(SuggestionsReplace(transcript_id=transcript_id, pipeline_version=pipeline_version, added=len(added),
                                        kept=kept, superseded=superseded, coder=coder))
        return {"added": len(added), "kept": kept, "superseded": superseded,
                "review_only_added": sum(1 for a in added if a["source"] == "probe")}

    def suggestions(
        self, *, transcript: str | None = None, coder: str | None = None, code: str | None = None, pending: bool = True,
        probes: bool = False,
    ) -> list[Suggestion]:
        """Current suggestions in text order; with `coder` and `pending`, only those that coder has
        neither decided nor already coded the same way (an active coding of hers, same code, overlapping).
        With `probes`, also the model's review-only candidates (source "probe": below the threshold
        the codebook's `min_precision` sets, asked about in uncertain-first review only).

        Without `coder`, the shared suggestions. With it, that coder's own suggestions where
        they have any for a transcript, and the shared ones elsewhere; never another coder's.
        """
        where, params = ["s.status = 'current'"], []
        if coder is None:
            where.append("s.coder_id IS NULL")
        else:
            me = self.coder_id(coder)
            where.append(
                "(s.coder_id = ? OR (s.coder_id IS NULL AND NOT EXISTS (SELECT 1 FROM suggestions o "
                "WHERE o.transcript_id = s.transcript_id AND o.coder_id = ? AND o.status = 'current')))"
            )
            params += [me, me]
        if not probes:
            where.append("s.source IS NOT 'probe'")
        if transcript is not None:
            where.append("s.transcript_id = ?")
            params.append(self.transcript_id(transcript))
        if code is not None:
            where.append("s.code_id = ?")
            params.append(self.code_id(code))
        if coder is not None and pending:
            # Pending: not decided by this coder, and not a code she has already applied there
            # herself (asking again would only invite a duplicate coding).
            where.append("NOT EXISTS (SELECT 1 FROM suggestion_decisions d WHERE d.suggestion_id = s.id AND d.coder_id = ?)")
            params.append(self.coder_id(coder))
            where.append("c.retired = 0")  # a code merged away or dropped from the codebook cannot be applied
        sql = _SELECT + "WHERE " + " AND ".join(where) + ' ORDER BY t.id, s.start, s."end", s.id'
        rows = [Suggestion(*row) for row in self.conn.execute(sql, params)]
        if coder is not None and pending and rows:
            covered = self._covered_by_codings(coder, transcript)
            rows = [r for r in rows if not covered(r)]
        return rows

    def _covered_by_codings(self, coder: str, transcript: str | None):
        """A test: does one of `coder`'s active codings of the suggestion's code overlap it?

        Done in Python over codings sorted by start (with the running maximum of their ends):
        as a correlated SQL subquery it scanned a coder's codings once per suggestion, a second
        for 2,000 suggestions against 5,000 codings."""
        sql = ('SELECT t.name, c.name, k.start, k."end" FROM codings k JOIN transcripts t ON t.id = k.transcript_id '
               "JOIN codes c ON c.id = k.code_id WHERE k.coder_id = ? AND k.status = 'active'")
        params = [self.coder_id(coder)]
        if transcript is not None:
            sql += " AND k.transcript_id = ?"
            params.append(self.transcript_id(transcript))
        spans = defaultdict(list)
        for name, code, start, end in self.conn.execute(sql + " ORDER BY k.start", params):
            spans[(name, code)].append((start, end))
        index = {}
        for key, pairs in spans.items():
            reach, ends = -1, []
            for _, end in pairs:
                reach = max(reach, end)
                ends.append(reach)
            index[key] = ([a for a, _ in pairs], ends)

        def covered(s: Suggestion) -> bool:
            starts, reach = index.get((s.transcript, s.code), ((), ()))
            i = bisect.bisect_left(starts, s.end)  # codings starting before the suggestion ends
            return i > 0 and reach[i - 1] > s.start

        return covered

    def suggestion(self, suggestion_id: int) -> Suggestion:
        row = self.conn.execute(_SELECT + "WHERE s.id = ?", [suggestion_id]).fetchone()
        if row is None:
            raise ProjectError(f"no suggestion with id {suggestion_id}")
        return Suggestion(*row)

    def decision(self, suggestion_id: int, coder: str) -> str | None:
        row = self.conn.execute(
            "SELECT decision FROM suggestion_decisions WHERE suggestion_id = ? AND coder_id = ?",
            [suggestion_id, self.coder_id(coder)],
        ).fetchone()
        return row[0] if row else None

    def _check_undecided(self, suggestion_id: int, coder: str, expected: Suggestion | None = None) -> Suggestion:
        s = self.suggestion(suggestion_id)
        # Ids of replaced, undecided suggestions can be reused by a later run, so a screen
        # holding an old suggestion must not decide whatever now has its id.
        if expected is not None and (s.transcript, s.code, s.start, s.end, s.status) != (
            expected.transcript, expected.code, expected.start, expected.end, expected.status
        ):
            raise ProjectError(f"suggestion {suggestion_id} ({expected.code!r}) is no longer pending as shown")
        owner = self.conn.execute("SELECT coder_id FROM suggestions WHERE id = ?", [suggestion_id]).fetchone()[0]
        if owner is not None and owner != self.coder_id(coder):
            raise ProjectError(f"suggestion {suggestion_id} is another coder's own; coders decide only theirs and the shared ones")
        earlier = self.decision(suggestion_id, coder)
        if earlier:
            raise ProjectError(f"suggestion {suggestion_id} was already {earlier} by {coder}")
        return s

    def accept_suggestion(self, suggestion_id: int, coder: str, start: int | None = None, end: int | None = None,
                          expected: Suggestion | None = None) -> Coding:
        """Turn a suggestion into this coder's coding, optionally with adjusted boundaries;
        with `expected` (the suggestion as shown), only if it is still that suggestion."""
        with self.transaction():
            s = self._check_undecided(suggestion_id, coder, expected)
            coding_id = self._insert_coding(
                s.transcript, s.code, coder, s.start if start is None else start, s.end if end is None else end,
                "suggestion", "", suggestion_id,
            )
            coder_id = self.coder_id(coder)
            self.db["suggestion_decisions"].insert(
                {"suggestion_id": suggestion_id, "coder_id": coder_id, "decision": "accepted", "coding_id": coding_id, "at": now()}
            )
            coding = self.coding(coding_id)
            self.log(SuggestionAccept(
                suggestion_id=suggestion_id, coding_id=coding_id, code=s.code, start=coding.start, end=coding.end,
                adjusted=(coding.start, coding.end) != (s.start, s.end), score=s.score, explanation=s.explanation,
                pipeline_version=s.pipeline_version), coder_id)
        return coding

    def reject_suggestion(self, suggestion_id: int, coder: str, expected: Suggestion | None = None) -> None:
        with self.transaction():
            s = self._check_undecided(suggestion_id, coder, expected)
            coder_id = self.coder_id(coder)
            self.db["suggestion_decisions"].insert(
                {"suggestion_id": suggestion_id, "coder_id": coder_id, "decision": "rejected", "coding_id": None, "at": now()}
            )
            self.log(SuggestionReject(suggestion_id=suggestion_id, code=s.code, start=s.start, end=s.end, score=s.score,
                                      pipeline_version=s.pipeline_version), coder_id)

    def correct_suggestion(self, suggestion_id: int, coder: str, code: str, start: int | None = None,
                           end: int | None = None, expected: Suggestion | None = None) -> Coding:
        """Reject a suggestion and apply the code that is right there instead, as one undoable action.

        The coding's origin is "correction" and it points at the suggestion that prompted it.
        A coder who says which code is right, rather than only which is wrong, teaches the
        model as much as if she had coded the turn by hand; on the AnnoMI pool that lifted
        therapist macro-F1 after 400 decisions from 0.63 to 0.70. Unlike a hand-made coding it
        does not mark the rest of the transcript as read (see `training.labels_from_project`).
        """
        with self.transaction():
            s = self._check_undecided(suggestion_id, coder, expected)
            if code == s.code:
                raise ProjectError(f"{code!r} is the suggested code: accept the suggestion instead")
            coding_id = self._insert_coding(s.transcript, code, coder, s.start if start is None else start,
                                            s.end if end is None else end, "correction", "", suggestion_id)
            coder_id = self.coder_id(coder)
            self.db["suggestion_decisions"].insert(
                {"suggestion_id": suggestion_id, "coder_id": coder_id, "decision": "rejected", "coding_id": coding_id,
                 "at": now()}
            )
            coding = self.coding(coding_id)
            self.log(SuggestionCorrect(suggestion_id=suggestion_id, code=s.code, applied=code, coding_id=coding_id,
                                       start=coding.start, end=coding.end, score=s.score,
                                       pipeline_version=s.pipeline_version), coder_id)
        return coding

    def accept_all(self, transcript: str, code: str, coder: str) -> int:
        """Accept every pending suggestion of one code in one transcript, as one undoable action."""
        with self.transaction():
            pending = self.suggestions(transcript=transcript, coder=coder, code=code)
            coder_id = self.coder_id(coder)
            accepted = []
            for s in pending:
                coding_id = self._insert_coding(s.transcript, s.code, coder, s.start, s.end, "suggestion", "", s.id)
                self.db["suggestion_decisions"].insert(
                    {"suggestion_id": s.id, "coder_id": coder_id, "decision": "accepted", "coding_id": coding_id, "at": now()}
                )
                accepted.append([s.id, coding_id])
            self.log(SuggestionAcceptAll(transcript_id=self.transcript_id(transcript), code=code, accepted=accepted),
                     coder_id)
        return len(accepted)

    def decision_count(self, coder: str) -> int:
        """What this coder has told the model so far: her active codings and her rejections."""
        coder_id = self.coder_id(coder)
        codings = self.conn.execute("SELECT count(*) FROM codings WHERE coder_id = ? AND status = 'active'",
                                    [coder_id]).fetchone()[0]
        rejected = self.conn.execute("SELECT count(*) FROM suggestion_decisions WHERE coder_id = ? AND decision = 'rejected'",
                                     [coder_id]).fetchone()[0]
        return codings + rejected

    def decisions(self, coder: str | None = None) -> list[dict]:
        """Every decision with its suggestion, for training and evaluation."""
        sql = (
            'SELECT d.decision, d.coding_id, k.name AS coder, s.id AS suggestion_id, t.name AS transcript, c.name AS code, '
            's.start, s."end", s.score, s.pipeline_version FROM suggestion_decisions d '
            "JOIN suggestions s ON s.id = d.suggestion_id JOIN transcripts t ON t.id = s.transcript_id "
            "JOIN codes c ON c.id = s.code_id JOIN coders k ON k.id = d.coder_id"
        )
        params = []
        if coder is not None:
            sql += " WHERE d.coder_id = ?"
            params.append(self.coder_id(coder))
        return list(self.db.query(sql + " ORDER BY d.at", params))

    def _revert_decision(self, event: dict, *, undo: bool) -> None:
        """Undo/redo of accept, reject, correct and accept-all: the decision row and its coding come and go."""
        coder_id, p = event["coder_id"], payload(event)
        if isinstance(p, SuggestionCorrect):
            self._set_status(p.coding_id, "removed" if undo else "active")
            if undo:
                self.conn.execute("DELETE FROM suggestion_decisions WHERE suggestion_id = ? AND coder_id = ?",
                                  [p.suggestion_id, coder_id])
            else:
                self.db["suggestion_decisions"].insert(
                    {"suggestion_id": p.suggestion_id, "coder_id": coder_id, "decision": "rejected",
                     "coding_id": p.coding_id, "at": now()}
                )
            return
        pairs: list
        if isinstance(p, SuggestionAcceptAll):
            pairs = p.accepted
        elif isinstance(p, SuggestionAccept):
            pairs = [[p.suggestion_id, p.coding_id]]
        else:
            assert isinstance(p, SuggestionReject)
            pairs = [[p.suggestion_id, None]]
        for suggestion_id, coding_id in pairs:
            if coding_id is not None:
                self._set_status(coding_id, "removed" if undo else "active")
            if undo:
                self.conn.execute(
                    "DELETE FROM suggestion_decisions WHERE suggestion_id = ? AND coder_id = ?", [suggestion_id, coder_id]
                )
            else:
                decision = "rejected" if coding_id is None else "accepted"
                self.db["suggestion_decisions"].insert(
                    {"suggestion_id": suggestion_id, "coder_id": coder_id, "decision": decision, "coding_id": coding_id, "at": now()}
                )
