"""Transcripts in the project: stored once, never changed.

Codings are offsets into a transcript's text, so the text must never change under them.
Re-importing a file whose text differs is refused (or stored as a new transcript when the
user asks), never silently re-anchored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..model import Transcript, Utterance
from .base import ProjectBase
from .common import ProjectError, new_guid, now
from .events import TranscriptImport


@dataclass
class ImportResult:
    name: str
    status: str  # imported | unchanged | imported-as-new
    utterances: int
    words: int
    notes: list[str] = field(default_factory=list)


class TranscriptStore(ProjectBase):
    def import_transcript(self, transcript: Transcript, *, as_new: bool = False) -> ImportResult:
        """Store a parsed transcript in one transaction: all utterances, or nothing."""
        name = transcript.name
        with self.transaction():
            row = self.conn.execute("SELECT sha256 FROM transcripts WHERE name = ?", [name]).fetchone()
            status = "imported"
            if row and row[0] == transcript.sha256:
                return ImportResult(name, "unchanged", len(transcript.utterances), transcript.words, transcript.notes)
            if row:
                if not as_new:
                    raise ProjectError(
                        f"{transcript.source or name}: the text differs from transcript {name!r} already in the "
                        "project. Codings are anchored to the stored text, so it is not replaced; "
                        "use --as-new to store this version as a new transcript"
                    )
                name = self._free_name(name)
                status = "imported-as-new"
            same = self.conn.execute("SELECT name FROM transcripts WHERE sha256 = ? AND name != ? ORDER BY id",
                                     [transcript.sha256, name]).fetchone()
            notes = list(transcript.notes)
            if same:  # stored all the same (a copy may be wanted), but never silently
                notes.append(f"the same text as transcript {same[0]!r}, already in the project: imported again "
                             f"as {name!r} (if that was a mistake: `accord transcripts delete {name} --coder NAME`)")
            words = transcript.words
            transcript_id = self.db["transcripts"].insert(
                {
                    "guid": new_guid(),
                    "name": name,
                    "source": transcript.source,
                    "format": transcript.format,
                    "encoding": transcript.encoding,
                    "sha256": transcript.sha256,
                    "text": transcript.text,
                    "roles": json.dumps(transcript.roles, ensure_ascii=False),
                    "notes": json.dumps(transcript.notes, ensure_ascii=False),
                    "words": words,
                    "imported_at": now(),
                }
            ).last_pk
            self.conn.executemany(
                'INSERT INTO utterances (transcript_id, number, speaker, start, "end", time_start, time_end) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (transcript_id, u.number, u.speaker, u.start, u.end, u.time_start, u.time_end)
                    for u in transcript.utterances
                ],
            )
            self.log(TranscriptImport(transcript_id=transcript_id, name=name, source=transcript.source,
                                      sha256=transcript.sha256, format=transcript.format))
        return ImportResult(name, status, len(transcript.utterances), words, notes)

    def import_conflicts(self, transcripts: list[Transcript]) -> list[str]:
        """Why importing these would be refused: a changed text under a stored name, or two
        different texts with one name in the batch. Checked before anything is stored."""
        problems: list[str] = []
        seen: dict[str, Transcript] = {}
        for t in transcripts:
            row = self.conn.execute("SELECT sha256 FROM transcripts WHERE name = ?", [t.name]).fetchone()
            if row and row[0] != t.sha256:
                problems.append(f"{t.source or t.name}: the text differs from transcript {t.name!r} already in the project")
            elif t.name in seen and seen[t.name].sha256 != t.sha256:
                problems.append(f"{t.source}: same name {t.name!r} as {seen[t.name].source}, but different text")
            seen.setdefault(t.name, t)
        return problems

    def _free_name(self, name: str) -> str:
        k = 2
        while self.conn.execute("SELECT 1 FROM transcripts WHERE name = ?", [f"{name} ({k})"]).fetchone():
            k += 1
        return f"{name} ({k})"

    def transcript_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM transcripts WHERE name = ?", [name]).fetchone()
        if not row:
            names = [r[0] for r in self.conn.execute("SELECT name FROM transcripts ORDER BY name")]
            hint = f" (transcripts: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''})" if names else ""
            raise ProjectError(f"no transcript named {name!r}{hint}")
        return row[0]

    def transcripts(self) -> list[dict]:
        """One summary per transcript, in import order."""
        rows = self.db.query(
            "SELECT t.id, t.name, t.source, t.format, t.encoding, t.words, t.imported_at, t.roles, "
            "(SELECT count(*) FROM utterances u WHERE u.transcript_id = t.id) AS utterances, "
            "(SELECT group_concat(speaker, char(31)) FROM "
            "  (SELECT speaker, min(number) AS first FROM utterances u WHERE u.transcript_id = t.id "
            "   GROUP BY speaker ORDER BY first)) AS speakers "
            "FROM transcripts t ORDER BY t.id"
        )
        out = []
        for r in rows:
            r["speakers"] = r["speakers"].split("\x1f") if r["speakers"] else []
            r["roles"] = json.loads(r["roles"] or "{}")
            out.append(r)
        return out

    def transcript(self, name: str) -> Transcript:
        transcript_id = self.transcript_id(name)
        row = self.db["transcripts"].get(transcript_id)
        utterances = [
            Utterance(r[0], r[1], r[2], r[3], r[4], r[5])
            for r in self.conn.execute(
                'SELECT number, speaker, start, "end", time_start, time_end FROM utterances '
                "WHERE transcript_id = ? ORDER BY number",
                [transcript_id],
            )
        ]
        return Transcript(
            name=row["name"],
            text=row["text"],
            utterances=utterances,
            format=row["format"],
            source=row["source"],
            encoding=row["encoding"],
            roles=json.loads(row["roles"] or "{}"),
            notes=json.loads(row["notes"] or "[]"),
        )

    def transcripts_full(self, names: list[str] | None = None) -> dict[str, Transcript]:
        """Whole transcripts (all, or those named), by name in import order: two scans of the
        tables rather than a query per transcript, which on 100 transcripts costs a lookup per
        utterance (about 0.2 s for 30,000 of them)."""
        ids = {r[0]: r for r in self.conn.execute(
            "SELECT id, name, text, format, source, encoding, roles, notes FROM transcripts ORDER BY id")}
        if names is not None:
            wanted = {self.transcript_id(n) for n in names}
            ids = {i: r for i, r in ids.items() if i in wanted}
        utterances: dict[int, list[Utterance]] = {i: [] for i in ids}
        for r in self.conn.execute('SELECT transcript_id, number, speaker, start, "end", time_start, time_end '
                                   "FROM utterances"):
            bucket = utterances.get(r[0])
            if bucket is not None:
                bucket.append(Utterance(r[1], r[2], r[3], r[4], r[5], r[6]))
        out = {}
        for i, r in ids.items():
            us = utterances[i]
            us.sort(key=lambda u: u.number)
            out[r[1]] = Transcript(name=r[1], text=r[2], utterances=us, format=r[3], source=r[4], encoding=r[5],
                                   roles=json.loads(r[6] or "{}"), notes=json.loads(r[7] or "[]"))
        return out
