"""The `accord` command line: thin click commands over the library.

Exit status: 0 done; 1 a request the project cannot honour (unknown coder, no project);
2 bad input (a file that cannot be read as a transcript, codebook or coding table), in which
case the project file is left exactly as it was: every input is parsed in full before the
project is opened for writing.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import AccordError, InputError
from .common import (EXIT_BAD_INPUT, AccordGroup, emit_json, json_option, open_project, project_option, reveal_option,
                     viewer_option)

@click.group(cls=AccordGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accord")
@project_option
@click.pass_context
def main(ctx, project_path: Path):
    """accord: code psychotherapy and interview transcripts at the keyboard.

    With no command, opens the coding UI on the project (offering to create the demo
    project when there is none).

    \b
    Typical session:
      accord init --codebook codebooks/alliance.yaml
      accord import sessions/*.docx --speakers T=therapist,C=client
      accord code session01 --coder alice
      accord status

    Every command takes --project PATH (default ./accord.db), before or after the command:
    accord -p study.db status. Nothing ever leaves your machine.
    """
    if ctx.invoked_subcommand is None:
        from ..tui.app import AccordApp

        sys.exit(AccordApp(project_path).run() or 0)


@main.command()
@project_option
@click.argument("transcript", required=False)
@click.option("--coder", help="Your coder name (asked once and remembered per project if not given).")
def code(project_path: Path, transcript: str | None, coder: str | None):
    """Open the coding UI, optionally straight on one transcript.

    \b
    Examples:
      accord code
      accord code session01_cbt_panic --coder alice --project study.db
    """
    from ..tui.app import AccordApp

    if not project_path.exists():
        raise AccordError(f"{project_path}: no project here (create one with `accord init` or run `accord` for the demo)")
    if transcript:  # a mistyped name fails here, before the coder is added or remembered
        with open_project(project_path) as project:
            project.transcript_id(transcript)
    sys.exit(AccordApp(project_path, coder=coder, transcript=transcript, offer_demo=False).run() or 0)


# --- project -----------------------------------------------------------------------------------


@main.command()
@project_option
@click.option("--codebook", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Load this codebook too.")
def init(project_path: Path, codebook: Path | None):
    """Create a new, empty project file.

    \b
    Example:
      accord init --project study.db --codebook codebooks/alliance.yaml
    """
    from ..codebook import load_codebook
    from ..store import Project

    book = load_codebook(codebook) if codebook else None  # validate before creating anything
    with Project.create(project_path) as project:
        if book:
            project.load_codebook(book)
    click.echo(f"Created {project_path}" + (f" with codebook {book.name!r} ({len(book.codes)} codes)" if book else ""))


@main.command()
@project_option
@viewer_option
@reveal_option
@json_option
def status(project_path: Path, viewer: str | None, reveal: bool, as_json: bool):
    """Summarise the project: transcripts, codebook, coders, codings.

    In blind mode the number of codings is shown only for the coder asking (--coder NAME);
    other coders' numbers and the total need --reveal (logged).

    \b
    Examples:
      accord status --project study.db
      accord status --coder alice            # blind mode: alice's own number of codings
      accord status --reveal                 # blind mode: everyone's, written to the event log
    """
    from .. import blind

    with open_project(project_path) as project:
        if reveal:
            blind.check(project, "status", "numbers of codings", viewer=viewer, reveal=True)
        s = blind.status(project, viewer, revealed=reveal)
    if as_json:
        return emit_json(s)
    click.echo(f"Project     {s['project']}  (mode: {s['mode']})")
    click.echo(f"Transcripts {s['transcripts']}  ({s['utterances']} utterances, {s['words']} words)")
    cb = s["codebook"]
    click.echo(f"Codebook    {cb['name']} v{cb['version']} ({s['codes']} codes)" if cb else "Codebook    none loaded")
    coders = ", ".join(c["name"] if c["codings"] is None else f"{c['name']} ({c['codings']})" for c in s["coders"]) or "none"
    click.echo(f"Coders      {coders}")
    click.echo(f"Codings     {s['codings']}" if s["codings"] is not None else
               "Codings     hidden in blind mode (--coder NAME for your own number, --reveal for all)")
    click.echo(f"Suggestions {s['suggestions']}")


# --- transcripts -------------------------------------------------------------------------------


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


@main.command("import")
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
    from ..transcripts import parse_roles, read_transcript

    if name and len(files) > 1:
        raise click.UsageError("--name needs exactly one file")
    roles = parse_roles(speakers) if speakers else None
    if any(f.suffix.lower() in (".qdpx", ".qdc") for f in files):  # REFI-QDA projects and codebooks
        from .export import import_refi

        return import_refi(project_path, files, roles=roles, as_json=as_json, strict=strict)
    column_map = _parse_columns(columns)
    parsed, errors = [], []
    with click.progressbar(files, label="Reading", file=sys.stderr, hidden=len(files) < 5) as bar:
        for path in bar:
            try:
                parsed.append(read_transcript(path, format=fmt, name=name, roles=roles, columns=column_map))
            except InputError as e:
                errors.append(e)
    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors and not skip_bad:
        click.echo(f"Nothing imported: {len(errors)} of {len(files)} file(s) could not be read.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    results = []
    with open_project(project_path) as project:
        conflicts = [] if as_new else project.import_conflicts(parsed)
        if conflicts:
            for problem in conflicts:
                click.echo(f"error: {problem}", err=True)
            raise AccordError(
                "nothing imported. Codings are anchored to stored text, so a transcript is never replaced; "
                "use --as-new to store the new text as a new transcript, or --name to name it yourself"
            )
        with click.progressbar(parsed, label="Storing", file=sys.stderr, hidden=len(parsed) < 5) as bar:
            for transcript in bar:
                results.append(project.import_transcript(transcript, as_new=as_new))
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


@main.group(invoke_without_command=True)
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


@main.command()
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


# --- codebook ----------------------------------------------------------------------------------


@main.group()
def codebook():
    """Validate, load and show codebooks (YAML).

    \b
    Examples:
      accord codebook validate codebooks/alliance.yaml
      accord codebook load codebooks/alliance.yaml --project study.db
      accord codebook show
    """


@codebook.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
def codebook_validate(file: Path):
    """Check a codebook file and report every problem in it, each with its line.

    \b
    Example:
      accord codebook validate codebooks/mi.yaml
    """
    from ..codebook import load_codebook

    book = load_codebook(file)
    patterns = sum(len(c.patterns) for c in book.codes)
    examples = sum(len(c.examples) for c in book.codes)
    scales = f", {len(book.ratings)} rating scale{'s' if len(book.ratings) != 1 else ''}" if book.ratings else ""
    click.echo(f"{file}: OK: {book.name!r} v{book.version}, {len(book.codes)} codes, {examples} example phrases, {patterns} patterns"
               + scales)


@codebook.command("load")
@project_option
@click.argument("file", type=click.Path(path_type=Path))
def codebook_load(project_path: Path, file: Path):
    """Load (or update) the project's codebook from a YAML file.

    Codes are matched by name, so existing codings keep their code when definitions change;
    codes missing from the new file are retired, not deleted.

    \b
    Example:
      accord codebook load codebooks/alliance.yaml
    """
    from ..codebook import load_codebook

    book = load_codebook(file)
    with open_project(project_path) as project:
        change = project.load_codebook(book)
    if change["status"] == "unchanged":
        click.echo(f"Codebook unchanged (version {change['version']}).")
        return
    click.echo(f"Loaded {book.name!r} as codebook version {change['version']}: {len(book.codes)} codes")
    for key in ("added", "updated", "retired"):
        if change[key] and change["version"] > 1:
            click.echo(f"  {key}: {', '.join(change[key])}")


@codebook.command("show")
@project_option
@json_option
def codebook_show(project_path: Path, as_json: bool):
    """Show the project's codebook as a tree with hotkeys and, in brackets, the speaker
    roles a code applies to (its own `speakers`, or its parent's) and which codes are
    categories (`codable: false`: they group codes and are never applied).

    \b
    Example:
      accord codebook show --json
    """
    from ..codebook import codebook_to_dict

    with open_project(project_path) as project:
        book = project.require_codebook()
    if as_json:
        return emit_json(codebook_to_dict(book))
    click.echo(f"{book.name} (version {book.version})")

    def walk(parent: str | None, depth: int) -> None:
        for c in book.children(parent):
            key = f"[{c.hotkey}] " if c.hotkey else "    "
            roles = book.speakers_of(c.name)
            owner = book.speakers_from(c.name)
            whose = "" if not roles else f"  ({', '.join(roles)}{'' if owner == c.name else ', from ' + owner})"
            category = "" if c.codable else "  (category: groups codes, not applied)"
            click.echo(f"  {key}{'  ' * depth}{c.name}{whose}{category}")
            walk(c.name, depth + 1)

    walk(None, 0)
    for scale in book.ratings:
        anchors = "; ".join(f"{p} {label}" for p, label in scale.anchors.items())
        click.echo(f"  rating scale {scale.name!r}, per {scale.segment_text}: {anchors}")
    if book.relations:
        click.echo("  relations for links between codings: " + ", ".join(r.name for r in book.all_relations()))


# --- coders and codings ------------------------------------------------------------------------


@main.group()
def coders():
    """Add and list coders.

    \b
    Examples:
      accord coders add alice
      accord coders list --json
    """


@coders.command("add")
@project_option
@click.argument("name")
def coders_add(project_path: Path, name: str):
    """Add a coder to the project.

    \b
    Example:
      accord coders add "Second coder"
    """
    with open_project(project_path) as project:
        project.add_coder(name)
    click.echo(f"Added coder {name!r}")


@coders.command("list")
@project_option
@viewer_option
@reveal_option
@json_option
def coders_list(project_path: Path, viewer: str | None, reveal: bool, as_json: bool):
    """List coders and how many codings each has (in blind mode: only the asking coder's).

    \b
    Examples:
      accord coders list
      accord coders list --coder alice       # blind mode: alice's own number
    """
    from .. import blind

    with open_project(project_path) as project:
        if viewer:
            project.coder_id(viewer)
        if reveal:
            blind.check(project, "coders list", "numbers of codings", viewer=viewer, reveal=True)
        rows = blind.coder_counts(project, viewer, revealed=reveal)
    if as_json:
        return emit_json([{"name": r["name"], "codings": r["codings"], "created_at": r["created_at"]} for r in rows])
    for r in rows:
        click.echo(f"{r['name']}  " + ("(codings hidden in blind mode)" if r["codings"] is None else f"({r['codings']} codings)"))
    if not rows:
        click.echo("No coders yet. Add one with `accord coders add NAME`.")


@main.group()
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
def codings_import(project_path: Path, file: Path, coder: str | None):
    """Import codings from a CSV: transcript,utterance,code[,text][,memo][,coder].

    `text` is the exact words coded within the utterance (empty: the whole utterance);
    alternatively give start,end offsets. A `coder` column holds several coders' codings in
    one table (--coder then names the coder of rows with an empty cell). The whole file is
    checked first; one bad row and nothing is imported.

    \b
    Examples:
      accord codings import reference.csv --coder reference
      accord codings import annotators.csv          # with a coder column
    """
    from ..coding_table import read_coding_table

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


@main.command()
@project_option
@click.option("--coder", required=True, help="Whose last action to undo.")
def undo(project_path: Path, coder: str):
    """Undo a coder's last action (apply, remove, memo, import, rating, link).

    \b
    Example:
      accord undo --coder alice
    """
    with open_project(project_path) as project:
        event = project.undo(coder)
    click.echo(f"Undid {event['action']} (event {event['id']})" if event else "Nothing to undo.")


@main.command()
@project_option
@click.option("--coder", required=True, help="Whose undone action to redo.")
def redo(project_path: Path, coder: str):
    """Redo the action a coder most recently undid.

    \b
    Example:
      accord redo --coder alice
    """
    with open_project(project_path) as project:
        event = project.redo(coder)
    click.echo(f"Redid {event['action']} (event {event['id']})" if event else "Nothing to redo.")


@main.command()
@project_option
def demo(project_path: Path):
    """Create a demo project from the shipped sample transcripts and alliance codebook.

    The reference coding of the samples, and its ratings on the codebook's 5-minute rupture
    scale, are imported as coder "reference".

    \b
    Example:
      accord demo --project demo.db
    """
    from ..demo import build_demo

    if project_path.exists():
        from .. import blind

        with open_project(project_path) as project:  # refuses anything that is not an accord project
            s = blind.status(project)  # blind mode: no count of other coders' codings
        codings = "" if s["codings"] is None else f", {s['codings']} codings"
        click.echo(f"{project_path} already exists ({s['transcripts']} transcripts{codings}); left as it is.")
        click.echo(f"Try: accord transcripts --project {project_path}")
        return
    summary = build_demo(project_path, suggestions=True)
    click.echo(
        f"Created demo project {project_path}: {summary['transcripts']} transcripts, "
        f"{summary['words']} words, codebook {summary['codebook']!r}, {summary['codings']} reference codings, "
        f"{summary['ratings']} reference ratings, "
        f"{summary['suggestions']} suggestions from the codebook's rules."
    )
    click.echo(f"Try: accord transcripts --project {project_path}")


# Each area registers its commands on `main` in a module of its own.
from . import _areas  # noqa: E402,F401
