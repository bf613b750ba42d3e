"""Shared pieces of the command line: options, opening the project, error handling."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from ..errors import AccordError, InputError

EXIT_BAD_INPUT = 2


def _named_project(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """`accord -p other.db status` and `accord status -p other.db` name the same project.

    The option is read where it was given: before the command (on `accord` itself or a
    group), after it, or in ACCORD_PROJECT; the default ./accord.db only when none of those.
    Two different projects named on one command line are refused, so a command never
    touches a project the user did not name."""
    given = ctx.get_parameter_source(param.name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    parent = ctx.parent
    while parent is not None:
        if param.name in parent.params and parent.get_parameter_source(param.name) == ParameterSource.COMMANDLINE:
            outer = parent.params[param.name]
            if ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE and value != outer:
                raise click.UsageError(f"--project names two projects: {outer} before the command and {value} after it; "
                                       "give it once", ctx=ctx)
            if not given or ctx.get_parameter_source(param.name) == ParameterSource.ENVIRONMENT:
                return outer
        parent = parent.parent
    return value


def project_option(f):
    return click.option(
        "--project",
        "-p",
        "project_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="accord.db",
        envvar="ACCORD_PROJECT",
        show_default=True,
        callback=_named_project,
        help="Project file (or set ACCORD_PROJECT); may also come before the command: accord -p study.db status.",
    )(f)


def reveal_option(f):
    return click.option(
        "--reveal", is_flag=True,
        help="Blind mode: show other coders' work anyway; written to the event log (who, when, what).",
    )(f)


def viewer_option(f):
    return click.option(
        "--coder", "viewer", metavar="NAME",
        help="Who is asking; in blind mode a coder sees their own work, and others' only with --reveal.",
    )(f)


class NameList(click.ParamType):
    """A comma-separated list of names (alice,bob), split once here: the library takes lists."""

    name = "a,b,..."

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, list):
            return value
        return [v.strip() for v in str(value).split(",") if v.strip()] or None


NAMES = NameList()



def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def open_project(project_path: Path):
    from ..store import Project

    return Project.open(project_path)


def is_project_file(path: Path, project_path: Path) -> bool:
    """Whether writing `path` would overwrite the project or its WAL, shared-memory or journal
    file: only SQLite may write those (compared by name and by inode, never by opening)."""
    target = Path(path).resolve()
    project = Path(project_path).resolve()
    names = {project} | {project.with_name(project.name + s) for s in ("-wal", "-shm", "-journal")}
    if target in names:
        return True
    return any(n.exists() and target.exists() and os.path.samefile(n, target) for n in names)


def emit_json(value) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


class AccordGroup(click.Group):
    """Turns user-facing errors into one clear line and the right exit status."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as e:
            for problem in e.problems:  # a codebook reports every problem it has at once
                click.echo(f"error: {problem}", err=True)
            if len(e.problems) > 1:
                click.echo(f"{len(e.problems)} problems in {e.file}.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except AccordError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(1)
        except sqlite3.DatabaseError as e:  # damage found after opening, or a lock held too long
            from ..store.health import explain_database_error

            click.echo(f"error: {explain_database_error('the project file', e)}", err=True)
            sys.exit(1)
