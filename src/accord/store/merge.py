"""Merging another copy of a project: its coders' work comes in, nothing else changes.

Coders often code blind in copies of one project file on different laptops. Merging
matches transcripts by the SHA-256 of their text (names may differ between copies) and codes
by name, and brings in the other copy's active codings under their coders' names. Codings
keep their guid, so merging the same copy twice adds nothing (and writes nothing). A
transcript whose text differs from the one of that name here is reported, not merged; a
transcript this project does not have yet is added with its codings.

The rest of a coder's work comes too, because it is hers and hard to redo: memos, review
progress, ratings (matched by transcript, scale, segment and coder; one rated otherwise here
is kept as it is and counted; see store/ratings.py), session and participant variables with
their cases (matched by name; a value set otherwise here is kept; see store/variables.py), links
between her codings (by guid, mapped through the codings' guids; one in a relation this codebook
lacks is counted and left out), and her decisions on suggestions (the suggestion model learns from them; her
rejections are its only negatives). None of these has a guid, so they are matched by what
they are about: a memo by transcript, utterance and coder; progress is the union of the
reviewed utterances; a decision by the suggestion's transcript, code, span and owner. What
is here already wins: a memo that differs here, or a suggestion this coder decided
otherwise here, is kept as it is and counted. A decided suggestion this project lacks is
added as `superseded`, so it is never offered again, and is kept by later suggestion runs
like every decided one; an accepted one points at the merged coding and back.

The other file is only read: it is opened read-only and copied into memory, where an older
copy is brought up to this accord's schema. A file that is not an accord project, or that a
newer accord wrote (schema steps this accord does not know), is refused before anything here
is touched. The merge is one transaction, logged as one `project.merge` event.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from ..errors import InputError
from .base import ProjectBase
from .common import ProjectError, now
from .events import ProjectMerge, TranscriptImport
from .health import check_readable, explain_database_error
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
    memos_added: dict[str, int] = field(default_factory=dict)  # coder -> memos brought in
    memo_conflicts: list[dict] = field(default_factory=list)  # {transcript, utterance, coder}: ours kept
    reviewed_added: dict[str, int] = field(default_factory=dict)  # coder -> utterances newly marked reviewed
    decisions_added: dict[str, dict[str, int]] = field(default_factory=dict)  # coder -> {accepted: n, rejected: n}
    decision_conflicts: int = 0  # suggestions this coder decided otherwise here (ours kept)
    decision_codes_missing: dict[str, int] = field(default_factory=dict)  # code -> decisions not merged
    ratings_added: dict[str, int] = field(default_factory=dict)  # coder -> ratings brought in
    rating_conflicts: int = 0  # ratings of a segment this coder rated otherwise here (ours kept)
    rating_scales_missing: dict[str, int] = field(default_factory=dict)  # scale -> ratings not merged
    variables_added: dict = field(default_factory=dict)  # {variables: [names], cases: [names], members: n, values: n}
    variables_differing: list[str] = field(default_factory=list)  # another type or owner here: not merged
    value_conflicts: int = 0  # values (or case members) that differ here (ours kept)
    links_added: dict[str, int] = field(default_factory=dict)  # coder -> links between codings brought in
    link_relations_missing: dict[str, int] = field(default_factory=dict)  # relation -> links not merged
    event_id: int | None = None

    @property
    def added(self) -> int:
        return sum(self.codings_added.values())

    @property
    def changed(self) -> bool:
        return bool(self.added or self.transcripts_added or self.coders_added or self.memos_added
                    or self.reviewed_added or self.decisions_added or self.ratings_added or self.links_added
                    or any(self.variables_added.values()))


def read_other_project(path: str | Path) -> sqlite3.Connection:
    """An in-memory copy of another project file at this accord's schema; the file is only read."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if not path.is_file():
        raise InputError(path, "not a file; give the other copy's project file (for example accord.db)")
    if path.stat().st_size == 0:
        raise InputError(path, "an empty file, not an accord project")
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        # Read through SQLite only: this may be the very file this process has open.
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check_readable(source, path)
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
        raise InputError(path, explain_database_error(path, e).removeprefix(f"{path}: ")) from None
    except BaseException:
        memory.close()
        raise
    return memory


class MergeStore(ProjectBase):
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
            # Two transcripts may hold the same text under different names: then the one of
            # the same name is the match, so each keeps its own codings, memos and decisions.
            ours_by_hash: dict[str, dict[str, int]] = {}
            for tid, name, sha in self.conn.execute("SELECT id, name, sha256 FROM transcripts ORDER BY id"):
                ours_by_hash.setdefault(sha, {})[name] = tid
            ours_by_name = {name: tid for tid, name in self.conn.execute("SELECT id, name FROM transcripts")}
            transcript_map: dict[int, int] = {}
            for row in q("SELECT id, name, sha256 FROM transcripts ORDER BY id"):
                tid, name, sha = row
                if sha in ours_by_hash:
                    same_text = ours_by_hash[sha]
                    ours_name = name if name in same_text else next(iter(same_text))
                    transcript_map[tid] = same_text[ours_name]
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

            memo_ids = self._merge_memos(theirs, transcript_map, coder_map, coder_names, result)
            self._merge_progress(theirs, transcript_map, coder_names, result)
            created, decided = self._merge_decisions(theirs, transcript_map, code_map, code_names, coder_map,
                                                     coder_names, result)
            rated = self._merge_ratings(theirs, transcript_map, coder_map, coder_names, result)
            result.variables_added = self._merge_variables(theirs, transcript_map, result)
            linked = self._merge_links(theirs, result)
            if result.changed:
                result.event_id = self.log(ProjectMerge(
                    source=source,
                    source_guid=their_guid,
                    coding_ids=added_ids,
                    codings_added=result.codings_added,
                    coders_added=result.coders_added,
                    transcripts_added=result.transcripts_added,
                    transcripts_differing=result.transcripts_differing,
                    codes_missing=result.codes_missing,
                    memo_ids=memo_ids,
                    memos_added=result.memos_added,
                    memo_conflicts=len(result.memo_conflicts),
                    reviewed_added=result.reviewed_added,
                    suggestion_ids=created,
                    decisions=decided,
                    decisions_added=result.decisions_added,
                    decision_conflicts=result.decision_conflicts,
                    ratings=rated,
                    ratings_added=result.ratings_added,
                    rating_conflicts=result.rating_conflicts,
                    variables_added=result.variables_added,
                    variables_differing=result.variables_differing,
                    value_conflicts=result.value_conflicts,
                    link_ids=linked,
                    links_added=result.links_added,
                    link_relations_missing=result.link_relations_missing))
        return result

    def _merge_memos(self, theirs, transcript_map, coder_map, coder_names, result: MergeResult) -> list[int]:
        """Their memos that this project lacks; one that differs here is left as it is."""
        added: list[int] = []
        ours_memos: dict[tuple, list[str]] = {}
        for key_ in self.conn.execute("SELECT transcript_id, utterance, coder_id, text FROM memos"):
            ours_memos.setdefault(key_[:3], []).append(key_[3])
        for tid, utterance, coder, text, created, updated in theirs.execute(
            "SELECT transcript_id, utterance, coder_id, text, created_at, updated_at FROM memos "
            "WHERE text != '' ORDER BY id"
        ):
            if tid not in transcript_map:
                continue
            ours, coder_id = transcript_map[tid], coder_map.get(coder)
            here = ours_memos.setdefault((ours, utterance, coder_id), [])
            name = coder_names.get(coder, "(no coder)")
            if text in here:
                continue
            if here:
                transcript = self.conn.execute("SELECT name FROM transcripts WHERE id = ?", [ours]).fetchone()[0]
                result.memo_conflicts.append({"transcript": transcript, "utterance": utterance, "coder": name})
                continue
            added.append(self.db["memos"].insert(
                {"transcript_id": ours, "utterance": utterance, "coder_id": coder_id, "text": text,
                 "created_at": created, "updated_at": updated}
            ).last_pk)
            here.append(text)
            result.memos_added[name] = result.memos_added.get(name, 0) + 1
        return added

    def _merge_progress(self, theirs, transcript_map, coder_names, result: MergeResult) -> None:
        """Reviewed here or there is reviewed: the union, written only where it grows."""
        for tid, coder, ranges in theirs.execute(
            "SELECT transcript_id, coder_id, ranges FROM review_progress ORDER BY transcript_id, coder_id"
        ):
            if tid not in transcript_map or coder not in coder_names:
                continue
            ours, name = transcript_map[tid], coder_names[coder]
            transcript = self.conn.execute("SELECT name FROM transcripts WHERE id = ?", [ours]).fetchone()[0]
            # Only utterances this transcript has here, so progress never passes 100%.
            numbers = {r[0] for r in self.conn.execute("SELECT number FROM utterances WHERE transcript_id = ?", [ours])}
            there = {n for a, b in json.loads(ranges) for n in range(a, b + 1)} & numbers
            here = self.reviewed(transcript, name)
            if there - here:
                self.save_reviewed(transcript, name, here | there)
                result.reviewed_added[name] = result.reviewed_added.get(name, 0) + len(there - here)

    def _merge_decisions(self, theirs, transcript_map, code_map, code_names, coder_map, coder_names,
                         result: MergeResult) -> tuple[list[int], list[list]]:
        """Their coders' decisions on suggestions, onto the same suggestion here (found by
        transcript, code, span and owner, or added as superseded). Returns the suggestions
        added and the decisions added as [suggestion id, coder, decision]."""
        ours_codings = {  # guid -> (id, suggestion id)
            guid: (cid, sid) for cid, guid, sid in self.conn.execute("SELECT id, guid, suggestion_id FROM codings")
        }
        same: dict[int, int | None] = {}  # their suggestion id -> ours
        created, decided = [], []
        for row in theirs.execute(
            'SELECT s.id, s.transcript_id, s.code_id, s.coder_id, s.start, s."end", s.score, s.explanation, s.source, '
            "s.pipeline_version, s.created_at, d.coder_id, d.decision, k.guid, d.at FROM suggestion_decisions d "
            "JOIN suggestions s ON s.id = d.suggestion_id LEFT JOIN codings k ON k.id = d.coding_id "
            "ORDER BY d.at, s.id, d.coder_id"
        ):
            sid, tid, cid, owner, start, end, score, why, source, version, created_at, coder, decision, guid, at = row
            if tid not in transcript_map or coder not in coder_map:
                continue
            if cid not in code_map:
                name = code_names[cid]
                result.decision_codes_missing[name] = result.decision_codes_missing.get(name, 0) + 1
                continue
            owner_here = None if owner is None else coder_map[owner]
            if sid not in same:
                found = self.conn.execute(
                    'SELECT id FROM suggestions WHERE transcript_id = ? AND code_id = ? AND start = ? AND "end" = ? '
                    "AND coder_id IS ? ORDER BY id LIMIT 1",
                    [transcript_map[tid], code_map[cid], start, end, owner_here],
                ).fetchone()
                same[sid] = found[0] if found else None
            ours = same[sid]
            if ours is not None:
                earlier = self.conn.execute(
                    "SELECT decision FROM suggestion_decisions WHERE suggestion_id = ? AND coder_id = ?",
                    [ours, coder_map[coder]],
                ).fetchone()
                if earlier:
                    if earlier[0] != decision:
                        result.decision_conflicts += 1
                    continue
            else:
                ours = same[sid] = self.db["suggestions"].insert(
                    {"transcript_id": transcript_map[tid], "code_id": code_map[cid], "start": start, "end": end,
                     "score": score, "explanation": why, "source": source, "pipeline_version": version,
                     "status": "superseded", "created_at": created_at, "coder_id": owner_here}
                ).last_pk
                created.append(ours)
            coding_id, linked = ours_codings.get(guid, (None, None)) if decision == "accepted" else (None, None)
            self.db["suggestion_decisions"].insert(
                {"suggestion_id": ours, "coder_id": coder_map[coder], "decision": decision, "coding_id": coding_id,
                 "at": at}
            )
            if coding_id is not None and linked is None:
                self.conn.execute("UPDATE codings SET suggestion_id = ? WHERE id = ?", [ours, coding_id])
                ours_codings[guid] = (coding_id, ours)
            name = coder_names[coder]
            counts = result.decisions_added.setdefault(name, {"accepted": 0, "rejected": 0})
            counts[decision] = counts.get(decision, 0) + 1
            decided.append([ours, name, decision])
        return created, decided

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
        self.log(TranscriptImport(transcript_id=new_id, name=row["name"], source=row["source"], sha256=row["sha256"],
                                  format=row["format"], merged=True))
        return new_id
