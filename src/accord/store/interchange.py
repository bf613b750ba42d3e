"""What exports and REFI-QDA interchange need from the store beyond everyday coding.

Another tool's project carries identities and history that accord must keep: guids (so a
file exported again still names the same things), who coded what and when, and memos.
`import_bundle` writes all of it in one transaction, so a file that fails half-way leaves
the project as it was; `bundle_conflicts` says beforehand what would be refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model import Codebook, Relation
from .base import ProjectBase
from .common import ProjectError, now
from .events import CodingsImport, InterchangeImport, LinksImport

_CODING_SQL = (
    'SELECT k.id, k.guid, t.name AS transcript, c.name AS code, d.name AS coder, k.start, k."end", '
    "k.memo, k.origin, k.created_at, k.updated_at FROM codings k "
    "JOIN transcripts t ON t.id = k.transcript_id JOIN codes c ON c.id = k.code_id "
    "JOIN coders d ON d.id = k.coder_id WHERE k.status = 'active' "
)


class InterchangeStore(ProjectBase):
    # --- reading, for exports ------------------------------------------------------------------

    def guids(self, table: str) -> dict[str, str]:
        """name -> guid for `transcripts`, `codes` or `coders`."""
        if table not in ("transcripts", "codes", "coders"):
            raise ValueError(f"no guids in table {table!r}")
        return {name: guid for name, guid in self.conn.execute(f"SELECT name, guid FROM {table}")}

    def coding_records(self, coders: list[str] | None = None) -> list[dict]:
        """Active codings with their guid and dates, in text order."""
        sql, params = _CODING_SQL, []
        if coders is not None:
            ids = [self.coder_id(c) for c in coders]
            sql += f"AND k.coder_id IN ({','.join('?' * len(ids))}) "
            params = ids
        return list(self.db.query(sql + 'ORDER BY k.transcript_id, k.start, k."end", k.id', params))

    def rating_records(self, coders: list[str] | None = None) -> list[dict]:
        """Every rating (or only these coders') with both its dates, in transcript, scale,
        segment and coder order; like `coding_records`, for exports to the whole team."""
        sql = ("SELECT t.name AS transcript, r.scale, r.segment, d.name AS coder, r.value, r.created_at, r.updated_at "
               "FROM ratings r JOIN transcripts t ON t.id = r.transcript_id JOIN coders d ON d.id = r.coder_id ")
        params: list = []
        if coders is not None:
            params = [self.coder_id(c) for c in coders]
            sql += f"WHERE r.coder_id IN ({','.join('?' * len(params))}) "
        return list(self.db.query(sql + "ORDER BY t.id, r.scale, r.segment, d.id", params))

    def retired_codes_in_use(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM codes c WHERE retired = 1 AND EXISTS "
                "(SELECT 1 FROM codings k WHERE k.code_id = c.id AND k.status = 'active') ORDER BY position"
            )
        ]

    def transcript_dates(self) -> dict[str, str]:
        return {name: at for name, at in self.conn.execute("SELECT name, imported_at FROM transcripts")}

    def memo_records(self, transcript: str | None = None) -> list[dict]:
        """Every coder's memos on utterances (`utterance` None: on the whole transcript), in text order.

        Unlike `utterance_memos`, this ignores blind mode: exports are for the whole team."""
        sql = (
            "SELECT m.id, t.name AS transcript, m.utterance, d.name AS coder, m.text, m.created_at "
            "FROM memos m JOIN transcripts t ON t.id = m.transcript_id LEFT JOIN coders d ON d.id = m.coder_id "
            "WHERE m.text != '' "
        )
        params = []
        if transcript is not None:
            sql += "AND m.transcript_id = ? "
            params.append(self.transcript_id(transcript))
        return list(self.db.query(sql + "ORDER BY m.transcript_id, coalesce(m.utterance, 0), m.id", params))

    # --- writing a checked bundle --------------------------------------------------------------

    def bundle_conflicts(self, bundle) -> list[str]:
        """Why storing `bundle` would be refused: a transcript name already used for other text,
        or a rating the project has with another value (same transcript, scale, segment, coder)."""
        problems = []
        same: dict[str, str] = {}
        for t, _guid, _at in bundle.transcripts:
            row = self.conn.execute("SELECT sha256 FROM transcripts WHERE name = ?", [t.name]).fetchone()
            here = self._same_text(t.sha256)
            if here:
                same[t.name] = here
            elif row and row[0] != t.sha256:
                problems.append(
                    f"{t.source or t.name}: the text differs from transcript {t.name!r} already in the project"
                )
        return problems + self._rating_conflicts(bundle.ratings, same, bundle.source)

    def _same_text(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT name FROM transcripts WHERE sha256 = ? ORDER BY id LIMIT 1", [sha256]).fetchone()
        return row[0] if row else None

    def import_bundle(self, bundle) -> dict:
        """Store what a REFI file holds, keeping guids, users and dates; all or nothing.

        Transcripts already in the project (same text) are reused, codes and coders are
        matched by name, and codings already present (same guid, or same span, code and
        coder) are skipped, as are ratings already present with the same value, so importing a
        file twice changes nothing. The summary's `new_coding_ids` (not written to the log) are
        the codings this import added.
        """
        problems = self.bundle_conflicts(bundle)
        if problems:
            raise ProjectError("; ".join(problems))
        summary: dict[str, Any] = {"transcripts": 0, "transcripts_reused": 0, "codes": 0, "coders": 0, "codings": 0,
                   "codings_skipped": 0, "memos": 0, "coding_memos": 0, "journal": 0, "description": None, "variables": 0, "cases": 0,
                   "variable_values": 0, "links": 0, "ratings": 0, "ratings_skipped": 0}
        with self.transaction():
            seen_before = [r[0] for r in self.conn.execute("SELECT id FROM codings")]
            code_names = self._merge_codes(bundle.codebook, bundle.code_guids, summary)
            transcript_names = self._store_transcripts(bundle.transcripts, summary)
            coder_ids = self._store_coders(bundle.coders, summary)
            coding_ids = self._store_codings(bundle.codings, transcript_names, code_names, coder_ids, summary)
            self._store_links(bundle, coding_ids, summary)
            self._store_memos(bundle.memos, transcript_names, coder_ids, summary)
            self._store_project_notes(bundle, coder_ids, summary)
            self._store_variables(bundle, transcript_names, summary)
            self._store_bundle_ratings(bundle.ratings, transcript_names, coder_ids, summary)
            if any(v for k, v in summary.items() if k not in ("transcripts_reused", "codings_skipped", "ratings_skipped",
                                                              "rating_scales_missing", "ratings_unfit")):
                self.log(InterchangeImport(summary=summary, name=bundle.name, source=bundle.source))
        known = set(seen_before)
        summary["new_coding_ids"] = sorted({i for i in coding_ids.values() if i not in known})  # not logged
        return summary

    def _merge_codes(self, book: Codebook | None, guids: dict[str, str], summary: dict) -> dict[str, str]:
        """Bundle code name -> project code name; codes the project lacks are appended."""
        if book is None:
            return {}
        current = self.codebook()
        if current is None:
            self.load_codebook(book)
            mapping = {c.name: c.name for c in book.codes}
            added = list(book.codes)
        else:
            have = {c.name.casefold(): c.name for c in current.codes}
            retired = {r[0].casefold(): r[0] for r in self.conn.execute("SELECT name FROM codes WHERE retired = 1")}
            mapping = {c.name: have.get(c.name.casefold()) or retired.get(c.name.casefold(), c.name) for c in book.codes}
            added = [c for c in book.codes if c.name.casefold() not in have]
            if added:
                extra = [replace(c, name=mapping[c.name], parent=mapping.get(c.parent) if c.parent else None)
                         for c in added]
                self.load_codebook(replace(current, codes=current.codes + extra))
        used = {r[0] for r in self.conn.execute("SELECT guid FROM codes")}
        for c in added:
            guid = guids.get(c.name)
            if guid and guid not in used:
                self.conn.execute("UPDATE codes SET guid = ? WHERE name = ?", [guid, mapping[c.name]])
                used.add(guid)
        summary["codes"] = len(added)
        return mapping

    def _store_transcripts(self, transcripts, summary: dict) -> dict[str, str]:
        names = {}
        used = {r[0] for r in self.conn.execute("SELECT guid FROM transcripts")}
        for t, guid, created_at in transcripts:
            existing = self._same_text(t.sha256)
            if existing:
                names[t.name] = existing
                summary["transcripts_reused"] += 1
                continue
            result = self.import_transcript(t)
            names[t.name] = result.name
            if guid and guid not in used:
                self.conn.execute("UPDATE transcripts SET guid = ? WHERE name = ?", [guid, result.name])
                used.add(guid)
            if created_at:
                self.conn.execute("UPDATE transcripts SET imported_at = ? WHERE name = ?", [created_at, result.name])
            summary["transcripts"] += 1
        return names

    def _store_coders(self, coders, summary: dict) -> dict[str, int]:
        ids = {}
        used = {r[0] for r in self.conn.execute("SELECT guid FROM coders")}
        for name, guid in coders:
            row = self.conn.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
            if row:
                ids[name] = row[0]
                continue
            ids[name] = self.add_coder(name)
            if guid and guid not in used:
                self.conn.execute("UPDATE coders SET guid = ? WHERE id = ?", [guid, ids[name]])
                used.add(guid)
            summary["coders"] += 1
        return ids

    def _store_codings(self, codings, transcript_names, code_names, coder_ids, summary: dict) -> dict[str, int]:
        """Store the codings not here yet; returns each bundle coding's guid -> its coding here
        (one already here too, found by guid or by span, code and coder), for the links."""
        transcript_ids = {n: self.transcript_id(p) for n, p in transcript_names.items()}
        code_ids = {n: self.code_id(p) for n, p in code_names.items()}
        seen_guids = {g: i for i, g in self.conn.execute("SELECT id, guid FROM codings")}
        seen_spans = {tuple(r[1:]): r[0] for r in self.conn.execute(
            'SELECT id, transcript_id, code_id, coder_id, start, "end" FROM codings WHERE status = \'active\''
        )}
        stamp = now()
        by_coder: dict[int, list[int]] = {}
        found: dict[str, int] = {}
        for c in codings:
            key = (transcript_ids[c["transcript"]], code_ids[c["code"]], coder_ids[c["coder"]], c["start"], c["end"])
            if c["guid"] in seen_guids or key in seen_spans:
                summary["codings_skipped"] += 1
                found[c["guid"]] = seen_guids.get(c["guid"]) or seen_spans[key]
                continue
            cursor = self.conn.execute(
                'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start, "end", origin, status, memo, '
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'import', 'active', ?, ?, ?)",
                [c["guid"], *key, c.get("memo") or "", c.get("created_at") or stamp, stamp],
            )
            coding_id = cursor.lastrowid
            assert coding_id is not None  # set by every INSERT
            summary["coding_memos"] += bool(c.get("memo"))
            seen_guids[c["guid"]] = seen_spans[key] = found[c["guid"]] = coding_id
            by_coder.setdefault(key[2], []).append(coding_id)
        for coder_id, ids in by_coder.items():
            self.log(CodingsImport(coder_id=coder_id, coding_ids=ids), coder_id)
        summary["codings"] = sum(len(ids) for ids in by_coder.values())
        return found

    def _store_links(self, bundle, coding_ids: dict[str, int], summary: dict) -> None:
        """The bundle's links between codings now here; a relation the codebook lacks is added
        to it, as codes are. Logged as one undoable `links.import` per coder."""
        links = [k for k in bundle.links if k["source"] in coding_ids and k["target"] in coding_ids]
        if not links:
            return
        book = self.require_codebook()
        known = {r.name.casefold() for r in book.all_relations()}
        offered = (bundle.codebook.relations if bundle.codebook else []) + [Relation(k["relation"]) for k in links]
        new = list({r.name.casefold(): r for r in offered if r.name.casefold() not in known}.values())
        if new:
            self.load_codebook(replace(book, relations=book.relations + new))
            summary["relations"] = [r.name for r in new]
        names = {r.name.casefold(): r.name for r in self.relations()}
        by_coder: dict[int, list[int]] = {}
        for k in links:
            link_id = self.store_link(k["guid"], coding_ids[k["source"]], coding_ids[k["target"]],
                                      names[k["relation"].casefold()])
            if link_id is not None:
                coder_id = self.conn.execute("SELECT coder_id FROM links WHERE id = ?", [link_id]).fetchone()[0]
                by_coder.setdefault(coder_id, []).append(link_id)
        for coder_id, ids in by_coder.items():
            self.log(LinksImport(coder_id=coder_id, link_ids=ids), coder_id)
        summary["links"] = sum(len(ids) for ids in by_coder.values())

    def _store_project_notes(self, bundle, coder_ids, summary: dict) -> None:
        """Journal entries not already here (by guid), and the project's description when the
        project has none (one it has is kept; the summary says which)."""
        stamp = now()
        for n in bundle.project_notes:
            if self.has_project_note(n["guid"]):
                continue
            self.db["project_notes"].insert(
                {"guid": n["guid"], "title": n["title"] or n["text"].strip().splitlines()[0][:60], "text": n["text"],
                 "coder_id": coder_ids.get(n["coder"]) if n["coder"] else None,
                 "created_at": n.get("created_at") or stamp, "updated_at": stamp})
            summary["journal"] += 1
        if bundle.description and bundle.description != self.description:
            if self.description:
                summary["description"] = "kept the project's own"
            else:
                self.db["meta"].upsert({"key": "description", "value": bundle.description}, pk="key")
                summary["description"] = "set"

    def _store_memos(self, memos, transcript_names, coder_ids, summary: dict) -> None:
        """One memo per coder and utterance, as the UI keeps them: a second one is appended to it."""
        stamp = now()
        for m in memos:
            transcript_id = self.transcript_id(transcript_names[m["transcript"]])
            coder_id = coder_ids[m["coder"]]
            row = self.conn.execute(
                "SELECT id, text FROM memos WHERE transcript_id = ? AND utterance IS ? AND coder_id = ?",
                [transcript_id, m["utterance"], coder_id],
            ).fetchone()
            if row and m["text"] in row[1].split("\n\n"):
                continue
            if row:
                self.conn.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                                  [f"{row[1]}\n\n{m['text']}", stamp, row[0]])
            else:
                self.conn.execute(
                    "INSERT INTO memos (transcript_id, utterance, coder_id, text, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [transcript_id, m["utterance"], coder_id, m["text"], m.get("created_at") or stamp, stamp],
                )
            summary["memos"] += 1

    def _store_variables(self, bundle, transcript_names, summary: dict) -> None:
        """Variables, cases and values of a bundle. A variable the project has as another type
        or for the other kind of owner is imported under a name of its own (the summary says
        which); a case of the same name is the same person; a turn already another case's
        stays that case's."""
        names = {}
        for v in bundle.variables:
            name = v["name"]
            if self.has_variable(name):
                have = self.variable(name)
                if (have["applies_to"], have["type"]) != (v["of"], v["type"]):
                    name = f"{name} ({bundle.name})"
                    summary.setdefault("variables_renamed", []).append([v["name"], name])
            if not self.has_variable(name):
                summary["variables"] += 1
            self.define_variable(name, v["of"], v["type"], v["categories"], v["description"],
                                 guid=None if self._guid_taken("variables", v["guid"]) else v["guid"])
            names[v["name"]] = name
        for c in bundle.cases:
            members = [(transcript_names[t], s) for t, s in c["members"]]
            owners = self.case_of()
            free = [m for m in members if owners.get(m) in (None, c["name"])]
            if len(free) < len(members):
                summary["case_members_skipped"] = summary.get("case_members_skipped", 0) + len(members) - len(free)
            if self.has_case(c["name"]):
                self.add_case_members(c["name"], free)
            else:
                self.add_case(c["name"], free, c["description"],
                              guid=None if self._guid_taken("cases", c["guid"]) else c["guid"])
                summary["cases"] += 1
        values = [(names[v], transcript_names.get(owner, owner) if self.variable(names[v])["applies_to"] == "transcript"
                   else owner, value) for v, owner, value in bundle.variable_values]
        summary["variable_values"] = self.set_values(values, source=bundle.source)

    def _guid_taken(self, table: str, guid: str) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {table} WHERE lower(guid) = lower(?)", [guid]).fetchone() is not None
