"""`accord export ...`: Word, CSV and REFI-QDA out; and the REFI-QDA side of `accord import`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import AccordError, InputError
from .common import (NAMES, EXIT_BAD_INPUT, emit_json, is_project_file, open_project, project_option, reveal_option,
                     viewer_option)

REFI_SUFFIXES = (".qdpx", ".qdc")


def _out(path: Path, project_path: Path) -> Path:
    if str(path) != "-" and not path.parent.exists():
        raise click.BadParameter(f"folder {path.parent} does not exist", param_hint="OUT")
    if str(path) != "-" and is_project_file(path, project_path):
        raise click.BadParameter(f"{path} is the project file (or its journal); choose another name", param_hint="OUT")
    return path


def filter_options(f):
    """--codes, --coders/--consensus, --transcripts, --speaker, --pseudonymise."""
    options = [
        click.option("--codes", type=NAMES, help="Only these codes (comma-separated; a code includes its sub-codes)."),
        click.option("--coders", type=NAMES, help="Only these coders (comma-separated)."),
        click.option("--consensus", is_flag=True, help="Only the consensus coding (coder 'consensus')."),
        click.option("--transcripts", type=NAMES, help="Only these transcripts (comma-separated names)."),
        click.option("--speaker", "speakers", type=NAMES, help="Only codings starting in turns of these speakers or roles, e.g. client."),
        click.option("--pseudonymise", is_flag=True, help="Replace speaker names with roles or stable IDs everywhere."),
        click.option("--reveal", is_flag=True,
                     help="Blind mode: export other coders' work anyway (written to the event log); "
                          "without it, name one coder, yourself: --coders alice."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _select(project, codes, coders, consensus, transcripts, speakers, pseudonymise, *, command=None,
            what="codings and memos", reveal=False):
    from .. import blind
    from ..export.select import select

    sel = select(project, codes=codes, coders=coders, consensus=consensus, transcripts=transcripts,
                 speakers=speakers, pseudonymise=pseudonymise)  # checks the names first, reads only
    if command:  # blind mode: one coder's own work, or --reveal (logged)
        named = coders or (["consensus"] if consensus else None)
        blind.check(project, command, what, coders=named, reveal=reveal, own="--coders YOUR_NAME")
    return sel


@click.group()
def export():
    """Export coded excerpts, the codebook and agreement to Word; tables to CSV; REFI-QDA files.

    \b
    Examples:
      accord export excerpts excerpts.docx --context 2 --pseudonymise
      accord export codebook codebook.docx
      accord export agreement agreement.docx --coders alice,bob
      accord export csv tables/
      accord export qdpx study.qdpx      # for NVivo, ATLAS.ti, MAXQDA, QualCoder
      accord import other_tool.qdpx      # REFI-QDA files come in through `accord import`
    """


@export.command("excerpts")
@project_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@filter_options
@click.option("--context", type=click.IntRange(0, 50), help="Show N utterances either side, coded words in bold.")
def export_excerpts(project_path, out, codes, coders, consensus, transcripts, speakers, pseudonymise, reveal, context):
    """Coded excerpts grouped by code, following the codebook hierarchy, as a Word document.

    \b
    Examples:
      accord export excerpts appendix.docx --coders alice --pseudonymise
      accord export excerpts ruptures.docx --codes "Withdrawal rupture" --speaker client --context 2
      accord export excerpts agreed.docx --consensus
      accord export excerpts everyone.docx --reveal      # blind mode: all coders, logged
    """
    from ..export.excerpts import excerpts_report

    with open_project(project_path) as project:
        target = _out(out, project_path)  # a bad OUT is bad input (exit 2), whatever the mode
        sel = _select(project, codes, coders, consensus, transcripts, speakers, pseudonymise,
                      command="export excerpts", reveal=reveal)
        versions = project.codebook_versions()
        result = excerpts_report(sel, target, context=context,
                                 codebook_version=versions[-1]["label"] if versions else None)
    click.echo(f"Wrote {out}: {result['excerpts']} excerpts under {result['codes']} codes")


@export.command("codebook")
@project_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coders", type=NAMES, help="Count only these coders' codings (comma-separated).")
@reveal_option
def export_codebook(project_path, out, coders, reveal):
    """The codebook as a Word document, with how often each code was used.

    In blind mode the counts are one coder's (--coders YOU) unless --reveal (logged).

    \b
    Examples:
      accord export codebook codebook.docx
      accord export codebook codebook.docx --coders alice   # blind mode: alice's own counts
      accord export codebook codebook.docx --reveal         # blind mode: everyone's counts, logged
    """
    from ..export.codebook_report import codebook_report

    with open_project(project_path) as project:
        project.require_codebook()
        target = _out(out, project_path)
        sel = _select(project, None, coders, False, None, None, False, command="export codebook",
                      what="how often each coder used each code", reveal=reveal)
        result = codebook_report(sel, target)
    click.echo(f"Wrote {out}: {result['codes']} codes, {result['codings']} codings counted")


@export.command("csv")
@project_option
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--table", "table", type=click.Choice(["segments", "frequencies", "matrix", "ratings", "long"]),
              help="Write only this table, to OUT (a .csv file, or - for standard output).")
@filter_options
@click.option("--bom", is_flag=True, help="Start files with a UTF-8 byte-order mark (for Excel).")
@click.option("--raw", is_flag=True,
              help="Write text exactly as it is: no ' before cells starting with = + - @ (unsafe to open in a spreadsheet).")
def export_csv_(project_path, out, table, codes, coders, consensus, transcripts, speakers, pseudonymise, reveal, bom, raw):
    """Tables for statistics: coded segments, code-by-transcript frequencies, a 0/1 utterance
    matrix, ratings on the codebook's rating scales, and the long table for multilevel models
    (the matrix with words, case and variables).

    Without --table, OUT is a folder (created if needed) that gets segments.csv,
    frequencies.csv, matrix.csv, ratings.csv and long.csv. An OUT ending in .csv without
    --table is refused (a folder named like a file would surprise): name a folder, or choose
    the table.

    Text cells starting with = + - @ (or a tab or carriage return) get a ' in front, so a
    spreadsheet shows them as text instead of running them as formulas (CSV injection);
    numbers are left alone. --raw writes them as they are, for programs.

    \b
    Examples:
      accord export csv tables/
      accord export csv - --table frequencies --coders alice,bob
      accord export csv matrix.csv --table matrix --speaker client
      accord export csv long.csv --table long --coders alice   # one row per utterance, with variables
      accord export csv - --table segments --raw | python analyse.py
      accord export csv ratings.csv --table ratings --coders alice,bob --reveal
      accord export csv - --table segments --coders alice   # blind mode: alice's own
      accord export csv tables/ --reveal                     # blind mode: every coder's, logged
    """
    from ..export.csv import TABLES, export_csv

    if table is None and str(out) == "-":
        raise click.BadParameter("standard output takes one table: add --table", param_hint="OUT")
    if table is None and out.exists() and not out.is_dir():
        raise click.BadParameter(f"{out} is a file; without --table OUT is a folder", param_hint="OUT")
    if table is None and out.suffix.lower() == ".csv" and not out.is_dir():
        raise click.BadParameter(
            f"{out} names a .csv file, but without --table OUT is a folder that gets five tables; name a folder "
            f"({out.with_suffix('')}/) or write one table to the file: --table segments (or frequencies, matrix, "
            "ratings, long)", param_hint="OUT")
    with open_project(project_path) as project:
        target = out if table is None else _out(out, project_path)
        sel = _select(project, codes, coders, consensus, transcripts, speakers, pseudonymise,
                      command="export csv", reveal=reveal)
        written = export_csv(sel, target, (table,) if table else TABLES, bom, raw)
    if str(out) != "-":
        click.echo(f"Wrote {', '.join(written)} ({len(sel.excerpts)} coded segments)")


@export.command("qdc")
@project_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_qdc(project_path, out):
    """The codebook as a REFI-QDA .qdc file (hierarchy, colours, descriptions).

    \b
    Example:
      accord export qdc codebook.qdc
    """
    from ..interchange import write_qdc

    with open_project(project_path) as project:
        book = project.require_codebook()
        write_qdc(book, project.guids("codes"), _out(out, project_path))
    click.echo(f"Wrote {out}: {len(book.codes)} codes")


@export.command("qdpx")
@project_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coders", type=NAMES, help="Only these coders' codings and memos (comma-separated).")
@reveal_option
def export_qdpx(project_path, out, coders, reveal):
    """The project as a REFI-QDA .qdpx: transcripts, codebook, each coder's codings, memos and ratings.

    REFI-QDA has no place for ratings: they travel in accord's own extras, which another
    accord reads back exactly and other tools ignore. In blind mode: one coder's own
    (--coders YOU), or everyone's with --reveal (logged).

    \b
    Examples:
      accord export qdpx study.qdpx
      accord export qdpx alice.qdpx --coders alice
      accord export qdpx study.qdpx --reveal      # blind mode: every coder's, logged
    """
    from .. import blind
    from ..interchange import write_qdpx

    names = coders
    with open_project(project_path) as project:
        for name in names or []:
            project.coder_id(name)  # unknown coder: a clear message
        target = _out(out, project_path)
        blind.check(project, "export qdpx", "codings, memos and ratings", coders=names, reveal=reveal, own="--coders YOUR_NAME")
        counts = write_qdpx(project, target, names)
    click.echo(f"Wrote {out}: {counts['transcripts']} transcripts, {counts['codes']} codes, "
               f"{counts['coders']} coders, {counts['codings']} codings, "
               f"{_count(counts['notes'] - counts['journal'], 'memo')} (on codings and utterances)"
               + (f", {_count(counts['journal'], 'journal entry', 'journal entries')}" if counts["journal"] else "")
               + ", "
               f"{counts['variables']} variables, {counts['cases']} cases (speakers included), "
               f"{_count(counts['ratings'], 'rating')}")
    if counts["ratings"]:
        click.echo("  note: ratings travel in accord's extras: other tools do not read them")


def import_refi(project_path: Path, files, *, roles=None, as_json: bool = False, strict: bool = False) -> None:
    """`accord import` of .qdpx/.qdc files: all read and checked, then stored in one transaction."""
    from ..interchange import read_qdc, read_qdpx

    others = [f for f in files if f.suffix.lower() not in REFI_SUFFIXES]
    if others:
        raise click.UsageError(f"import REFI-QDA files (.qdpx, .qdc) on their own, not with {others[0]}")
    bundles, errors = [], []
    for path in files:
        try:
            if not path.is_file():
                raise InputError(path, "file not found")
            bundles.append(read_qdc(path) if path.suffix.lower() == ".qdc" else read_qdpx(path, roles=roles))
        except InputError as e:
            errors.append(e)
    unread = len(errors)
    if strict:
        for b in bundles:
            if b.lost:
                errors.append(f"{b.source}: --strict: accord would leave out {_losses(b.lost)}")
                errors.extend(f"  note: {note}" for note in b.notes)
    for e in errors:
        click.echo(e if str(e).startswith("  ") else f"error: {e}", err=True)
    if errors:
        lossy = len([e for e in errors if not str(e).startswith("  ")]) - unread
        why = [f"{unread} could not be read"] * bool(unread) + [f"{lossy} could not be imported whole"] * bool(lossy)
        click.echo(f"Nothing imported: of {len(files)} file(s), {' and '.join(why)}.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    results = []
    with open_project(project_path) as project:
        problems = [p for b in bundles for p in project.bundle_conflicts(b)]
        if problems:
            for problem in problems:
                click.echo(f"error: {problem}", err=True)
            raise AccordError("nothing imported: the file disagrees with what the project holds (above)")
        with project.transaction():
            for b in bundles:
                results.append((b, project.import_bundle(b)))
        book = project.codebook()
        warnings = {id(s): _role_warnings(project, book, s.pop("new_coding_ids")) for _, s in results}
    if as_json:
        return emit_json([dict(s, file=b.source, notes=b.notes, not_imported=b.lost, role_warnings=warnings[id(s)])
                          for b, s in results])
    for b, s in results:
        for w in warnings[id(s)]:
            click.echo(f"warning: {b.source}: {w['transcript']} utterance {w['utterance']} ({w['coder']}): "
                       f"{w['message']}; imported as coded", err=True)
        click.echo(
            f"Imported {b.source}: {s['transcripts']} transcripts"
            + (f" (+{s['transcripts_reused']} already here)" if s["transcripts_reused"] else "")
            + f", {s['codes']} new codes, {s['coders']} new coders, {s['codings']} codings"
            + (f" ({s['codings_skipped']} already here)" if s["codings_skipped"] else "")
            + f", {_count(s['memos'], 'memo')} on utterances and {s.get('coding_memos', 0)} on codings"
            + (f", {_count(s['journal'], 'journal entry', 'journal entries')}" if s.get("journal") else "")
            + (f", {s['links']} links between codings" if s.get("links") else "")
            + (f", {s['variables']} new variables, {s['cases']} new cases, {s['variable_values']} variable values"
               if s["variables"] or s["cases"] or s["variable_values"] else "")
            + f", {_count(s.get('ratings', 0), 'rating')}"
            + (f" ({s['ratings_skipped']} already here)" if s.get("ratings_skipped") else "")
        )
        for scale, n in (s.get("rating_scales_missing") or {}).items():
            click.echo(f"  not imported: {_count(n, 'rating')} on scale {scale!r}, which this project's codebook "
                       "lacks (add it under `ratings:` and import again)")
        if s.get("ratings_unfit"):
            click.echo(f"  not imported: {_count(s['ratings_unfit'], 'rating')} on a segment or value the scale "
                       "here does not have (the scale differs from the file's)")
        for before, after in s.get("variables_renamed", []):
            click.echo(f"  note: variable {before!r} is another type or kind in this project; imported as {after!r}")
        if s.get("relations"):
            click.echo(f"  note: relation(s) {', '.join(map(repr, s['relations']))} added to the codebook, for the "
                       "links that use them")
        if s.get("case_members_skipped"):
            click.echo(f"  note: {s['case_members_skipped']} case turn(s) already belong to another case here; left there")
        if b.lost:
            click.echo(f"  not imported: {_losses(b.lost)} (details below; --strict refuses such a file)")
        for note in b.notes:
            click.echo(f"  note: {note}")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _role_warnings(project, book, coding_ids: list[int]) -> list[dict]:
    """The imported codings that put a code on another role's turn (`speaker_roles`)."""
    from ..speaker_roles import span_mismatch

    out, texts = [], {}
    for c in project.codings_by_id(coding_ids):
        if c.transcript not in texts:
            texts[c.transcript] = project.transcript(c.transcript)
        found = span_mismatch(book, texts[c.transcript], c.code, c.start, c.end)
        if found:
            out.append({"transcript": c.transcript, "coder": c.coder, "coding_id": c.id, **found.to_dict(),
                        "message": found.message()})
    return out


def _losses(lost: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in lost.items())


@export.command("agreement")
@project_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coders", type=NAMES, required=True, help="Two or more coders, comma-separated: alice,bob.")
@click.option("--unit", type=click.Choice(["utterance", "sentence", "character", "document"]), default="utterance",
              show_default=True, help="Unit of analysis (document: every character, labels and line breaks too, as NVivo counts).")
@click.option("--codes", type=NAMES, help="Only these codes, comma-separated (default: the codes any of the coders used).")
@click.option("--transcripts", type=NAMES, help="Only these transcripts, comma-separated (default: those every coder has coded or read to the end).")
@click.option("--per-transcript", is_flag=True, help="Add a table per transcript.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples for alpha's interval (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the bootstrap.")
@click.option("--unitizing", type=click.Choice(["2004", "2016"]), default="2004", show_default=True,
              help="Definition of unitizing alpha.")
@viewer_option
@reveal_option
def export_agreement(project_path, out, coders, unit, codes, transcripts, per_transcript, bootstrap, seed, unitizing,
                     viewer, reveal):
    """The agreement report as Word tables, with a paragraph for a methods section.

    The figures are those of `accord agreement` with the same options; when the coders have
    rated segments on the codebook's rating scales, a section gives those of
    `accord agreement --ratings` too.

    \b
    Examples:
      accord export agreement agreement.docx --coders alice,bob
      accord export agreement chars.docx --coders alice,bob --unit character --codes "Minimal response"
      accord export agreement agreement.docx --coders alice,bob --coder alice --reveal   # blind mode, logged
    """
    from ..agreement.report import agreement_report
    from ..export.agreement_report import agreement_document

    from .. import blind

    with open_project(project_path) as project:
        target = _out(out, project_path)
        blind.check(project, "export agreement", "codings (as agreement figures)", coders=coders or [],
                    viewer=viewer, reveal=reveal)
        report = agreement_report(project, coders or [], unit=unit, transcripts=transcripts,
                                  codes=codes, per_transcript=per_transcript, bootstrap=bootstrap,
                                  seed=seed, unitizing=unitizing)
        ratings = None
        if project.rating_scales() and project.ratings(coders=coders or []):
            from ..agreement.ratings_report import ratings_agreement

            ratings = ratings_agreement(project, coders or [], transcripts=transcripts)
        words = {t["name"]: t["words"] for t in project.transcripts()}
        corpus = {"transcripts": len(words), "words": sum(words.values()),
                  "words_compared": sum(words.get(t, 0) for t in report.transcripts)}
        result = agreement_document(report, target, Path(project_path).stem, ratings, corpus)
    click.echo(f"Wrote {out}: {result['codes']} codes over {result['units']} {unit}s")


@export.command("sequences")
@project_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("transcripts", nargs=-1)
@click.option("--coder", required=True, metavar="NAME", help="Whose episodes (in blind mode: yourself, or another with --reveal).")
@click.option("--within", type=click.IntRange(min=0), default=5, show_default=True,
              help="A repair resolves a rupture when it starts at most this many utterances after it.")
@click.option("--lag", type=click.IntRange(min=0, max=20), default=1, show_default=True,
              help="Lag-sequential tables for lags 1 to K (0: none).")
@reveal_option
def export_sequences(project_path, out, transcripts, coder, within, lag, reveal):
    """Rupture-repair episodes as a Word report: a methods paragraph written from the options
    used, a table per session, a timeline figure and the episode table for each session, and
    the lag-sequential tables (adjusted residuals and Yule's Q), in APA style.

    The figures are those of `accord sequences` with the same coder, transcripts and --within.

    \b
    Examples:
      accord export sequences episodes.docx --coder reference
      accord export sequences s1.docx session01_cbt_panic --coder reference --within 3
      accord export sequences episodes.docx --coder alice --lag 2
      accord export sequences bob.docx --coder bob --reveal   # blind mode: another coder's, logged
    """
    from .. import blind
    from ..export.sequences_report import sequences_document
    from ..sequences import event_sequences
    from ..sequences.timeline import project_timelines

    with open_project(project_path) as project:
        target = _out(out, project_path)
        names = list(transcripts) or None
        for name in names or []:
            project.transcript_id(name)  # an unknown transcript: a clear message
        blind.check(project, "export sequences", "codings (as episodes)", coders=[coder], reveal=reveal)
        timelines = project_timelines(project, coder, names, within)
        seqs = event_sequences(project, coder, names) if lag else {}
        result = sequences_document(timelines, project.codebook(), target, Path(project_path).stem, coder, within,
                                    lag, seqs)
    counts = ", ".join(f"{result[k]} {k if result[k] != 1 else k[:-1]}" for k in ("sessions", "ruptures", "figures", "tables"))
    click.echo(f"Wrote {out}: {counts}")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [export]
