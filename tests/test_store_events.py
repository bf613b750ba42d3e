"""Event payloads (store/events.py): one definition of each action's data, read by undo and
written by the action, producing the JSON older versions wrote and reading what they wrote."""

import ast
import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from accord.demo import build_demo
from accord.store import Project
from accord.store import events
from accord.store.codings import UNDOABLE

SRC = Path(__file__).resolve().parents[1] / "src" / "accord"


def test_every_undoable_action_has_a_payload_type():
    assert [a for a in UNDOABLE if a not in events.ACTIONS] == []
    assert all(cls.action == action and cls.entity for action, cls in events.ACTIONS.items())


def log_calls(source: str) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "log"
            and ast.unparse(n.func.value) in ("self", "project")]


def test_every_log_call_passes_a_payload_not_an_action_name():
    """A source scan: `log(payload, coder_id)` everywhere, never the old (action, entity, id, dict)."""
    assert len(log_calls('self.log("coding.apply", "coding", 1, {}, 2)')[0].args) == 5  # the scan sees calls
    found, bad = 0, []
    for path in sorted(SRC.rglob("*.py")):
        for call in log_calls(path.read_text(encoding="utf-8")):
            found += 1
            first = call.args[0] if call.args else None
            if len(call.args) > 2 or isinstance(first, (ast.Constant, ast.Dict)) or call.keywords:
                bad.append(f"{path.relative_to(SRC)}:{call.lineno}: {ast.unparse(call)[:80]}")
    assert found >= 40
    assert bad == []


def test_log_refuses_anything_but_a_payload(tmp_path):
    with Project.create(tmp_path / "p.db") as project, pytest.raises(TypeError, match="payload"):
        with project.transaction():
            project.log({"name": "x"})
        assert project.events() == []


def _sample(cls) -> events.Payload:
    """An instance with a distinct value in every field (JSON-able, so it survives the log)."""
    values = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.init:
            values[f.name] = {"n": i} if f.name == "summary" else (True if f.name == "merged" else [i, f.name])
    if cls.entity_key or any(f.metadata.get("entity") for f in dataclasses.fields(cls)):
        key = cls.entity_key or next(f.name for f in dataclasses.fields(cls) if f.metadata.get("entity"))
        values[key] = 7
    return cls(**values)


@pytest.mark.parametrize("action", sorted(events.ACTIONS))
def test_each_payload_round_trips_through_the_log_json(action):
    cls = events.ACTIONS[action]
    p = _sample(cls)
    data = json.loads(json.dumps(p.to_data()))
    event = {"action": action, "entity_id": p.entity_id, "data": data}
    again = events.payload(event)
    assert again == p and type(again) is cls
    assert again.to_data() == data
    assert p.entity_id == 7 or p.entity_id is None


def test_writers_log_exactly_the_keys_of_their_payload(tmp_path):
    """Every event of a real project (demo, then a coder's actions, undo and redo) reads back
    into its payload and writes the same JSON, key order included."""
    build_demo(tmp_path / "p.db")
    with Project.open(tmp_path / "p.db") as p:
        p.add_coder("b")
        k = p.codings(coder="reference")[0]
        coding = p.apply_code(k.transcript, k.code, "b", k.start, k.end)
        p.set_coding_memo(coding.id, "why", "b")
        p.set_utterance_memo(k.transcript, 2, "b", "a memo")
        p.set_values([("session", k.transcript, "3")], coder="b")
        p.rename_code(k.code, "Renamed", "b")
        p.undo("b")
        p.redo("b")
        rows = sqlite3.connect(tmp_path / "p.db").execute("SELECT action, entity, entity_id, data FROM events").fetchall()
    assert {r[0] for r in rows} >= {"coding.apply", "coding.memo", "memo.set", "variables.set", "code.rename", "undo",
                                    "redo", "codings.import", "ratings.import", "transcript.import", "codebook.load"}
    for action, entity, entity_id, data in rows:
        p = events.payload({"action": action, "entity_id": entity_id, "data": json.loads(data)})
        assert (p.entity, p.entity_id) == (entity, entity_id)
        assert json.dumps(p.to_data(), ensure_ascii=False) == data


def test_an_event_written_by_an_older_accord_still_undoes_and_redoes(tmp_path):
    """A `code.merge` from before merges recorded added codings and links: undo must read it."""
    build_demo(tmp_path / "p.db")
    with Project.open(tmp_path / "p.db") as p:
        p.add_coder("b")
        k = p.codings(coder="reference")[0]
        coding = p.apply_code(k.transcript, k.code, "b", k.start, k.end)
        code_id, coder_id = p.code_id(k.code), p.coder_id("b")
    conn = sqlite3.connect(tmp_path / "p.db", isolation_level=None)  # what an older accord left in the file
    with conn:
        conn.execute("UPDATE codings SET status = 'removed' WHERE code_id = ?", [code_id])
        conn.execute("UPDATE codes SET retired = 1 WHERE id = ?", [code_id])
        conn.execute("INSERT INTO events (at, coder_id, action, entity, entity_id, data, undone) "
                     "VALUES ('2026-01-01T00:00:00+00:00', ?, 'code.merge', 'code', ?, ?, 0)",
                     [coder_id, code_id, json.dumps({"code": k.code, "into": "Other", "removed": [coding.id]})])
    conn.close()
    with Project.open(tmp_path / "p.db") as p:
        assert p.codings(coder="b") == []
        assert p.undo("b")["action"] == "code.merge"
        assert [c.id for c in p.codings(coder="b")] == [coding.id]
        assert p.redo("b")["action"] == "code.merge"
        assert p.codings(coder="b") == []
