"""Renaming, merging and deleting codes and transcripts; each undone with `accord undo`."""

from __future__ import annotations

from pathlib import Path

import click

from .texts import transcripts
from .common import emit_json, json_option, open_project, project_option

coder_option = click.option("--coder", required=True, metavar="NAME",
                            help="Who is making the change: logged, and undone with `accord undo --coder NAME`.")


def _done(event: dict, said: str, as_json: bool, coder: str) -> None:
    if as_json:
        return emit_json({"action": event["action"], "event": event["id"],
                          **{k: v for k, v in event["data"].items() if k not in ("rows", "added", "removed")}})
    click.echo(f"{said} (undo: accord undo --coder {coder})")


def _codings(project, n: int) -> str:
    """How many codings moved, unless the project is blind (a total would tell others' work)."""
    if project.mode == "blind":
        return "codings"
    return f"{n} coding{'s' if n != 1 else ''}"


@click.group()
def codes():
    """Rename, merge and delete codes of the project's codebook.

    Each change is one event in the log, by the coder who made it, and `accord undo --coder
    NAME` takes it back. Codings move with their code; none is ever deleted.

    \b
    Examples:
      accord codes rename "Withdrawal" "Withdrawal rupture" --coder alice
      accord codes merge "Minimal response" "Denial" --coder alice
      accord codes delete "Humour" --coder alice
    """


@codes.command("rename")
@project_option
@click.argument("old")
@click.argument("new")
@coder_option
@json_option
def codes_rename(project_path: Path, old: str, new: str, coder: str, as_json: bool):
    """Rename a code; its codings and sub-codes go with it. Edit your YAML the same way before
    loading it again, or the old name comes back as a new code.

    \b
    Example:
      accord codes rename "Withdrawal" "Withdrawal rupture" --coder alice
    """
    with open_project(project_path) as project:
        event = project.rename_code(old, new, coder)
    _done(event, f"Renamed code {event['data']['before']!r} to {new!r}", as_json, coder)


@codes.command("merge")
@project_option
@click.argument("code")
@click.argument("into")
@coder_option
@json_option
def codes_merge(project_path: Path, code: str, into: str, coder: str, as_json: bool):
    """Fold CODE into INTO: every coder's codings of CODE become codings of INTO, and CODE
    leaves the codebook. A code with sub-codes cannot be merged until they are moved.

    \b
    Example:
      accord codes merge "Minimal response" "Denial" --coder alice
    """
    with open_project(project_path) as project:
        event = project.merge_codes(code, into, coder)
        moved = _codings(project, len(event["data"]["removed"]))
    _done(event, f"Merged {event['data']['code']!r} into {event['data']['into']!r}: its {moved} moved", as_json, coder)


@codes.command("delete")
@project_option
@click.argument("code")
@coder_option
@json_option
def codes_delete(project_path: Path, code: str, coder: str, as_json: bool):
    """Take a code out of the codebook, removing every coder's codings of it.

    \b
    Example:
      accord codes delete "Humour" --coder alice
    """
    with open_project(project_path) as project:
        event = project.delete_code(code, coder)
        removed = _codings(project, len(event["data"]["removed"]))
    _done(event, f"Deleted code {event['data']['code']!r} and removed its {removed}", as_json, coder)


@transcripts.command("rename")
@project_option
@click.argument("old")
@click.argument("new")
@coder_option
@json_option
def transcripts_rename(project_path: Path, old: str, new: str, coder: str, as_json: bool):
    """Rename a transcript; its codings, memos and suggestions go with it.

    \b
    Example:
      accord transcripts rename session01 "Client A, session 1" --coder alice
    """
    with open_project(project_path) as project:
        event = project.rename_transcript(old, new, coder)
    _done(event, f"Renamed transcript {old!r} to {new!r}", as_json, coder)


@transcripts.command("delete")
@project_option
@click.argument("name")
@coder_option
@json_option
def transcripts_delete(project_path: Path, name: str, coder: str, as_json: bool):
    """Delete a transcript nobody has worked on yet (a wrongly imported file). One with
    codings, memos or decisions on its suggestions is kept: rename it instead.

    \b
    Example:
      accord transcripts delete "wrong file" --coder alice
    """
    with open_project(project_path) as project:
        event = project.delete_transcript(name, coder)
    _done(event, f"Deleted transcript {name!r}", as_json, coder)


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [codes]
