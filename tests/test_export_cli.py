"""The export commands as documented: docs/exports.md and --help agree."""

from pathlib import Path

from click.testing import CliRunner

from accord.cli import main

SECTION = (Path(__file__).resolve().parents[1] / "docs" / "exports.md").read_text(encoding="utf-8")
# Exports documented on their own page rather than in docs/exports.md.
PAGES = {"sequences": (Path(__file__).resolve().parents[1] / "docs" / "sequences.md").read_text(encoding="utf-8")}


def test_every_export_command_and_filter_is_documented():
    group = main.commands["export"]
    assert sorted(group.commands) == ["agreement", "codebook", "csv", "excerpts", "qdc", "qdpx", "sequences"]
    for name, command in group.commands.items():
        doc = PAGES.get(name, SECTION)
        assert f"accord export {name}" in doc
        help_text = CliRunner().invoke(main, ["export", name, "--help"]).output
        for option in command.params:
            flag = option.opts[0]
            if flag.startswith("--") and flag not in ("--project", "--bootstrap", "--seed", "--unitizing"):
                assert flag in doc, f"{flag} of `accord export {name}` is not in docs/exports.md (or its page)"
                assert flag in help_text
    assert "accord import other_tool.qdpx" in SECTION
    assert ".qdpx/.qdc" in CliRunner().invoke(main, ["import", "--help"]).output
