"""Only store/ speaks SQL: no module outside it touches the connection or a private method of
the project. Everything else asks the store, so the invariants live in one place (one
transaction per action, its event in the log, offsets checked against the text)."""

import ast
from pathlib import Path

import pytest

from accord.codebook import load_codebook
from accord.errors import AccordError
from accord.store import Project
from accord.store.events import CodingRemove
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "accord"
STORE = SRC / "store"
# The sqlite3 connection and the sqlite-utils Database wrapped around it: the same door.
CONNECTION = {"conn", "db"}


def store_private_names() -> set[str]:
    """The `_`-prefixed methods and attributes of the store's classes (dunders aside)."""
    names = set()
    for path in STORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def violations(source: str, private: set[str]) -> list[str]:
    """Each `x.conn`, `x.db`, and `x._name` where `_name` is private to the store or `x` is a
    project, with its line; `self._name` is the module's own business."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        owner = ast.unparse(node.value)
        if node.attr in CONNECTION:
            found.append((node.lineno, f"{owner}.{node.attr}"))
        elif node.attr.startswith("_") and not node.attr.startswith("__") and owner not in ("self", "cls"):
            if node.attr in private or owner.split(".")[-1] in ("project", "p"):
                found.append((node.lineno, f"{owner}.{node.attr}"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_the_check_finds_what_it_looks_for():
    source = ("def f(project, view):\n"
              "    project.conn.execute('SELECT 1')\n"
              "    self.project._helper()\n"
              "    project._insert_coding('t', 'c', 'a', 0, 1, 'manual', '', None)\n"
              "    view._row_cache.clear()\n"
              "    self._insert_coding()\n")
    assert violations(source, store_private_names()) == [
        "line 2: project.conn", "line 3: self.project._helper", "line 4: project._insert_coding"]


def test_nothing_outside_the_store_reaches_into_it():
    private = store_private_names()
    assert "_insert_coding" in private  # the scan reads the store's classes
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        if STORE in path.parents:
            continue
        if hits := violations(path.read_text(encoding="utf-8"), private):
            found[str(path.relative_to(SRC))] = hits
    assert found == {}, "give the store a method for these instead"


def test_a_step_of_a_larger_action_refuses_to_run_outside_its_transaction(tmp_path):
    """insert_coding and set_coding_status log no event: alone they would write a change undo
    cannot see, so they run only inside the transaction that logs the action's event."""
    with Project.create(tmp_path / "p.db") as project:
        project.load_codebook(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
        project.import_transcript(read_transcript(ROOT / "sample_transcripts" / "session04_withdrawal_repair.txt"))
        project.add_coder("a")
        t = "session04_withdrawal_repair"
        with pytest.raises(AccordError, match="inside project.transaction"):
            project.insert_coding(t, "Denial", "a", 0, 6, origin="consensus")
        assert project.codings(coder="a") == []
        with project.transaction():
            coding_id = project.insert_coding(t, "Denial", "a", 0, 6, origin="consensus")
            project.set_coding_status(coding_id, "removed")
            project.log(CodingRemove.of(project.coding(coding_id)), project.coder_id("a"))
        assert project.codings(coder="a") == []
        with pytest.raises(AccordError, match="inside project.transaction"):
            project.set_coding_status(coding_id, "active")
