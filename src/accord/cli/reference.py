"""The command-line reference (docs/cli.md), generated from the commands' own `--help`.

Why generated: a hand-kept reference drifts from the code. `python -m accord.cli.reference`
rewrites docs/cli.md; a test fails when the file and the commands differ, and checks that
every example in it names a real command with options that exist.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

WIDTH = 100
HEADER = """# accord command reference

Generated from each command's `--help` by `python -m accord.cli.reference`; do not edit by hand
(a test compares this file with the commands). Every command takes `--project PATH` (`-p`)
before or after its name, and `--help`.
"""


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command under `group`, depth first, in name order: (path, command)."""
    out = []
    ctx = click.Context(group, info_name="accord")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        out.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            out.extend(commands(command, (*prefix, name)))
    return out


def help_text(path: tuple[str, ...], command: click.Command) -> str:
    ctx = click.Context(command, info_name="accord " + " ".join(path), terminal_width=WIDTH, max_content_width=WIDTH)
    return command.get_help(ctx)


def reference() -> str:
    from . import main

    parts = [HEADER, "## accord\n", "```", help_text((), main).replace("Usage: accord ", "Usage: accord ", 1), "```\n"]
    for path, command in commands(main):
        parts += [f"## accord {' '.join(path)}\n", "```", help_text(path, command), "```\n"]
    return "\n".join(parts)


EXAMPLE_HEAD = ("Example:", "Examples:", "Typical session:")
SHELL_BREAKS = {"&&", "||", ";", "|", ">", ">>", "<"}


def split_commands(line: str) -> list[list[str]]:
    """The `accord` commands in one shell line, as argument lists: `a && accord b` gives both,
    a pipe or a redirection ends a command, comments are dropped."""
    out, current = [], None
    for word in shlex.split(line, comments=True):
        if word.endswith("accord") and current is None:
            current = []
        elif word in SHELL_BREAKS:
            if current is not None:
                out.append(current)
            current = None
        elif current is not None:
            current.append(word)
    if current is not None:
        out.append(current)
    return out


def examples(text: str) -> list[list[str]]:
    """Every `accord ...` command in the reference's example blocks."""
    out, in_block = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if line in EXAMPLE_HEAD:
            in_block = True
            continue
        if not line or not raw.startswith("    "):
            in_block = False
            continue
        if in_block and line.startswith("accord "):
            out.extend(split_commands(line))
    return out


def check_example(args: list[str]) -> str | None:
    """None when `accord ARGS` names a real command and its options parse; else what is wrong.
    Files an example names need not exist, and arguments the text around it supplies may be left out."""
    from . import main

    command: click.Command = main
    name, parent, rest = "accord", None, list(args)
    while True:
        try:
            ctx = command.make_context(name, rest, parent=parent)
        except click.MissingParameter:
            return None
        except click.BadParameter as e:
            return None if "does not exist" in e.format_message() else e.format_message()
        except click.UsageError as e:
            return e.format_message()
        except click.exceptions.Exit:
            return None
        if not isinstance(command, click.Group):
            return None
        protected = getattr(ctx, "_protected_args", None)  # click 8.2+; `protected_args` before
        rest = [*(ctx.protected_args if protected is None else protected), *ctx.args]
        if not rest:
            return None
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            return f"no command {rest[0]!r}"
        command, name, parent, rest = sub, rest[0], ctx, rest[1:]


def main_() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/cli.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(reference(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
