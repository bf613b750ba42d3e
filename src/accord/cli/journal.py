"""`accord journal`: notes on the project as a whole (a reflexive journal, decisions about the
codebook), and the project's description. REFI-QDA exports and imports carry both, as
QualCoder's journals and the project's `Description` (the library is `store/notes.py`)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import emit_json, json_option, open_project, project_option, reveal_option, viewer_option


@click.group(invoke_without_command=True)
@project_option
@viewer_option
@reveal_option
@json_option
@click.pass_context
def journal(ctx, project_path: Path, viewer, reveal, as_json):
    """The project's journal: list its entries (the default), add one, or describe the project.

    In blind mode a coder sees their own entries and those nobody signed; --reveal shows
    every coder's, and is logged.

    \b
    Examples:
      accord journal --coder alice
      accord journal add "Codebook v2" --text "Merged Minimal response into Withdrawal." --coder alice
      accord journal add "Week 3" --file reflections.txt --coder bob
      accord journal describe "Alliance ruptures in 23 MI sessions, coded by two raters."
    """
    if ctx.invoked_subcommand is not None:
        return
    from .. import blind

    with open_project(project_path) as project:
        coders = None
        if project.mode == "blind" and not reveal:
            if viewer is None:
                raise click.UsageError("the project is in blind mode: say who you are (--coder NAME) to see your "
                                       "own entries, or add --reveal to see everyone's (logged)")
            coders = [viewer]
            project.coder_id(viewer)
        elif project.mode == "blind":
            blind.check(project, "journal", "journal entries", viewer=viewer, reveal=True)
        entries = project.project_notes(coders)
        description = project.description
    if as_json:
        return emit_json({"description": description, "entries": entries})
    if description:
        click.echo(f"{description}\n")
    if not entries:
        click.echo("No journal entries yet. Add one: accord journal add TITLE --text TEXT --coder NAME")
    for e in entries:
        click.echo(f"{e['created_at'][:16].replace('T', ' ')}  {e['title']}  [{e['coder'] or 'nobody named'}]")
        for line in e["text"].strip().splitlines():
            click.echo(f"    {line}")


@journal.command("add")
@project_option
@click.argument("title")
@click.option("--text", help="The entry's text.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the entry's text from a UTF-8 file.")
@click.option("--coder", metavar="NAME", help="Who writes it (leave out for an entry nobody signs).")
def journal_add(project_path: Path, title: str, text: str | None, path: Path | None, coder: str | None):
    """Add a journal entry: TITLE and its text (--text, or --file).

    \b
    Examples:
      accord journal add "Codebook v2" --text "Merged two withdrawal codes." --coder alice
      accord journal add "Week 3" --file reflections.txt --coder bob
    """
    from ..errors import InputError
    from ..transcripts.encoding import decode

    if (text is None) == (path is None):
        raise click.UsageError("give the entry's text with --text or --file (one of them)")
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(path, f"cannot read: {e.strerror or e}") from None
        text = decode(data, path)[0]  # binary or undecodable text: refused, naming the file
    with open_project(project_path) as project:
        project.add_project_note(title, text, coder)
    click.echo(f"Added journal entry {title!r}" + (f" by {coder}" if coder else ""))


@journal.command("describe")
@project_option
@click.argument("text")
def journal_describe(project_path: Path, text: str):
    """Set the project's description (what the project is, in a sentence or two).

    \b
    Example:
      accord journal describe "Alliance ruptures in 23 MI sessions, coded by two raters."
    """
    with open_project(project_path) as project:
        project.set_description(text.strip())
    click.echo("Project description set.")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [journal]
