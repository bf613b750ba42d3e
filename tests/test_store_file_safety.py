"""The project file is safe: locks hold across connections, and damaged or foreign files are refused untouched.

On POSIX, closing any descriptor on a file drops every advisory lock the process holds on
it, SQLite's own included. If accord reads the project file with Python while a connection
is open, another process closing its connection believes it is the last one, checkpoints and
deletes the `-wal` and `-shm` files, and what this process commits after that goes into a
deleted WAL: shown as saved, never in the file.
"""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project, ProjectError

BOOK = "name: b\ncodes:\n  - name: Rupture\n"


def _transcript():
    text = "T: hello there\nC: hi\n"
    return Transcript("s1", text, [Utterance(1, "T", 3, 14), Utterance(2, "C", 18, 20)], "text")


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "p.db"
    with Project.create(path) as p:
        p.load_codebook(parse_codebook(BOOK, "b.yaml"))
        p.import_transcript(_transcript())
        p.add_coder("ann")
        p.add_coder("ben")
    return path


def _other_process_codes_and_closes(path):
    """Another coder's process: one coding, then its connection closes (it exits)."""
    script = textwrap.dedent(f"""
        from accord.store import Project
        with Project.open({str(path)!r}) as p:
            p.apply_code("s1", "Rupture", "ben", 3, 8)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_opening_a_second_connection_in_the_same_process_keeps_the_first_ones_locks(path):
    """What the coding screen does: its connection stays open while a worker thread opens
    (and closes) its own to retrain; meanwhile another process codes and exits."""
    ui = Project.open(path)
    ui.apply_code("s1", "Rupture", "ann", 3, 8)
    Project.open(path).close()  # the background retrain's connection
    _other_process_codes_and_closes(path)
    assert os.path.exists(f"{path}-shm"), "another process deleted -shm while this one had it open"
    confirmed = [ui.apply_code("s1", "Rupture", "ann", 3, 8 + i % 5).id for i in range(20)]
    ui.close()
    check = sqlite3.connect(path)
    stored = {r[0] for r in check.execute("SELECT id FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = 'ann')")}
    check.close()
    assert set(confirmed) <= stored


def test_a_zero_byte_file_is_refused_and_left_as_it_was(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(ProjectError, match="empty"):
        Project.open(empty)
    assert empty.read_bytes() == b""
    assert not os.path.exists(f"{empty}-wal") and not os.path.exists(f"{empty}-shm")


def test_a_truncated_project_is_refused_with_what_to_do(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="(?s)damaged.*backup.*integrity_check"):
        with Project.open(path) as p:
            p.status()
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"these are my notes, not a database\n" * 200)
    before = notes.read_bytes()
    with pytest.raises(ProjectError, match="not an SQLite file"):
        Project.open(notes)
    assert notes.read_bytes() == before


def test_the_command_line_explains_a_damaged_project_and_leaves_it_alone(path):
    from click.testing import CliRunner

    from accord.cli import main

    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["status", "--project", str(path)])
    assert result.exit_code == 1
    assert "damaged" in result.output and "backup" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["excerpts", "codebook", "qdc", "qdpx"])
def test_an_export_never_writes_over_the_project_file(path, kind):
    from click.testing import CliRunner

    from accord.cli import main

    before = path.read_bytes()
    for target in (path, path.with_name(path.name + "-wal")):
        result = CliRunner().invoke(main, ["export", kind, str(target), "--project", str(path)])
        assert result.exit_code == 2, result.output
        assert "is the project file" in result.output
    assert path.read_bytes() == before
