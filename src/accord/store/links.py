"""Typed links between codings ("Meta-communication repairs Minimal response"), undoable.

A coder links two of their own codings in one transcript, from one (the source) to the other
(the target), with a relation the codebook knows ("repairs" always; others under
`relations:`). Linking only one's own codings keeps blind coding simple: whoever may see a
coder's codings may see their links, and nobody else.

Rows are never deleted, as for codings: removing a link marks it `removed`. A link is
shown only while both its codings are active, so removing a coding (or undoing the action
that made it, or deleting its code) hides its links, and putting the coding back (undo, redo)
shows them again: no link ever points at a coding that is not there, and nothing has to be
kept in step. Merging a code carries its codings' links over to the codings that replace them.
"""

from __future__ import annotations

from typing import Any

from ..model import REPAIRS, Codebook, Coding, Link, Relation
from .base import ProjectBase
from .common import ProjectError, new_guid, now
from .events import LinkAdd, LinkRemove, LinksImport, payload

_LINK_SQL = (
    "SELECT l.id, l.relation, d.name, l.source_id, l.target_id, l.created_at FROM links l "
    "JOIN codings s ON s.id = l.source_id JOIN codings t ON t.id = l.target_id JOIN coders d ON d.id = l.coder_id "
)
_SHOWN = "l.status = 'active' AND s.status = 'active' AND t.status = 'active'"


class LinkStore(ProjectBase):
    # --- relations ----------------------------------------------------------------------------

    def relations(self) -> list[Relation]:
        """The relations a new link may have: "repairs" first, then the codebook's own."""
        book = self.codebook()
        return book.all_relations() if book else Codebook(name="", codes=[]).all_relations()

    def relation_name(self, name: str) -> str:
        """The codebook's spelling of a relation named case-insensitively (ProjectError if none)."""
        found = next((r for r in self.relations() if r.name.casefold() == name.strip().casefold()), None)
        if found is None:
            known = ", ".join(r.name for r in self.relations())
            raise ProjectError(f"no relation named {name!r} (relations: {known}); a codebook adds its own under "
                               "`relations:` (see docs/sequences.md), then `accord codebook load FILE`")
        return found.name

    # --- adding and removing -----------------------------------------------------------------

    def add_link(self, source_id: int, target_id: int, relation: str, coder: str) -> Link:
        """Link coding `source_id` to `target_id` with `relation`; one undoable `link.add`."""
        with self.transaction():
            coder_id = self.coder_id(coder)
            relation = self.relation_name(relation)
            source, target = self._linkable(source_id, coder_id), self._linkable(target_id, coder_id)
            if source_id == target_id:
                raise ProjectError(f"coding {source_id} cannot be linked to itself; choose another coding as the target")
            if source.transcript != target.transcript:
                raise ProjectError(f"a link joins two codings of one transcript; coding {source_id} is in "
                                   f"{source.transcript!r} and {target_id} in {target.transcript!r}")
            if relation == REPAIRS:
                self._check_repairs(source, target)
            same = self.conn.execute(
                f"SELECT l.id FROM links l JOIN codings s ON s.id = l.source_id JOIN codings t ON t.id = l.target_id "
                f"WHERE {_SHOWN} AND l.source_id = ? AND l.target_id = ? AND l.relation = ?",
                [source_id, target_id, relation]).fetchone()
            if same:
                raise ProjectError(f"coding {source_id} already {relation} coding {target_id} (link {same[0]})")
            stamp = now()
            link_id = self.db["links"].insert(
                {"guid": new_guid(), "source_id": source_id, "target_id": target_id, "relation": relation,
                 "coder_id": coder_id, "status": "active", "created_at": stamp, "updated_at": stamp}).last_pk
            link = self.link(link_id)
            self.log(LinkAdd.of(link), coder_id)
        return link

    def remove_link(self, link_id: int, coder: str) -> Link:
        """Take a link away (one undoable `link.remove`); only its coder may."""
        with self.transaction():
            coder_id = self.coder_id(coder)
            row = self.conn.execute("SELECT coder_id, status FROM links WHERE id = ?", [link_id]).fetchone()
            if row is None:
                raise ProjectError(f"no link with id {link_id} (see `accord links list`)")
            if row[0] != coder_id:
                raise ProjectError(f"link {link_id} belongs to another coder; coders change only their own links")
            link = self.link(link_id)
            shown = self.conn.execute(f"SELECT 1 FROM links l JOIN codings s ON s.id = l.source_id JOIN codings t "
                                      f"ON t.id = l.target_id WHERE {_SHOWN} AND l.id = ?", [link_id]).fetchone()
            if not shown:
                raise ProjectError(f"link {link_id} is already removed (or one of its codings is)")
            self._set_link_status(link_id, "removed")
            self.log(LinkRemove.of(link), coder_id)
        return link

    def _linkable(self, coding_id: int, coder_id: int) -> Coding:
        row = self.conn.execute("SELECT coder_id, status FROM codings WHERE id = ?", [coding_id]).fetchone()
        if row is None:
            raise ProjectError(f"no coding with id {coding_id} (see `accord codings list`)")
        if row[0] != coder_id:
            raise ProjectError(f"coding {coding_id} belongs to another coder; a coder links only their own codings")
        if row[1] != "active":
            raise ProjectError(f"coding {coding_id} has been removed; link codings that are there")
        return self.coding(coding_id)

    def _check_repairs(self, source: Coding, target: Coding) -> None:
        """A "repairs" link goes from a repair coding to a rupture coding (when the codebook
        says which codes are which, with `family:` on their roots), and the repair does not
        begin before the rupture."""
        book = self.codebook()
        if book is None or not book.family_roots("rupture") or not book.family_roots("repair"):
            self._repair_after(source, target)
            return
        codes = book.by_name()
        family = {c.id: book.family_of(c.code)[0] if c.code in codes else None for c in (source, target)}
        if family[source.id] == "rupture" and family[target.id] == "repair":
            raise ProjectError(f"a repairs link goes from the repair to the rupture it repairs: coding {source.id} "
                               f"({source.code}) is a rupture and {target.id} ({target.code}) a repair; swap them")
        for c, want, side in ((source, "repair", "from"), (target, "rupture", "to")):
            if family[c.id] != want:
                raise ProjectError(f"a repairs link goes {side} a {want} coding; coding {c.id} is {c.code!r}, "
                                   f"which is not under a `family: {want}` root of the codebook")
        self._repair_after(source, target)

    @staticmethod
    def _repair_after(source: Coding, target: Coding) -> None:
        if source.start < target.start:
            raise ProjectError(f"coding {source.id} ({source.code}) begins before coding {target.id} ({target.code}), "
                               "the rupture it would repair; a repair comes after the rupture")

    def _set_link_status(self, link_id: int, status: str) -> None:
        self.db["links"].update(link_id, {"status": status, "updated_at": now()})

    # --- reading -------------------------------------------------------------------------------

    def link(self, link_id: int) -> Link:
        rows = self._links("WHERE l.id = ?", [link_id])
        if not rows:
            raise ProjectError(f"no link with id {link_id}")
        return rows[0]

    def links(self, *, transcript: str | None = None, coder: str | None = None, relation: str | None = None,
              coding: int | None = None) -> list[Link]:
        """Links shown (active, between active codings), in text order of their sources."""
        where = [_SHOWN]
        params: list[Any] = []
        if transcript is not None:
            where.append("s.transcript_id = ?")
            params.append(self.transcript_id(transcript))
        if coder is not None:
            where.append("l.coder_id = ?")
            params.append(self.coder_id(coder))
        if relation is not None:  # also one the codebook has since dropped
            where.append("lower(l.relation) = lower(?)")
            params.append(relation.strip())
        if coding is not None:
            where.append("(l.source_id = ? OR l.target_id = ?)")
            params += [coding, coding]
        return self._links("WHERE " + " AND ".join(where) + ' ORDER BY s.transcript_id, s.start, s."end", l.id', params)

    def visible_links(self, viewer: str, transcript: str | None = None) -> list[Link]:
        """The links `viewer` may see: their own while blind, everyone's when reconciling."""
        if self.mode == "reconciliation":
            return self.links(transcript=transcript)
        return self.links(transcript=transcript, coder=viewer)

    def _links(self, where: str, params: list) -> list[Link]:
        rows = self.conn.execute(_LINK_SQL + where, params).fetchall()
        ids = sorted({i for r in rows for i in (r[3], r[4])})
        codings = {}
        for at in range(0, len(ids), 500):
            chunk = ids[at:at + 500]
            codings.update({c.id: c for c in self.codings_by_id(chunk)})
        return [Link(r[0], r[1], r[2], codings[r[3]], codings[r[4]], r[5] or "") for r in rows]

    def link_records(self, coders: list[str] | None = None) -> list[dict]:
        """Shown links with their guids and their codings' guids, for a REFI export."""
        sql = ("SELECT l.guid, l.relation, s.guid AS source, t.guid AS target, d.name AS coder FROM links l "
               "JOIN codings s ON s.id = l.source_id JOIN codings t ON t.id = l.target_id "
               f"JOIN coders d ON d.id = l.coder_id WHERE {_SHOWN} ")
        params: list = []
        if coders is not None:
            sql += f"AND d.name IN ({','.join('?' * len(coders))}) "
            params = list(coders)
        return list(self.db.query(sql + "ORDER BY l.id", params))

    # --- undo, code merges, project merges, imports ------------------------------------------------

    def _revert_link(self, event: dict, *, undo: bool) -> None:
        """Undo (or redo) a `link.add`, `link.remove` or `links.import`."""
        p = payload(event)
        if isinstance(p, LinksImport):
            for link_id in p.link_ids:
                self._set_link_status(link_id, "removed" if undo else "active")
            return
        assert isinstance(p, (LinkAdd, LinkRemove))
        added = isinstance(p, LinkAdd)
        self._set_link_status(p.link_id, "removed" if added == undo else "active")

    def carry_links(self, replaced: dict[int, int]) -> list[int]:
        """Copy the shown links of codings being replaced (old id -> new id, as merging a code
        does) onto their replacements; returns the new links' ids, for the caller's event.
        Call inside its transaction, after the old codings are removed."""
        self._inside_transaction("carry_links")
        if not replaced:
            return []
        marks = ",".join("?" * len(replaced))
        rows = self.conn.execute(
            f"SELECT id, source_id, target_id, relation, coder_id, created_at FROM links WHERE status = 'active' "
            f"AND (source_id IN ({marks}) OR target_id IN ({marks})) ORDER BY id", [*replaced, *replaced]).fetchall()
        made = []
        for _, source, target, relation, coder_id, created in rows:
            source, target = replaced.get(source, source), replaced.get(target, target)
            status = dict(self.conn.execute(
                "SELECT id, status FROM codings WHERE id IN (?, ?)", [source, target]).fetchall())
            if source == target or status.get(source) != "active" or status.get(target) != "active":
                continue
            if self.conn.execute("SELECT 1 FROM links WHERE status = 'active' AND source_id = ? AND target_id = ? "
                                 "AND relation = ?", [source, target, relation]).fetchone():
                continue
            made.append(self.db["links"].insert(
                {"guid": new_guid(), "source_id": source, "target_id": target, "relation": relation,
                 "coder_id": coder_id, "status": "active", "created_at": created, "updated_at": now()}).last_pk)
        return made

    def store_link(self, guid: str | None, source_id: int, target_id: int, relation: str) -> int | None:
        """Add a link read from another file or project copy, with no event of its own (the
        import or merge logs one); None when it is here already (same guid, or the same codings
        and relation). Its coder is the codings' coder."""
        self._inside_transaction("store_link")
        if guid and self.conn.execute("SELECT 1 FROM links WHERE lower(guid) = lower(?)", [guid]).fetchone():
            return None
        ends = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT id, coder_id, transcript_id FROM codings WHERE id IN (?, ?) AND status = 'active'",
            [source_id, target_id])}
        if source_id == target_id or len(ends) != 2 or ends[source_id] != ends[target_id]:
            return None  # a link joins two active codings of one coder in one transcript
        if self.conn.execute("SELECT 1 FROM links WHERE status = 'active' AND source_id = ? AND target_id = ? "
                             "AND relation = ?", [source_id, target_id, relation]).fetchone():
            return None
        stamp = now()
        return self.db["links"].insert(
            {"guid": guid or new_guid(), "source_id": source_id, "target_id": target_id, "relation": relation,
             "coder_id": ends[source_id][0], "status": "active", "created_at": stamp, "updated_at": stamp}).last_pk

    def _merge_links(self, theirs, result) -> list[int]:
        """Their links between codings this project has (matched by the codings' guids), in
        relations this codebook knows; one in another relation is counted and left out."""
        known = {r.name.casefold(): r.name for r in self.relations()}
        ours = {guid: cid for cid, guid in self.conn.execute("SELECT id, guid FROM codings WHERE status = 'active'")}
        added = []
        for guid, relation, source, target, coder in theirs.execute(
            "SELECT l.guid, l.relation, s.guid, t.guid, d.name FROM links l JOIN codings s ON s.id = l.source_id "
            "JOIN codings t ON t.id = l.target_id JOIN coders d ON d.id = l.coder_id "
            "WHERE l.status = 'active' AND s.status = 'active' AND t.status = 'active' ORDER BY l.id"
        ):
            if source not in ours or target not in ours:
                continue
            if relation.casefold() not in known:
                result.link_relations_missing[relation] = result.link_relations_missing.get(relation, 0) + 1
                continue
            link_id = self.store_link(guid, ours[source], ours[target], known[relation.casefold()])
            if link_id is not None:
                added.append(link_id)
                result.links_added[coder] = result.links_added.get(coder, 0) + 1
        return added

