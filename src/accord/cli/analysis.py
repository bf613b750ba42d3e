"""`accord stats`, `accord retrieve`, `accord cooccurrence`: speaker statistics and code rates,
MITI summary scores, retrieval of coded segments by a query, and code co-occurrence (the
library is `accord.analysis`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from .common import NAMES, emit_json, is_project_file, json_option, open_project, project_option, reveal_option


def _one_coder(project, coder: str | None, *, required: bool = True) -> str | None:
    """The coder named, or the project's only coder; several and none named is a usage error."""
    if coder:
        project.coder_id(coder)
        return coder
    everyone = [c["name"] for c in project.coders()]
    if len(everyone) == 1:
        return everyone[0]
    if required:
        raise click.UsageError(f"say whose codings: --coder NAME (coders: {', '.join(everyone) or 'none yet'})")
    return None


def _csv(rows: list[dict], columns: list[str]) -> str:
    """CSV for a statistics package; text that a spreadsheet would run as a formula is neutralised."""
    from ..spreadsheet_safe import neutralise

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([neutralise("" if r.get(c) is None else r.get(c)) for c in columns])
    return out.getvalue()


def _num(x, fmt: str = "{:.2f}") -> str:
    return "-" if x is None else fmt.format(x)


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _minutes(seconds) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


# --------------------------------------------------------------------------------------- stats


STATS_TABLES = ("talk", "sessions", "codes", "miti")


@click.command()
@project_option
@click.argument("transcripts", nargs=-1)
@click.option("--by", type=click.Choice(["role", "speaker", "session"]), default="role", show_default=True,
              help="Group turns, words, talk time and code rates by speaker role, speaker label, or whole session.")
@click.option("--coder", metavar="NAME", help="Whose codings to count (needed when the project has several coders).")
@click.option("--exact", is_flag=True, help="Count a coding only under its own code (default: a code counts its sub-codes).")
@click.option("--codes", type=NAMES, help="Only these codes in the code table (comma-separated).")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print one table as CSV (choose it with --table).")
@click.option("--table", type=click.Choice(STATS_TABLES), default="talk", show_default=True,
              help="With --csv: talk (per group), sessions, codes (counts and rates) or miti.")
def stats(project_path: Path, transcripts, by, coder, exact, codes, as_json, as_csv, table):
    """Speaker statistics and code rates per session: turns, words, talk time and their shares,
    the practitioner:client word ratio; each code's count per speaker group with rates per 100
    utterances and per 10 minutes; and, with the MI codebook, the MITI 4.2.1 summary scores
    (reflection-to-question ratio and percent complex reflections, with their benchmark levels).

    Talk time comes from the transcript's times (an utterance lasts to its end, or to the next
    start); a session without times has none. A coding counts in the group of the utterance it
    starts in. Rows for each session come first, then `all`.

    \b
    Examples:
      accord stats
      accord stats --by speaker session01_cbt_panic
      accord stats --by session --json
      accord stats --coder reference --csv --table codes > rates.csv
      accord stats --coder alice --codes Reflection,Question --exact

    In blind mode a coder sees their own counts (name yourself with --coder).
    """
    from .. import blind
    from ..analysis import code_frequencies, load_coded, miti_scores, talk
    from ..analysis.miti import NotMiti

    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    with open_project(project_path) as project:
        who = _one_coder(project, coder, required=table in ("codes", "miti") and as_csv)
        if who is not None:
            blind.check(project, "stats", "codings (as counts)", coders=[who])
        coded = load_coded(project, who, list(transcripts) or None)
    spoken = talk(coded.transcripts, by)
    result = {"by": by, "coder": who, "exact": exact, "sessions": spoken["sessions"], "talk": spoken["groups"]}
    if who is not None:
        result["codes"] = code_frequencies(coded, by, exact=exact, codes=codes or [])
        try:
            result["miti"] = miti_scores(coded)
        except NotMiti as e:
            if as_csv and table == "miti":
                raise
            result["miti"] = None
            result["miti_note"] = str(e)
    if as_json:
        return emit_json(result)
    if as_csv:
        return click.echo(_stats_csv(result, table), nl=False)
    _print_stats(result)


def _stats_csv(result: dict, table: str) -> str:
    if table == "sessions":
        return _csv(result["sessions"], ["session", "utterances", "words", "seconds", "talk_seconds",
                                         "practitioner_words", "client_words", "practitioner_client_ratio"])
    if table == "talk":
        extra = ["role"] if result["by"] == "speaker" else []
        return _csv(result["talk"], ["session", "group", *extra, "turns", "words", "talk_seconds", "share_turns",
                                     "share_words", "share_talk"])
    if table == "codes":
        return _csv(result["codes"], ["session", "group", "code", "codings", "utterances", "minutes",
                                      "per_100_utterances", "per_10_minutes"])
    m = result["miti"]
    rows = [{"session": n, **s} for n, s in list(m["sessions"].items()) + [("all", m["all"])]]
    return _csv(rows, ["session", "simple_reflections", "complex_reflections", "reflections_without_depth",
                       "reflections", "open_questions", "closed_questions", "questions", "reflection_to_question",
                       "rq_level", "percent_complex_reflections", "cr_level"])


def _print_stats(result: dict) -> None:
    sessions = result["sessions"]
    width = max(len(s["session"]) for s in sessions)
    click.echo("Sessions (minutes from the first start to the last end; - without times)")
    click.echo(f"{'session':<{width}}  {'utts':>5}  {'words':>6}  {'minutes':>7}  practitioner:client words")
    for s in sessions:
        click.echo(f"{s['session']:<{width}}  {s['utterances']:>5}  {s['words']:>6}  {_minutes(s['seconds']):>7}  "
                   f"{_num(s['practitioner_client_ratio'])}")
    if result["by"] != "session":
        groups = result["talk"]
        gw = max([len(g["group"]) + (len(g.get("role", "")) + 3 if g.get("role") else 0) for g in groups] + [5])
        click.echo(f"\nBy {result['by']}: turns, words and talk time (share of the session's)")
        click.echo(f"{'session':<{width}}  {result['by']:<{gw}}  {'turns':>11}  {'words':>12}  {'talk minutes':>13}")
        for g in groups:
            label = g["group"] + (f" ({g['role']})" if g.get("role") else "")
            click.echo(f"{g['session']:<{width}}  {label:<{gw}}  {g['turns']:>5} ({_pct(g['share_turns']):>4})  "
                       f"{g['words']:>6} ({_pct(g['share_words']):>4})  "
                       f"{_minutes(g['talk_seconds']):>6} ({_pct(g['share_talk']):>4})")
    if "codes" not in result:
        click.echo("\nCode counts need a coder: --coder NAME")
        return
    _print_codes(result)
    m = result["miti"]
    if m is None:
        return
    click.echo(f"\nMITI 4.2.1 summary scores, codings of {result['coder']} "
               "(R:Q fair 1:1, good 2:1; %CR fair 40%, good 50%)")
    click.echo(f"{'session':<{width}}  reflections simple/complex/undivided  questions  {'R:Q':<17}  %CR")
    for n, s in list(m["sessions"].items()) + [("all", m["all"])]:
        rq = "-" if s["reflection_to_question"] is None else f"{s['reflection_to_question']:.2f} {s['rq_level']}"
        cr = "-" if s["percent_complex_reflections"] is None else f"{s['percent_complex_reflections']:.0f}% {s['cr_level']}"
        split = f"{s['simple_reflections']}/{s['complex_reflections']}/{s['reflections_without_depth']}"
        click.echo(f"{n:<{width}}  {s['reflections']:>11} {split:<24}  {s['questions']:>9}  {rq:<17}  {cr}")


def _print_codes(result: dict) -> None:
    rows = result["codes"]
    how = "each code exactly" if result["exact"] else "a code counts its sub-codes"
    click.echo(f"\nCodes by {result['by']}, codings of {result['coder']} ({how}): count (per 100 utterances of "
               "the group, per 10 minutes)")
    if result["by"] == "session":  # one table: a column per session
        _code_table(rows, lambda r: r["session"], lambda r: f"{'all sessions' if r['session'] == 'all' else r['session']} "
                    f"({r['utterances']})")
        return
    sessions = list(dict.fromkeys(r["session"] for r in rows))
    for session in sessions:
        if session == "all" and len(sessions) == 2:  # one session: "all" would repeat it
            continue
        mine = [r for r in rows if r["session"] == session]
        if any(r["codings"] for r in mine):
            click.echo("all sessions" if session == "all" else session)
            _code_table(mine, lambda r: r["group"], lambda r: f"{r['group']} ({r['utterances']})")


def _code_table(rows: list[dict], column, head) -> None:
    """A row per code used (indented under its parent), a column per `column(row)`."""
    columns = list(dict.fromkeys(column(r) for r in rows))
    codes = [c for c in dict.fromkeys(r["code"] for r in rows) if any(r["codings"] for r in rows if r["code"] == c)]
    if not codes:
        return
    cell = {(column(r), r["code"]): r for r in rows}
    depth = {r["code"]: r["depth"] for r in rows}
    heads = {column(r): head(r) for r in rows}
    labels = {c: "  " * depth[c] + c for c in codes}
    cw = max(len(x) for x in labels.values())
    widths = [max(len(heads[k]), 18) for k in columns]
    click.echo(f"  {'code':<{cw}}  " + "  ".join(heads[k].rjust(w) for k, w in zip(columns, widths)))
    for code in codes:
        cells = []
        for k, w in zip(columns, widths):
            r = cell.get((k, code))
            text = "-" if not r or not r["codings"] else (
                f"{r['codings']} ({_num(r['per_100_utterances'], '{:.1f}')}, {_num(r['per_10_minutes'], '{:.1f}')})")
            cells.append(text.rjust(w))
        click.echo(f"  {labels[code]:<{cw}}  " + "  ".join(cells))


# ------------------------------------------------------------------------------------ retrieve


def _clip(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


@click.command()
@project_option
@click.argument("code")
@click.option("--and", "all_of", multiple=True, metavar="CODE", help="Only segments sharing an utterance with CODE (repeatable).")
@click.option("--not", "none_of", multiple=True, metavar="CODE", help="Only segments sharing no utterance with CODE (repeatable).")
@click.option("--followed-by", metavar="CODE", help="Only segments followed by CODE within --within utterances.")
@click.option("--within", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --followed-by: at most this many utterances after the segment (0: the same utterance).")
@click.option("--speaker", "speakers", multiple=True, metavar="ROLE",
              help="Only segments starting in turns of this role or speaker label (repeatable).")
@click.option("--overlap", is_flag=True, help="--and/--not: the spans must share characters, not just an utterance.")
@click.option("--exact", is_flag=True, help="Codes without their sub-codes.")
@click.option("--transcripts", type=NAMES, help="Only these transcripts (comma-separated).")
@click.option("--coder", metavar="NAME", help="Only this coder's segments (default: every coder's; blind mode: yours).")
@json_option
@click.option("--docx", "docx", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the segments as a Word excerpts file.")
@click.option("--context", type=click.IntRange(0, 50), help="--docx: show N utterances either side, coded words in bold.")
@reveal_option
def retrieve(project_path: Path, code, all_of, none_of, followed_by, within, speakers, overlap, exact, transcripts,
             coder, as_json, docx, context, reveal):
    """The coded segments of CODE across transcripts (a code includes its sub-codes), narrowed by
    a query: --and, --not, --followed-by ... --within N, --speaker. Each coder's query is
    answered within their own codings; a coding never matches itself.

    \b
    Examples:
      accord retrieve "Withdrawal rupture"
      accord retrieve Rupture --followed-by Repair --within 2 --speaker client
      accord retrieve "Confrontation rupture" --not Repair --json
      accord retrieve Rupture --and "Power dynamics" --docx rupture_power.docx --context 1
      accord retrieve Reflection --coder alice --exact

    In blind mode a coder sees their own segments (--coder NAME); everyone's needs --reveal
    (written to the event log).
    """
    from .. import blind
    from ..analysis import Query
    from ..analysis.retrieval import retrieve_across

    if context is not None and docx is None:
        raise click.BadParameter("sets the utterances shown around each excerpt in the Word file: give --docx FILE "
                                 "too", param_hint="--context")
    if docx is not None and (not docx.parent.exists() or is_project_file(docx, project_path)):
        raise click.BadParameter(f"cannot write {docx} (no such folder, or the project file)", param_hint="--docx")
    names = transcripts
    asked = Query(code, tuple(all_of), tuple(none_of), followed_by, within, tuple(speakers),
                  "overlap" if overlap else "utterance", exact)
    with open_project(project_path) as project:
        coders = [coder] if coder else [c["name"] for c in project.coders()]
        blind.check(project, "retrieve", "coded segments", coders=coders if coder else None, reveal=reveal)
        found, query = retrieve_across(project, coders, asked, names)
        described = query.describe()
        written = None
        if docx is not None:
            from ..export.excerpts import retrieval_report

            written = retrieval_report(project, [s.coding_id for s in found], query.code, described, docx,
                                       coders=[coder] if coder else None, context=context)
    if as_json:
        return emit_json({"query": described, "coders": coders, "segments": [s.to_dict() for s in found]})
    several = len({s.coder for s in found}) > 1
    click.echo(f"{len(found)} segment{'s' if len(found) != 1 else ''}: {described}"
               + (f" (coder {coder})" if coder else ""))
    if found:
        tw = max(len(s.transcript) for s in found)
        sw = max(len(s.speaker + (f" ({s.role})" if s.role and s.role.lower() != s.speaker.lower() else "")) for s in found)
        for s in found:
            where = "-" if s.first is None else str(s.first) if s.first == s.last else f"{s.first}-{s.last}"
            who = s.speaker + (f" ({s.role})" if s.role and s.role.lower() != s.speaker.lower() else "")
            after = f"  -> {s.followed_by['code']} at {s.followed_by['utterance']}" if s.followed_by else ""
            by = f"[{s.coder}] " if several else ""
            click.echo(f"{s.transcript:<{tw}}  {where:>7}  {who:<{sw}}  {by}{s.code}: \"{_clip(s.text)}\"{after}")
    if written is not None:
        click.echo(f"Wrote {docx}: {written['excerpts']} excerpts")


# -------------------------------------------------------------------------------- cooccurrence


@click.command()
@project_option
@click.argument("transcripts", nargs=-1)
@click.option("--mode", type=click.Choice(["utterance", "overlap", "within"]), default="utterance", show_default=True,
              help="utterance: utterances both codes touch; overlap: pairs of codings sharing characters; "
                   "within: pairs of codings at most --within utterances apart.")
@click.option("--within", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --mode within: the largest gap in utterances.")
@click.option("--codes", type=NAMES, help="Only these codes (comma-separated; default: every code the coder used).")
@click.option("--exact", is_flag=True, help="Codes without their sub-codes.")
@click.option("--coder", metavar="NAME", help="Whose codings (needed when the project has several coders).")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print the matrix as CSV (a row and a column per code).")
def cooccurrence(project_path: Path, transcripts, mode, within, codes, exact, coder, as_json, as_csv):
    """Code co-occurrence matrix for one coder: how often two codes meet in the same utterance,
    in overlapping spans, or within N utterances of each other. The diagonal is each code's own
    count (utterances, or codings); a code and its ancestor share no cell ("-").

    \b
    Examples:
      accord cooccurrence
      accord cooccurrence --mode overlap --csv > overlap.csv
      accord cooccurrence --mode within --within 2 --codes Rupture,Repair,"Power dynamics"
      accord cooccurrence session01_cbt_panic --coder reference --json

    In blind mode a coder sees their own matrix (name yourself with --coder).
    """
    from .. import blind
    from ..analysis import cooccurrence as matrix, load_coded

    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    with open_project(project_path) as project:
        who = _one_coder(project, coder)
        blind.check(project, "cooccurrence", "codings (as co-occurrence counts)", coders=[who])
        coded = load_coded(project, who, list(transcripts) or None)
    result = matrix(coded, mode, within, exact=exact, codes=codes)
    if as_json:
        return emit_json({"coder": who, "exact": exact, **result.to_dict(), "pairs": result.pairs()})
    if as_csv:
        rows = [{"code": a, **{b: result.counts[i][j] for j, b in enumerate(result.codes)}}
                for i, a in enumerate(result.codes)]
        return click.echo(_csv(rows, ["code", *result.codes]), nl=False)
    what = {"utterance": "utterances both codes touch (diagonal: utterances with the code)",
            "overlap": "pairs of codings sharing characters (diagonal: codings)",
            "within": f"pairs of codings at most {within} utterance{'s' if within != 1 else ''} apart (diagonal: codings)"}
    click.echo(f"Co-occurrence, codings of {who}: {what[mode]}")
    if not result.codes:
        return click.echo("No codings.")
    w = max(len(c) for c in result.codes)
    click.echo(" " * (w + 2) + " ".join(f"{i + 1:>4}" for i in range(len(result.codes))))
    for i, a in enumerate(result.codes):
        cells = " ".join(f"{'-' if v is None else v:>4}" for v in result.counts[i])
        click.echo(f"{a:<{w}}  {cells}   {i + 1}")
    top = result.pairs()[:10]
    if top:
        click.echo("\nMost frequent pairs: " + "; ".join(f"{p['a']} + {p['b']} {p['count']}" for p in top))


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [stats, retrieve, cooccurrence]
