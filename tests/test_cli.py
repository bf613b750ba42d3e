"""The command line, end to end on real files, including what bad input does to a project."""

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from accord.cli import main
from accord.store import Project

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_input"
SAMPLES = ROOT / "sample_transcripts"
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    return path


def write_session(tmp_path, name="s1.txt"):
    path = tmp_path / name
    path.write_text(
        "Session 4, pseudonymised\n\n"
        "[00:00:05] T: How has the week been?\n"
        "[00:00:09] C: Fine. I guess.\n"
        "[00:00:12] T: You said fine, but your voice dropped a little\n"
        "when you said it.\n"
        "[00:00:20] C: Whatever. It doesn't matter.\n",
        encoding="utf-8",
    )
    return path


def test_import_list_show_and_json(project, tmp_path):
    session = write_session(tmp_path)
    out = run("import", session, "--project", project, "--speakers", "T=therapist,C=client").output
    assert "Imported: s1 (4 utterances" in out
    listed = json.loads(run("transcripts", "--project", project, "--json").stdout)
    assert listed[0]["name"] == "s1"
    assert listed[0]["utterances"] == 4
    assert listed[0]["words"] == 25
    assert listed[0]["speakers"] == ["T", "C"]
    assert listed[0]["roles"] == {"T": "therapist", "C": "client"}
    shown = run("show", "s1", "--project", project).output
    assert "    3  00:00:12  T: You said fine, but your voice dropped a little" in shown
    rows = json.loads(run("show", "s1", "--project", project, "--json", "--from", "2", "--to", "2").stdout)
    assert rows == [
        {
            "number": 2,
            "speaker": "C",
            "role": "client",
            "start": rows[0]["start"],
            "end": rows[0]["end"],
            "time_start": 9.0,
            "time_end": rows[0]["time_end"],
            "text": "Fine. I guess.",
        }
    ]
    again = run("import", session, "--project", project).output
    assert "Unchanged: s1" in again


def test_changed_file_is_refused_with_exit_2_and_project_unchanged(project, tmp_path):
    session = write_session(tmp_path)
    run("import", session, "--project", project)
    session.write_text(session.read_text().replace("Whatever", "Okay"), encoding="utf-8")
    before = digest(project)
    result = run("import", session, "--project", project, code=None)
    assert result.exit_code == 1
    assert "text differs" in result.stderr and "--as-new" in result.stderr
    assert digest(project) == before
    out = run("import", session, "--project", project, "--as-new").output
    assert "Imported as new: s1 (2)" in out


def bad_transcripts():
    return sorted(p for p in BAD.iterdir() if p.is_file() and p.name != "README.md")


def test_bad_input_folder_is_not_empty():
    assert len(bad_transcripts()) >= 7


@pytest.mark.parametrize("bad", bad_transcripts(), ids=lambda p: p.name)
def test_bad_transcript_exits_2_names_file_and_leaves_project_unchanged(project, tmp_path, bad):
    run("import", write_session(tmp_path), "--project", project)
    before = digest(project)
    result = run("import", bad, "--project", project, code=None)
    assert result.exit_code == 2, result.output
    assert str(bad) in result.stderr
    assert "Nothing imported" in result.stderr
    assert digest(project) == before
    assert not Path(f"{project}-wal").exists() or Path(f"{project}-wal").stat().st_size == 0


def test_one_bad_file_among_good_ones_imports_nothing_unless_asked(project, tmp_path):
    good = write_session(tmp_path)
    before = digest(project)
    result = run("import", good, BAD / "empty.txt", "--project", project, code=None)
    assert result.exit_code == 2
    assert digest(project) == before
    result = run("import", good, BAD / "empty.txt", "--project", project, "--skip-bad", code=None)
    assert result.exit_code == 2
    assert "Imported: s1" in result.output


@pytest.mark.parametrize("bad", sorted((BAD / "codebooks").glob("*.yaml")), ids=lambda p: p.name)
def test_bad_codebook_exits_2_and_leaves_project_unchanged(project, bad):
    before = digest(project)
    for args in (("codebook", "load", bad, "--project", project), ("codebook", "validate", bad)):
        result = run(*args, code=None)
        assert result.exit_code == 2
        assert str(bad) in result.stderr
    assert digest(project) == before


def test_codebook_load_reports_every_problem_at_once_and_changes_nothing(project):
    before = digest(project)
    result = run("codebook", "load", BAD / "codebooks" / "several_problems.yaml", "--project", project, code=2)
    assert result.exit_code == 2 and digest(project) == before
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(":")[2] for e in errors] == ["5", "7", "8", "9", "10", "11"]
    assert "6 problems in" in result.stderr


def test_init_with_bad_codebook_creates_no_project(tmp_path):
    result = run("init", "--project", tmp_path / "x.db", "--codebook", BAD / "codebooks" / "hotkey_clash.yaml", code=None)
    assert result.exit_code == 2
    assert not (tmp_path / "x.db").exists()


def test_codings_import_list_undo_redo(project, tmp_path):
    run("import", write_session(tmp_path), "--project", project)
    table = tmp_path / "coding.csv"
    table.write_text(
        "transcript,utterance,code,text,memo\n"
        's1,2,Minimal response,I guess,"flat, short"\n'
        "s1,4,Denial,It doesn't matter,\n"
        "s1,3,Meta-communication,,whole turn\n",
        encoding="utf-8",
    )
    assert "Imported 3 codings for coder 'alice'" in run("codings", "import", table, "--coder", "alice", "--project", project).output
    rows = json.loads(run("codings", "list", "--project", project, "--json").stdout)
    assert [(r["code"], r["text"]) for r in rows] == [
        ("Minimal response", "I guess"),
        ("Meta-communication", "You said fine, but your voice dropped a little\nwhen you said it."),
        ("Denial", "It doesn't matter"),
    ]
    assert rows[0]["memo"] == "flat, short"
    assert "Undid codings.import" in run("undo", "--coder", "alice", "--project", project).output
    assert json.loads(run("codings", "list", "--project", project, "--json").stdout) == []
    assert "Redid codings.import" in run("redo", "--coder", "alice", "--project", project).output
    status = json.loads(run("status", "--project", project, "--json").stdout)
    assert status["codings"] == 3 and status["coders"] == [{"name": "alice", "codings": 3}]


def test_bad_coding_table_names_the_line_and_imports_nothing(project, tmp_path):
    run("import", write_session(tmp_path), "--project", project)
    table = tmp_path / "coding.csv"
    table.write_text(
        "transcript,utterance,code,text\ns1,2,Minimal response,I guess\ns1,4,Denial,words never said\n",
        encoding="utf-8",
    )
    before = digest(project)
    result = run("codings", "import", table, "--coder", "alice", "--project", project, code=None)
    assert result.exit_code == 2
    assert f"{table}:3:" in result.stderr and "not in utterance 4" in result.stderr
    assert digest(project) == before


def test_coders_and_codebook_show(project):
    run("coders", "add", "alice", "--project", project)
    result = run("coders", "add", "alice", "--project", project, code=None)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert json.loads(run("coders", "list", "--project", project, "--json").stdout)[0]["name"] == "alice"
    shown = run("codebook", "show", "--project", project).output
    assert "Withdrawal rupture" in shown and "Minimal response" in shown
    book = json.loads(run("codebook", "show", "--project", project, "--json").stdout)
    assert any(c["name"] == "Genuineness" for c in book["codes"])


def test_missing_project_is_a_clear_error(tmp_path):
    result = run("status", "--project", tmp_path / "nope.db", code=None)
    assert result.exit_code == 1
    assert "no project here" in result.stderr and "accord init" in result.stderr


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=" ".join)
def test_every_help_has_an_example(path):
    out = run(*path, "--help").output
    assert "Example" in out
    assert f"accord {path[0]}" in out


def test_installed_console_script_runs(tmp_path):
    exe = Path(sys.executable).with_name("accord")
    assert exe.exists(), "the accord console script is installed beside python"
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("accord, version")


def test_demo_builds_the_shipped_project(tmp_path):
    path = tmp_path / "demo.db"
    out = run("demo", "--project", path).output
    assert "Created demo project" in out
    status = json.loads(run("status", "--project", path, "--json").stdout)
    assert status["transcripts"] >= 6
    assert status["words"] >= 6 * 1500
    assert status["codings"] >= 100
    assert status["coders"][0]["name"] == "reference"
    with Project.open(path) as p:
        assert f"{len(p.suggestions())} suggestions from the codebook's rules" in out
    assert "already exists" in run("demo", "--project", path).output
    assert os.stat(path).st_mode & 0o077 == 0


def test_same_name_twice_in_one_batch_imports_nothing(project, tmp_path):
    first = write_session(tmp_path)
    (tmp_path / "other").mkdir()
    second = tmp_path / "other" / "s1.txt"
    second.write_text("T: A different session.\nC: With the same file name.\n", encoding="utf-8")
    before = digest(project)
    result = run("import", first, second, "--project", project, code=None)
    assert result.exit_code == 1
    assert "same name 's1'" in result.stderr and "nothing imported" in result.stderr
    assert digest(project) == before
    out = run("import", first, second, "--project", project, "--as-new").output
    assert "Imported: s1" in out and "Imported as new: s1 (2)" in out


def test_comma_lists_are_split_once_by_the_cli_and_the_library_takes_lists():
    from accord.cli.common import NAMES
    from accord.names import name_list

    assert NAMES.convert(" alice, bob ,,", None, None) == ["alice", "bob"]
    assert NAMES.convert("", None, None) is None and NAMES.convert(["a"], None, None) == ["a"]
    assert name_list([" a", "", "b "]) == ["a", "b"] and name_list([]) is None and name_list(None) is None
    with pytest.raises(TypeError, match="coders must be a list of names, not the string 'alice,bob'"):
        name_list("alice,bob", "coders")


def test_every_command_an_area_defines_is_added_to_accord():
    """Areas list their commands explicitly (COMMANDS); one left off the list would vanish."""
    import importlib
    import pkgutil

    import click

    import accord.cli as cli

    listed, defined = set(), {}
    for info in pkgutil.iter_modules(cli.__path__):
        module = importlib.import_module(f"accord.cli.{info.name}")
        defined |= {id(v): v for v in vars(module).values()
                    if isinstance(v, click.Command) and v.callback.__module__ == module.__name__ and v is not cli.main}
        listed |= {id(c) for c in getattr(module, "COMMANDS", [])}
    nested = {id(c) for g in defined.values() if isinstance(g, click.Group) for c in g.commands.values()}
    top = {i for i in defined if i not in nested}
    assert top == listed == {id(c) for c in cli.main.commands.values()}


def test_undo_and_redo_say_which_code_and_utterance(project, tmp_path):
    run("import", "--project", project, write_session(tmp_path))
    with Project.open(project) as p:
        name = p.transcripts()[0]["name"]
        u = p.transcript(name).utterances[1]
        p.add_coder("alice")
        p.apply_code(name, "Minimal response", "alice", u.start, u.end)
    out = run("undo", "--coder", "alice", "--project", project).output
    assert "Undid coding.apply (event" in out and f"): Minimal response, {name} utterance 2" in out
    assert f"): Minimal response, {name} utterance 2" in run("redo", "--coder", "alice", "--project", project).output


def test_the_same_text_under_another_name_is_imported_with_a_note(project, tmp_path):
    first = write_session(tmp_path, "s1.txt")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(first.read_bytes())
    run("import", "--project", project, first)
    out = run("import", "--project", project, copy).output
    assert "Imported: copy" in out
    assert "note: the same text as transcript 's1', already in the project: imported again as 'copy'" in out
    assert "accord transcripts delete copy --coder NAME" in out
    other = tmp_path / "other.txt"
    other.write_text("T: Something else entirely.\nC: Yes, quite different.\n", encoding="utf-8")
    assert "same text" not in run("import", "--project", project, other).output
