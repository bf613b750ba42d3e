"""The `accord` command line: thin click commands over the library.

Exit status: 0 done; 1 a request the project cannot honour (unknown coder, no project);
2 bad input (a file that cannot be read as a transcript, codebook or coding table), in which
case the project file is left exactly as it was: every input is parsed in full before the
project is opened for writing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from .common import AccordGroup, project_option


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


# Each area's module lists its commands; they are added here, in this order, so one place
# says what `accord` offers. A new area: a module with COMMANDS, and a name below.
from . import (agreement, analysis, codebooks, coding, edits, export, journal, links, projects,  # noqa: E402
               ratings, sequences, suggest, texts, variables)

for _area in (projects, texts, codebooks, coding, export, agreement, suggest, variables, sequences, journal, edits,
              ratings, analysis, links):
    for _command in _area.COMMANDS:
        main.add_command(_command)
