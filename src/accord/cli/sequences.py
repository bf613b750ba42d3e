"""`accord sequences`: rupture-repair episodes, their agreement between coders, and
lag-sequential tables (the library is `accord.sequences`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from .common import NAMES, emit_json, is_project_file, json_option, open_project, project_option, reveal_option


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _spread(s: dict | None, unit: str = "") -> str:
    if not s:
        return "-"
    fmt = (lambda v: f"{v:g}") if not unit else (lambda v: f"{v:.0f}")
    return f"{fmt(s['median'])}{unit} [{fmt(s['q1'])}-{fmt(s['q3'])}]"


def _types(summary: dict) -> str:
    return ", ".join(f"{t} {v['resolved']}/{v['ruptures']}" for t, v in summary["by_type"].items()) or "-"


def _roles(summary: dict) -> str:
    return ", ".join(f"{r} {n}" for r, n in summary["repairs_by_role"].items()) or "-"


SUMMARY_COLUMNS = ["session", "ruptures", "resolved", "share_resolved", "latency_utterances_median",
                   "latency_utterances_q1", "latency_utterances_q3", "latency_seconds_median", "latency_seconds_q1",
                   "latency_seconds_q3", "by_type", "repairs", "repairs_by_role"]


def _summary_row(session: str, s: dict) -> dict:
    lu, ls = s["latency_utterances"] or {}, s["latency_seconds"] or {}
    return {"session": session, "ruptures": s["ruptures"], "resolved": s["resolved"],
            "share_resolved": "" if s["share_resolved"] is None else round(s["share_resolved"], 4),
            "latency_utterances_median": lu.get("median", ""), "latency_utterances_q1": lu.get("q1", ""),
            "latency_utterances_q3": lu.get("q3", ""), "latency_seconds_median": ls.get("median", ""),
            "latency_seconds_q1": ls.get("q1", ""), "latency_seconds_q3": ls.get("q3", ""),
            "by_type": "; ".join(f"{t}={v['ruptures']}" for t, v in s["by_type"].items()),
            "repairs": s["repairs"], "repairs_by_role": "; ".join(f"{r}={n}" for r, n in s["repairs_by_role"].items())}


def _csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _episode_row(e) -> dict:
    r, p = e.rupture, e.repair
    return {"session": e.transcript, "coder": e.coder, "rupture_code": r.code, "marker": r.marker,
            "rupture_utterance": r.first, "ruptured_by": r.speaker, "rupture_role": r.role or "",
            "resolved": int(e.resolved), "repair_code": p.code if p else "", "repair_utterance": p.first if p else "",
            "repaired_by": p.speaker if p else "", "repair_role": (p.role or "") if p else "",
            "latency_utterances": "" if e.latency_utterances is None else e.latency_utterances,
            "latency_seconds": "" if e.latency_seconds is None else e.latency_seconds,
            "resolved_by": ("link" if e.linked else "window") if p else "",
            # why a code is on a role the codebook excludes for it (empty when it fits): `!role` in the text output
            "rupture_off_role": r.off_role or "", "repair_off_role": (p.off_role or "") if p else ""}


EPISODE_COLUMNS = ["session", "coder", "rupture_code", "marker",
                   "rupture_utterance", "ruptured_by", "rupture_role", "resolved", "repair_code", "repair_utterance",
                   "repaired_by", "repair_role", "latency_utterances", "latency_seconds", "resolved_by",
                   "rupture_off_role", "repair_off_role"]


def _matrix(table, values, fmt) -> list[str]:
    width = max(8, *(len(c) for c in table.categories)) if table.categories else 8
    head = " " * width + "  " + "  ".join(f"{c[:11]:>11}" for c in table.categories)
    lines = [head]
    for i, g in enumerate(table.categories):
        lines.append(f"{g:<{width}}  " + "  ".join(f"{fmt(values[i][j]):>11}" for j in range(len(table.categories))))
    return lines


@click.command()
@project_option
@click.argument("transcripts", nargs=-1)
@click.option("--coder", metavar="NAME", help="Whose codings (in blind mode: yourself, or others with --reveal).")
@click.option("--coders", type=NAMES, metavar="A,B", help="Compare two coders' episodes (matched when rupture spans overlap).")
@click.option("--within", type=click.IntRange(min=0), default=5, show_default=True,
              help="A repair resolves a rupture when it starts at most this many utterances after it "
                   "(a repairs link between them decides first).")
@click.option("--episodes", "list_episodes", is_flag=True, help="List every episode, not only the summary.")
@click.option("--lag", type=click.IntRange(min=1, max=20), help="Also give lag-sequential tables for lags 1 to K.")
@click.option("--by-role", is_flag=True, help="Lag tables: prefix each category with the speaker's role.")
@click.option("--sdis", "sdis_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the utterance event sequences as SDIS for GSEQ to this file.")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: the summary rows, or the episodes with --episodes, "
                                                     "or the lag cells with --lag.")
@reveal_option
def sequences(project_path: Path, transcripts, coder, coders, within, list_episodes, lag, by_role, sdis_path, as_json,
              as_csv, reveal):
    """Rupture-repair episodes per session and overall: ruptures by marker type, the share
    resolved, median latency [interquartile range] in utterances and seconds, and who initiated
    the repairs; optionally lag-sequential tables (transitional probabilities, adjusted
    residuals z, Yule's Q) and an SDIS file for GSEQ.

    Each rupture coding (a code under a root the codebook marks `family: rupture`) is an
    episode; the repair that resolves it is a repair coding the coder linked to it with
    "repairs" (`accord links add`), else the coder's first repair coding (a root marked
    `family: repair`, by any speaker) starting after it and at most --within utterances after
    its last utterance.

    \b
    Examples:
      accord sequences --coder reference
      accord sequences session01_cbt_panic --coder reference --episodes
      accord sequences --coder reference --within 3 --csv > episodes.csv
      accord sequences --coder reference --lag 2 --by-role
      accord sequences --coder reference --sdis demo.sds
      accord sequences --coders alice,bob --coder alice --reveal   # blind: logged

    In blind mode a coder sees their own episodes; another coder's, or a comparison, needs
    --reveal (written to the event log).
    """
    from .. import blind
    from ..sequences import episode_agreement, event_sequences, lag_table, project_episodes, summarize, to_sdis

    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    pair = coders or []
    if coders is not None and len(pair) != 2:
        raise click.UsageError("--coders takes two coders, comma-separated: --coders alice,bob")
    if not coder and not pair:
        raise click.UsageError("say whose episodes: --coder NAME (or --coders A,B to compare two)")
    if as_csv and list_episodes and lag:
        raise click.UsageError("--csv prints one table: choose --episodes or --lag")
    if sdis_path is not None and is_project_file(sdis_path, project_path):
        raise click.BadParameter(f"{sdis_path} is the project file (or its journal); choose another name",
                                 param_hint="--sdis")
    names = list(transcripts) or None
    with open_project(project_path) as project:
        for name in names or []:
            project.transcript_id(name)
        if pair:
            blind.check(project, "sequences", "codings (as episodes)", coders=pair, viewer=coder, reveal=reveal)
            found = {c: project_episodes(project, c, names, within) for c in pair}
            result = {"coders": pair, "within": within, "agreement": episode_agreement(found[pair[0]], found[pair[1]]),
                      "coder_summaries": {c: summarize([e for es in found[c].values() for e in es]) for c in pair}}
            if as_json:
                return emit_json(result)
            return _print_agreement(result, as_csv)
        blind.check(project, "sequences", "codings (as episodes)", coders=[coder], reveal=reveal)
        found = project_episodes(project, coder, names, within)
        seqs = event_sequences(project, coder, names, by_role=by_role) if (lag or sdis_path) else {}
    every = [e for es in found.values() for e in es]
    result = {"coder": coder, "within": within,
              "sessions": {n: summarize(es) for n, es in found.items()}, "overall": summarize(every)}
    if list_episodes:
        result["episodes"] = [e.to_dict() for e in every]
    tables = [lag_table(seqs.values(), k) for k in range(1, (lag or 0) + 1)]
    if lag:
        result["lag"] = [t.to_dict() for t in tables]
    if sdis_path is not None:
        text, legend, several = to_sdis(seqs)
        sdis_path.write_text(text, encoding="utf-8")
        result["sdis"] = {"file": str(sdis_path), "codes": legend, "utterances_with_several_categories": several}
    if as_json:
        return emit_json(result)
    if as_csv:
        if list_episodes:
            return click.echo(_csv([_episode_row(e) for e in every], EPISODE_COLUMNS), nl=False)
        if lag:
            cells = [c for t in tables for c in t.cells()]
            return click.echo(_csv(cells, list(cells[0]) if cells else ["lag"]), nl=False)
        rows = [_summary_row(n, s) for n, s in result["sessions"].items()] + [_summary_row("overall", result["overall"])]
        return click.echo(_csv(rows, SUMMARY_COLUMNS), nl=False)
    _print_summary(result, every if list_episodes else None, tables)


def _print_summary(result: dict, episodes, tables) -> None:
    click.echo(f"Rupture-repair episodes coded by {result['coder']} (repair within {result['within']} utterances)")
    rows = [(n, s) for n, s in result["sessions"].items()] + [("overall", result["overall"])]
    width = max(len(n) for n, _ in rows)
    click.echo(f"{'session':<{width}}  ruptures  resolved  latency utt [IQR]  latency s [IQR]  repairs by      resolved by type")
    for n, s in rows:
        click.echo(f"{n:<{width}}  {s['ruptures']:>8}  {_pct(s['share_resolved']):>8}  "
                   f"{_spread(s['latency_utterances']):>17}  {_spread(s['latency_seconds'], 's'):>15}  "
                   f"{_roles(s):<14}  {_types(s)}")
    if result["overall"]["linked"]:
        click.echo(f"{result['overall']['linked']} of the {result['overall']['resolved']} resolved ruptures were "
                   "resolved by a repairs link (`accord links`), the others by the window")
    off = result["overall"]
    if off["ruptures_off_role"] or off["repairs_off_role"]:
        click.echo(f"warning: counted as coded: {off['ruptures_off_role']} rupture(s) and {off['repairs_off_role']} "
                   "repair(s) are on the turn of a role the codebook excludes for their code"
                   + ("" if episodes else " (--episodes lists them, marked !role)"))
    if episodes:
        click.echo("\nEpisodes (utterance numbers; - unresolved; linked: resolved by a repairs link; "
                   "!role: the codebook gives the code to another role):")
        for e in episodes:
            r, p = e.rupture, e.repair
            who = f"{r.speaker}" + (f" ({r.role})" if r.role else "")
            fix = (f"{p.code} at {p.first} by {p.speaker}" + (f" ({p.role})" if p.role else "")
                   + f", after {e.latency_utterances} utt" + (f" / {e.latency_seconds:g} s" if e.latency_seconds is not None else "")
                   + (" (linked)" if e.linked else "")
                   if p else "- unresolved")
            click.echo(f"  {e.transcript} {r.first}: {r.code} [{r.marker}] by {who}" + (" !role" if r.off_role else "")
                       + f" -> {fix}" + (" !role" if p and p.off_role else ""))
            for m in (r, p):
                if m is not None and m.off_role:
                    click.echo(f"      !role: {m.off_role}")
    if result.get("sdis"):
        s = result["sdis"]
        click.echo(f"\nWrote {s['file']} (SDIS event data for GSEQ; codes: "
                   + ", ".join(f"{c}={k}" for k, c in s["codes"].items()) + ")"
                   + (f"; {s['utterances_with_several_categories']} utterances with several categories kept the first"
                      if s["utterances_with_several_categories"] else ""))
    for t in tables:
        click.echo(f"\nLag {t.lag} (N = {t.total} transitions; rows given, columns target)")
        click.echo("transitional probabilities:")
        for line in _matrix(t, t.probabilities, lambda v: "-" if v != v else f"{v:.2f}"):
            click.echo("  " + line)
        click.echo("adjusted residuals z (|z| > 1.96: p < .05) / Yule's Q:")
        z, q = t.adjusted_residuals, t.yules_q
        both = [[(z[i][j], q[i][j]) for j in range(len(t.categories))] for i in range(len(t.categories))]

        def fmt(v):
            return ("-" if v[0] != v[0] else f"{v[0]:.2f}") + "/" + ("-" if v[1] != v[1] else f"{v[1]:.2f}")

        for line in _matrix(t, both, fmt):
            click.echo("  " + line)


def _print_agreement(result: dict, as_csv: bool) -> None:
    a, b = result["coders"]
    g = result["agreement"]
    if as_csv:
        rows = [{"session": n, **v} for n, v in g["transcripts"].items()]
        rows.append({"session": "overall", **{k: g[k] for k in ("matched", "only_a", "only_b", "agreement")}})
        return click.echo(_csv(rows, ["session", "matched", "only_a", "only_b", "agreement"]), nl=False)
    click.echo(f"Episodes of {a} and {b} (ruptures matched when their spans overlap; repair within {result['within']} utterances)")
    width = max([len(n) for n in g["transcripts"]] + [7])
    click.echo(f"{'session':<{width}}  matched  only {a}  only {b}  agreement")
    for n, v in list(g["transcripts"].items()) + [("overall", g)]:
        click.echo(f"{n:<{width}}  {v['matched']:>7}  {v['only_a']:>{5 + len(a)}}  {v['only_b']:>{5 + len(b)}}  "
                   f"{_pct(v['agreement']):>9}")
    if g["matched"]:
        click.echo(f"Of {g['matched']} matched episodes, {g['same_resolution']} agree on resolved or not and "
                   f"{g['same_type']} on the marker type.")
    for c in (a, b):
        s = result["coder_summaries"][c]
        click.echo(f"{c}: {s['ruptures']} ruptures, {_pct(s['share_resolved'])} resolved, latency {_spread(s['latency_utterances'])} utterances")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [sequences]
