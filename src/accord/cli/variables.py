"""`accord variables`, `accord cases` and `accord crosstab`: session and participant variables,
the people they describe, and codes by a variable (the library is `store/variables.py`,
`variable_table.py` and `crosstab.py`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from .common import NAMES, emit_json, is_project_file, json_option, open_project, project_option


@click.group(invoke_without_command=True)
@project_option
@json_option
@click.pass_context
def variables(ctx, project_path: Path, as_json: bool):
    """Session variables (of transcripts) and participant variables (of cases): list them (the
    default), set one, or import a CSV.

    \b
    Examples:
      accord variables
      accord variables set session 3 --transcript session03_medication_review --type number
      accord variables set phase early --transcript session01_cbt_panic --type category --categories early,middle,late
      accord variables import sessions.csv     # first column: transcript (or case), then one column a variable
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(variables_list, project_path=project_path, as_json=as_json)


@variables.command("list")
@project_option
@json_option
def variables_list(project_path: Path, as_json: bool):
    """Every variable with its type, and its value for each transcript or case.

    \b
    Examples:
      accord variables list
      accord variables list --json
    """
    with open_project(project_path) as project:
        defined = project.variables()
        values = project.variable_values()
        owners = {"transcript": [t["name"] for t in project.transcripts()], "case": [c["name"] for c in project.cases()]}
    if as_json:
        return emit_json([{"name": v["name"], "of": v["applies_to"], "type": v["type"], "categories": v["categories"],
                           "values": values[v["name"]]} for v in defined])
    if not defined:
        click.echo("No variables yet. Set one: accord variables set NAME VALUE --transcript NAME --type number")
        return
    for kind in ("transcript", "case"):
        mine = [v for v in defined if v["applies_to"] == kind]
        if not mine:
            continue
        click.echo(f"{'Session' if kind == 'transcript' else 'Participant'} variables: "
                   + ", ".join(f"{v['name']} ({v['type']}" + (f": {' | '.join(v['categories'])}" if v["categories"] else "")
                               + ")" for v in mine))
        width = max([len(kind)] + [len(o) for o in owners[kind]])
        cols = [max([len(v["name"])] + [len(x) for x in values[v["name"]].values()]) for v in mine]
        click.echo(f"  {kind:<{width}}  " + "  ".join(v["name"].ljust(c) for v, c in zip(mine, cols)).rstrip())
        for owner in owners[kind]:
            cells = [values[v["name"]].get(owner, "").ljust(c) for v, c in zip(mine, cols)]
            click.echo(f"  {owner:<{width}}  " + "  ".join(cells).rstrip())


@variables.command("set")
@project_option
@click.argument("name")
@click.argument("value")
@click.option("--transcript", help="The transcript (session) the value is for.")
@click.option("--case", help="The case (participant) the value is for.")
@click.option("--type", "vtype", type=click.Choice(["text", "number", "date", "category"]),
              help="The type of a new variable (default text).")
@click.option("--categories", type=NAMES, help="A new category variable's categories, comma-separated, in order.")
@click.option("--coder", help="Who is setting it: `accord undo --coder NAME` then takes it back.")
def variables_set(project_path: Path, name: str, value: str, transcript: str | None, case: str | None,
                  vtype: str | None, categories: str | None, coder: str | None):
    """Set variable NAME to VALUE for one transcript or case ("" clears it); a new variable is
    defined on first use, with --type. Numbers take a point for decimals; dates are YYYY-MM-DD.

    \b
    Examples:
      accord variables set session 3 --transcript session03_medication_review --type number
      accord variables set phase late --transcript session06_ending --type category --categories early,middle,late
      accord variables set age 34 --case "client A" --type number
      accord variables set phase "" --transcript session06_ending      # clear it
      accord variables set phase middle --transcript session06_ending --coder alice && accord undo --coder alice
    """
    from ..variables import ValueProblem, canonical

    if (transcript is None) == (case is None):
        raise click.UsageError("say whose value it is: --transcript NAME or --case NAME (one of them)")
    kind, owner = ("transcript", transcript) if transcript is not None else ("case", case)
    with open_project(project_path) as project:
        if project.has_variable(name):
            v = project.variable(name)
            if vtype is not None and vtype != v["type"]:
                raise click.BadParameter(f"{name!r} is a {v['type']} variable", param_hint="--type")
            if v["applies_to"] != kind:
                raise click.UsageError(f"{name!r} is a variable of {v['applies_to']}s: use --{v['applies_to']}")
            vtype, known = v["type"], v["categories"] + (categories or [])
        else:
            vtype, known = vtype or "text", categories or []
            if vtype == "category" and not known:
                raise click.UsageError("a new category variable needs its categories: --categories early,middle,late")
        project.transcript_id(owner) if kind == "transcript" else project.case_id(owner)
        try:
            stored = canonical(vtype, value, known) if value.strip() else None
        except ValueProblem as e:
            raise click.BadParameter(str(e), param_hint="VALUE") from None
        with project.transaction():
            project.define_variable(name, kind, vtype, known)
            project.set_value(name, owner, stored, coder=coder)
    click.echo(f"{name} of {owner}: {stored if stored is not None else '(not set)'}")


@variables.command("import")
@project_option
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coder", help="Who is importing: `accord undo --coder NAME` then takes the values back.")
@json_option
def variables_import(project_path: Path, path: Path, coder: str | None, as_json: bool):
    """Import variables from a CSV: one row per transcript (first column `transcript`) or per
    case (first column `case`, with optional `speaker` and `transcripts` columns saying whose
    turns are the case's). Columns are `name` or `name:type` (text, number, date, category).
    The whole file is checked first: any problem names its line and nothing is stored.

    \b
    Examples:
      accord variables import sessions.csv
      accord variables import clients.csv
    \b
    sessions.csv:
      transcript,session:number,phase:category,date:date
      session01_cbt_panic,1,early,2025-01-14
    clients.csv:
      case,speaker,transcripts,age:number,mandated:category
      client A,Client,session01_cbt_panic;session06_ending,34,no
    """
    from ..errors import InputError
    from ..variable_table import read_variable_table, store_variable_table

    if not path.is_file():
        raise InputError(path, "file not found")
    with open_project(project_path) as project:
        table = read_variable_table(path, project)
        if coder is not None:
            project.coder_id(coder)  # an unknown coder is refused before anything is stored
        changed = store_variable_table(project, table, str(path), coder=coder)
    summary = {"file": str(path), "of": table.kind, "new_variables": [n for n, _, _ in table.new_variables],
               "types": {n: t for n, t, _ in table.new_variables}, "new_cases": table.new_cases,
               "values_changed": changed}
    if as_json:
        return emit_json(summary)
    new = ", ".join(f"{n} ({t})" for n, t, _ in table.new_variables)
    click.echo(f"Imported {path}: {changed} values changed" + (f"; new variables: {new}" if new else "")
               + (f"; new cases: {', '.join(table.new_cases)}" if table.new_cases else ""))


@click.group(invoke_without_command=True)
@project_option
@json_option
@click.pass_context
def cases(ctx, project_path: Path, as_json: bool):
    """Cases: the people of a study across sessions (client A in sessions 1-12). A case owns a
    speaker's turns in some transcripts, or whole transcripts; its variables are participant
    variables. List them (the default) or add one.

    \b
    Examples:
      accord cases
      accord cases add "client A" --speaker Client --transcripts session01_cbt_panic,session06_ending
      accord cases add "interviewee 5" --transcripts session05_interview_consent   # the whole transcript
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_project(project_path) as project:
        found = project.cases()
    if as_json:
        return emit_json([dict(c, members=[{"transcript": t, "speaker": s} for t, s in c["members"]]) for c in found])
    if not found:
        click.echo('No cases yet. Add one: accord cases add "client A" --speaker Client --transcripts NAME,NAME')
    for c in found:
        turns = "; ".join(f"{s} in {t}" if s else f"all of {t}" for t, s in c["members"]) or "no turns yet"
        click.echo(f"{c['name']}: {turns}")


@cases.command("add")
@project_option
@click.argument("name")
@click.option("--speaker", help="The speaker label this person has in those transcripts (leave out: whole transcripts).")
@click.option("--transcripts", type=NAMES, help="Comma-separated transcript names.")
def cases_add(project_path: Path, name: str, speaker: str | None, transcripts: str | None):
    """Add case NAME, or more turns to it if it exists.

    \b
    Examples:
      accord cases add "client A" --speaker Client --transcripts session01_cbt_panic,session06_ending
      accord cases add "interviewee 5" --transcripts session05_interview_consent
    """
    members = [(t, speaker) for t in transcripts or []]
    if speaker and not members:
        raise click.UsageError("--speaker needs --transcripts: in which transcripts is this person that speaker?")
    with open_project(project_path) as project:
        with project.transaction():
            if project.has_case(name):
                added = project.add_case_members(name, members)
            else:
                project.add_case(name, members)
                added = len(members)
    click.echo(f"Case {name}: {added} new member(s)")


@click.command()
@project_option
@click.option("--by", "by", required=True, metavar="VARIABLE", help="The session or participant variable.")
@click.option("--of", "of", type=click.Choice(["codes", "ratings", "episodes"]), default="codes", show_default=True,
              help="What to count: codings of codes, ratings on the rating scales, or rupture-repair episodes.")
@click.option("--scales", type=NAMES, help="--of ratings: only these rating scales (comma-separated).")
@click.option("--within", type=click.IntRange(min=0), help="--of episodes: the repair window in utterances (default 5).")
@click.option("--codes", type=NAMES, help="Only these codes (comma-separated; a code includes its sub-codes).")
@click.option("--coder", help="Whose codings to count (one coder; needed when the project has several).")
@click.option("--consensus", is_flag=True, help="Count the consensus coding.")
@click.option("--transcripts", type=NAMES, help="Only these transcripts (comma-separated).")
@click.option("--speaker", "speakers", type=NAMES, help="Only turns of these speakers or roles, e.g. client (counts and rates).")
@click.option("--reveal", is_flag=True, help="Blind mode: count another coder's codings anyway (logged).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV.")
@click.option("--docx", "docx", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table to a Word file.")
@json_option
def crosstab(project_path, by, of, scales, within, codes, coder, consensus, transcripts, speakers, reveal, as_csv,
             docx, as_json):
    """Codes (or ratings, or rupture-repair episodes) by a variable, with a test.

    Codes: codings, codings per 1,000 words and the share of utterances coded per value; the
    test asks whether that share differs between values. Ratings (--of ratings): per scale,
    the number of ratings, mean (SD) and median, and the count on each point; the test asks
    whether the points spread alike. Episodes (--of episodes): per marker type, ruptures,
    resolved and ruptures per 1,000 words; the test asks whether the share resolved differs.
    Each test is Fisher's exact test for a 2x2 table, chi-square where the expected counts
    allow, else none (the reason is given).

    \b
    Examples:
      accord crosstab --by phase --coder reference
      accord crosstab --by session --codes "Withdrawal rupture" --speaker client --csv
      accord crosstab --by mandated --coder alice --docx ruptures_by_mandate.docx
      accord crosstab --by phase --of ratings --coder reference
      accord crosstab --by referral --of episodes --coder reference --within 3 --json
    """
    if scales and of != "ratings":
        raise click.UsageError("--scales goes with --of ratings")
    if within is not None and of != "episodes":
        raise click.UsageError("--within goes with --of episodes")
    if of != "codes" and (codes or speakers):
        raise click.UsageError(f"--codes and --speaker count codings; they do not apply to --of {of}")
    if as_csv and as_json:
        raise click.UsageError("choose --csv or --json")
    if coder and consensus:
        raise click.UsageError("give --coder or --consensus, not both")
    from ..export import crosstab_report

    with open_project(project_path) as project:
        project.variable(by)
        if docx is not None and (not docx.parent.exists() or is_project_file(docx, project_path)):
            raise click.BadParameter(f"cannot write {docx} (no such folder, or the project file)", param_hint="--docx")
        # one coder: counting two would count each passage (or segment) twice
        name = "consensus" if consensus else coder or _only_coder(project)
        table = _table(project, of, by, name, codes, transcripts, speakers, scales, within, reveal)
        if docx is not None:
            write = {"codes": crosstab_report.crosstab_document, "ratings": crosstab_report.ratings_document,
                     "episodes": crosstab_report.episodes_document}[of]
            write(table, docx, Path(project_path).stem)
    if as_json:
        return emit_json(table)
    if as_csv:
        return click.echo(crosstab_csv(table) if of == "codes" else crosstab_more_csv(table, of), nl=False)
    _print(table) if of == "codes" else _print_more(table, of)
    if docx is not None:
        click.echo(f"Wrote {docx}")


def _table(project, of, by, name, codes, transcripts, speakers, scales, within, reveal) -> dict:
    """The cross-tab of `of` (codes, ratings or episodes) by `by` for one coder, once blind mode allows it."""
    from .. import blind

    if of == "codes":
        from ..crosstab import crosstab as make_table
        from ..export.select import select

        sel = select(project, codes=codes, coders=[name], transcripts=transcripts, speakers=speakers)
        blind.check(project, "crosstab", "codings (as counts)", coders=[name], reveal=reveal)
        return make_table(project, sel, by)
    from ..crosstab_more import episodes_by, ratings_by

    blind.check(project, "crosstab", of, coders=[name], reveal=reveal)
    try:
        return (ratings_by(project, by, name, transcripts, scales) if of == "ratings"
                else episodes_by(project, by, name, transcripts, within))
    except ValueError as e:
        raise click.UsageError(str(e)) from None


def crosstab_csv(table: dict) -> str:
    """Long form, one row per code and value: for R or a spreadsheet (formula cells neutralised)."""
    from ..spreadsheet_safe import neutralise

    buffer = io.StringIO(newline="")
    w = csv.writer(buffer, lineterminator="\r\n")
    w.writerow(["code", table["by"], "utterances", "words", "codings", "per_1000_words", "coded_utterances",
                "share_of_utterances", "test", "statistic", "df", "p"])
    for r in table["codes"]:
        t = r["test"]
        for lv in table["levels"]:
            c = r["cells"][lv]
            w.writerow([neutralise(v) for v in (
                r["code"], lv, table["utterances"][lv], table["words"][lv], c["codings"], _blank(c["per_1000_words"]),
                c["coded_utterances"], _blank(c["share_of_utterances"]), t.get("test") or "",
                _blank(t.get("statistic")), _blank(t.get("df")), _blank(t.get("p")))])
    return buffer.getvalue()


def _blank(x):
    return "" if x is None else x


def _print(table: dict) -> None:

    levels = table["levels"]
    click.echo(f"Codes by {table['by']} ({table['type']}, of {table['of']}s), codings of {table['coder']}: "
               "count (per 1,000 words) / % of utterances coded")
    _grid("code", table["codes"], "code", levels, [f"{lv} (n={table['utterances'][lv]})" for lv in levels], 18,
          lambda x: f"{x['codings']} ({_rate(x['per_1000_words'])}) / {_percent(x['share_of_utterances'], 1)}")


def _grid(first: str, rows: list[dict], key: str, levels: list[str], heads: list[str], least: int, cell) -> None:
    """One row per code (or marker), one column per value, each row's test at its end."""
    from ..crosstab import describe_test

    width = max([len(first)] + [len(r[key]) for r in rows])
    cols = [max(len(h), least) for h in heads]
    click.echo(f"{first:<{width}}  " + "  ".join(h.rjust(c) for h, c in zip(heads, cols)))
    for r in rows:
        cells = "  ".join(cell(r["cells"][lv]).rjust(c) for lv, c in zip(levels, cols))
        click.echo(f"{r[key]:<{width}}  {cells}   {describe_test(r['test'])}")


def _rate(x: float | None) -> str:
    return f"{x:.1f}" if x is not None else "-"


def _percent(x: float | None, decimals: int) -> str:
    return f"{100 * x:.{decimals}f}%" if x is not None else "-"


def _only_coder(project) -> str:
    everyone = [c["name"] for c in project.coders()]
    if len(everyone) != 1:
        raise click.UsageError(f"say whose work to count: --coder NAME (coders: {', '.join(everyone) or 'none'})")
    return everyone[0]


def crosstab_more_csv(table: dict, of: str) -> str:
    """Long form, one row per scale (or marker type) and value, formula cells neutralised."""
    from ..spreadsheet_safe import neutralise

    buffer = io.StringIO(newline="")
    w = csv.writer(buffer, lineterminator="\r\n")
    if of == "ratings":
        points = lambda s: [str(p) for p in range(s["low"], s["high"] + 1)]  # noqa: E731
        w.writerow(["scale", table["by"], "n", "mean", "sd", "median", "points", "test", "statistic", "df", "p"])
        for s in table["scales"]:
            for lv in s["levels"]:
                c = s["cells"][lv]
                spread = " ".join(f"{p}:{c['points'][p]}" for p in points(s))
                w.writerow([neutralise(v) for v in (s["scale"], lv, c["n"], _blank(c["mean"]), _blank(c["sd"]),
                                                    _blank(c["median"]), spread, *_test_cells(s["test"]))])
    else:
        w.writerow(["marker", table["by"], "words", "ruptures", "resolved", "share_resolved", "per_1000_words",
                    "test", "statistic", "df", "p"])
        for m in table["markers"]:
            for lv in table["levels"]:
                c = m["cells"][lv]
                w.writerow([neutralise(v) for v in (m["marker"], lv, table["words"][lv], c["ruptures"], c["resolved"],
                                                    _blank(c["share_resolved"]), _blank(c["per_1000_words"]),
                                                    *_test_cells(m["test"]))])
    return buffer.getvalue()


def _test_cells(t: dict) -> list:
    return [t.get("test") or "", _blank(t.get("statistic")), _blank(t.get("df")), _blank(t.get("p"))]


def _print_more(table: dict, of: str) -> None:
    from ..crosstab import describe_test

    head = f"({table['type']}, of {table['of']}s), {'ratings' if of == 'ratings' else 'episodes'} of {table['coder']}"
    if of == "ratings":
        click.echo(f"Ratings by {table['by']} {head}: n, mean (SD), median")
        for s in table["scales"]:
            levels = s["levels"]
            cols = [max(len(lv), 22) for lv in levels]
            click.echo(f"{s['scale']} ({s['low']}-{s['high']})")
            click.echo("  " + "  ".join(lv.rjust(c) for lv, c in zip(levels, cols)))
            cells = []
            for lv, c in zip(levels, cols):
                x = s["cells"][lv]
                text = (f"{x['n']}, {x['mean']:.2f} ({x['sd']:.2f}), {x['median']:g}" if x["sd"] is not None
                        else f"{x['n']}, {x['mean']:.2f}, {x['median']:g}" if x["n"] else "0")
                cells.append(text.rjust(c))
            click.echo("  " + "  ".join(cells))
            click.echo(f"  {describe_test(s['test'])}")
        return
    levels = table["levels"]
    click.echo(f"Rupture-repair episodes by {table['by']} {head}, repair within {table['within']} utterances: "
               "ruptures (per 1,000 words) / % resolved")
    _grid("marker", table["markers"], "marker", levels, [f"{lv} ({table['words'][lv]:,} words)" for lv in levels], 16,
          lambda x: f"{x['ruptures']} ({_rate(x['per_1000_words'])}) / {_percent(x['share_resolved'], 0)}")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [variables, cases, crosstab]
