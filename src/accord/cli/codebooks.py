"""`accord codebook` and `accord coders`: the codebook a project codes with, and who codes."""

from __future__ import annotations

from pathlib import Path

import click

from .common import (emit_json, json_option, open_project, project_option, reveal_option,
                     viewer_option)


@click.group()
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


@click.group()
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


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [codebook, coders]
