"""`accord links`: typed links between codings ("this repair repairs that rupture"); the
library is `store/links.py`, and `accord sequences` reads the "repairs" ones."""

from __future__ import annotations

from pathlib import Path

import click

from .common import emit_json, json_option, open_project, project_option, reveal_option


@click.group()
def links():
    """Link one coding to another with a relation: "repairs" (a repair coding resolves the
    rupture coding it points to; `accord sequences` takes it before the window rule) or one
    the codebook defines under `relations:`.

    A coding is named by its id (the first column of `accord codings list` and of `accord
    links list`) or, within a transcript, as UTTERANCE:CODE: `31:Meta-communication`, the
    code case-insensitively or by the start of its name (`31:meta`). A coder links their own
    codings; `accord undo --coder NAME` takes a link (or its removal) back.

    \b
    Examples:
      accord links add session06_ending --from 31:Meta-communication --to 26:"Minimal response" --coder alice
      accord links add --from 202 --to 197 --relation repairs --coder alice
      accord links list session06_ending --coder alice
      accord links remove 3 --coder alice
      accord links relations
    """


@links.command("add")
@project_option
@click.argument("transcript", required=False)
@click.option("--from", "source", required=True, metavar="CODING",
              help="The coding the link goes from (for repairs: the repair): an id, or UTTERANCE:CODE.")
@click.option("--to", "target", required=True, metavar="CODING",
              help="The coding it goes to (for repairs: the rupture): an id, or UTTERANCE:CODE.")
@click.option("--relation", default="repairs", show_default=True, help="The relation (see `accord links relations`).")
@click.option("--coder", required=True, help="Whose codings these are (a coder links only their own).")
@json_option
def links_add(project_path: Path, transcript: str | None, source: str, target: str, relation: str, coder: str,
              as_json: bool):
    """Link coding --from to coding --to, two codings of one transcript (undo with
    `accord undo --coder NAME`).

    TRANSCRIPT is needed when a coding is given as UTTERANCE:CODE.

    \b
    Examples:
      accord links add session06_ending --from 31:meta --to 26:minimal --coder alice
      accord links add --from 202 --to 197 --coder alice
      accord links add session06_ending --from 28:denial --to 26:minimal --relation continues --coder alice
    """
    from ..coding_refs import describe_end, find_coding, link_dict, well_formed

    for ref, hint in ((source, "--from"), (target, "--to")):
        if not well_formed(ref):
            raise click.BadParameter(f"{ref!r} names no coding: give its id (`accord codings list`) or "
                                     "UTTERANCE:CODE, such as 31:Meta-communication", param_hint=hint)
    with open_project(project_path) as project:
        project.coder_id(coder)
        relation = project.relation_name(relation)
        a, b = (find_coding(project, ref, coder, transcript) for ref in (source, target))
        link = project.add_link(a.id, b.id, relation, coder)
        texts = {n: project.transcript(n) for n in {a.transcript, b.transcript}}
    if as_json:
        return emit_json(link_dict(link, texts))
    click.echo(f"Link {link.id}: {describe_end(texts[a.transcript], a)} {relation} "
               f"{describe_end(texts[b.transcript], b)} in {a.transcript} [{coder}]")


@links.command("list")
@project_option
@click.argument("transcript", required=False)
@click.option("--coder", help="Only this coder's links (in blind mode: yours).")
@click.option("--relation", help="Only links of this relation.")
@reveal_option
@json_option
def links_list(project_path: Path, transcript: str | None, coder: str | None, relation: str | None, reveal: bool,
               as_json: bool):
    """List links between codings: id, source, relation, target and coder; each coding as
    UTTERANCE:CODE (#id).

    In blind mode, name yourself with --coder; everyone's links need --reveal (logged).

    \b
    Examples:
      accord links list session06_ending --coder alice
      accord links list --coder alice --relation repairs --json
    """
    from .. import blind
    from ..coding_refs import describe_end, link_dict

    with open_project(project_path) as project:
        blind.check(project, "links list", "links between codings", coders=[coder] if coder else None, reveal=reveal)
        rows = project.links(transcript=transcript, coder=coder, relation=relation)
        texts = {n: project.transcript(n) for n in {c.transcript for r in rows for c in (r.source, r.target)}}
    if as_json:
        return emit_json([link_dict(r, texts) for r in rows])
    if not rows:
        click.echo("No links yet. In the coding screen press & on one coding and again on the other, or: "
                   "accord links add TRANSCRIPT --from UTTERANCE:CODE --to UTTERANCE:CODE --coder NAME")
    for r in rows:
        s, t = r.source, r.target
        click.echo(f"{r.id:>5}  {s.transcript}  {describe_end(texts[s.transcript], s)} {r.relation} "
                   f"{describe_end(texts[t.transcript], t)}  [{r.coder}]")


@links.command("remove")
@project_option
@click.argument("link_id", type=int)
@click.option("--coder", required=True, help="Whose link it is (a coder removes only their own).")
def links_remove(project_path: Path, link_id: int, coder: str):
    """Remove a link by its id (as `accord links list` shows it); `accord undo` brings it back.

    \b
    Example:
      accord links remove 3 --coder alice
    """
    with open_project(project_path) as project:
        link = project.remove_link(link_id, coder)
    click.echo(f"Removed link {link.id}: coding {link.source.id} ({link.source.code}) {link.relation} "
               f"coding {link.target.id} ({link.target.code})")


@links.command("relations")
@project_option
@json_option
def links_relations(project_path: Path, as_json: bool):
    """The relations a link may have: "repairs", then the codebook's own (`relations:`).

    \b
    Example:
      accord links relations
    """
    with open_project(project_path) as project:
        rows = project.relations()
    if as_json:
        return emit_json([{"name": r.name, "description": r.description} for r in rows])
    width = max(len(r.name) for r in rows)
    for r in rows:
        click.echo(f"{r.name:<{width}}  {r.description}".rstrip())


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [links]
