"""Shared pieces of the command line: options, opening the project, error handling."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import click

from ..errors import AccordError, InputError

EXIT_BAD_INPUT = 2


def project_option(f):
    return click.option(
        "--project",
        "-p",
        "project_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="accord.db",
        envvar="ACCORD_PROJECT",
        show_default=True,
        help="Project file (or set ACCORD_PROJECT).",
    )(f)


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
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except AccordError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(1)
        except sqlite3.DatabaseError as e:  # damage found after opening, or a lock held too long
            from ..store.health import explain_database_error

            click.echo(f"error: {explain_database_error('the project file', e)}", err=True)
            sys.exit(1)
