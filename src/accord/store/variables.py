"""Session and participant variables, and cases (a person across sessions).

A variable belongs to transcripts (session number, treatment phase) or to cases (the client's
age, the therapist's training). A case is a person: a speaker in some transcripts, or whole
transcripts (one-person interviews). Every change is one transaction with its event, so
the log says who set what when, and a batch (a CSV) is all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..variables import KINDS, TYPES, ValueProblem, canonical
from .base import ProjectBase
from .common import ProjectError, new_guid, now
from .events import CaseAdd, CaseMembers, ValueChange, VariableCategories, VariableDefine, VariablesSet


class VariableStore(ProjectBase):
    # --- variables ---------------------------------------------------------------------------

    def define_variable(self, name: str, applies_to: str, type: str, categories: list[str] | None = None,
                        description: str = "", *, guid: str | None = None) -> int:
        """Add a variable (or return the one of that name, with any new categories added);
        refuses one that exists as another type or for the other kind of owner."""
        name = name.strip()
        if not name:
            raise ProjectError("a variable needs a name")
        if applies_to not in KINDS:
            raise ProjectError(f"a variable belongs to {' or '.join(KINDS)}s, not {applies_to!r}")
        if type not in TYPES:
            raise ProjectError(f"unknown variable type {type!r}; choose {', '.join(TYPES)}")
        categories = list(dict.fromkeys(c.strip() for c in categories or [] if c.strip()))
        with self.transaction():
            row = self.conn.execute("SELECT id, applies_to, type, categories FROM variables WHERE name = ?",
                                    [name]).fetchone()
            if row:
                if (row[1], row[2]) != (applies_to, type):
                    raise ProjectError(f"variable {name!r} is already a {row[2]} variable of {row[1]}s, "
                                       f"not a {type} variable of {applies_to}s")
                have = json.loads(row[3] or "[]")
                extra = [c for c in categories if c.casefold() not in {h.casefold() for h in have}]
                if extra:
                    self.conn.execute("UPDATE variables SET categories = ? WHERE id = ?",
                                      [json.dumps(have + extra, ensure_ascii=False), row[0]])
                    self.log(VariableCategories(variable_id=row[0], name=name, added=extra))
                return row[0]
            position = self.conn.execute("SELECT coalesce(max(position), 0) + 1 FROM variables").fetchone()[0]
            variable_id = self.db["variables"].insert(
                {"guid": guid or new_guid(), "name": name, "applies_to": applies_to, "type": type,
                 "categories": json.dumps(categories, ensure_ascii=False), "description": description,
                 "position": position, "created_at": now()}
            ).last_pk
            self.log(VariableDefine(variable_id=variable_id, name=name, applies_to=applies_to, type=type,
                                    categories=categories))
        return variable_id

    def variables(self) -> list[dict]:
        """Every variable, in the order defined: name, guid, applies_to, type, categories, description."""
        rows = self.db.query("SELECT id, guid, name, applies_to, type, categories, description FROM variables "
                             "ORDER BY position, id")
        return [dict(r, categories=json.loads(r["categories"] or "[]")) for r in rows]

    def variable(self, name: str) -> dict:
        for v in self.variables():
            if v["name"] == name:
                return v
        known = ", ".join(v["name"] for v in self.variables()) or "none yet"
        raise ProjectError(f"no variable named {name!r} (variables: {known}; add one with `accord variables set`)")

    def has_variable(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM variables WHERE name = ?", [name]).fetchone() is not None

    def _owner_id(self, applies_to: str, owner: str) -> int:
        return self.transcript_id(owner) if applies_to == "transcript" else self.case_id(owner)

    def set_values(self, changes: list[tuple[str, str, str | None]], *, source: str | None = None,
                   coder: str | None = None) -> int:
        """Set (variable, transcript or case name, value) triples in one transaction, logged as
        one event with each value before and after; an empty value clears it. Every value is
        checked against its variable's type first: a bad one changes nothing. Returns how many
        values changed. With `coder` the event is that coder's, so their `undo` takes it back."""
        checked: list[tuple[dict, str, int, str | None]] = []
        known = {v["name"]: v for v in self.variables()}
        for variable, owner, value in changes:
            v = known.get(variable) or self.variable(variable)
            owner_id = self._owner_id(v["applies_to"], owner)
            if value is None or not str(value).strip():
                checked.append((v, owner, owner_id, None))
                continue
            try:
                checked.append((v, owner, owner_id, canonical(v["type"], value, v["categories"])))
            except ValueProblem as e:
                raise ProjectError(f"{variable} of {owner}: {e}") from None
        done = []
        coder_id = self.coder_id(coder) if coder is not None else None
        with self.transaction():
            for v, owner, owner_id, value in checked:
                row = self.conn.execute("SELECT value FROM variable_values WHERE variable_id = ? AND owner_id = ?",
                                        [v["id"], owner_id]).fetchone()
                before = row[0] if row else None
                if before == value:
                    continue
                self._write_value(v["id"], owner_id, value)
                done.append(ValueChange(variable=v["name"], of=owner, before=before, after=value, variable_id=v["id"],
                                        owner_id=owner_id).to_data())
            if done:
                self.log(VariablesSet(changes=done, source=source), coder_id)
        return len(done)

    def _write_value(self, variable_id: int, owner_id: int, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM variable_values WHERE variable_id = ? AND owner_id = ?",
                              [variable_id, owner_id])
        else:
            self.db["variable_values"].upsert({"variable_id": variable_id, "owner_id": owner_id, "value": value,
                                               "updated_at": now()}, pk=("variable_id", "owner_id"))

    def _revert_variables(self, event: dict, *, undo: bool) -> None:
        """Put back each value as it was before (undo) or after (redo) a `variables.set`; a value
        someone has changed since is theirs now and stays."""
        changes = VariablesSet.from_event(event).values()
        for change in reversed(changes) if undo else changes:
            row = self.conn.execute("SELECT value FROM variable_values WHERE variable_id = ? AND owner_id = ?",
                                    [change.variable_id, change.owner_id]).fetchone()
            if (row[0] if row else None) == (change.after if undo else change.before):
                self._write_value(change.variable_id, change.owner_id, change.before if undo else change.after)

    def set_value(self, variable: str, owner: str, value: str | None, *, coder: str | None = None) -> int:
        return self.set_values([(variable, owner, value)], coder=coder)

    def variable_values(self) -> dict[str, dict[str, str]]:
        """variable name -> transcript or case name -> stored value (unset values are absent)."""
        out: dict[str, dict[str, str]] = {v["name"]: {} for v in self.variables()}
        rows = self.conn.execute(
            "SELECT v.name, coalesce(t.name, c.name), x.value FROM variable_values x JOIN variables v ON v.id = x.variable_id "
            "LEFT JOIN transcripts t ON v.applies_to = 'transcript' AND t.id = x.owner_id "
            "LEFT JOIN cases c ON v.applies_to = 'case' AND c.id = x.owner_id"
        )
        for variable, owner, value in rows:
            out[variable][owner] = value
        return out

    def _transcript_values(self, transcript_id: int) -> list[dict]:
        """A transcript's session variable values as rows, for deleting it undoably (store/edits.py)."""
        cursor = self.conn.execute(
            "SELECT x.* FROM variable_values x JOIN variables v ON v.id = x.variable_id "
            "WHERE v.applies_to = 'transcript' AND x.owner_id = ?", [transcript_id])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]

    def _delete_transcript_values(self, transcript_id: int) -> None:
        """Values live by the owner's id, so a deleted transcript's must go with it: a transcript
        imported later may get its id."""
        self.conn.execute("DELETE FROM variable_values WHERE owner_id = ? AND variable_id IN "
                          "(SELECT id FROM variables WHERE applies_to = 'transcript')", [transcript_id])

    def _merge_variables(self, theirs, transcript_map: dict, result) -> dict:
        """Their variables, cases and values this project lacks (see store/merge.py).

        A variable is matched by name and a case by name. A variable defined here as another
        type or for other owners keeps ours, and its values there are counted and left out;
        new categories are added. A case gains the members (turns of a merged transcript)
        that no other case has here. A value is brought in where this project has none; one
        that differs here is kept as it is and counted. Returns what was added, for the log."""
        added: dict[str, Any] = {"variables": [], "cases": [], "members": 0, "values": 0}
        variable_map: dict[int, int] = {}
        for vid, guid, name, applies_to, vtype, categories, description in theirs.execute(
                "SELECT id, guid, name, applies_to, type, categories, description FROM variables ORDER BY position"):
            if not self.has_variable(name):
                added["variables"].append(name)
            try:
                variable_map[vid] = self.define_variable(name, applies_to, vtype, json.loads(categories or "[]"),
                                                         description or "", guid=guid)
            except ProjectError:
                result.variables_differing.append(name)
        case_map: dict[int, int] = {}
        for cid, guid, name, description in theirs.execute("SELECT id, guid, name, description FROM cases ORDER BY id"):
            if not self.has_case(name):
                self.add_case(name, description=description or "", guid=guid)
                added["cases"].append(name)
            case_map[cid] = self.case_id(name)
        for cid, tid, speaker in theirs.execute("SELECT case_id, transcript_id, speaker FROM case_members ORDER BY id"):
            if tid not in transcript_map:
                continue
            owner = self.conn.execute("SELECT case_id FROM case_members WHERE transcript_id = ? AND speaker IS ?",
                                      [transcript_map[tid], speaker]).fetchone()
            if owner is None:
                self.db["case_members"].insert({"case_id": case_map[cid], "transcript_id": transcript_map[tid],
                                                "speaker": speaker})
                added["members"] += 1
            elif owner[0] != case_map[cid]:
                result.value_conflicts += 1  # the turn is another case's here: ours kept
        kinds = dict(theirs.execute("SELECT id, applies_to FROM variables").fetchall())
        for vid, owner_id, value in theirs.execute("SELECT variable_id, owner_id, value FROM variable_values"):
            if vid not in variable_map:
                continue
            ours_owner = transcript_map.get(owner_id) if kinds[vid] == "transcript" else case_map.get(owner_id)
            if ours_owner is None:
                continue
            here = self.conn.execute("SELECT value FROM variable_values WHERE variable_id = ? AND owner_id = ?",
                                     [variable_map[vid], ours_owner]).fetchone()
            if here is None:
                self._write_value(variable_map[vid], ours_owner, value)
                added["values"] += 1
            elif here[0] != value:
                result.value_conflicts += 1
        return added

    # --- cases --------------------------------------------------------------------------------

    def case_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", [name]).fetchone()
        if not row:
            names = [r[0] for r in self.conn.execute("SELECT name FROM cases ORDER BY name")]
            raise ProjectError(f"no case named {name!r} (cases: {', '.join(names[:10]) or 'none yet'}; "
                               "add one with `accord cases add`)")
        return row[0]

    def has_case(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM cases WHERE name = ?", [name]).fetchone() is not None

    def add_case(self, name: str, members: Sequence[tuple[str, str | None]] = (), description: str = "", *,
                 guid: str | None = None) -> int:
        """A case, with its members: (transcript, speaker) turns, or (transcript, None) for a
        whole transcript. Refused if the name is taken."""
        name = name.strip()
        if not name:
            raise ProjectError("a case needs a name")
        if self.has_case(name):
            raise ProjectError(f"case {name!r} already exists; add members with `accord cases add {name} ...` "
                               "on a new name, or `accord cases members`")
        with self.transaction():
            case_id = self.db["cases"].insert({"guid": guid or new_guid(), "name": name, "description": description,
                                               "created_at": now()}).last_pk
            self.log(CaseAdd(case_id=case_id, name=name))
            self.add_case_members(name, members)
        return case_id

    def add_case_members(self, case: str, members: Sequence[tuple[str, str | None]]) -> int:
        """Make these turns (or whole transcripts) the case's; a turn already another case's is
        refused, naming that case. Returns how many members were new."""
        added = []
        with self.transaction():
            case_id = self.case_id(case)
            for transcript, speaker in members:
                transcript_id = self.transcript_id(transcript)
                speaker = speaker or None
                if speaker is not None and not self.conn.execute(
                        "SELECT 1 FROM utterances WHERE transcript_id = ? AND speaker = ?", [transcript_id, speaker]).fetchone():
                    speakers = [r[0] for r in self.conn.execute(
                        "SELECT DISTINCT speaker FROM utterances WHERE transcript_id = ? ORDER BY speaker", [transcript_id])]
                    raise ProjectError(f"no speaker {speaker!r} in transcript {transcript!r} "
                                       f"(speakers: {', '.join(speakers)})")
                row = self.conn.execute(
                    "SELECT c.id, c.name FROM case_members m JOIN cases c ON c.id = m.case_id "
                    "WHERE m.transcript_id = ? AND m.speaker IS ?", [transcript_id, speaker]).fetchone()
                if row and row[0] == case_id:
                    continue
                if row:
                    what = f"speaker {speaker!r} of {transcript!r}" if speaker else f"transcript {transcript!r}"
                    raise ProjectError(f"{what} already belongs to case {row[1]!r}")
                self.db["case_members"].insert({"case_id": case_id, "transcript_id": transcript_id, "speaker": speaker})
                added.append([transcript, speaker])
            if added:
                self.log(CaseMembers(case_id=case_id, case=case, added=added))
        return len(added)

    def cases(self) -> list[dict]:
        """Every case: name, guid, description, members [(transcript, speaker or None)]."""
        out = {r["id"]: dict(r, members=[]) for r in self.db.query(
            "SELECT id, guid, name, description FROM cases ORDER BY id")}
        for case_id, transcript, speaker in self.conn.execute(
                "SELECT m.case_id, t.name, m.speaker FROM case_members m JOIN transcripts t ON t.id = m.transcript_id "
                "ORDER BY m.case_id, t.id, m.speaker"):
            out[case_id]["members"].append((transcript, speaker))
        return list(out.values())

    def case_of(self) -> dict[tuple[str, str | None], str]:
        """(transcript, speaker) -> case name, and (transcript, None) -> the case owning the
        whole transcript; a turn belongs to its speaker's case, else to its transcript's."""
        return {(t, s): c for c, t, s in self.conn.execute(
            "SELECT c.name, t.name, m.speaker FROM case_members m JOIN cases c ON c.id = m.case_id "
            "JOIN transcripts t ON t.id = m.transcript_id")}
