"""`accord stats`, `accord retrieve` and `accord cooccurrence` end to end on the demo project,
each checked against an independent count in plain Python over `accord export csv` output
(the long and segments tables), or against hand-counted fixtures."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import docx
import pytest

from accord.analysis.miti import summary
from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    run("demo", "--project", path)
    return path


def table(demo, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run("export", "csv", "-", "--table", name, "--raw", "-p", demo).output)))


def stats_json(demo, *args) -> dict:
    return json.loads(run("stats", "--json", "-p", demo, *args).output)


# ------------------------------------------------------------------------------ talk


def test_turns_words_and_talk_time_match_the_long_table(demo):
    long = table(demo, "long")
    by_session = defaultdict(list)
    for r in long:
        by_session[r["transcript"]].append(r)
    expected = {}
    for name, rows in by_session.items():
        for i, r in enumerate(rows):  # an utterance lasts to its end, else to the next start
            start, end = r["time_start"], r["time_end"]
            nxt = rows[i + 1]["time_start"] if i + 1 < len(rows) else ""
            seconds = float(end) - float(start) if start and end else float(nxt) - float(start) if start and nxt else None
            e = expected.setdefault((name, r["role"] or "unknown"), {"turns": 0, "words": 0, "seconds": None})
            e["turns"] += 1
            e["words"] += int(r["words"])
            if seconds is not None:
                e["seconds"] = (e["seconds"] or 0) + seconds
    data = stats_json(demo)
    got = {(g["session"], g["group"]): g for g in data["talk"] if g["session"] != "all"}
    assert set(got) == set(expected)
    for key, e in expected.items():
        g = got[key]
        assert (g["turns"], g["words"]) == (e["turns"], e["words"])
        assert g["talk_seconds"] == (None if e["seconds"] is None else pytest.approx(e["seconds"], abs=1e-3))
        total = sum(x["words"] for k, x in expected.items() if k[0] == key[0])
        assert g["share_words"] == pytest.approx(e["words"] / total, abs=1e-4)
    sessions = {s["session"]: s for s in data["sessions"]}
    s1 = [e for k, e in expected.items() if k[0] == "session01_cbt_panic"]
    ratio = expected[("session01_cbt_panic", "therapist")]["words"] / expected[("session01_cbt_panic", "client")]["words"]
    assert sessions["session01_cbt_panic"]["practitioner_client_ratio"] == pytest.approx(ratio, abs=1e-4)
    assert sessions["session01_cbt_panic"]["words"] == sum(e["words"] for e in s1)
    assert sessions["session02_fees_rupture"]["practitioner_client_ratio"] is None  # Sam has no role
    assert sessions["session04_withdrawal_repair"]["seconds"] is None  # no times in the transcript
    assert sessions["all"]["words"] == 13627 and sessions["all"]["utterances"] == 587


def test_by_speaker_and_by_session(demo):
    data = stats_json(demo, "--by", "speaker", "session02_fees_rupture")
    rows = {g["group"]: g for g in data["talk"] if g["session"] == "session02_fees_rupture"}
    assert set(rows) == {"Dr. Okafor", "Sam"} and rows["Dr. Okafor"]["role"] == "therapist"
    assert rows["Sam"]["role"] == "unknown" and rows["Sam"]["turns"] + rows["Dr. Okafor"]["turns"] == 104
    whole = stats_json(demo, "--by", "session")
    assert {g["group"] for g in whole["talk"]} == {"all"}
    assert all(g["share_words"] == 1 for g in whole["talk"])
    text = run("stats", "--by", "speaker", "-p", demo).output
    assert "Dr. Okafor (therapist)" in text and "Sessions (minutes" in text


# ----------------------------------------------------------------------------- codes


def test_code_counts_and_rates_match_the_segments_table(demo):
    segments = table(demo, "segments")
    long = table(demo, "long")
    utterances = Counter((r["transcript"], r["role"] or "unknown") for r in long)
    counts, exact = Counter(), Counter()
    for r in segments:  # counted at the utterance it starts in, under its code and every ancestor
        role = r["role"] or "unknown"
        for code in r["code_path"].split(" > "):
            counts[(r["transcript"], role, code)] += 1
        exact[(r["transcript"], role, r["code"])] += 1
    minutes = {s["session"]: s["seconds"] for s in stats_json(demo)["sessions"]}
    for flag, truth in (((), counts), (("--exact",), exact)):
        rows = stats_json(demo, *flag)["codes"]
        got = {(r["session"], r["group"], r["code"]): r for r in rows if r["session"] != "all"}
        assert {k: r["codings"] for k, r in got.items() if r["codings"]} == dict(truth)
        for (session, role, code), n in truth.items():
            r = got[(session, role, code)]
            assert r["per_100_utterances"] == pytest.approx(100 * n / utterances[(session, role)], abs=1e-4)
            seconds = minutes[session]
            assert r["per_10_minutes"] == (None if seconds is None else pytest.approx(600 * n / seconds, abs=1e-4))
    overall = {(r["group"], r["code"]): r["codings"] for r in stats_json(demo)["codes"] if r["session"] == "all"}
    assert overall[("client", "Withdrawal rupture")] == sum(n for (s, g, c), n in counts.items()
                                                            if g == "client" and c == "Withdrawal rupture")


def test_codes_csv_and_text(demo):
    rows = list(csv.DictReader(io.StringIO(run("stats", "--csv", "--table", "codes", "-p", demo).output)))
    assert {"session", "group", "code", "codings", "per_100_utterances", "per_10_minutes"} <= set(rows[0])
    repair = next(r for r in rows if (r["session"], r["group"], r["code"]) == ("session01_cbt_panic", "therapist", "Repair"))
    assert repair["codings"] == "14" and float(repair["per_100_utterances"]) == pytest.approx(100 * 14 / 59, abs=1e-3)
    text = run("stats", "-p", demo).output
    assert "    Withdrawal rupture" in text  # sub-codes indented under their parent
    assert "MITI" not in text  # the alliance codebook has no reflections or questions
    refused = run("stats", "--csv", "--table", "miti", "-p", demo, code=None)
    assert refused.exit_code == 1 and "Simple reflection" in refused.output


# ------------------------------------------------------------------------------ MITI


@pytest.mark.parametrize("counts, rq, rq_level, cr, cr_level", [
    ((9, 6, 15, 17), 0.8824, "below fair", 40.0, "fair"),
    ((10, 10, 20, 10), 2.0, "good", 50.0, "good"),
    ((3, 1, 6, 6), 1.0, "fair", 25.0, "below fair"),   # two reflections without depth: in R:Q, not in %CR
    ((0, 0, 0, 0), None, None, None, None),
])
def test_miti_summary_by_hand(counts, rq, rq_level, cr, cr_level):
    s = summary(*counts)
    assert s["reflection_to_question"] == rq and s["rq_level"] == rq_level
    assert s["percent_complex_reflections"] == cr and s["cr_level"] == cr_level
    assert s["reflections_without_depth"] == counts[2] - counts[0] - counts[1]


def mi_project(tmp_path: Path, lines: list[str], codings: list[tuple[int, str]]) -> Path:
    path = tmp_path / "mi.db"
    run("init", "--project", path, "--codebook", ROOT / "codebooks" / "mi.yaml")
    (tmp_path / "s1.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run("import", tmp_path / "s1.txt", "-p", path)
    t = tmp_path / "codings.csv"
    t.write_text("transcript,utterance,code,text,coder\n" + "".join(f"s1,{u},{c},,alice\n" for u, c in codings),
                 encoding="utf-8")
    run("codings", "import", t, "-p", path)
    return path


def test_miti_from_a_hand_coded_session(tmp_path):
    lines = [f"T: therapist line {i}." if i % 2 else f"C: client line {i}." for i in range(1, 21)]
    codes = [(1, "Simple reflection"), (3, "Complex reflection"), (5, "Complex reflection"), (7, "Reflection"),
             (9, "Open question"), (11, "Closed question"), (13, "Question"), (15, "Therapist input"),
             (2, "Change talk"), (4, "Sustain talk")]
    path = mi_project(tmp_path, lines, codes)
    m = stats_json(path)["miti"]["sessions"]["s1"]
    # 4 reflections (1 simple, 2 complex, 1 undivided), 3 questions: R:Q 4/3, %CR 2/3
    assert (m["simple_reflections"], m["complex_reflections"], m["reflections"], m["questions"]) == (1, 2, 4, 3)
    assert m["reflection_to_question"] == pytest.approx(4 / 3, abs=1e-4) and m["rq_level"] == "fair"
    assert m["percent_complex_reflections"] == pytest.approx(200 / 3, abs=0.01) and m["cr_level"] == "good"
    assert (m["open_questions"], m["closed_questions"]) == (1, 1)
    text = run("stats", "-p", path).output
    assert "MITI 4.2.1" in text and "1.33 fair" in text and "67% good" in text


# AnnoMI: sessions coded by one annotator each, with the reflection and question subtypes
ANNOMI_SINGLE = (23, 53, 118)


def annomi_code(r: dict) -> str:
    if r["code"] == "reflection":
        return {"simple": "Simple reflection", "complex": "Complex reflection"}.get(r["reflection_subtype"], "Reflection")
    if r["code"] == "question":
        return {"open": "Open question", "closed": "Closed question"}.get(r["question_subtype"], "Question")
    return {"therapist_input": "Therapist input", "other": "Other (therapist)", "change": "Change talk",
            "sustain": "Sustain talk", "neutral": "Neutral talk"}[r["code"]]


def test_miti_on_annomi_matches_the_annotation_file(corpus_dir, tmp_path):
    rows = [r for r in csv.DictReader(open(corpus_dir / "annotations.csv", encoding="utf-8"))
            if int(r["transcript_id"]) in ANNOMI_SINGLE]
    path = tmp_path / "annomi.db"
    codings = tmp_path / "codings.csv"
    with open(codings, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["transcript", "start", "end", "code", "coder"])
        for r in rows:
            w.writerow([f"annomi_{int(r['transcript_id']):03d}", r["text_start"], r["text_end"], annomi_code(r), "expert"])
    run("init", "--project", path, "--codebook", ROOT / "codebooks" / "mi.yaml")
    run("import", *[corpus_dir / "transcripts" / f"annomi_{s:03d}.txt" for s in ANNOMI_SINGLE], "-p", path)
    run("codings", "import", codings, "-p", path)
    miti = stats_json(path)["miti"]
    for s in ANNOMI_SINGLE:
        mine = [r for r in rows if int(r["transcript_id"]) == s]
        simple = sum(r["code"] == "reflection" and r["reflection_subtype"] == "simple" for r in mine)
        complex_ = sum(r["code"] == "reflection" and r["reflection_subtype"] == "complex" for r in mine)
        reflections = sum(r["code"] == "reflection" for r in mine)
        questions = sum(r["code"] == "question" for r in mine)
        got = miti["sessions"][f"annomi_{s:03d}"]
        assert (got["simple_reflections"], got["complex_reflections"], got["reflections"], got["questions"]) == \
               (simple, complex_, reflections, questions)
        assert got["reflection_to_question"] == (round(reflections / questions, 4) if questions else None)
    s23 = miti["sessions"]["annomi_023"]  # a high-quality session: 16 reflections, 17 questions
    assert (s23["reflections"], s23["questions"], s23["rq_level"]) == (16, 17, "below fair")
    assert s23["percent_complex_reflections"] == pytest.approx(100 * 7 / 16, abs=0.01) and s23["cr_level"] == "fair"


# -------------------------------------------------------------------------- retrieval


def spans(segments: list[dict]) -> dict:
    """transcript -> list of (first, last, code path set, start, end, coding row)."""
    out = defaultdict(list)
    for r in segments:
        if r["utterance_first"]:
            out[r["transcript"]].append((int(r["utterance_first"]), int(r["utterance_last"]),
                                         set(r["code_path"].split(" > ")), int(r["start"]), int(r["end"]), r))
    return out


def retrieve_json(demo, *args) -> list[dict]:
    return json.loads(run("retrieve", *args, "--json", "-p", demo).output)["segments"]


def test_and_not_and_speaker_match_a_brute_force_count(demo):
    segs = spans(table(demo, "segments"))
    ruptures = [(t, s) for t, ss in segs.items() for s in ss if "Rupture" in s[2]]
    with_power = [(t, s) for t, s in ruptures
                  if any("Power dynamics" in o[2] and o[0] <= s[1] and s[0] <= o[1] for o in segs[t])]
    got = retrieve_json(demo, "Rupture", "--and", "Power dynamics")
    assert sorted((g["transcript"], g["start"]) for g in got) == sorted((t, s[3]) for t, s in with_power)
    without = retrieve_json(demo, "rupture", "--not", "power dynamics")  # names in any case
    assert len(without) + len(got) == len(ruptures) == 72
    clients = retrieve_json(demo, "Repair", "--speaker", "client")
    assert len(clients) == 1 and clients[0]["role"] == "client"
    assert len(retrieve_json(demo, "Repair", "--speaker", "Dr. Okafor")) == 15  # a speaker label works too
    exact = retrieve_json(demo, "Rupture", "--exact")
    assert exact == []  # the reference coding never uses the Rupture parent itself


def test_followed_by_agrees_with_rupture_repair_episodes(demo):
    for within in (1, 5):
        episodes = json.loads(run("sequences", "--coder", "reference", "--within", str(within), "--episodes", "--json",
                                  "-p", demo).output)["episodes"]
        got = retrieve_json(demo, "Rupture", "--followed-by", "Repair", "--within", str(within))
        resolved = {(e["transcript"], e["rupture"]["coding_id"]): e["repair"]["coding_id"] for e in episodes if e["resolved"]}
        assert {(g["transcript"], g["coding_id"]): g["followed_by"]["coding_id"] for g in got} == resolved
    assert len(retrieve_json(demo, "Rupture", "--followed-by", "Repair", "--within", "5")) == 32


def test_overlap_scope_needs_shared_characters(demo):
    segs = spans(table(demo, "segments"))
    truth = sum(1 for ss in segs.values() for s in ss if "Power dynamics" in s[2]
                and any("Real relationship" in o[2] and o[3] < s[4] and s[3] < o[4] for o in ss))
    assert len(retrieve_json(demo, "Power dynamics", "--and", "Real relationship", "--overlap")) == truth
    assert len(retrieve_json(demo, "Power dynamics", "--and", "Real relationship")) >= truth


def test_retrieve_table_and_word_excerpts(demo, tmp_path):
    out = run("retrieve", "Rupture", "--followed-by", "Repair", "--within", "2", "--speaker", "client", "-p", demo).output
    assert out.splitlines()[0] == "13 segments: Rupture followed by Repair within 2 utterances spoken by client"
    assert "-> Meta-communication at 45" in out
    target = tmp_path / "ruptures.docx"
    said = run("retrieve", "Rupture", "--and", "Power dynamics", "--docx", target, "--context", "1", "-p", demo).output
    assert f"Wrote {target}: 4 excerpts" in said
    document = docx.Document(target)
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    for g in retrieve_json(demo, "Rupture", "--and", "Power dynamics"):
        assert g["text"] in text
    assert "Rupture and Power dynamics" in text  # the query on the title page
    assert "Whatever you think is best." in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Rupture", "Withdrawal rupture", "Deference and appeasing", "Confrontation rupture",
                        "Complaint about the work"]  # only the codes found, under their parents


def test_retrieve_bad_requests(demo, tmp_path):
    before = digest(demo)
    unknown = run("retrieve", "Nonsense", "-p", demo, code=None)
    assert unknown.exit_code == 1 and "no code named 'Nonsense'" in unknown.output
    alone = run("retrieve", "Rupture", "--context", "2", "-p", demo, code=2).output
    assert "--context" in alone and "--docx" in alone  # it shapes the Word file only: said, not ignored
    typo = run("retrieve", "agenda contrl", "-p", demo, code=1).output
    assert "did you mean 'Agenda control'?" in typo
    assert run("retrieve", "Rupture", "--followed-by", "Nope", "-p", demo, code=None).exit_code == 1
    assert run("retrieve", "Rupture", "--transcripts", "nope", "-p", demo, code=None).exit_code == 1
    assert run("retrieve", "Rupture", "--within", "-1", "-p", demo, code=None).exit_code == 2
    refused = run("retrieve", "Rupture", "--docx", demo, "-p", demo, code=None)
    assert refused.exit_code == 2 and digest(demo) == before


# ----------------------------------------------------------------------- co-occurrence


def brute_matrix(segs: dict, codes: list[str], mode: str, within: int = 1) -> dict:
    out = {}
    for a, b in combinations(codes, 2):
        n = 0
        for ss in segs.values():
            if mode == "utterance":
                touched = defaultdict(set)
                for first, last, path, *_ in ss:
                    for u in range(first, last + 1):
                        touched[u] |= path
                n += sum(a in c and b in c for c in touched.values())
            else:
                for x, y in combinations(ss, 2):
                    if mode == "overlap":
                        meet = x[3] < y[4] and y[3] < x[4]
                    else:
                        meet = max(x[0], y[0]) - min(x[1], y[1]) <= within
                    n += meet and ((a in x[2] and b in y[2]) or (b in x[2] and a in y[2]))
        out[(a, b)] = n
    return out


@pytest.mark.parametrize("mode, within", [("utterance", 0), ("overlap", 0), ("within", 0), ("within", 2)])
def test_cooccurrence_matches_a_brute_force_count(demo, mode, within):
    segs = spans(table(demo, "segments"))
    codes = ["Withdrawal rupture", "Confrontation rupture", "Repair", "Power dynamics", "Real relationship", "Denial"]
    data = json.loads(run("cooccurrence", "--mode", mode, "--within", str(within), "--codes", ",".join(codes), "--json",
                          "-p", demo).output)
    got = {c: row for c, row in zip(data["codes"], data["counts"])}
    index = {c: i for i, c in enumerate(data["codes"])}
    for (a, b), n in brute_matrix(segs, codes, mode, within).items():
        cell = got[a][index[b]]
        if {a, b} == {"Withdrawal rupture", "Denial"}:
            assert cell is None  # Denial is a Withdrawal rupture: no cell
        else:
            assert cell == n == got[b][index[a]], (a, b)
    if mode != "utterance":
        assert got["Repair"][index["Repair"]] == 76  # the diagonal: codings


def test_cooccurrence_csv_and_text(demo):
    rows = list(csv.DictReader(io.StringIO(run("cooccurrence", "--mode", "within", "--within", "1", "--csv",
                                               "-p", demo).output)))
    assert rows[0]["code"] == "Rupture" and rows[0]["Withdrawal rupture"] == "" and rows[0]["Rupture"] == "72"
    text = run("cooccurrence", "-p", demo).output
    assert text.startswith("Co-occurrence, codings of reference: utterances both codes touch")
    assert "Most frequent pairs: Rupture + Power dynamics 4" in text
    assert run("cooccurrence", "--json", "--csv", "-p", demo, code=None).exit_code == 2


# --------------------------------------------------------------------------- blind mode


def test_blind_mode_everyone_needs_reveal_and_is_logged(tmp_path):
    path = tmp_path / "p.db"
    run("init", "--project", path, "--codebook", ROOT / "codebooks" / "alliance.yaml")
    (tmp_path / "s1.txt").write_text("T: How are you?\nC: Fine. I guess.\nT: I pushed too hard there.\nC: Whatever.\n",
                                     encoding="utf-8")
    run("import", tmp_path / "s1.txt", "-p", path)
    t = tmp_path / "c.csv"
    t.write_text("transcript,utterance,code,text,coder\ns1,2,Minimal response,,alice\ns1,3,Meta-communication,,alice\n"
                 "s1,2,Denial,,bob\ns1,4,Minimal response,,bob\n", encoding="utf-8")
    run("codings", "import", t, "-p", path)
    mine = retrieve_json(path, "Rupture", "--coder", "alice")
    assert [g["code"] for g in mine] == ["Minimal response"]
    refused = run("retrieve", "Rupture", "-p", path, code=None)
    assert refused.exit_code == 1 and "blind mode" in refused.output and "--reveal" in refused.output
    both = retrieve_json(path, "Rupture", "--reveal")
    assert sorted(g["coder"] for g in both) == ["alice", "bob", "bob"]
    from accord.store import Project

    with Project.open(path) as project:
        assert any(e["action"] == "blind.reveal" and e["data"]["command"] == "retrieve" for e in project.events())
    needs = run("stats", "--csv", "--table", "codes", "-p", path, code=None)
    assert needs.exit_code == 2 and "--coder" in needs.output
    assert "Code counts need a coder" in run("stats", "-p", path).output  # talk needs none
    counts = stats_json(path, "--coder", "bob")["codes"]
    assert {r["code"]: r["codings"] for r in counts if r["session"] == "s1" and r["group"] == "client"}["Rupture"] == 2
    assert run("cooccurrence", "-p", path, code=None).exit_code == 2


def test_the_bench_runs_on_a_small_project(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import sequences as bench

    path = bench.build(tmp_path, sessions=4, codings=400)
    result = bench.run_analysis(path)
    assert result["sizes"]["code rows"] > 0 and result["sizes"]["codes"] > 0
    assert set(result["seconds"]) >= {"load", "stats", "cooccurrence utterance", "cooccurrence overlap",
                                      "cooccurrence within", "retrieve", "all"}


def test_typed_queries_read_like_the_command_line():
    from accord.analysis import QueryError, parse_query

    q = parse_query("Withdrawal rupture --not Repair --and Power dynamics --followed-by Meta-communication --within 2 "
                    "--speaker client --overlap")
    assert (q.code, q.none_of, q.all_of, q.followed_by, q.within, q.speakers, q.scope, q.exact) == (
        "Withdrawal rupture", ("Repair",), ("Power dynamics",), "Meta-communication", 2, ("client",), "overlap", False)
    assert parse_query("Reflection --exact").exact
    for bad in ("", "--and Repair", "Rupture --within two", "Rupture --and", "Rupture --later Repair", "Rupture --exact x"):
        with pytest.raises(QueryError):
            parse_query(bad)


def test_whole_transcripts_read_at_once_equal_those_read_one_by_one(demo):
    from accord.store import Project

    with Project.open(demo) as project:
        every = project.transcripts_full()
        assert list(every) == [t["name"] for t in project.transcripts()]
        for name, t in every.items():
            one = project.transcript(name)
            assert (t.text, t.utterances, t.roles, t.format, t.notes) == (one.text, one.utterances, one.roles,
                                                                          one.format, one.notes)
        assert list(project.transcripts_full(["session06_ending", "session01_cbt_panic"])) == \
            ["session01_cbt_panic", "session06_ending"]
