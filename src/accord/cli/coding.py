"""`accord codings`, `undo` and `redo`: coding tables in and out, and taking actions back."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from ..errors import AccordError, InputError
from .common import (emit_json, json_option, open_project, project_option, reveal_option)


@click.group()
def codings():
    """Import and list codings.

    \b
    Examples:
      accord codings import sample_transcripts/reference_coding_1-3.csv --coder reference
      accord codings list --coder reference --transcript session01_cbt_panic
    """


@codings.command("import")
@project_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--coder", help="Whose codings these are (created if new); optional when the table has a coder column.")
@json_option
def codings_import(project_path: Path, file: Path, coder: str | None, as_json: bool):
    """Import codings from a CSV: transcript,utterance,code[,text][,memo][,coder].

    `text` is the exact words coded within the utterance (empty: the whole utterance);
    alternatively give start,end offsets. A `coder` column holds several coders' codings in
    one table (--coder then names the coder of rows with an empty cell). The whole file is
    checked first; one bad row and nothing is imported.

    A row that puts a code on the turn of a role the codebook excludes (`speakers: [client]`
    on a therapist's turn) is imported, as the coder's judgement, with a warning naming its
    line, transcript, utterance, code and role (the rule the coding screen warns by).

    \b
    Examples:
      accord codings import reference.csv --coder reference
      accord codings import annotators.csv          # with a coder column
      accord codings import reference.csv --coder reference --json
    """
    from ..coding_table import read_coding_table
    from ..speaker_roles import span_mismatch

    if not file.is_file():
        raise InputError(file, "no such file")
    with open_project(project_path) as project:
        book = project.codebook()
        names = {r["name"] for r in project.transcripts()}
        transcripts = {n: project.transcript(n) for n in names}
        rows = read_coding_table(file, transcripts, {c.name for c in book.codes} if book else set(), default_coder=coder)
        if rows and "coder" not in rows[0] and not coder:
            raise InputError(file, "the table has no coder column; say whose codings these are with --coder NAME")
        by_coder: dict[str, list[dict]] = {}
        for row in rows:
            by_coder.setdefault(row.get("coder") or coder, []).append(row)
        if not by_coder and coder:
            by_coder[coder] = []
        with project.transaction():  # all coders' codings, or none
            counts = {name: project.import_codings(batch, name) for name, batch in by_coder.items()}
    warnings = []
    for row in rows:
        found = span_mismatch(book, transcripts[row["transcript"]], row["code"], row["start"], row["end"])
        if found:
            warnings.append({"file": str(file), "line": row["line"], "transcript": row["transcript"],
                             "coder": row.get("coder") or coder, **found.to_dict(), "message": found.message()})
    if as_json:
        return emit_json({"imported": counts, "role_warnings": warnings})
    for w in warnings:
        click.echo(f"warning: {file} line {w['line']}: {w['transcript']} utterance {w['utterance']}: "
                   f"{w['message']}; imported as coded", err=True)
    if warnings:
        click.echo(f"{len(warnings)} imported coding(s) put a code on another role's turn; see docs/codebooks.md "
                   "(speakers)", err=True)
    for name, count in counts.items():
        click.echo(f"Imported {count} codings for coder {name!r}")
    if not counts:
        click.echo("Imported 0 codings")


@codings.command("list")
@project_option
@click.option("--coder", help="Only this coder's codings (in blind mode: yours).")
@click.option("--transcript", help="Only this transcript.")
@click.option("--code", help="Only this code.")
@reveal_option
@json_option
def codings_list(project_path: Path, coder, transcript, code, reveal: bool, as_json: bool):
    """List codings with the coded words.

    In blind mode, name yourself with --coder; everyone's codings need --reveal (logged).

    \b
    Examples:
      accord codings list --coder alice --code "Minimal response"
      accord codings list --reveal           # blind mode: every coder's, written to the event log
    """
    from .. import blind

    with open_project(project_path) as project:
        blind.check(project, "codings list", "codings and memos", coders=[coder] if coder else None, reveal=reveal)
        rows = project.codings(coder=coder, transcript=transcript, code=code)
        texts = {name: project.transcript(name).text for name in {r.transcript for r in rows}}
    if as_json:
        return emit_json([dict(dataclasses.asdict(r), text=texts[r.transcript][r.start : r.end]) for r in rows])
    for r in rows:
        quote = texts[r.transcript][r.start : r.end].replace("\n", " ")
        quote = quote if len(quote) <= 70 else quote[:67] + "..."
        click.echo(f"{r.id:>5}  {r.transcript}  {r.code}  [{r.coder}]  \"{quote}\"")


@click.command()
@project_option
@click.option("--coder", required=True, help="Whose last action to undo.")
def undo(project_path: Path, coder: str):
    """Undo a coder's last action (apply, remove, memo, import, rating, link, variable).

    \b
    Example:
      accord undo --coder alice
    """
    _step(project_path, coder, redo=False)


@click.command()
@project_option
@click.option("--coder", required=True, help="Whose undone action to redo.")
def redo(project_path: Path, coder: str):
    """Redo the action a coder most recently undid.

    \b
    Example:
      accord redo --coder alice
    """
    _step(project_path, coder, redo=True)


def _step(project_path: Path, coder: str, *, redo: bool) -> None:
    """Undo or redo one action of `coder` and say which, and what it was about."""
    with open_project(project_path) as project:
        event = project.redo(coder) if redo else project.undo(coder)
        about = _about(project, event) if event else ""
    if event:
        click.echo(f"{'Redid' if redo else 'Undid'} {event['action']} (event {event['id']}){about}")
    else:
        click.echo(f"Nothing to {'redo' if redo else 'undo'}.")


def _about(project, event: dict) -> str:
    """What an undone or redone action was about, when it names a code or a transcript:
    ": Minimal response, annomi_023 utterance 2"."""
    from ..store.events import payload

    try:
        p = payload(event)
    except AccordError:  # an action this accord has no payload type for: the action name says enough
        return ""
    code, transcript, start = getattr(p, "code", None), getattr(p, "transcript", None), getattr(p, "start", None)
    bits = [code] if isinstance(code, str) else []
    if isinstance(transcript, str):
        where = transcript
        if isinstance(start, int):
            from ..speaker_roles import utterances_in

            try:
                at = utterances_in(project.transcript(transcript), start, start + 1)
            except AccordError:  # since renamed or deleted
                at = []
            number = at[0].number if at else None
            where += f" utterance {number}" if number else ""
        bits.append(where)
    return ": " + ", ".join(bits) if bits else ""


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [codings, undo, redo]
