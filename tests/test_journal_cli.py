"""`accord journal`: entries on the project as a whole, blind-safe, from text or a file."""

import json

from accord.store import Project

from conftest import digest, run


def make(tmp_path):
    path = tmp_path / "p.db"
    run("init", "-p", path)
    with Project.open(path) as p:
        p.add_coder("alice")
        p.add_coder("bob")
    return path


def test_add_and_list_own_entries_in_blind_mode(tmp_path):
    path = make(tmp_path)
    run("journal", "add", "Week 1", "--text", "alice's doubts about code 4", "--coder", "alice", "-p", path)
    notes = tmp_path / "bob.txt"
    notes.write_text("bob: coded session 2\nsecond line\n", encoding="utf-8")
    run("journal", "add", "Week 1", "--file", notes, "--coder", "bob", "-p", path)
    run("journal", "add", "Team", "--text", "Meeting on Friday.", "-p", path)
    refused = run("journal", "-p", path, code=2)
    assert "blind mode" in refused.output and "--coder NAME" in refused.output
    own = run("journal", "--coder", "bob", "-p", path).output
    assert "bob: coded session 2" in own and "second line" in own and "Meeting on Friday." in own
    assert "alice's doubts" not in own  # another coder's entry stays hidden
    every = json.loads(run("journal", "--reveal", "--coder", "bob", "--json", "-p", path).stdout)
    assert [e["coder"] for e in every["entries"]] == ["alice", "bob", None]
    with Project.open(path) as p:
        assert p.events(action="blind.reveal")  # the reveal is logged


def test_description_is_shown_first(tmp_path):
    path = make(tmp_path)
    run("journal", "describe", "Alliance ruptures in six sessions.", "-p", path)
    out = run("journal", "--coder", "alice", "-p", path).output
    assert out.startswith("Alliance ruptures in six sessions.")
    assert "No journal entries yet" in out


def test_a_binary_file_is_refused_and_the_project_left_as_it_was(tmp_path):
    path = make(tmp_path)
    bad = tmp_path / "entry.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00")
    before = digest(path)
    result = run("journal", "add", "Bad", "--file", bad, "--coder", "alice", "-p", path, code=2)
    assert "entry.txt" in result.output
    assert digest(path) == before


def test_text_is_required_once(tmp_path):
    path = make(tmp_path)
    assert "--text or --file" in run("journal", "add", "Empty", "-p", path, code=2).output
