"""`accord import`, `transcripts` and `show`: bringing transcripts in and reading them back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import AccordError
from .common import (EXIT_BAD_INPUT, emit_json, json_option, open_project, project_option)


def _parse_columns(value: str | None) -> dict | None:
    if not value:
        return None
    out = {}
    for part in value.split(","):
        key, sep, column = part.partition("=")
        if not sep or key.strip() not in ("speaker", "text", "start", "end"):
            raise click.BadParameter("use speaker=COLUMN,text=COLUMN[,start=COLUMN][,end=COLUMN]")
        out[key.strip()] = column.strip()
    return out


def _bar(items, label: str):
    """A progress bar on stderr for five items or more (the library's `progress` hook)."""
    items = list(items)
    with click.progressbar(items, label=label, file=sys.stderr, hidden=len(items) < 5) as bar:
        yield from bar


@click.command("import")
@project_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "otter", "docx", "vtt", "srt", "csv"]), help="Force a format instead of detecting it.")
@click.option("--name", help="Transcript name (one file only; default: the file name without extension).")
@click.option("--speakers", help="Speaker roles, e.g. T=therapist,C=client.")
@click.option("--columns", help="CSV/TSV columns, e.g. speaker=Who,text=Said,start=In,end=Out.")
@click.option("--as-new", is_flag=True, help="If a transcript of that name exists with different text, store this one as a new transcript.")
@click.option("--skip-bad", is_flag=True, help="Import the good files even if some cannot be read (exit status is still 2).")
@click.option("--strict", is_flag=True, help="REFI-QDA: refuse a file accord cannot import whole (the summary says what it would leave out).")
@json_option
def import_(project_path, files, fmt, name, speakers, columns, as_new, skip_bad, strict, as_json):
    """Import transcripts (plain text, Otter text, Word .docx, VTT, SRT, CSV/TSV), or REFI-QDA .qdpx/.qdc files.

    The format is detected from the content and extension. Every file is read and checked
    before the project is touched: if any file is bad, nothing is imported (unless
    --skip-bad) and the project file is left exactly as it was.

    \b
    Examples:
      accord import session01.txt
      accord import interviews/*.vtt --speakers "Interviewer=interviewer,P1=participant"
      accord import coded.csv --columns speaker=Who,text=Said
      accord import study.qdpx --strict    # from NVivo, MAXQDA, ATLAS.ti or QualCoder; refuse any loss
    """
    from ..importing import ImportRefused, import_files, read_files
    from ..transcripts import parse_roles

    if name and len(files) > 1:
        raise click.UsageError("--name needs exactly one file")
    roles = parse_roles(speakers) if speakers else None
    if any(f.suffix.lower() in (".qdpx", ".qdc") for f in files):  # REFI-QDA projects and codebooks
        from .export import import_refi

        return import_refi(project_path, files, roles=roles, as_json=as_json, strict=strict)
    parsed, errors = read_files(files, format=fmt, name=name, roles=roles, columns=_parse_columns(columns),
                                progress=_bar)
    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors and not skip_bad:
        click.echo(f"Nothing imported: {len(errors)} of {len(files)} file(s) could not be read.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    with open_project(project_path) as project:
        try:
            results = import_files(project, parsed, as_new=as_new, progress=_bar)
        except ImportRefused as refused:
            for problem in refused.problems:
                click.echo(f"error: {problem}", err=True)
            raise AccordError(
                "nothing imported. Codings are anchored to stored text, so a transcript is never replaced; "
                "use --as-new to store the new text as a new transcript, or --name to name it yourself") from None
    if as_json:
        emit_json([r.__dict__ for r in results])
    else:
        for r in results:
            verb = {"imported": "Imported", "unchanged": "Unchanged", "imported-as-new": "Imported as new"}[r.status]
            click.echo(f"{verb}: {r.name} ({r.utterances} utterances, {r.words} words)")
            for note in r.notes:
                click.echo(f"  note: {note}")
    if errors:
        sys.exit(EXIT_BAD_INPUT)


@click.group(invoke_without_command=True)
@project_option
@json_option
@click.pass_context
def transcripts(ctx, project_path: Path, as_json: bool):
    """List transcripts with their words, utterances and speakers; rename or delete one.

    \b
    Examples:
      accord transcripts --json | jq '.[].name'
      accord transcripts rename session01 "Client A, session 1" --coder alice
      accord transcripts delete "wrong file" --coder alice
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_project(project_path) as project:
        rows = project.transcripts()
    if as_json:
        return emit_json(
            [
                {k: r[k] for k in ("name", "words", "utterances", "speakers", "roles", "format", "source", "imported_at")}
                for r in rows
            ]
        )
    if not rows:
        click.echo("No transcripts yet. Import some with `accord import FILE...`.")
        return
    width = max(len(r["name"]) for r in rows)
    click.echo(f"{'name':<{width}}  {'words':>7}  {'utts':>5}  speakers")
    for r in rows:
        speakers = ", ".join(f"{s} ({r['roles'][s]})" if s in r["roles"] else s for s in r["speakers"])
        click.echo(f"{r['name']:<{width}}  {r['words']:>7}  {r['utterances']:>5}  {speakers}")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@click.command()
@project_option
@click.argument("name")
@click.option("--from", "first", type=int, default=1, help="First utterance number to show.")
@click.option("--to", "last", type=int, help="Last utterance number to show.")
@json_option
def show(project_path: Path, name: str, first: int, last: int | None, as_json: bool):
    """Show a transcript's utterances with numbers, speakers and times.

    \b
    Example:
      accord show session01_cbt_panic --from 10 --to 20
    """
    with open_project(project_path) as project:
        t = project.transcript(name)
    rows = [u for u in t.utterances if u.number >= first and (last is None or u.number <= last)]
    if as_json:
        return emit_json(
            [
                {
                    "number": u.number,
                    "speaker": u.speaker,
                    "role": t.roles.get(u.speaker),
                    "start": u.start,
                    "end": u.end,
                    "time_start": u.time_start,
                    "time_end": u.time_end,
                    "text": t.utterance_text(u),
                }
                for u in rows
            ]
        )
    click.echo(f"{t.name}  ({t.format}, {len(t.utterances)} utterances, {t.words} words)")
    for u in rows:
        when = _clock(u.time_start)
        text = t.utterance_text(u).replace("\n", "\n" + " " * 8)
        click.echo(f"{u.number:>5}  {when + '  ' if when else ''}{u.speaker or '?'}: {text}")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [import_, transcripts, show]
