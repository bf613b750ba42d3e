"""Docs that cannot drift: docs/cli.md is what the commands say, and every example in it and
in the README names a real command with options that exist."""

import re
from pathlib import Path

import pytest

from accord.cli.reference import check_example, examples, reference, split_commands

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference(), \
        "docs/cli.md is out of date: run `python -m accord.cli.reference`"


def test_the_checker_catches_a_wrong_example():
    assert "No such option" in check_example(["status", "--bogus"])
    assert "no command" in check_example(["nonesuch"])
    assert check_example(["export", "qdpx", "study.qdpx", "--coders", "alice"]) is None
    assert examples("  Examples:\n    accord a && accord b --x # c\n    accord c | jq .\n") == [["a"], ["b", "--x"], ["c"]]


@pytest.mark.parametrize("args", examples(reference()), ids=" ".join)
def test_every_example_in_the_reference_parses(args):
    assert check_example(args) is None


HAND_WRITTEN = [ROOT / "README.md"] + sorted(
    p for p in (ROOT / "docs").glob("*.md") if p.name not in ("cli.md", "keys.md"))


def readme_commands() -> list[list[str]]:
    """`accord ...` commands in the fenced code blocks of the README and the hand-written
    pages of docs/; `[--opt value]` (optional parts, as the docs write them) are checked too,
    without their brackets."""
    out = []
    for page in HAND_WRITTEN:
        out.extend(page_commands(page))
    return out


def page_commands(page: Path) -> list[list[str]]:
    out, fenced = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        line = line.strip().removeprefix("$ ")  # a shell prompt before the command
        words = line.split()
        if not fenced or not words or not words[0].endswith("accord"):
            continue
        out.extend(split_commands(re.sub(r"\[([^\]]*)\]", r"\1", line)))
    return out


def test_readme_has_commands_to_check():
    assert len(readme_commands()) > 50
    assert page_commands(ROOT / "docs" / "sequences.md"), "docs/sequences.md shows no command"


def test_every_docs_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert f"(docs/{page.name})" in readme, f"docs/{page.name} is not linked from the README"


@pytest.mark.parametrize("args", readme_commands(), ids=" ".join)
def test_every_command_in_the_readme_parses(args):
    assert check_example(args) is None


def test_keys_reference_is_current():
    from accord.tui.keys_reference import reference as keys

    assert (ROOT / "docs" / "keys.md").read_text(encoding="utf-8") == keys(), \
        "docs/keys.md is out of date: run `python -m accord.tui.keys_reference`"


def test_every_binding_with_an_id_is_in_the_keys_reference():
    from accord.tui.keys_reference import reference as keys
    from accord.tui.keys_reference import screens

    text = keys()
    ids = {b.id for _, screen in screens() for b in screen.BINDINGS if getattr(b, "id", None)}
    assert ids and all(f"`{i}`" in text for i in ids)


@pytest.mark.parametrize("page", HAND_WRITTEN + [ROOT / "CHANGELOG.md"], ids=lambda p: p.name)
def test_every_local_link_resolves(page):
    """A page that moved or was renamed leaves no link pointing at nothing."""
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if "://" in target:
            continue
        assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def test_every_binding_of_a_screen_with_help_is_in_a_help_group():
    """`?` groups a screen's bindings by their id's prefix: one with no group is never shown."""
    from accord.tui.screens.coding import CodingScreen
    from accord.tui.screens.help import GROUPS
    from accord.tui.screens.home import HomeScreen
    from accord.tui.screens.retrieval import RetrievalScreen

    missing = {b.id for screen in (HomeScreen, CodingScreen, RetrievalScreen) for b in screen.BINDINGS
               if b.id and b.id.split(".")[0] not in GROUPS}
    assert not missing, f"bindings the help screen never shows: {sorted(missing)}"
