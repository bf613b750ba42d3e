"""`accord suggest`, `train`, `evaluate`, `simulate` and `suggestions`: the suggestion commands."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path

import click

from ..errors import AccordError, InputError
from ..names import no_such_code
from .common import NAMES, emit_json, json_option, open_project, project_option, reveal_option


def _pct(x) -> str:
    return "   -" if x is None else f"{x:.2f}"


@click.command()
@project_option
@click.argument("transcripts", nargs=-1)
@click.option("--codes", type=NAMES, help="Only these codes (comma-separated names).")
@click.option("--workers", type=click.IntRange(1, 8), default=1, show_default=True, help="Worker processes.")
@click.option("--rebuild", is_flag=True, help="Rebuild the rules from the codebook, dropping the saved model.")
@click.option("--for", "for_coder", metavar="CODER",
              help="This coder's own suggestions, from their own model (see `accord train --for`); nobody else sees them.")
@click.option("--coder", "viewer", metavar="NAME",
              help="Blind mode: who is asking; the summary says how many suggestions NAME has still to decide.")
@json_option
def suggest(project_path: Path, transcripts, codes, workers, rebuild, for_coder, viewer, as_json):
    """Suggest codes for transcripts (all of them by default) from the codebook's rules and
    the model trained on coders' decisions.

    Re-running replaces the pending suggestions; suggestions a coder has decided on are kept.
    The summary counts the suggestions made: how many are to decide and how many had been
    decided or coded before (kept as they were). In blind mode that split would tell whether other coders have decided,
    so it is left out: give --coder NAME to hear how many NAME still has to decide (with
    --for NAME the run is NAME's own and the split is theirs).

    \b
    Examples:
      accord suggest
      accord suggest session01_cbt_panic --codes "Minimal response,Denial"
      accord suggest --coder alice               # blind mode: how many alice has to decide
      accord suggest --for alice
    """
    from .. import blind
    from ..suggest import service

    with open_project(project_path) as project:
        book = service._codebook(project)
        if for_coder:
            project.coder_id(for_coder)  # a clear error for an unknown coder
        pipeline, needs_save = service.load_pipeline(project, rebuild=rebuild, coder=for_coder)
        chosen = service.check_codes(book, codes, pipeline)
        names = list(transcripts) or [r["name"] for r in project.transcripts()]
        if not names:
            raise AccordError("the project has no transcripts yet; import some with `accord import FILE...`")
        for n in names:
            project.transcript_id(n)  # unknown names fail before anything is computed
        silent = [] if chosen else service.silent_codes(book, pipeline)
        with click.progressbar(length=len(names), label="Suggesting", file=sys.stderr, hidden=as_json) as bar:
            results = service.run_suggestions(project, names, pipeline, codes=chosen, workers=workers,
                                              progress=lambda t: bar.update(1))
        totals = service.store_suggestions(project, pipeline, results, needs_save and not for_coder, coder=for_coder)
        shown = {n: sum(1 for i in items if i.source != "probe") for n, items in results.items()}
        counts = blind.suggest_run_counts(project, totals, shown, personal=for_coder, viewer=viewer or for_coder)
    per_code = Counter()
    per_source = Counter()
    review_only = Counter()  # the model's candidates under the precision gate, for uncertain-first review
    for items in results.values():
        for i in items:
            if i.source == "probe":
                review_only[i.code] += 1
                continue
            per_code[i.code] += 1
            per_source[(i.code, i.source)] += 1
    if as_json:
        return emit_json({"version": pipeline.version, **counts, "codes": dict(per_code),
                          "review_only": dict(review_only), "not_suggestable": silent})
    click.echo(f"Pipeline {pipeline.version}" + (" (model trained on an older codebook: run `accord train`)" if pipeline.meta.get("stale") else ""))
    click.echo(f"{'code':<36} {'total':>6} {'rules':>6} {'model':>6} {'both':>6}")
    for code in [c.name for c in book.codes if per_code[c.name]]:
        click.echo(f"{code:<36} {per_code[code]:>6} {per_source[(code, 'rule')]:>6} {per_source[(code, 'model')]:>6} {per_source[(code, 'both')]:>6}")
    head = f"{counts['suggestions']} suggestions in {len(names)} transcript(s)"
    if "hidden" in counts:
        click.echo(head + (f"; {counts['pending_for_viewer']} waiting for {viewer}'s decision" if viewer else "")
                   + f" ({counts['hidden']}" + ("" if viewer else "; add --coder NAME for yours") + ")")
    else:
        whose = f"{for_coder} had" if for_coder else "a coder had"
        click.echo(f"{head}: {counts['new']} to decide, {counts['already']} that {whose} already decided or coded (kept)")
    if review_only:
        click.echo(f"{sum(review_only.values())} more asked in uncertain-first review only (the model's candidates "
                   "below the threshold the codebook's min_precision sets): "
                   + ", ".join(f"{c} {n}" for c, n in review_only.most_common()))
    if silent:
        click.echo(f"Not suggested (no examples, patterns or decisions yet): {', '.join(silent)}")


@click.command()
@project_option
@click.option("--coder", "coders", multiple=True, help="Train only on this coder's decisions (repeatable; default all).")
@click.option("--for", "for_coder", metavar="CODER",
              help="Train this coder's own model on their decisions alone; only their suggestions use it (blind coding).")
@reveal_option
@json_option
def train(project_path: Path, coders, for_coder, reveal, as_json):
    """Retrain the suggestion model from every decision, and print per-code counts and
    held-out scores (cross-validated over transcripts).

    In blind coding, a shared model trained on several coders' decisions shows each of them
    what the others decided (and its report counts their decisions per code): it is refused
    unless --reveal (logged). Train each coder's own model with --for instead.

    \b
    Examples:
      accord train
      accord train --coder alice
      accord train --for alice && accord suggest --for alice
      accord train --reveal          # blind mode, several coders: a shared model anyway, logged
    """
    from .. import blind
    from ..suggest import service

    if for_coder and coders:
        raise click.UsageError("--for trains on that coder's decisions only; leave out --coder")
    with open_project(project_path) as project:
        if not for_coder:
            learned_from = list(coders) or [c["name"] for c in project.coders() if project.decision_count(c["name"])]
            blind.check(project, "train", "decisions (counted per code, and in a shared model's suggestions)",
                        coders=learned_from, reveal=reveal, own="`accord train --for NAME`, your own model")
        pipeline, report = service.train(project, coders=list(coders) or None, personal=for_coder)
        blind = project.mode == "blind"
    if blind and not for_coder and len(report["coders"]) > 1:
        click.echo(f"Warning: the project is in blind mode and this shared model learned from "
                   f"{len(report['coders'])} coders ({', '.join(report['coders'])}): its suggestions carry each "
                   "one's decisions to the others. For blind coding, train each coder's own model instead, "
                   f"e.g. `accord train --for {report['coders'][0]}` and `accord suggest --for {report['coders'][0]}`.",
                   err=True)
    if as_json:
        return emit_json(report)
    click.echo(f"Trained {pipeline.version} on {report['utterances']} utterances from {report['transcripts']} transcript(s) "
               f"coded by {', '.join(report['coders'])} in {report['seconds']:.1f}s")
    review = report.get("review_thresholds") or {}  # with min_precision: where uncertain-first review asks
    click.echo(f"{'code':<36} {'pos':>5} {'neg':>5} {'thresh':>6} {'P':>5} {'R':>5} {'F1':>5}"
               + (f" {'review':>6}" if review else ""))
    for code, (pos, neg) in report["counts"].items():
        if not pos and not neg:
            continue
        s = report["scores"].get(code, {})
        t = report["thresholds"].get(code)
        click.echo(f"{code:<36} {pos:>5} {neg:>5} {_pct(t):>6} {_pct(s.get('precision')):>5} {_pct(s.get('recall')):>5} {_pct(s.get('f1')):>5}"
                   + (f" {_pct(review.get(code)):>6}" if review else ""))
    if review:
        click.echo("review: below its threshold, a code's candidates above this are asked in uncertain-first review "
                   "only (`accord suggestions --order uncertain`, O in the coding screen)")
    if report["exclusive"]:
        click.echo("One code per utterance (learned): " + "; ".join(", ".join(f) for f in report["exclusive"]))


def _reference(project, coder, gold):
    if gold:
        from ..coding_table import read_coding_table

        if not Path(gold).is_file():
            raise InputError(gold, "no such file")
        book = project.codebook()
        transcripts = {r["name"]: project.transcript(r["name"]) for r in project.transcripts()}
        rows = read_coding_table(gold, transcripts, {c.name for c in book.codes})
    else:
        rows = [{"transcript": k.transcript, "code": k.code, "start": k.start, "end": k.end} for k in project.codings(coder=coder)]
    return rows


@click.command()
@project_option
@click.option("--coder", help="Compare against this coder's codings.")
@click.option("--gold", type=click.Path(path_type=Path), help="Or against a coding table (CSV, as for `codings import`).")
@click.option("--codes", type=NAMES, help="Only these codes (comma-separated); default: the codes in the reference.")
@click.option("--by-root", is_flag=True, help="Count every code as its root code (the top of its branch).")
@click.option("--by", "by_codes", type=NAMES, metavar="CODES",
              help="Count every code as its nearest ancestor (or itself) among these codes (comma-separated).")
@json_option
def evaluate(project_path: Path, coder, gold, codes, by_root, by_codes, as_json):
    """Precision, recall and F1 of the suggestions against a coder (or a gold file), per code,
    at utterance level and at span level (overlap matching), with Cohen's kappa, for rules
    only, model only and both. Nothing is written.

    \b
    Examples:
      accord evaluate --coder reference
      accord evaluate --gold sample_transcripts/reference_coding_1-3.csv
      accord evaluate --coder reference --by-root
      accord evaluate --coder reference --by "Withdrawal rupture,Confrontation rupture,Repair,Power dynamics,Real relationship"
    """
    from ..suggest import service
    from ..suggest.evaluate import evaluate as run, group_by

    if bool(coder) == bool(gold):
        raise click.UsageError("give either --coder NAME or --gold FILE")
    if by_root and by_codes:
        raise click.UsageError("give --by-root or --by CODES, not both")
    with open_project(project_path) as project:
        rows = _reference(project, coder, gold)
        if not rows:
            raise AccordError("the reference has no codings to compare with")
        pipeline, _ = service.load_pipeline(project)
        names = sorted({r["transcript"] for r in rows})
        transcripts = [project.transcript(n) for n in names]
        book = project.codebook()
    groups = None
    if by_root or by_codes:
        wanted = None if by_root else by_codes
        try:
            groups = group_by(book, wanted)
        except KeyError as e:
            raise AccordError(no_such_code(str(e.args[0]), (c.name for c in book.codes))) from None
    reference = {}
    for r in rows:
        reference.setdefault(r["transcript"], []).append((r["code"], r["start"], r["end"]))
    keep = (lambda c: c) if groups is None else groups.get
    chosen = codes or sorted({keep(r["code"]) for r in rows} - {None})
    report = run(pipeline, transcripts, reference, chosen, groups=groups)
    if as_json:
        return emit_json(report)
    click.echo(f"Pipeline {pipeline.version}, {len(transcripts)} transcript(s)")
    for mode, r in report.items():
        click.echo(f"\n{mode}: {r['suggestions']} suggestions; macro-F1 utterance {r['macro_f1']['utterance']:.2f}, span {r['macro_f1']['span']:.2f}; "
                   f"mean kappa {_pct(r['mean_kappa'])}")
        click.echo(f"  {'code':<34} {'ref':>4} | {'P':>5} {'R':>5} {'F1':>5} | span {'P':>5} {'R':>5} {'F1':>5} | kappa")
        for code, c in r["codes"].items():
            u, s = c["utterance"], c["span"]
            click.echo(f"  {code:<34} {c['reference']:>4} | {u['precision']:.2f}  {u['recall']:.2f}  {u['f1']:.2f} | "
                       f"     {s['precision']:.2f}  {s['recall']:.2f}  {s['f1']:.2f} | {_pct(c['kappa'])}")


@click.command()
@project_option
@click.option("--gold", required=True, type=click.Path(path_type=Path), help="Gold coding table (CSV).")
@click.option("--codes", type=NAMES, help="Codes to learn (comma-separated); default: those in the gold file.")
@click.option("--seeds", type=click.IntRange(1, 20), default=3, show_default=True, help="Random seeds to average.")
@click.option("--holdout", type=click.FloatRange(0.05, 0.9), default=0.25, show_default=True, help="Share of transcripts held out.")
@click.option("--order", type=click.Choice(["uncertain", "document", "random"]), default="uncertain", show_default=True)
@click.option("--every", type=click.IntRange(1), default=10, show_default=True, help="Retrain every N decisions (or every quarter of those made so far, if more).")
@click.option("--checkpoints", default="50,100,200,400,1000", show_default=True, help="Decision counts to report.")
@click.option("--no-baseline", is_flag=True, help="Skip the TF-IDF baseline (it needs scikit-learn).")
@click.option("--references", is_flag=True,
              help="Also train accord and a tuned baseline on the baseline's random utterances with full labels: "
                   "how far full labels, rather than accept/reject decisions, would go.")
@click.option("--corrects", is_flag=True,
              help="The simulated coder names the right code when she rejects one (R in the coding screen).")
@json_option
def simulate(project_path: Path, gold, codes, seeds, holdout, order, every, checkpoints, no_baseline, references,
             corrects, as_json):
    """A learning curve: a simulated coder accepts or rejects suggestions as the gold coding
    says, the model retrains, and F1 and kappa on held-out transcripts are printed after each
    round, beside a TF-IDF + logistic-regression baseline trained on as many random utterances.
    The project is only read.

    \b
    Examples:
      accord simulate --gold gold.csv --codes "Reflection,Question,Therapist input,Other (therapist)"
      accord simulate --gold gold.csv --seeds 5 --references
    """
    from ..suggest.pipeline import build_pipeline
    from ..suggest.simulate import simulate as run, summarise

    try:
        points = tuple(int(x) for x in checkpoints.split(","))
    except ValueError:
        raise click.BadParameter("comma-separated whole numbers, e.g. 50,100,200") from None
    with open_project(project_path) as project:
        book = project.require_codebook()
        rows = _reference(project, None, gold)
        chosen = codes or sorted({r["code"] for r in rows})
        log = (lambda s: None) if as_json else (lambda s: click.echo("  " + s, err=True))
        results = run(project, lambda: build_pipeline(book), rows, chosen, seeds=range(seeds), holdout=holdout,
                      checkpoints=points, order=order, every=every, with_baseline=not no_baseline,
                      references=references, corrects=corrects, log=log)
    summary = summarise(results, chosen)
    if as_json:
        return emit_json({"codes": chosen, "summary": summary, "runs": results})
    click.echo(f"{'decisions':>9} | accord macro-F1  kappa | baseline macro-F1  kappa")
    for row in summary:
        a, b = row["accord"], row.get("baseline")
        click.echo(f"{row['decisions']!s:>9} | {a['macro_f1']:.3f} ±{a['macro_f1_sd']:.2f}   {a['kappa']:.3f} | "
                   + (f"{b['macro_f1']:.3f} ±{b['macro_f1_sd']:.2f}     {b['kappa']:.3f}" if b else "-"))
        click.echo("          " + ", ".join(f"{c} {a['per_code'][c]:.2f}" + (f"/{b['per_code'][c]:.2f}" if b else "") for c in chosen))
    if references:
        click.echo("\nTrained on the baseline's random utterances with full labels (not a simulated coder):")
        click.echo(f"{'labels':>9} | accord macro-F1  kappa | tuned baseline  kappa")
        for row in summary:
            a, t = row.get("labels"), row.get("tuned")
            if a is None:
                continue
            click.echo(f"{row['decisions']!s:>9} | {a['macro_f1']:.3f} ±{a['macro_f1_sd']:.2f}   {a['kappa']:.3f} | "
                       + (f"{t['macro_f1']:.3f} ±{t['macro_f1_sd']:.2f}  {t['kappa']:.3f}" if t else "-"))


@click.command("suggestions")
@project_option
@click.option("--coder", help="Only suggestions this coder has not decided yet.")
@click.option("--transcript", help="Only this transcript.")
@click.option("--order", type=click.Choice(["document", "likely", "uncertain"]), default="document", show_default=True,
              help="likely: rule and model agreeing first, then rules, then the model's by score; uncertain: rules and model disagreeing first, then scores nearest the threshold; every fourth place goes to a code with few confirmed examples; with a codebook's min_precision, uncertain also lists the model's review-only candidates below it.")
@click.option("--limit", type=int, default=50, show_default=True)
@json_option
def suggestions_list(project_path: Path, coder, transcript, order, limit, as_json):
    """List pending suggestions with why each was made.

    --json prints a list of {id, transcript, code, start, end, score, explanation,
    pipeline_version, status, text}.

    \b
    Examples:
      accord suggestions --coder alice --order uncertain --limit 20
      accord suggestions --coder alice --json | jq '.[].code'
    """
    from ..suggest.review import review_order

    with open_project(project_path) as project:
        pending = project.suggestions(transcript=transcript, coder=coder, probes=order == "uncertain")
        rows = review_order(project, pending, order, coder=coder)[:limit]
        texts = {n: project.transcript(n).text for n in {s.transcript for s in rows}}
    if as_json:
        return emit_json([dict(dataclasses.asdict(s), text=texts[s.transcript][s.start:s.end]) for s in rows])
    if not rows:
        whose = f" for {coder}" if coder else ""
        where = f" in {transcript}" if transcript else ""
        click.echo(f"No pending suggestions{whose}{where} (make new ones with accord suggest).")
    for s in rows:
        quote = texts[s.transcript][s.start:s.end].replace("\n", " ")
        quote = quote if len(quote) <= 60 else quote[:57] + "..."
        click.echo(f"{s.id:>6}  {s.transcript}  {s.code}  {s.score:.2f}  \"{quote}\"\n        {s.explanation}")


# The commands this area adds to `accord` (cli/__init__.py adds them).
COMMANDS = [suggest, train, evaluate, simulate, suggestions_list]
