"""Commands for several coders: agreement, merging copies, blind/reconciliation mode."""

from __future__ import annotations

from pathlib import Path

import click

from .common import NAMES, emit_json, json_option, open_project, project_option, reveal_option, viewer_option




@click.command()
@project_option
@click.option("--coders", type=NAMES, required=True, help="Two or more coders, comma-separated: alice,bob.")
@click.option("--unit", type=click.Choice(["utterance", "sentence", "character", "document"]), default="utterance", show_default=True,
              help="Unit of analysis: character counts spoken text only; document every character, labels and line breaks too (as NVivo's coding comparison).")
@click.option("--codes", type=NAMES, help="Only these codes, comma-separated (default: the codes any of the coders used).")
@click.option("--transcripts", type=NAMES, help="Only these transcripts, comma-separated (default: those every coder has coded or read to the end).")
@click.option("--per-transcript", is_flag=True, help="Also give the figures for each transcript.")
@click.option("--pairwise", is_flag=True, help="More than two coders: print a pairwise kappa matrix for every code.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True, help="Bootstrap resamples for alpha's interval (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the bootstrap.")
@click.option("--unitizing", type=click.Choice(["2004", "2016"]), default="2004", show_default=True, help="Definition of unitizing alpha.")
@click.option("--method", "show_method", is_flag=True, help="Print the definitions and formulas for a methods section.")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: one row per code.")
@viewer_option
@reveal_option
@click.option("--ratings", "on_ratings", is_flag=True,
              help="Agreement on the rating scales instead: six ICCs with intervals, weighted kappa, ordinal and interval alpha.")
@click.option("--scales", type=NAMES, help="With --ratings: only these rating scales, comma-separated.")
def agreement(project_path: Path, coders, unit, codes, transcripts, per_transcript, pairwise, bootstrap, seed, unitizing,
              show_method, as_json, as_csv, viewer, reveal, on_ratings, scales):
    """Inter-coder agreement per code and overall: percent agreement, Cohen's kappa (two
    coders) or Fleiss' kappa (more), Krippendorff's alpha with a bootstrap interval, and
    unitizing alpha on the spans; over all units and over the units anyone coded.

    A coder applied a code to a unit when one of their spans of that code overlaps it.

    \b
    Examples:
      accord agreement --coders alice,bob
      accord agreement --coders alice,bob --unit character --codes "Minimal response"
      accord agreement --coders a1,a2,a3 --per-transcript --csv > agreement.csv
      accord agreement --coders alice,bob --json | jq '.overall.all_units.kappa'
      accord agreement --coders alice,bob --coder alice --reveal   # still blind: logged
      accord agreement --coders alice,bob --ratings      # rating scales: ICC, weighted kappa, alpha

    Comparing coders shows each one's coding to whoever asks: in blind mode it needs --reveal
    (written to the event log), or the project switched out of blind mode.
    """
    from .. import blind
    from ..agreement.render import report_csv, report_text
    from ..agreement.report import agreement_report

    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    if on_ratings:
        return _ratings_agreement(project_path, coders or [], scales, transcripts, as_json,
                                  as_csv, viewer, reveal)
    with open_project(project_path) as project:
        blind.check(project, "agreement", "codings (as agreement figures)", coders=coders or [],
                    viewer=viewer, reveal=reveal)
        report = agreement_report(
            project,
            coders or [],
            unit=unit,
            transcripts=transcripts,
            codes=codes,
            per_transcript=per_transcript,
            bootstrap=bootstrap,
            seed=seed,
            unitizing=unitizing,
        )
    if as_json:
        return emit_json(report.to_dict())
    if as_csv:
        return click.echo(report_csv(report), nl=False)
    click.echo(report_text(report, pairwise=pairwise, method=show_method))


def _ratings_agreement(project_path, coders, scales, transcripts, as_json, as_csv, viewer, reveal):
    from .. import blind
    from ..agreement.ratings_report import ratings_agreement, ratings_csv, ratings_text

    with open_project(project_path) as project:
        blind.check(project, "agreement", "ratings (as agreement figures)", coders=coders, viewer=viewer, reveal=reveal)
        results = ratings_agreement(project, coders, scales=scales, transcripts=transcripts)
    if as_json:
        return emit_json([r.to_dict() for r in results])
    if as_csv:
        return click.echo(ratings_csv(results), nl=False)
    click.echo(ratings_text(results))


@click.command()
@project_option
@click.argument("other", type=click.Path(path_type=Path))
@json_option
def merge(project_path: Path, other: Path, as_json: bool):
    """Bring another copy's coders, codings, memos, review progress, suggestion decisions,
    ratings and links between codings into this project.

    Transcripts are matched by their text (SHA-256), codes by name. Running it twice
    changes nothing. A transcript whose text differs from the one of the same name here is
    reported and left out; one this project lacks is added. A memo or decision that differs
    here is kept as it is and counted. The other file is only read.

    \b
    Example:
      accord merge bob/accord.db --project study.db
    """
    with open_project(project_path) as project:
        result = project.merge_from(other)
    if as_json:
        return emit_json(dict(result.__dict__, added=result.added))
    if not result.changed:
        click.echo(f"Nothing new in {other}: {result.already_here} codings were already here.")
    for name, count in result.codings_added.items():
        click.echo(f"Merged {count} codings by {name!r}" + (" (new coder)" if name in result.coders_added else ""))
    for name in result.coders_added:
        if name not in result.codings_added:
            click.echo(f"Added coder {name!r} (no codings)")
    for name, count in result.memos_added.items():
        click.echo(f"Merged {count} memos by {name!r}")
    for name, count in result.reviewed_added.items():
        click.echo(f"Marked {count} more utterances as reviewed by {name!r}")
    for name, count in result.links_added.items():
        click.echo(f"Merged {count} links between codings by {name!r}")
    for relation, count in result.link_relations_missing.items():
        click.echo(f"Left out {count} links in relation {relation!r}, which this project's codebook lacks "
                   "(add it under `relations:` and merge again)")
    for name, counts in result.decisions_added.items():
        click.echo(f"Merged {sum(counts.values())} suggestion decisions by {name!r} "
                   f"({counts.get('accepted', 0)} accepted, {counts.get('rejected', 0)} rejected)")
    for name in result.transcripts_added:
        click.echo(f"Added transcript {name!r} (not in this project before)")
    for theirs, ours in result.transcripts_matched.items():
        if theirs != ours:
            click.echo(f"Matched their {theirs!r} to {ours!r} by its text")
    for name in result.transcripts_differing:
        click.echo(f"warning: not merged: transcript {name!r} has different text in {other}", err=True)
    for code, count in result.codes_missing.items():
        click.echo(f"warning: not merged: {count} codings of code {code!r}, which this project's codebook lacks", err=True)
    for code, count in result.decision_codes_missing.items():
        click.echo(f"warning: not merged: {count} suggestion decisions on code {code!r}, which this project's codebook lacks", err=True)
    if result.removed_there:
        click.echo(f"note: {result.removed_there} codings removed in {other} are still active here (left as they are)")
    if result.memo_conflicts:
        where = ", ".join(f"{m['transcript']!r} {_memo_place(m)} ({m['coder']})" for m in result.memo_conflicts[:5])
        more = f", and {len(result.memo_conflicts) - 5} more" if len(result.memo_conflicts) > 5 else ""
        click.echo(f"note: {len(result.memo_conflicts)} memos differ here and were kept as they are: {where}{more}")
    for name, count in result.ratings_added.items():
        click.echo(f"Merged {count} ratings by {name!r}")
    for scale, count in result.rating_scales_missing.items():
        click.echo(f"warning: not merged: {count} ratings on scale {scale!r}, which this project's codebook lacks", err=True)
    if result.rating_conflicts:
        click.echo(f"note: {result.rating_conflicts} segments were rated otherwise here; those ratings were kept as they are")
    v = result.variables_added
    if any(v.values()):
        click.echo(f"Merged variables: {len(v['variables'])} new ({', '.join(v['variables']) or 'none'}), "
                   f"{v['values']} values, {len(v['cases'])} new cases, {v['members']} case members")
    for name in result.variables_differing:
        click.echo(f"warning: not merged: variable {name!r} is another type (or of other owners) here", err=True)
    if result.value_conflicts:
        click.echo(f"note: {result.value_conflicts} variable values or case members differ here; ours were kept")
    if result.decision_conflicts:
        click.echo(f"note: {result.decision_conflicts} suggestions were decided otherwise here; those decisions were kept as they are")


def _memo_place(memo: dict) -> str:
    return "(whole transcript)" if memo["utterance"] is None else f"utterance {memo['utterance']}"


@click.command()
@project_option
@click.argument("mode", required=False, type=click.Choice(["blind", "reconciliation"]))
@click.option("--coder", "viewer", metavar="NAME",
              help="Who is switching (written to the event log); required to switch when the project has coders.")
@click.option("--history", is_flag=True, help="List every mode switch and every --reveal: when, who, what.")
@json_option
def mode(project_path: Path, mode: str | None, viewer: str | None, history: bool, as_json: bool):
    """Show or switch the project's mode: blind (coders see only their own codings) or
    reconciliation (everyone's codings visible, disagreements can be resolved).

    Switching says who switches (--coder NAME, required once the project has coders); the
    event log keeps the coder and the operating-system login. Leaving blind mode shows
    everyone everyone's work: it is logged as a reveal too. --history lists every switch and
    every reveal, oldest first, for an audit of blind coding (it shows who looked at whose
    work, never the work itself).

    \b
    Examples:
      accord mode
      accord mode reconciliation --coder alice
      accord mode --history
      accord mode --history --json
    """
    from .. import blind

    if history and mode:
        raise click.UsageError("--history lists the log; switch the mode in another command")
    if as_json and not history:
        raise click.UsageError("--json goes with --history")
    with open_project(project_path) as project:
        if viewer:
            project.coder_id(viewer)
        if history:
            rows = blind.history(project)
            if as_json:
                return emit_json({"mode": project.mode, "history": rows})
            return _print_history(project.mode, rows)
        if mode is None:
            click.echo(project.mode)
            return
        if viewer is None and project.coders():
            raise click.UsageError("say who is switching the mode: --coder NAME (one of "
                                   + ", ".join(c["name"] for c in project.coders()) + "); it is written to the event log")
        before = blind.switch_mode(project, mode, viewer, "mode " + mode)
    click.echo(f"Mode: {mode}" + (" (unchanged)" if before == mode else f" (was {before})"))


def _print_history(mode: str, rows: list[dict]) -> None:
    click.echo(f"Mode now: {mode}. Mode switches and reveals of other coders' work, oldest first:")
    if not rows:
        click.echo("  none yet")
    for r in rows:
        who = (r["by"] or "(no coder given)") + (f" [login {r['login']}]" if r["login"] else "")
        if r["kind"] == "mode":
            click.echo(f"  {r['at']}  mode    {r['before']} -> {r['after']}  by {who}")
        else:
            whose = ", ".join(r["coders"]) or "nobody else"
            click.echo(f"  {r['at']}  reveal  `{r['command']}` showed {r['what']} of {whose} to {who}")


@click.command()
@project_option
@click.option("--coders", type=NAMES, required=True, help="Two or more coders, comma-separated.")
@click.option("--code", help="List this code's disagreements with each coder's coded words (default: every "
              "disputed unit once, with each coder's codes).")
@click.option("--unit", type=click.Choice(["utterance", "sentence", "character"]), default="utterance", show_default=True)
@click.option("--transcripts", type=NAMES, help="Only these transcripts, comma-separated.")
@json_option
def disagreements(project_path: Path, coders, code, unit, transcripts, as_json):
    """List the units where coders differ: each unit once with the codes each coder applied
    there (and the ones they agree on), or with --code, one code's units with each coder's
    coded words.

    Only in reconciliation mode (it shows every coder's codings).

    \b
    Examples:
      accord disagreements --coders alice,bob
      accord disagreements --coders alice,bob --code "Minimal response"
    """
    if code is None:
        return _disputed_units(project_path, coders, unit, transcripts, as_json)
    from ..agreement.disagreements import disagreements as find

    with open_project(project_path) as project:
        found = find(project, coders or [], code, unit=unit, transcripts=transcripts)
        texts = {d.transcript: project.transcript(d.transcript).text for d in found}
    if as_json:
        return emit_json([dict(d.__dict__, spans={c: [s.__dict__ for s in v] for c, v in d.spans.items()}) for d in found])
    if not found:
        click.echo("No disagreements.")
        return
    for d in found:
        where = f"utterance {d.utterance}" if d.utterance else f"[{d.start}, {d.end})"
        state = f"  (decided: {d.decision})" if d.decision else ""
        click.echo(f"{d.transcript} {where}{state}")
        for coder, spans in d.spans.items():
            said = " | ".join(texts[d.transcript][s.start : s.end].replace("\n", " ") for s in spans) or "-"
            click.echo(f"    {coder}: {said if len(said) <= 100 else said[:97] + '...'}")
    click.echo(f"{len(found)} disagreement(s), {sum(d.resolved for d in found)} decided")


def _disputed_units(project_path: Path, coders, unit, transcripts, as_json):
    from ..agreement.by_unit import disputed_units

    names = coders or []
    with open_project(project_path) as project:
        units = disputed_units(project, names, unit, transcripts=transcripts)
    if as_json:
        return emit_json([
            {"transcript": x.transcript, "start": x.start, "end": x.end, "utterance": x.utterance,
             "speaker": x.speaker, "codes": {c: x.codes_of(c) for c in names}, "agreed": x.agreed,
             "consensus": x.consensus, "decision": x.decision()}
            for x in units
        ])
    if not units:
        click.echo("No disagreements.")
        return
    width = max(len(n) for n in names) + 1
    for x in units:
        where = f"utterance {x.utterance}" if x.utterance else f"[{x.start}, {x.end})"
        speaker = f" ({x.speaker})" if x.speaker else ""
        click.echo(f"{x.transcript} {where}{speaker}: {x.decision()}")
        for c in names:
            own = [d.code for d in x.disputed if d.applied.get(c)]
            click.echo(f"    {c + ':':<{width}} {', '.join(own) or '-'}")
        if x.agreed:
            click.echo(f"    {'agreed:':<{width}} {', '.join(x.agreed)}")
    per_code = sum(len(x.disputed) for x in units)
    click.echo(f"{len(units)} disputed unit(s), {sum(x.decided for x in units)} decided"
               + (f"; {per_code} counted per code, as `accord agreement` counts them (a unit disputed on "
                  "two codes counts twice)" if per_code != len(units) else ""))


@click.command()
@project_option
@click.option("--coders", type=NAMES, required=True, help="The coders being reconciled, comma-separated: alice,bob.")
@click.option("--unit", type=click.Choice(["utterance", "sentence", "character"]), default="utterance", show_default=True,
              help="The unit agreement is judged by (use the one you reconcile disagreements by).")
@click.option("--transcripts", type=NAMES, help="Only these transcripts, comma-separated (default: those every coder has coded or read to the end).")
@click.option("--codes", type=NAMES, help="Only these codes, comma-separated.")
@click.option("--dry-run", is_flag=True, help="Only say how many agreed codings would be added; change nothing.")
@json_option
def reconcile(project_path: Path, coders, unit, transcripts, codes, dry_run, as_json):
    """Start (or bring up to date) the consensus: copy every unit all the coders agree a code
    applies to into the coder "consensus", and count the disagreements left to decide.

    Running it again adds only what is new; each decision in the agreement screen does the
    same first, so the consensus always holds the agreed codings beside the decisions. Only
    in reconciliation mode. `accord undo --coder consensus` takes the seeding back.

    The coders' links between codings (`accord links`) come along once the consensus holds
    both codings of a link; links the coders drew differently are listed and left out.

    \b
    Examples:
      accord mode reconciliation && accord reconcile --coders alice,bob
      accord reconcile --coders alice,bob --dry-run       # how many agreements are not in yet
      accord reconcile --coders alice,bob --unit sentence --codes "Minimal response,Denial"
      accord export excerpts agreed.docx --consensus
    """
    from ..agreement.disagreements import disagreements_by_code
    from ..agreement.reconcile import CONSENSUS, consensus_links, seed_consensus, seed_pending
    from ..coding_refs import describe_end

    names = coders or []
    with open_project(project_path) as project:
        if dry_run:
            pending = seed_pending(project, names, unit=unit, transcripts=transcripts, codes=codes)
            if as_json:
                return emit_json({"would_add": pending})
            click.echo(f"Would add {pending} agreed coding{'s' if pending != 1 else ''} to the consensus "
                       f"(coder {CONSENSUS!r}); nothing changed.")
            return
        before = _consensus_link_ids(project)
        added = seed_consensus(project, names, unit=unit, transcripts=transcripts, codes=codes)
        found = disagreements_by_code(project, names, unit, transcripts=transcripts)
        wanted = set(codes or found)
        left = {code: sum(not d.resolved for d in ds) for code, ds in found.items() if code in wanted}
        units_left = len({(d.transcript, d.start) for code, ds in found.items() if code in wanted
                          for d in ds if not d.resolved})
        total = next((c["codings"] for c in project.coders() if c["name"] == CONSENSUS), 0)
        linked = _consensus_link_ids(project) - before
        links = consensus_links(project, names, transcripts=transcripts)
        disputed = [x for x in links if x.disputed_by]
        texts = {n: project.transcript(n) for n in {x.source.transcript for x in disputed}}
    result = {"added": added, "consensus_codings": total, "left": {c: n for c, n in left.items() if n}, "units_left": units_left,
              "links_added": len(linked), "link_disagreements": [_disputed_link(x, texts) for x in disputed]}
    if as_json:
        return emit_json(result)
    click.echo(f"Consensus: {added} agreed coding{'s' if added != 1 else ''} added "
               f"({total} codings in all, coder {CONSENSUS!r})." + ("" if added or linked else " Nothing new to add."))
    if linked:
        alone = sum(len(x.coders) == 1 for x in links if x.link_id in linked)
        click.echo(f"{len(linked)} link{'s' if len(linked) != 1 else ''} between codings carried over"
                   + (f" ({alone} drawn by one coder only)" if alone else "")
                   + f": accord links list --coder {CONSENSUS}")
    if disputed:
        click.echo(f"{len(disputed)} link{'s' if len(disputed) != 1 else ''} the coders drew differently, left out "
                   f"(to keep one: accord links add --from ID --to ID --relation NAME --coder {CONSENSUS}):")
        for x in disputed:
            t = texts[x.source.transcript]
            held = f"; in the consensus as link {x.link_id}" if x.link_id is not None else ""
            click.echo(f"    {x.source.transcript}  {describe_end(t, x.source)} {x.relation} {describe_end(t, x.target)}"
                       f"  [{', '.join(x.coders)}; {', '.join(x.disputed_by)} linked otherwise{held}]")
    n = sum(left.values())
    click.echo(f"{n} code disagreement{'s' if n != 1 else ''} left to decide"
               + (" (counted per code: " + ", ".join(f"{c} {k}" for c, k in result["left"].items())
                  + f"; {units_left} disputed unit{'s' if units_left != 1 else ''}, each one decision"
                  " in the agreement screen: `a` on the home screen)" if n else "."))


def _consensus_link_ids(project) -> set[int]:
    from ..agreement.reconcile import CONSENSUS

    return {x.id for x in project.links(coder=CONSENSUS)} if project.has_coder(CONSENSUS) else set()


def _disputed_link(x, texts) -> dict:
    """A link the coders drew differently, for --json: its ends as consensus codings."""
    from ..coding_refs import utterance_of

    t = texts[x.source.transcript]
    end = lambda c: {"coding": c.id, "code": c.code, "utterance": utterance_of(t, c.start)}  # noqa: E731
    return {"transcript": x.source.transcript, "source": end(x.source), "relation": x.relation,
            "target": end(x.target), "coders": list(x.coders), "disputed_by": list(x.disputed_by),
            "consensus_link": x.link_id}


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [agreement, merge, mode, disagreements, reconcile]
