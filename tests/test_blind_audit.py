"""Blind mode can be audited and says nothing it should not: `accord mode --history` lists every
switch and reveal with who and the login; switching needs --coder once there are coders;
`accord suggest` keeps other coders' decisions out of its summary; every refusal's hint names
an option the command has; `export csv x.csv` without --table is refused, not made a folder."""

from __future__ import annotations

import getpass
import json
import re

import click
import pytest

from accord.cli import main
from accord.store import Project
from conftest import digest, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    run("demo", "--project", path)
    return path


@pytest.fixture()
def two(demo, tmp_path):
    """A copy of the demo (blind) with a second coder, bob, who has accepted one suggestion and
    rejected another."""
    path = tmp_path / "p.db"
    path.write_bytes(demo.read_bytes())
    run("coders", "add", "bob", "-p", path)
    with Project.open(path) as p:
        first, second = p.suggestions(coder="bob")[:2]
        p.accept_suggestion(first.id, "bob")
        p.reject_suggestion(second.id, "bob")
    return path


# --- mode --history and who switched --------------------------------------------------------

def test_switching_needs_a_coder_and_leaves_the_file_unchanged_when_refused(two):
    before = digest(two)
    result = run("mode", "reconciliation", "-p", two, code=2)
    assert "--coder NAME (one of reference, bob)" in result.stderr
    assert digest(two) == before
    assert run("mode", "-p", two).stdout.strip() == "blind"


def test_history_lists_every_switch_and_reveal_with_coder_and_login(two):
    assert "none yet" in run("mode", "--history", "-p", two).stdout
    run("agreement", "--coders", "reference,bob", "--coder", "bob", "--reveal", "--bootstrap", "0", "-p", two)
    run("mode", "reconciliation", "--coder", "reference", "-p", two)
    run("mode", "blind", "--coder", "bob", "-p", two)
    login = getpass.getuser()
    data = json.loads(run("mode", "--history", "--json", "-p", two).stdout)
    assert data["mode"] == "blind"
    rows = [(r["kind"], r["by"], r["login"], r.get("command"), r.get("coders"), r.get("before"), r.get("after"))
            for r in data["history"]]
    assert rows == [
        ("reveal", "bob", login, "agreement", ["reference"], None, None),
        ("reveal", "reference", login, "mode reconciliation", ["bob"], None, None),
        ("mode", "reference", login, None, None, "blind", "reconciliation"),
        ("mode", "bob", login, None, None, "reconciliation", "blind"),
    ]
    assert [r["event"] for r in data["history"]] == sorted(r["event"] for r in data["history"])
    text = run("mode", "--history", "-p", two).stdout
    assert f"mode    blind -> reconciliation  by reference [login {login}]" in text
    assert f"reveal  `agreement` showed codings (as agreement figures) of reference to bob [login {login}]" in text
    with Project.open(two) as p:  # the switch is the coder's event in the log
        [switch] = [e for e in p.events(action="project.mode") if e["data"]["after"] == "reconciliation"]
        assert switch["coder_id"] == p.coder_id("reference")


def test_without_coders_the_login_is_recorded(tmp_path):
    path = tmp_path / "empty.db"
    run("init", "-p", path)
    run("mode", "reconciliation", "-p", path)
    [row] = json.loads(run("mode", "--history", "--json", "-p", path).stdout)["history"]
    assert (row["kind"], row["by"], row["login"], row["after"]) == ("mode", None, getpass.getuser(), "reconciliation")


def test_history_reads_switches_logged_before_who_was_recorded(two):
    with Project.open(two) as p:
        p.set_mode("reconciliation")  # as accord did before: nobody named
    [row] = json.loads(run("mode", "--history", "--json", "-p", two).stdout)["history"]
    assert (row["by"], row["login"], row["before"], row["after"]) == (None, None, "blind", "reconciliation")
    assert "by (no coder given)" in run("mode", "--history", "-p", two).stdout


# --- accord suggest in blind mode -----------------------------------------------------------

def _summary(out: str) -> str:
    return next(line for line in out.splitlines() if re.match(r"^\d+ suggestions in ", line))


def test_suggest_does_not_tell_anyone_that_another_coder_decided(two):
    line = _summary(run("suggest", "-p", two).stdout)
    assert "new" not in line and "decided or coded" not in line and "add --coder NAME" in line
    data = json.loads(run("suggest", "--json", "-p", two).stdout)
    assert not {"new", "already"} & set(data)
    assert all(set(t) == {"suggestions"} for t in data["transcripts"].values())
    with Project.open(two) as p:
        pending = len(p.suggestions(coder="reference"))
    mine = _summary(run("suggest", "--coder", "reference", "-p", two).stdout)
    assert f"{pending} waiting for reference's decision" in mine and "bob" not in mine
    # bob's two decisions are his: he is told he has two fewer to decide, nobody else is told
    with Project.open(two) as p:
        bobs = len(p.suggestions(coder="bob"))
    total = int(mine.split()[0])
    assert f"{bobs} waiting for bob's decision" in _summary(run("suggest", "--coder", "bob", "-p", two).stdout)
    assert bobs == total - 2


def test_suggest_outside_blind_mode_adds_up(two):
    run("mode", "reconciliation", "--coder", "bob", "-p", two)
    data = json.loads(run("suggest", "--json", "-p", two).stdout)
    assert data["new"] + data["already"] == data["suggestions"] and data["already"] == 2
    line = _summary(run("suggest", "-p", two).stdout)
    assert line.endswith(f": {data['new']} to decide, 2 that a coder had already decided or coded (kept)")


def test_suggest_for_one_coder_adds_up(two):
    run("train", "--for", "reference", "-p", two)
    first = json.loads(run("suggest", "--for", "reference", "--json", "-p", two).stdout)
    again = json.loads(run("suggest", "--for", "reference", "--json", "-p", two).stdout)
    for d in (first, again):
        assert d["new"] + d["already"] == d["suggestions"]
    assert again == first  # a second run decides nothing: the same split
    line = _summary(run("suggest", "--for", "reference", "-p", two).stdout)
    assert line.endswith(f": {again['new']} to decide, {again['already']} that reference had already decided or "
                         "coded (kept)")


# --- hints name options the command has; export csv OUT --------------------------------------

REFUSALS = [
    ["agreement", "--coders", "reference,bob"],
    ["export", "csv", "{tmp}/t", "--table", "segments"],
    ["export", "csv", "{tmp}/t"],
    ["export", "excerpts", "{tmp}/x.docx"],
    ["export", "qdpx", "{tmp}/x.qdpx"],
    ["export", "agreement", "{tmp}/a.docx", "--coders", "reference,bob"],
    ["codings", "list"],
    ["links", "list"],
    ["ratings"],
    ["retrieve", "Denial"],
    ["sequences", "--coders", "reference,bob"],
    ["train"],
]


def _command(path: list[str]) -> click.Command:
    command = main
    for name in path:
        if not isinstance(command, click.Group) or name not in command.commands:
            break
        command = command.commands[name]
    return command


@pytest.mark.parametrize("args", REFUSALS, ids=lambda a: " ".join(a[:2]))
def test_every_blind_refusal_names_an_option_of_its_command(two, tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = digest(two)
    result = run(*args, "-p", two, code=None)
    assert result.exit_code == 1 and "blind mode" in result.stderr, result.output
    hints = re.findall(r"\((--[a-z-]+) [A-Z_]+\)|`accord (\w+)[^`]*`|(--[a-z-]+) ", result.stderr)
    own = re.search(r"Ask for your own work only \((?:`accord (\w+) )?(--[a-z-]+)", result.stderr)
    assert own, result.stderr
    command = _command([own.group(1)] if own.group(1) else args)
    assert own.group(2) in {o for p in command.params for o in p.opts}, (args, own.group(2))
    assert "--reveal" in {o for p in command.params for o in p.opts}
    assert hints and digest(two) == before  # refused: nothing written, not even a reveal
    switch = re.search(r"`(accord mode reconciliation[^`]*)`", result.stderr).group(1)
    assert run(*switch.split()[1:], "--help").exit_code == 0 and "--coder NAME" in switch


def test_export_csv_to_a_csv_name_without_table_is_refused(two, tmp_path):
    before = digest(two)
    out = tmp_path / "ana.csv"
    result = run("export", "csv", out, "--coders", "bob", "-p", two, code=2)
    assert "without --table OUT is a folder" in result.stderr and "--table segments" in result.stderr
    assert not out.exists() and digest(two) == before
    run("export", "csv", out, "--table", "segments", "--coders", "bob", "-p", two)
    assert out.is_file() and out.read_text(encoding="utf-8").startswith("transcript,")
