"""Learning curves of accord's suggestions against expert coding, with a TF-IDF baseline.

    python bench/suggest_eval.py mi [--seeds 3] [--family therapist|client|both] [--corrects]
    python bench/suggest_eval.py alliance [--folds 23] [--sessions all|dev|held]
    python bench/suggest_eval.py alliance --samples [--seeds 3]

`mi` uses the 123 AnnoMI sessions in ../shared/corpus/pool with codebooks/mi.yaml (skipped
with a message when the corpus is absent). Builds a throwaway project in a temporary folder,
runs `accord.suggest.simulate` and prints per-checkpoint macro-F1 and kappa for accord and the
baseline, averaged over seeds. Needs scikit-learn for the baseline.

`alliance` measures the alliance codebook on 23 real sessions coded with a manual
(../shared/corpus/alliance, see `alliance_real.py`): per category precision, recall and F1 at
utterance level for rules only, model only and both, the model trained in cross-validation
grouped by session; suggestions per session; a coder's first ten; suggestions on ordinary
high-quality sessions; the two coders against the gold. `alliance --samples` is the earlier
learning curve on the shipped sample sessions and their reference coding.

Below each curve, two references trained on the baseline's random utterances with their full
gold labels rather than a simulated coder's accept/reject decisions: accord's own model, and
the baseline tuned for this data (`tuned_baseline`). They show how much of the gap to a goal
is the information in a decision and how much the model.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT.parent / "shared" / "corpus" / "pool"
MI = {"reflection": "Reflection", "question": "Question", "therapist_input": "Therapist input",
      "other": "Other (therapist)", "change": "Change talk", "neutral": "Neutral talk", "sustain": "Sustain talk"}
FAMILIES = {"therapist": ["Reflection", "Question", "Therapist input", "Other (therapist)"],
            "client": ["Change talk", "Neutral talk", "Sustain talk"]}


def build_mi(folder: Path):
    from accord.codebook import load_codebook
    from accord.store import Project
    from accord.transcripts import read_transcript

    project = Project.create(folder / "mi.db")
    project.load_codebook(load_codebook(ROOT / "codebooks" / "mi.yaml"))
    for path in sorted((POOL / "transcripts").glob("*.txt")):
        project.import_transcript(read_transcript(path))
    rows = [{"transcript": f"annomi_{int(r['transcript_id']):03d}", "code": MI[r["code"]],
             "start": int(r["text_start"]), "end": int(r["text_end"])}
            for r in csv.DictReader(open(POOL / "gold.csv", encoding="utf-8"))]
    return project, rows


def build_alliance(folder: Path):
    from accord.demo import build_demo
    from accord.store import Project

    build_demo(folder / "demo.db")
    project = Project.open(folder / "demo.db")
    rows = [{"transcript": k.transcript, "code": k.code, "start": k.start, "end": k.end}
            for k in project.codings(coder="reference")]
    return project, rows


def report(title, summary, codes):
    print(f"\n## {title}")
    print(f"{'decisions':>9} | {'accord F1':>9} {'kappa':>6} | {'baseline F1':>11} {'kappa':>6} | per-code F1 accord / baseline")
    for row in summary:
        a, b = row.get("accord"), row.get("baseline")
        per = "  ".join(f"{c}: {a['per_code'][c]:.2f}/{b['per_code'][c]:.2f}" if b else f"{c}: {a['per_code'][c]:.2f}" for c in codes)
        print(f"{row['decisions']!s:>9} | {a['macro_f1']:.3f}±{a['macro_f1_sd']:.2f} {a['kappa']:.3f} | "
              + (f"{b['macro_f1']:.3f}±{b['macro_f1_sd']:.2f} {b['kappa']:.3f}" if b else f"{'-':>11} {'-':>6}") + f" | {per}")
    if any("labels" in row for row in summary):
        print("\nReferences on the same random utterances as the baseline, fully labelled (not a simulated coder):")
        print(f"{'labels':>9} | {'accord F1':>9} {'kappa':>6} | {'tuned F1':>11} {'kappa':>6}")
        for row in summary:
            if "labels" not in row:
                continue
            a, t = row["labels"], row.get("tuned")
            print(f"{row['decisions']!s:>9} | {a['macro_f1']:.3f}±{a['macro_f1_sd']:.2f} {a['kappa']:.3f} | "
                  + (f"{t['macro_f1']:.3f}±{t['macro_f1_sd']:.2f} {t['kappa']:.3f}" if t else f"{'-':>11} {'-':>6}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", choices=["mi", "alliance"])
    ap.add_argument("--samples", action="store_true", help="alliance: the shipped sample sessions' learning curve")
    ap.add_argument("--folds", type=int, default=0,
                    help="alliance: folds grouped by session (default: leave one session out)")
    ap.add_argument("--sessions", choices=["all", "dev", "held"], default="all",
                    help="alliance: also report on the rule-writing split's sessions (dev) or the others (held)")
    ap.add_argument("--json", type=Path, help="alliance: also write the figures to this JSON file")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--family", choices=["therapist", "client", "both"], default="both")
    ap.add_argument("--order", default="uncertain", choices=["uncertain", "document", "random"])
    ap.add_argument("--corrects", action="store_true",
                    help="the simulated coder names the right code when she rejects (R in the coding screen)")
    ap.add_argument("--min-precision", type=float,
                    help="mi: give the codebook this `min_precision` (the precision gate of codebooks/alliance.yaml)")
    ap.add_argument("--review-queue", action="store_true",
                    help="the uncertain-first queue also asks about the model's candidates above its recall-first "
                         "review thresholds (with --min-precision)")
    ap.add_argument("--no-references", action="store_true",
                    help="skip accord and a tuned baseline trained on fully labelled random utterances")
    args = ap.parse_args()
    from accord.suggest.pipeline import build_pipeline
    from accord.suggest.simulate import simulate, summarise

    if args.data == "alliance" and not args.samples:
        import alliance_real

        return alliance_real.main(folds=args.folds or None, sessions=args.sessions, json_path=args.json)
    if args.data == "mi" and not POOL.is_dir():
        print(f"skipped: {POOL} not found (the shared AnnoMI corpus)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        project, rows = (build_mi if args.data == "mi" else build_alliance)(Path(tmp))
        book = project.codebook()
        if args.min_precision is not None:
            import dataclasses

            book = dataclasses.replace(book, min_precision=args.min_precision)
        print(f"project built in {time.perf_counter() - started:.1f}s: {len(rows)} gold codings")
        if args.data == "mi":
            groups = [args.family] if args.family != "both" else ["therapist", "client"]
            sets = [(g, FAMILIES[g]) for g in groups]
        else:
            used = sorted({r["code"] for r in rows})
            sets = [("alliance (all codes used in the reference)", used)]
        for title, codes in sets:
            t0 = time.perf_counter()
            results = simulate(project, lambda: build_pipeline(book), rows, codes, seeds=range(args.seeds),
                               order=args.order, references=not args.no_references, corrects=args.corrects,
                               codebook=book, review=args.review_queue,
                               log=lambda s: print("  " + s, file=sys.stderr, flush=True))
            who = ", a coder who corrects" if args.corrects else ""
            who += f", min_precision {args.min_precision}" if args.min_precision is not None else ""
            who += ", review queue" if args.review_queue else ""
            report(f"{args.data} {title}: {args.seeds} seeds, order {args.order}{who} ({time.perf_counter() - t0:.0f}s)",
                   summarise(results, codes), codes)
        project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
