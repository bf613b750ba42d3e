"""Does coding the start of a session help with the rest? `python bench/alliance_warm.py`.

The way a coder meets a new session: a model trained on other sessions' coding suggests, she
codes the first part by hand, presses `T` (her own model retrains on her decisions) and goes
on. This bench plays that on ../shared/corpus/alliance, leave one session out: for each
session, the other 22 sessions' gold is imported as the coder's (`accord codings import`), and
the session's own gold up to a cut (the first third, or half, of its utterances) is applied
by hand with the coding screen's review progress saved up to the cut, so the trainer counts
what she left uncoded there as "none of these codes" and nothing beyond it. Both models then
suggest (rules and model, as `accord suggest` does) and only the rest of the session, after
the cut, is scored at utterance level, against the same model without the warm start.

Skipped when the corpus is absent.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import alliance_real as A  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--share", type=float, default=1 / 3, help="the part of each session coded by hand first")
    args = ap.parse_args()
    if not A.available():
        print(f"skipped: {A.ALLIANCE} or {A.POOL} not found (the shared alliance corpus)")
        return 0
    from accord.suggest import service
    from accord.suggest.analysis import analyze
    from accord.suggest.pipeline import build_pipeline
    from accord.suggest.suggester import suggest_analyses

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = A.build(folder, ordinary=False)
        gold = A.read_rows(A.ALLIANCE / "gold.csv")
        ids = A.session_ids()
        rules = build_pipeline(project.codebook())
        analyses = {A.name(t): analyze(rules.nlp, project.transcript(A.name(t))) for t in ids}
        cut = {n: a[max(1, round(len(a) * args.share)) - 1] for n, a in analyses.items()}  # last utterance coded first
        rest_gold = [r for r in gold if r["start"] >= cut[r["transcript"]].end]
        scorer = A.Scorer(project, analyses, rest_gold)
        items: dict[str, dict[str, list]] = {"cold": {}, "warm": {}}
        for k, t in enumerate(ids):
            n = A.name(t)
            others = [r for r in gold if r["id"] != t]
            for cond in ("cold", "warm"):
                coder = f"{cond}{k}"
                A.import_gold(project, others, coder, folder)
                if cond == "warm":
                    for r in gold:
                        if r["id"] == t and r["end"] <= cut[n].end:
                            project.apply_code(n, r["code"], coder, r["start"], r["end"])
                    project.save_reviewed(n, coder, {a.number for a in analyses[n] if a.end <= cut[n].end})
                pipeline, _ = service.train(project, personal=coder)
                items[cond][n] = [s for s in suggest_analyses(pipeline, n, analyses[n]) if s.start >= cut[n].end]
            print(f"  {n}: cut after utterance {cut[n].number} of {len(analyses[n])}", file=sys.stderr, flush=True)
        splits = {"all 23": [A.name(t) for t in ids], "11 held-out": [A.name(t) for t in ids if t not in A.DEV]}
        print(f"\n### The rest of each session after the first {args.share:.0%} was coded by hand "
              f"(rules and model; P / R / F1 (suggestions))\n")
        print("| sessions | category (gold after the cut) | other sessions only | + the session's start |")
        print("|---|---|---|---|")
        for label, names in splits.items():
            tables = {cond: scorer.table(items[cond], names) for cond in items}
            for g in A.GROUPS:
                short = A.SHORT[g]
                gold_n = sum(1 for (tt, _), gs in scorer.gold_units.items() if tt in names and g in gs)
                cells = [tables[c][short] for c in ("cold", "warm")]
                print(f"| {label} | {short} ({gold_n}) | " + " | ".join(
                    f"{A._f(c['precision'])} / {A._f(c['recall'])} / {A._f(c['f1'])} ({c['suggested']})" for c in cells) + " |")
            alls = [tables[c]["all suggestions"] for c in ("cold", "warm")]
            print(f"| {label} | right of all suggestions | " + " | ".join(
                f"{a['right']} of {a['suggestions']}" for a in alls) + " |")
        project.close()
    print(f"\n({time.perf_counter() - t0:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
