"""`accord init`, `status`, `code` (the coding UI) and `demo`: making, summarising and opening a project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import AccordError
from .common import (emit_json, json_option, open_project, project_option, reveal_option,
                     viewer_option)


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [code, init, status, demo]
