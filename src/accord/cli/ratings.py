"""`accord ratings`: list, set and import ratings on the codebook's rating scales, and show
the segments a transcript is cut into (the library is `accord.ratings` and `store/ratings.py`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .common import emit_json, json_option, open_project, project_option, reveal_option


@click.group(invoke_without_command=True)
@project_option
@click.option("--coder", help="Only this coder's ratings (in blind mode: yours).")
@click.option("--transcript", help="Only this transcript.")
@click.option("--scale", help="Only this rating scale.")
@reveal_option
@json_option
@click.pass_context
def ratings(ctx, project_path: Path, coder, transcript, scale, reveal, as_json):
    """Ratings on the codebook's rating scales: list them (the default), set one, import a CSV,
    or show the segments a transcript is cut into.

    A codebook defines its scales under `ratings:` (anchors, and what a segment is: the
    session, N minutes or N utterances). In blind mode, name yourself with --coder; every
    coder's ratings need --reveal (logged).

    \b
    Examples:
      accord ratings --coder alice
      accord ratings segments session01_cbt_panic
      accord ratings set session01_cbt_panic 3 4 --scale "Rupture intensity" --coder alice
      accord ratings import ratings.csv     # transcript,segment,scale,coder,value
      accord undo --coder alice             # takes back a set or an import
    """
    if ctx.invoked_subcommand is not None:
        return
    from .. import blind

    with open_project(project_path) as project:
        blind.check(project, "ratings", "ratings", coders=[coder] if coder else None, reveal=reveal)
        rows = project.ratings(coder=coder, transcript=transcript, scale=scale)
        known, cut = {s.name for s in project.rating_scales()}, {}
        for key in {(r["transcript"], r["scale"]) for r in rows}:  # a scale since dropped: stored utterances only
            cut[key] = {s.number: s for s in project.rating_segments(*key)} if key[1] in known else {}
    for r in rows:
        seg = cut[(r["transcript"], r["scale"])].get(r["segment"])
        r["window"] = seg.label if seg else f"utterances {r['first']}-{r['last']}"
    if as_json:
        return emit_json(rows)
    if not rows:
        click.echo("No ratings yet. Rate in the coding UI (key S), or: accord ratings set TRANSCRIPT SEGMENT VALUE "
                   "--scale NAME --coder NAME")
    for r in rows:
        where = r["window"] if r["window"].startswith("utterances") else f"{r['window']}, utterances {r['first']}-{r['last']}"
        click.echo(f"{r['transcript']}  {r['scale']}  segment {r['segment']} ({where})  [{r['coder']}]  {r['value']}")


@ratings.command("segments")
@project_option
@click.argument("transcript")
@click.option("--scale", help="The rating scale (default: each of the codebook's).")
@json_option
def ratings_segments(project_path: Path, transcript: str, scale: str | None, as_json: bool):
    """The segments a transcript is cut into under each rating scale: their numbers, windows
    and utterances (what `ratings set` and a ratings CSV refer to).

    \b
    Example:
      accord ratings segments session01_cbt_panic --scale "Rupture intensity"
    """
    from ..errors import AccordError

    with open_project(project_path) as project:
        scales = [project.rating_scale(scale)] if scale else project.rating_scales()
        if not scales:
            raise AccordError("the codebook has no rating scales: add `ratings:` to its YAML and load it again")
        out = {s.name: project.rating_segments(transcript, s.name) for s in scales}
    if as_json:
        return emit_json({name: [dict(number=s.number, first=s.first, last=s.last, start=s.start, end=s.end,
                                      label=s.label) for s in segs] for name, segs in out.items()})
    for name, segs in out.items():
        click.echo(f"{name}:")
        for s in segs:
            click.echo(f"  {s.number:>3}  " + (f"{s.label:<13}  " if s.start is not None else "") + f"utterances {s.first}-{s.last}")


@ratings.command("set")
@project_option
@click.argument("transcript")
@click.argument("segment", type=int)
@click.argument("value", required=False)
@click.option("--scale", help="The rating scale (may be left out when the codebook has one).")
@click.option("--coder", required=True, help="Whose rating this is.")
@click.option("--clear", is_flag=True, help="Take the coder's rating of the segment away instead.")
def ratings_set(project_path: Path, transcript: str, segment: int, value: str | None, scale: str | None, coder: str,
                clear: bool):
    """Rate one segment of a transcript (undo with `accord undo --coder NAME`).

    \b
    Examples:
      accord ratings set session01_cbt_panic 3 4 --scale "Rupture intensity" --coder alice
      accord ratings set session01_cbt_panic 3 --clear --coder alice
    """
    from ..ratings import check_value

    if (value is None) != clear:
        raise click.UsageError("give a VALUE, or --clear to take the rating away")
    with open_project(project_path) as project:
        scales = project.rating_scales()
        if scale is None and len(scales) != 1:
            raise click.BadParameter("the codebook has " + (f"{len(scales)} rating scales ({', '.join(s.name for s in scales)}): "
                                     "say which with --scale" if scales else "no rating scales"), param_hint="--scale")
        chosen = project.rating_scale(scale) if scale else scales[0]
        if not clear:
            try:
                value = check_value(chosen, value)
            except ValueError as e:
                raise click.BadParameter(str(e), param_hint="VALUE") from None
        project.ensure_coder(coder)
        change = project.set_rating(transcript, chosen.name, segment, coder, None if clear else value)
    before = change["before"]["value"] if change["before"] else "none"
    after = change["after"]["value"] if change["after"] else "none"
    click.echo(f"{coder}: {transcript} segment {segment} on {chosen.name!r}: {before} -> {after}")


@ratings.command("import")
@project_option
@click.argument("file", type=click.Path(path_type=Path))
def ratings_import(project_path: Path, file: Path):
    """Import ratings from a CSV with columns transcript, segment, scale, coder, value.

    Segments are numbered as `accord ratings segments` shows them. The whole file is checked
    first: one bad row (an unknown transcript or scale, a segment that does not exist, a
    value off the scale) and nothing is imported. A rating already there is replaced; one
    `accord undo --coder NAME` takes back that coder's part of the import.

    \b
    Example:
      accord ratings import ratings.csv
    """
    from ..ratings import read_rating_table

    if not file.is_file():
        raise InputError(file, "no such file")
    with open_project(project_path) as project:
        scales = project.rating_scales()
        transcripts = {r["name"]: project.transcript(r["name"]) for r in project.transcripts()}
        rows = read_rating_table(file, transcripts, scales)
        counts = project.import_ratings(rows)
    for name, count in counts.items():
        click.echo(f"Imported {count} ratings by {name!r}")
    if not counts:
        click.echo("Imported 0 ratings")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [ratings]
