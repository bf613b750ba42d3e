"""The project's codebook, versioned.

Codes keep a stable id (and REFI-QDA guid) across codebook versions, matched by name, so
editing a definition never detaches existing codings. Every load that changes anything is
stored as a full snapshot in `codebook_versions`; a code dropped from the YAML is retired,
not deleted, because codings may still point at it.

Which speaker roles a code applies to (`speakers`), whether it may go on a backchannel
(`backchannels`) and a root's rupture/repair `family` are read from the snapshot of the newest version rather than from columns of
`codes`: no schema change, and a project stays readable by an accord from before the keys.
"""

from __future__ import annotations

import hashlib
import json

from ..codebook import codebook_to_dict, relation_from_dict, scale_from_dict
from ..model import Code, Codebook
from ..names import no_such_code
from .base import ProjectBase
from .common import ProjectError, new_guid, now
from .events import CodebookLoad

_LIST_FIELDS = ("examples", "counter_examples", "patterns")
_TEXT_FIELDS = ("parent", "color", "hotkey", "definition", "when_to_use", "when_not_to_use")


class CodebookStore(ProjectBase):
    def load_codebook(self, codebook: Codebook) -> dict:
        """Make `codebook` the project's codebook; returns what changed."""
        snapshot = json.dumps(codebook_to_dict(codebook), ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(snapshot.encode()).hexdigest()
        with self.transaction():
            latest = self.conn.execute(
                "SELECT version, sha256, snapshot FROM codebook_versions ORDER BY version DESC LIMIT 1"
            ).fetchone()
            if latest and latest[1] == digest:
                return {"status": "unchanged", "version": latest[0], "added": [], "updated": [], "retired": []}
            version = self.db["codebook_versions"].insert(
                {
                    "name": codebook.name,
                    "label": codebook.version,
                    "sha256": digest,
                    "source": codebook.source,
                    "snapshot": snapshot,
                    "loaded_at": now(),
                }
            ).last_pk
            existing = {r["name"]: r for r in self.db["codes"].rows}
            old_extra = _extra(latest[2]) if latest else {}
            added, updated = [], []
            for position, code in enumerate(codebook.codes):
                values = {f: getattr(code, f) for f in _TEXT_FIELDS}
                values.update({f: json.dumps(getattr(code, f), ensure_ascii=False) for f in _LIST_FIELDS})
                values.update(position=position, retired=0, version=version)
                old = existing.get(code.name)
                if old is None:
                    self.db["codes"].insert(dict(values, name=code.name, guid=new_guid()))
                    added.append(code.name)
                else:
                    if any(old[k] != v for k, v in values.items() if k not in ("version", "position")) \
                            or old_extra.get(code.name, _NO_EXTRA) != (code.speakers, code.backchannels, code.family, code.codable):
                        updated.append(code.name)
                    self.db["codes"].update(old["id"], values)
            names = {c.name for c in codebook.codes}
            retired = [n for n, r in existing.items() if n not in names and not r["retired"]]
            for name in retired:
                self.db["codes"].update(existing[name]["id"], {"retired": 1})
            change = CodebookLoad(version=version, added=added, updated=updated, retired=retired, name=codebook.name,
                                  source=codebook.source)
            self.log(change)
        return {"version": version, "added": added, "updated": updated, "retired": retired, "status": "loaded"}

    def codebook(self) -> Codebook | None:
        """The current codebook (retired codes left out), or None before one is loaded."""
        head = self.conn.execute(
            "SELECT name, label, source, snapshot FROM codebook_versions ORDER BY version DESC LIMIT 1"
        ).fetchone()
        if head is None:
            return None
        extra = _extra(head[3])
        codes = [
            Code(
                name=r["name"],
                **{f: r[f] for f in _TEXT_FIELDS},
                **{f: json.loads(r[f] or "[]") for f in _LIST_FIELDS},
                speakers=extra.get(r["name"], _NO_EXTRA)[0],
                backchannels=extra.get(r["name"], _NO_EXTRA)[1],
                family=extra.get(r["name"], _NO_EXTRA)[2],
                codable=extra.get(r["name"], _NO_EXTRA)[3],
            )
            for r in self.db["codes"].rows_where("retired = 0", order_by="position")
        ]
        snapshot = json.loads(head[3])
        return Codebook(name=head[0], version=head[1], source=head[2], description=snapshot.get("description", ""),
                        codes=codes, min_precision=snapshot.get("min_precision"),
                        ratings=[scale_from_dict(d) for d in snapshot.get("ratings", [])],
                        relations=[relation_from_dict(d) for d in snapshot.get("relations", [])])

    def categories(self) -> frozenset[str]:
        """Names of the codes that only group others (`codable: false`), read once per codebook
        version: applying a code asks this every time."""
        version = self.conn.execute("SELECT max(version) FROM codebook_versions").fetchone()[0]
        if version is None:
            return frozenset()
        cached = getattr(self, "_categories_cache", None)
        if cached is None or cached[0] != version:
            snapshot = self.conn.execute("SELECT snapshot FROM codebook_versions WHERE version = ?", [version]).fetchone()[0]
            self._categories_cache = cached = (version, frozenset(n for n, x in _extra(snapshot).items() if not x[3]))
        return cached[1]

    def require_codebook(self) -> Codebook:
        """The current codebook, or a message saying how to load one (for every command and
        screen that needs it, so the message is written once)."""
        book = self.codebook()
        if book is None:
            raise ProjectError(NO_CODEBOOK)
        return book

    def codebook_versions(self) -> list[dict]:
        return list(self.db.query("SELECT version, name, label, source, loaded_at FROM codebook_versions ORDER BY version"))

    def code_name(self, name: str) -> str:
        """The codebook's own spelling of a code named case-insensitively (ProjectError if none)."""
        return self.conn.execute("SELECT name FROM codes WHERE id = ?", [self.code_id(name)]).fetchone()[0]

    def code_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM codes WHERE name = ?", [name]).fetchone()
        if row is None:
            row = self.conn.execute("SELECT id FROM codes WHERE lower(name) = lower(?)", [name]).fetchone()
        if row is None:
            if not self.conn.execute("SELECT 1 FROM codes LIMIT 1").fetchone():
                raise ProjectError(f"no code named {name!r}: the project has no codebook yet (`accord codebook load FILE`)")
            raise ProjectError(no_such_code(name, [r[0] for r in self.conn.execute("SELECT name FROM codes")]))
        return row[0]


NO_CODEBOOK = "the project has no codebook yet; load one with `accord codebook load FILE`"
_NO_EXTRA: tuple[list[str], bool | None, str | None, bool] = ([], None, None, True)


def _extra(snapshot: str | None) -> dict[str, tuple[list[str], bool | None, str | None, bool]]:
    """Each code's `speakers`, `backchannels`, `family` and `codable` as written in a stored
    codebook snapshot (no columns of their own: older projects read the same way)."""
    codes = json.loads(snapshot or "{}").get("codes", [])
    return {c["name"]: (list(c.get("speakers") or []), c.get("backchannels"), c.get("family"),
                        c.get("codable", True) is not False) for c in codes}
