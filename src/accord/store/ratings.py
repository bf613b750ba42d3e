"""Ratings on the codebook's rating scales, in the event log and undoable.

A rating is keyed by what it is about (transcript, scale, segment, coder), like a memo, so
setting it again replaces the value and merging matches it without a guid. Each change is
logged with the rating before and after (value, and the segment's unit and utterances), so
undo writes back exactly what was there, including nothing.
"""

from __future__ import annotations

from typing import Any

from ..model import RatingScale
from ..ratings import Segment, check_value, how_cut, segments
from .base import ProjectBase
from .common import ProjectError, now
from .events import RatingSet, RatingsImport, payload

_SELECT = (
    "SELECT t.name AS transcript, r.scale, r.segment, d.name AS coder, r.value, r.unit, r.first, r.last, "
    "r.updated_at FROM ratings r JOIN transcripts t ON t.id = r.transcript_id JOIN coders d ON d.id = r.coder_id "
)


class RatingStore(ProjectBase):
    def rating_scales(self) -> list[RatingScale]:
        """The current codebook's rating scales (none before a codebook with `ratings:`)."""
        book = self.codebook()
        return list(book.ratings) if book else []

    def rating_scale(self, name: str) -> RatingScale:
        scale = next((s for s in self.rating_scales() if s.name.casefold() == name.casefold()), None)
        if scale is None:
            known = ", ".join(s.name for s in self.rating_scales())
            raise ProjectError(f"no rating scale named {name!r} in the codebook (" +
                               (f"scales: {known})" if known else "it has none: add `ratings:` to the codebook YAML)"))
        return scale

    def rating_segments(self, transcript: str, scale: str) -> list[Segment]:
        """The segments `scale` cuts a transcript into (see accord.ratings)."""
        return segments(self.transcript(transcript), self.rating_scale(scale))

    def set_rating(self, transcript: str, scale: str, segment: int, coder: str, value: int | None) -> dict:
        """Rate one segment (None clears this coder's rating); one undoable `rating.set` event."""
        with self.transaction():
            coder_id = self.coder_id(coder)
            change = self._rating_change(transcript, scale, segment, coder_id, value)
            self.log(change, coder_id)
        return change.to_data()

    def import_ratings(self, rows: list[dict]) -> dict[str, int]:
        """Set many ratings (dicts with transcript, segment, scale, coder, value) in one
        transaction: one undoable `ratings.import` event per coder. Returns coder -> count."""
        by_coder: dict[str, list[dict]] = {}
        for row in rows:
            by_coder.setdefault(row["coder"], []).append(row)
        cache: dict = {}  # (transcript, scale) -> what every row on them needs, read once
        with self.transaction():
            for coder, batch in by_coder.items():
                coder_id = self.ensure_coder(coder)
                changes = [self._rating_change(r["transcript"], r["scale"], r["segment"], coder_id, r["value"], cache)
                           for r in batch]
                self.log(RatingsImport(coder_id=coder_id, changes=[c.to_data() for c in changes]), coder_id)
        return {coder: len(batch) for coder, batch in by_coder.items()}

    def _rating_change(self, transcript: str, scale_name: str, number: int, coder_id: int, value,
                       cache: dict | None = None) -> RatingSet:
        key = (transcript, scale_name.casefold())
        if cache is None or key not in cache:
            t, scale = self.transcript(transcript), self.rating_scale(scale_name)
            found = (t, scale, {s.number: s for s in segments(t, scale)}, self.transcript_id(transcript), how_cut(t, scale))
            if cache is None:
                cache = {}
            cache[key] = found
        t, scale, cut, transcript_id, (unit, size) = cache[key]
        segment = cut.get(number)
        if segment is None:
            raise ProjectError(f"transcript {transcript!r} has no segment {number} under scale {scale.name!r} "
                               f"({len(cut)} segments)")
        if value is not None:
            try:
                value = check_value(scale, value)
            except ValueError as e:
                raise ProjectError(str(e)) from None
        before = self._rating_row(transcript_id, scale.name, number, coder_id)
        after = None if value is None else {"value": value, "unit": "session" if unit == "session" else f"{size} {unit}",
                                            "first": segment.first, "last": segment.last}
        self._write_rating(transcript_id, scale.name, number, coder_id, after)
        return RatingSet(transcript_id=transcript_id, transcript=transcript, scale=scale.name, segment=number,
                         before=before, after=after)

    def _rating_row(self, transcript_id: int, scale: str, segment: int, coder_id: int) -> dict | None:
        row = self.conn.execute(
            'SELECT value, unit, first, last FROM ratings WHERE transcript_id = ? AND scale = ? AND segment = ? '
            "AND coder_id = ?", [transcript_id, scale, segment, coder_id]).fetchone()
        return None if row is None else {"value": row[0], "unit": row[1], "first": row[2], "last": row[3]}

    def _write_rating(self, transcript_id: int, scale: str, segment: int, coder_id: int, rating: dict | None) -> None:
        key = [transcript_id, scale, segment, coder_id]
        if rating is None:
            self.conn.execute("DELETE FROM ratings WHERE transcript_id = ? AND scale = ? AND segment = ? AND coder_id = ?",
                              key)
            return
        stamp = now()
        created = self.conn.execute(
            "SELECT created_at FROM ratings WHERE transcript_id = ? AND scale = ? AND segment = ? AND coder_id = ?",
            key).fetchone()
        self.db["ratings"].upsert(
            {"transcript_id": transcript_id, "scale": scale, "segment": segment, "coder_id": coder_id,
             "value": rating["value"], "unit": rating["unit"], "first": rating["first"], "last": rating["last"],
             "created_at": created[0] if created else stamp, "updated_at": stamp},
            pk=("transcript_id", "scale", "segment", "coder_id"),
        )

    def _revert_rating(self, event: dict, *, undo: bool) -> None:
        """Undo (or redo) a `rating.set` or `ratings.import` by writing back the recorded state."""
        p = payload(event)
        changes: list = p.ratings() if isinstance(p, RatingsImport) else [p]
        for c in (reversed(changes) if undo else changes):
            self._write_rating(c.transcript_id, c.scale, c.segment, event["coder_id"], c.before if undo else c.after)

    def ratings(self, *, transcript: str | None = None, coder: str | None = None, scale: str | None = None,
                coders: list[str] | None = None) -> list[dict]:
        """Ratings in transcript, scale, segment and coder order; filtered by each argument given."""
        where: list[str] = []
        params: list[Any] = []
        if transcript is not None:
            where.append("r.transcript_id = ?")
            params.append(self.transcript_id(transcript))
        if scale is not None:
            where.append("r.scale = ?")
            params.append(self.rating_scale(scale).name)
        for name in ([coder] if coder is not None else []) + list(coders or []):
            self.coder_id(name)  # an unknown coder is an error, not an empty list
        if coder is not None:
            where.append("d.name = ?")
            params.append(coder)
        if coders is not None:
            where.append(f"d.name IN ({','.join('?' * len(coders))})")
            params.extend(coders)
        sql = _SELECT + (f"WHERE {' AND '.join(where)} " if where else "") + "ORDER BY t.id, r.scale, r.segment, d.id"
        return [dict(r) for r in self.db.query(sql, params)]

    def visible_ratings(self, viewer: str, transcript: str | None = None) -> list[dict]:
        """The ratings `viewer` may see: their own while blind, everyone's when reconciling."""
        if self.mode == "reconciliation":
            return self.ratings(transcript=transcript)
        return self.ratings(transcript=transcript, coder=viewer)

    def _rated(self, transcript_id: int) -> bool:
        """Whether anyone has rated a segment of the transcript, even a rating since cleared
        (its event points at the transcript, and undo would write it back)."""
        return any(self.conn.execute(sql, [transcript_id]).fetchone() for sql in (
            "SELECT 1 FROM ratings WHERE transcript_id = ? LIMIT 1",
            "SELECT 1 FROM events WHERE action = 'rating.set' AND json_extract(data, '$.transcript_id') = ? LIMIT 1",
            "SELECT 1 FROM events e, json_each(e.data, '$.changes') c WHERE e.action = 'ratings.import' "
            "AND json_extract(c.value, '$.transcript_id') = ? LIMIT 1",
        ))

    def _rating_conflicts(self, ratings: list[dict], transcript_names: dict[str, str], source: str) -> list[str]:
        """Ratings of a file that this project has for the same transcript, scale, segment and
        coder with another value (transcripts mapped by their text, coders by name)."""
        scales = {s.name.casefold(): s.name for s in self.rating_scales()}
        problems = []
        for r in ratings:
            transcript, scale = transcript_names.get(r["transcript"]), scales.get(r["scale"].casefold())
            coder = self.conn.execute("SELECT id FROM coders WHERE name = ?", [r["coder"]]).fetchone()
            if transcript is None or scale is None or coder is None:
                continue
            here = self._rating_row(self.transcript_id(transcript), scale, r["segment"], coder[0])
            if here is not None and here["value"] != r["value"]:
                problems.append(f"{source}: {r['coder']} rated segment {r['segment']} of {transcript!r} on "
                                f"{scale!r} {r['value']} in the file and {here['value']} in the project")
        return problems

    def _store_bundle_ratings(self, ratings: list[dict], transcript_names: dict[str, str], coder_ids: dict[str, int],
                              summary: dict) -> None:
        """A REFI bundle's ratings this project lacks, with their dates; one already here with
        the same value is counted as skipped, one on a scale this codebook lacks (or on a segment
        or value the scale here does not have) is counted and left out. Logged as one undoable
        `ratings.import` per coder. The caller has refused conflicting values beforehand."""
        scales = {s.name.casefold(): s for s in self.rating_scales()}
        cut: dict[tuple[str, str], tuple] = {}
        by_coder: dict[int, list[dict]] = {}
        stamp = now()
        for r in ratings:
            scale = scales.get(r["scale"].casefold())
            if scale is None:
                missing = summary.setdefault("rating_scales_missing", {})
                missing[r["scale"]] = missing.get(r["scale"], 0) + 1
                continue
            name = transcript_names[r["transcript"]]
            if (name, scale.name) not in cut:
                t = self.transcript(name)
                cut[name, scale.name] = (self.transcript_id(name), {s.number: s for s in segments(t, scale)},
                                         how_cut(t, scale))
            transcript_id, numbered, (unit, size) = cut[name, scale.name]
            segment = numbered.get(r["segment"])
            try:
                value = check_value(scale, r["value"])
            except ValueError:
                segment = None
            if segment is None:
                summary["ratings_unfit"] = summary.get("ratings_unfit", 0) + 1
                continue
            coder_id = coder_ids[r["coder"]]
            here = self._rating_row(transcript_id, scale.name, r["segment"], coder_id)
            if here is not None:
                if here["value"] != value:
                    raise ProjectError(f"{r['coder']} rated segment {r['segment']} of {name!r} on {scale.name!r} "
                                       f"{value} in the file and {here['value']} in the project")
                summary["ratings_skipped"] += 1
                continue
            after = {"value": value, "unit": "session" if unit == "session" else f"{size} {unit}",
                     "first": segment.first, "last": segment.last}
            self.db["ratings"].insert(
                {"transcript_id": transcript_id, "scale": scale.name, "segment": r["segment"], "coder_id": coder_id,
                 **after, "created_at": r.get("created_at") or stamp,
                 "updated_at": r.get("updated_at") or r.get("created_at") or stamp})
            by_coder.setdefault(coder_id, []).append(
                RatingSet(transcript_id=transcript_id, transcript=name, scale=scale.name, segment=r["segment"],
                          before=None, after=after).to_data())
        for coder_id, changes in by_coder.items():
            self.log(RatingsImport(coder_id=coder_id, changes=changes), coder_id)
        summary["ratings"] = sum(len(c) for c in by_coder.values())

    def _merge_ratings(self, theirs, transcript_map: dict, coder_map: dict, coder_names: dict, result) -> list[list]:
        """Their ratings this project lacks; one rated otherwise here is kept as it is and
        counted, one on a scale this codebook lacks is counted and left out. Returns the
        ratings added as [transcript id, scale, segment, coder id]."""
        scales = {s.name for s in self.rating_scales()}
        added = []
        for tid, scale, segment, coder, value, unit, first, last, created, updated in theirs.execute(
            'SELECT transcript_id, scale, segment, coder_id, value, unit, first, last, created_at, updated_at '
            "FROM ratings ORDER BY transcript_id, scale, segment, coder_id"
        ):
            if tid not in transcript_map or coder not in coder_map:
                continue
            if scale not in scales:
                result.rating_scales_missing[scale] = result.rating_scales_missing.get(scale, 0) + 1
                continue
            key = [transcript_map[tid], scale, segment, coder_map[coder]]
            here = self._rating_row(*key)
            if here is not None:
                result.rating_conflicts += here["value"] != value
                continue
            self.db["ratings"].insert(
                {"transcript_id": key[0], "scale": scale, "segment": segment, "coder_id": key[3], "value": value,
                 "unit": unit, "first": first, "last": last, "created_at": created, "updated_at": updated})
            added.append(key)
            name = coder_names[coder]
            result.ratings_added[name] = result.ratings_added.get(name, 0) + 1
        return added
