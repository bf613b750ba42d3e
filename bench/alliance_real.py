"""The alliance codebook on real sessions: `python bench/suggest_eval.py alliance`.

Data: ../shared/corpus/alliance (23 AnnoMI sessions coded at utterance level with a manual
into five categories, an adjudicated gold file and each coder's own file) and the high-quality
sessions of ../shared/corpus/pool that nobody coded for the alliance ("ordinary" sessions, where
precision has to hold). Read here, never copied into the project; skipped with a message when
absent.

accord's codes are counted as the category of their nearest listed ancestor (the codebook
hierarchy): Withdrawal rupture, Confrontation rupture, Repair, Power dynamics, Real relationship
(`accord.suggest.evaluate.group_by`). Every figure is at utterance level.

Conditions:
- rules: the shipped codebook alone, no model, no coding of any session.
- model, both: the model trained in cross-validation grouped by session on the other
  sessions' gold, through the library path of `accord codings import` (the coding table reader
  and `Project.import_codings`) and `accord train --for` (`service.train`), one coder per fold,
  so each held-out session is suggested by a model that never saw it. The gold categories are
  imported as the five codes above.
- first ten: a coder's first ten suggestions per session, in text order (the coding screen's
  default) and uncertain-first order (`accord.suggest.review.review_order`), from the suggestions
  stored for that fold's coder, as the coding screen shows them.

The rules were written reading only the DEV sessions' transcripts and gold; the figures on the
other eleven ("held") are on sessions nobody looked at while writing a rule.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
ALLIANCE = CORPUS / "alliance"
POOL = CORPUS / "pool"
CATEGORIES = {"rupture/withdrawal": "Withdrawal rupture", "rupture/confrontation": "Confrontation rupture",
              "repair": "Repair", "power dynamics": "Power dynamics", "real relationship": "Real relationship"}
GROUPS = list(CATEGORIES.values())
SHORT = {"Withdrawal rupture": "withdrawal", "Confrontation rupture": "confrontation", "Repair": "repair",
         "Power dynamics": "power dynamics", "Real relationship": "real relationship"}
CLIENT_ONLY = {"Withdrawal rupture", "Confrontation rupture"}  # the manual: client utterances
# The sessions the rules were written on: drawn before any transcript was read (random.Random(12)
# shuffled the 17 low- and the 6 high-quality sessions; the first 9 and 3 were taken). The other
# eleven were not read while writing rules.
DEV = frozenset({7, 9, 10, 17, 27, 33, 57, 67, 69, 92, 102, 106})
BACKCHANNEL = re.compile(
    r"^(?:(?:yeah|yes|yep|yup|okay|ok|mm-?hmm|mhm|mm|hmm|uh-huh|um-hum|right|sure|alright|all right|"
    r"no|nope|uh|um|oh|ah|i see|got it|true|exactly|definitely|absolutely)[\s,.!?…-]*)+$", re.I)


def available() -> bool:
    return (ALLIANCE / "gold.csv").is_file() and (POOL / "transcripts").is_dir()


def name(tid) -> str:
    return f"annomi_{int(tid):03d}"


def read_rows(path: Path) -> list[dict]:
    return [{"transcript": name(r["transcript_id"]), "id": int(r["transcript_id"]), "line": int(r["line"]),
             "code": CATEGORIES[r["code"]], "start": int(r["start"]), "end": int(r["end"])}
            for r in csv.DictReader(open(path, encoding="utf-8"))]


def session_ids() -> list[int]:
    return [int(r["transcript_id"]) for r in csv.DictReader(open(ALLIANCE / "index.csv", encoding="utf-8"))]


def ordinary_ids() -> list[int]:
    """High-quality pool sessions outside the alliance gold."""
    coded = set(session_ids())
    return [int(r["transcript_id"]) for r in csv.DictReader(open(POOL / "index.csv", encoding="utf-8"))
            if r["mi_quality"] == "high" and int(r["transcript_id"]) not in coded]


def build(folder: Path, *, ordinary: bool = True):
    """A project with the alliance codebook, the 23 sessions and (optionally) the ordinary ones."""
    from accord.codebook import load_codebook
    from accord.store import Project
    from accord.transcripts import read_transcript

    project = Project.create(folder / "alliance.db")
    project.load_codebook(load_codebook(ROOT / "codebooks" / "alliance.yaml"))
    for tid in session_ids() + (ordinary_ids() if ordinary else []):
        project.import_transcript(read_transcript(POOL / "transcripts" / f"{name(tid)}.txt"))
    return project


def is_backchannel(text: str) -> bool:
    return bool(BACKCHANNEL.match(text.strip()))


class Scorer:
    """Utterance-level figures per category, from suggestion items (anything with code/start/end)."""

    def __init__(self, project, analyses: dict, gold: list[dict]):
        from accord.suggest.evaluate import group_by

        self.project = project
        self.analyses = analyses
        self.groups = group_by(project.codebook(), GROUPS)
        self.gold_units = defaultdict(set)  # (transcript, utterance index) -> categories
        for r in gold:
            for i in self.overlapping(r["transcript"], r["start"], r["end"]):
                self.gold_units[(r["transcript"], i)].add(r["code"])
        self.texts = {}

    def overlapping(self, t: str, start: int, end: int) -> list[int]:
        return [i for i, a in enumerate(self.analyses[t]) if a.start < end and a.end > start]

    def text(self, t: str, i: int) -> str:
        if t not in self.texts:
            self.texts[t] = self.project.transcript(t).text
        a = self.analyses[t][i]
        return self.texts[t][a.start:a.end]

    def right(self, t: str, item) -> bool:
        g = self.groups.get(item.code)
        return g is not None and any(g in self.gold_units.get((t, i), ()) for i in self.overlapping(t, item.start, item.end))

    def table(self, items: dict[str, list], names: list[str]) -> dict:
        from accord.suggest.evaluate import count_units

        counts = {g: [0, 0, 0] for g in GROUPS}
        for t in names:
            pred = {(i, self.groups[it.code]) for it in items.get(t, []) if it.code in self.groups
                    for i in self.overlapping(t, it.start, it.end)}
            gold = {(i, g) for (tt, i), gs in self.gold_units.items() if tt == t for g in gs}
            for g in GROUPS:
                count_units(counts, g, {i for i, c in pred if c == g}, {i for i, c in gold if c == g})
        out = {}
        for g, (tp, fp, fn) in counts.items():
            p = tp / (tp + fp) if tp + fp else None
            r = tp / (tp + fn) if tp + fn else None
            f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
            out[SHORT[g]] = {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn, "suggested": tp + fp}
        n = sum(len(items.get(t, [])) for t in names)
        ok = sum(self.right(t, it) for t in names for it in items.get(t, []))
        by_code = defaultdict(lambda: [0, 0])  # accord code -> [suggested, right]
        for t in names:
            for it in items.get(t, []):
                by_code[it.code][0] += 1
                by_code[it.code][1] += self.right(t, it)
        out["all suggestions"] = {"suggestions": n, "right": ok, "precision": ok / n if n else None,
                                  "per session": n / len(names) if names else 0.0,
                                  "by code": dict(sorted(by_code.items(), key=lambda kv: -kv[1][0]))}
        return out

    def checks(self, items: dict[str, list], names: list[str]) -> dict:
        """Backchannels suggested as withdrawal; client-only categories on a therapist's turn."""
        back, role = 0, 0
        for t in names:
            for it in items.get(t, []):
                g = self.groups.get(it.code)
                for i in self.overlapping(t, it.start, it.end):
                    if g == "Withdrawal rupture" and is_backchannel(self.text(t, i)):
                        back += 1
                    if g in CLIENT_ONLY and self.analyses[t][i].role == "therapist":
                        role += 1
        return {"backchannel withdrawal": back, "client code on therapist turn": role}


def first_ten(scorer: Scorer, ordered: dict[str, list], names: list[str], k: int = 10) -> dict:
    shown = right = 0
    per = []
    for t in names:
        head = ordered.get(t, [])[:k]
        ok = sum(scorer.right(t, s) for s in head)
        shown += len(head)
        right += ok
        per.append((t, len(head), ok))
    with_any = [p for p in per if p[1]]
    return {"sessions": len(names), "with suggestions": len(with_any), "shown": shown, "right": right,
            "precision": right / shown if shown else None,
            "mean right": sum(p[2] for p in with_any) / len(with_any) if with_any else None,
            "sessions with 6+ right of 10": sum(p[2] >= 6 for p in per),
            "sessions with 10 shown": sum(p[1] == 10 for p in per),
            "per session": per}


def coder_ceiling(gold: list[dict]) -> dict:
    """Each coder against the gold, per category, at utterance level (transcript line)."""
    g = {(r["id"], r["line"], r["code"]) for r in gold}
    out = {}
    for who in ("coder_a", "coder_b"):
        c = {(r["id"], r["line"], r["code"]) for r in read_rows(ALLIANCE / f"{who}.csv")}
        out[who] = {}
        for cat in GROUPS:
            p = {x for x in c if x[2] == cat}
            q = {x for x in g if x[2] == cat}
            tp = len(p & q)
            pr = tp / len(p) if p else None
            rc = tp / len(q) if q else None
            out[who][SHORT[cat]] = {"precision": pr, "recall": rc, "f1": 2 * pr * rc / (pr + rc) if pr and rc else 0.0}
    return out


def import_gold(project, rows: list[dict], coder: str, folder: Path) -> int:
    """The gold of `rows` as `coder`'s codings, through the reader `accord codings import` uses."""
    from accord.coding_table import read_coding_table

    path = folder / f"{coder}.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["transcript", "code", "start", "end"])
        for r in rows:
            w.writerow([r["transcript"], r["code"], r["start"], r["end"]])
    names = {r["transcript"] for r in rows}
    table = read_coding_table(path, {n: project.transcript(n) for n in names}, {c.name for c in project.codebook().codes})
    return project.import_codings(table, coder)


def fold_of(ids: list[int], folds: int | None) -> dict[int, int]:
    """Sessions to folds; None: leave one session out. Otherwise sessions sorted by gold count
    dealt round robin, so every fold holds some of the heavily coded sessions."""
    if not folds or folds >= len(ids):
        return {t: k for k, t in enumerate(sorted(ids))}
    counts = Counter(r["id"] for r in read_rows(ALLIANCE / "gold.csv"))
    ranked = sorted(ids, key=lambda t: (-counts[t], t))
    return {t: k % folds for k, t in enumerate(ranked)}


def run(folder: Path, *, folds: int | None = None, model: bool = True, ordinary: bool = True, log=print) -> dict:
    from accord.suggest import service
    from accord.suggest.analysis import analyze
    from accord.suggest.pipeline import build_pipeline
    from accord.suggest.review import review_order
    from accord.suggest.suggester import suggest_analyses

    t0 = time.perf_counter()
    project = build(folder, ordinary=ordinary)
    book = project.codebook()
    gold = read_rows(ALLIANCE / "gold.csv")
    ids = session_ids()
    names = [name(t) for t in ids]
    others = [name(t) for t in ordinary_ids()] if ordinary else []
    quality = {int(r["transcript_id"]): r["mi_quality"] for r in csv.DictReader(open(ALLIANCE / "index.csv", encoding="utf-8"))}
    rules = build_pipeline(book)
    analyses = {n: analyze(rules.nlp, project.transcript(n)) for n in names + others}
    scorer = Scorer(project, analyses, gold)
    log(f"project and analyses in {time.perf_counter() - t0:.1f}s: {len(names)} coded sessions, {len(others)} ordinary")
    splits = {"all": names, "dev": [name(t) for t in ids if t in DEV], "held": [name(t) for t in ids if t not in DEV]}
    hq = [name(t) for t in ids if quality[t] == "high"]
    items = {"rules": {n: suggest_analyses(rules, n, analyses[n], use_model=False) for n in names + others}}
    project.ensure_coder("rules")
    service.store_suggestions(project, rules, {n: items["rules"][n] for n in names}, needs_save=False, coder="rules")
    stored = {"rules": {n: project.suggestions(transcript=n, coder="rules") for n in names}}
    order = {("rules", "text"): stored["rules"],
             ("rules", "uncertain"): {n: review_order(project, stored["rules"][n], "uncertain", coder="rules") for n in names},
             ("rules", "likely"): {n: review_order(project, stored["rules"][n], "likely", coder="rules") for n in names}}
    result = {"folds": "leave one session out" if not folds or folds >= len(ids) else f"{folds} grouped by session",
              "dev sessions": sorted(DEV)}
    if model:
        items["model"], items["both"] = {}, {}
        stored["both"] = {}
        fold = fold_of(ids, folds)
        for k in sorted(set(fold.values())):
            t1 = time.perf_counter()
            test = [name(t) for t in ids if fold[t] == k]
            coder = f"cv{k}"
            n_imported = import_gold(project, [r for r in gold if fold[r["id"]] != k], coder, folder)
            pipeline, report = service.train(project, personal=coder)
            for n in test:
                items["model"][n] = suggest_analyses(pipeline, n, analyses[n], use_rules=False)
                items["both"][n] = suggest_analyses(pipeline, n, analyses[n])
            service.store_suggestions(project, pipeline, {n: items["both"][n] for n in test}, needs_save=False, coder=coder)
            for n in test:
                stored["both"][n] = project.suggestions(transcript=n, coder=coder)
                order[("both", "uncertain")] = order.get(("both", "uncertain"), {})
                order[("both", "uncertain")][n] = review_order(project, stored["both"][n], "uncertain", coder=coder)
                order.setdefault(("both", "likely"), {})[n] = review_order(project, stored["both"][n], "likely", coder=coder)
            shown = ", ".join(f"{SHORT[g]} {report['thresholds'][g]:.2f}" for g in GROUPS if g in report["thresholds"])
            log(f"fold {k}: trained on {n_imported} gold codings, {len(test)} session(s) held out "
                f"({time.perf_counter() - t1:.1f}s); thresholds {shown}")
        order[("both", "text")] = stored["both"]
        if ordinary:
            import_gold(project, gold, "gold", folder)
            pipeline, _ = service.train(project, personal="gold")
            for n in others:
                items["model"][n] = suggest_analyses(pipeline, n, analyses[n], use_rules=False)
                items["both"][n] = suggest_analyses(pipeline, n, analyses[n])
    for cond, by in items.items():
        result[cond] = {split: scorer.table(by, ns) for split, ns in splits.items()}
        result[cond]["checks"] = scorer.checks(by, names + others)
        per_ord = [len(by.get(n, [])) for n in others]
        result[cond]["ordinary"] = {"sessions": len(others), "suggestions": sum(per_ord),
                                    "per session": sum(per_ord) / len(others) if others else None,
                                    "max": max(per_ord, default=0),
                                    "sessions without any": sum(1 for x in per_ord if not x),
                                    "per 1000 words": 1000 * sum(per_ord) / max(1, sum(len(project.transcript(n).text.split()) for n in others))}
        result[cond]["high-quality coded"] = {"sessions": len(hq), "suggestions": sum(len(by.get(n, [])) for n in hq),
                                              "right": sum(scorer.right(n, it) for n in hq for it in by.get(n, [])),
                                              "gold codings": sum(1 for r in gold if r["transcript"] in hq)}
    result["first ten"] = {f"{c} / {o}": {split: first_ten(scorer, by, ns) for split, ns in splits.items()}
                           for (c, o), by in order.items()}
    result["coders"] = coder_ceiling(gold)
    result["gold"] = {SHORT[g]: len({(r["transcript"], i) for r in gold if r["code"] == g
                                     for i in scorer.overlapping(r["transcript"], r["start"], r["end"])}) for g in GROUPS}
    result["seconds"] = round(time.perf_counter() - t0, 1)
    project.close()
    return result


def _f(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def print_tables(res: dict, sessions: str = "all") -> None:
    splits = ["all", "dev", "held"] if sessions == "all" else [sessions]
    conds = [c for c in ("rules", "model", "both") if c in res]
    cats = [SHORT[g] for g in GROUPS]
    for split in splits:
        what = {"all": "all 23 sessions", "dev": "the 12 sessions the rules were written on",
                "held": "the 11 sessions not read while writing rules"}[split]
        print(f"\n### Per category, utterance level: {what} (model: {res['folds']})\n")
        print("| category (gold) | " + " | ".join(f"{c} P / R / F1 (n)" for c in conds) + " |")
        print("|---|" + "---|" * len(conds))
        for cat in cats:
            cells = []
            for c in conds:
                r = res[c][split][cat]
                cells.append(f"{_f(r['precision'])} / {_f(r['recall'])} / {_f(r['f1'])} ({r['suggested']})")
            n = res[conds[0]][split][cat]["tp"] + res[conds[0]][split][cat]["fn"]
            print(f"| {cat} ({n}) | " + " | ".join(cells) + " |")
        cells = [f"{_f(res[c][split]['all suggestions']['precision'])} of {res[c][split]['all suggestions']['suggestions']} "
                 f"({res[c][split]['all suggestions']['per session']:.1f}/session)" for c in conds]
        print("| precision over all suggestions | " + " | ".join(cells) + " |")
    if "both" in res:
        by = res["both"][splits[0]]["all suggestions"]["by code"]
        print(f"\nSuggested (right) per code, both, {splits[0]}: "
              + ", ".join(f"{c} {n} ({ok})" for c, (n, ok) in by.items()))
    print("\n### A coder's first 10 suggestions per session\n")
    print("| condition / order | " + " | ".join(f"{s}: right of shown (mean right; sessions 6+ right)" for s in splits) + " |")
    print("|---|" + "---|" * len(splits))
    for key, by in res["first ten"].items():
        cells = [f"{by[s]['right']} of {by[s]['shown']} ({_f(by[s]['mean right'])}; {by[s]['sessions with 6+ right of 10']} of {by[s]['sessions']})"
                 for s in splits]
        print(f"| {key} | " + " | ".join(cells) + " |")
    print("\n### Suggestions where there is little to find, and mistakes the manual rules out\n")
    print("| | " + " | ".join(conds) + " |")
    print("|---|" + "---|" * len(conds))
    h = res[conds[0]]["high-quality coded"]
    print(f"| the {h['sessions']} high-quality coded sessions ({h['gold codings']} gold codings): suggestions (right) | "
          + " | ".join(f"{res[c]['high-quality coded']['suggestions']} ({res[c]['high-quality coded']['right']})" for c in conds) + " |")
    o = res[conds[0]]["ordinary"]
    if o["sessions"]:
        print(f"| {o['sessions']} ordinary high-quality sessions: suggestions per session (max; sessions with none) | "
              + " | ".join(f"{res[c]['ordinary']['per session']:.2f} ({res[c]['ordinary']['max']}; {res[c]['ordinary']['sessions without any']})" for c in conds) + " |")
        print("| same, per 1,000 words | " + " | ".join(f"{res[c]['ordinary']['per 1000 words']:.2f}" for c in conds) + " |")
    print("| backchannels suggested as withdrawal | " + " | ".join(str(res[c]["checks"]["backchannel withdrawal"]) for c in conds) + " |")
    print("| withdrawal/confrontation on a therapist's turn | " + " | ".join(str(res[c]["checks"]["client code on therapist turn"]) for c in conds) + " |")
    print("\n### The coders against the gold (the ceiling)\n")
    print("| category (gold utterances) | coder a P / R / F1 | coder b P / R / F1 |")
    print("|---|---|---|")
    for cat in cats:
        a, b = res["coders"]["coder_a"][cat], res["coders"]["coder_b"][cat]
        print(f"| {cat} ({res['gold'][cat]}) | {_f(a['precision'])} / {_f(a['recall'])} / {_f(a['f1'])} | "
              f"{_f(b['precision'])} / {_f(b['recall'])} / {_f(b['f1'])} |")
    print(f"\n({res['seconds']}s)")


def main(*, folds: int | None = None, sessions: str = "all", json_path: Path | None = None, model: bool = True) -> int:
    if not available():
        print(f"skipped: {ALLIANCE} or {POOL} not found (the shared alliance coding of AnnoMI sessions)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        res = run(Path(tmp), folds=folds, model=model, log=lambda s: print("  " + s, file=sys.stderr, flush=True))
    print_tables(res, sessions)
    if json_path:
        json_path.write_text(json.dumps(res, indent=1, default=str))
    return 0


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=0)
    ap.add_argument("--sessions", choices=["all", "dev", "held"], default="all")
    ap.add_argument("--rules-only", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main(folds=a.folds or None, sessions=a.sessions, json_path=a.json, model=not a.rules_only))
