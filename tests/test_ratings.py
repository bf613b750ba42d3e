"""Ratings (issue 16, part 1) on real project files: scales in codebooks, segments, the store
(event log, undo, merge, blind mode), the command line, CSV and Word, and the demo."""

import csv
import io
import json
import shutil
from pathlib import Path

import docx
import pytest

from accord.codebook import codebook_to_dict, load_codebook, parse_codebook
from accord.errors import InputError
from accord.model import Transcript, Utterance
from accord.ratings import read_rating_table, segment_at, segments
from accord.store import Project, ProjectError

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"
TIMED = ROOT / "sample_transcripts" / "session01_cbt_panic.txt"  # [hh:mm:ss] times
UNTIMED = ROOT / "sample_transcripts" / "session04_withdrawal_repair.txt"
T1, T4 = "session01_cbt_panic", "session04_withdrawal_repair"
SCALE = "Rupture intensity"

BOOK = """name: Test
codes:
  - name: A
ratings:
{scales}
"""
GOOD = """  - name: Alliance
    segment: {segment}
    anchors:
      1: Weak
      4: Middling
      7: Strong
"""


def scales_of(text: str):
    return parse_codebook(BOOK.format(scales=text), "book.yaml").ratings


def timed(times: list[float | None]) -> Transcript:
    utts, text = [], ""
    for i, t in enumerate(times):
        line = f"T: turn {i + 1}\n"
        utts.append(Utterance(i + 1, "T", len(text) + 3, len(text) + len(line) - 1, t, None))
        text += line
    return Transcript("t", text, utts, "text")


# --- codebooks and segments ----------------------------------------------------------------------


def test_a_scale_reads_its_anchors_and_segment_and_survives_a_round_trip():
    [scale] = scales_of(GOOD.format(segment="5 minutes") + "    without_times: 12 utterances\n")
    assert (scale.name, scale.unit, scale.size, scale.fallback) == ("Alliance", "minutes", 5, 12)
    assert scale.anchors == {1: "Weak", 4: "Middling", 7: "Strong"} and scale.points == list(range(1, 8))
    import yaml

    again = parse_codebook(yaml.safe_dump(codebook_to_dict(parse_codebook(BOOK.format(
        scales=GOOD.format(segment="5 minutes") + "    without_times: 12 utterances\n"), "b"))), "b")
    assert again.ratings == [scale]
    assert "ratings" not in codebook_to_dict(parse_codebook("name: x\ncodes:\n  - name: A\n", "b"))


@pytest.mark.parametrize("scales,line,words", [
    (GOOD.format(segment="5 minute windows"), 6,
     "rating scale 'Alliance': `segment` must be `session` (the whole transcript), `N minutes`"),
    (GOOD.format(segment="0 utterances"), 6, "`segment` must be"),
    (GOOD.format(segment="session").replace("      4: Middling\n", "      four: Middling\n"), 9,
     "anchor point 'four' is not a whole number"),
    ("  - name: Alliance\n    segment: session\n    anchors: {1: Only}\n", 7, "with at least two points"),
    ("  - name: Alliance\n    anchors: {1: a, 2: b}\n", 5, "`segment` is missing"),
    (GOOD.format(segment="session") + "    colour: red\n", 11, "unknown key 'colour' in rating scale"),
    (GOOD.format(segment="session") + GOOD.format(segment="session"), 11,
     "duplicate rating scale 'Alliance' (first defined on line 5)"),
    (GOOD.format(segment="20 utterances") + "    without_times: 5 utterances\n", 11,
     "`without_times` is only for a scale with `segment: N minutes`"),
    (GOOD.format(segment="5 minutes") + "    without_times: 2 minutes\n", 11, "a transcript without times has no minutes"),
    ("  - name: Alliance\n    segment: session\n    anchors: {1: a, 2: '  '}\n", 7, "anchor 2 needs a label"),
    ("  just: text\n", 5, "`ratings` must be a list of rating scales"),
])
def test_a_bad_scale_is_refused_naming_file_and_line(scales, line, words):
    with pytest.raises(InputError) as e:
        scales_of(scales)
    assert e.value.file == "book.yaml" and e.value.line == line, str(e.value)
    assert words in e.value.message


def test_the_shipped_alliance_codebook_has_a_five_minute_rupture_scale():
    [scale] = load_codebook(ALLIANCE).ratings
    assert (scale.name, scale.unit, scale.size, scale.fallback, scale.low, scale.high) == (SCALE, "minutes", 5, 20, 1, 5)


def test_windows_follow_start_times_and_keep_their_numbers_across_silences():
    [scale] = scales_of(GOOD.format(segment="5 minutes"))
    t = timed([0, 100, None, 299.9, 300, 1250, 1400])  # nothing said from 10:00 to 20:00
    got = [(s.number, s.first, s.last, s.label) for s in segments(t, scale)]
    assert got == [(1, 1, 4, "00:00-05:00"), (2, 5, 5, "05:00-10:00"), (5, 6, 7, "20:00-25:00")]
    assert segment_at(t, scale, 3).number == 1  # no time of its own: the window of the turn before


def test_untimed_transcripts_fall_back_to_runs_of_utterances_or_the_session():
    [minutes] = scales_of(GOOD.format(segment="5 minutes") + "    without_times: 3 utterances\n")
    [plain] = scales_of(GOOD.format(segment="5 minutes"))
    [session] = scales_of(GOOD.format(segment="session"))
    t = timed([None] * 7)
    assert [(s.number, s.first, s.last) for s in segments(t, minutes)] == [(1, 1, 3), (2, 4, 6), (3, 7, 7)]
    assert [(s.number, s.first, s.last) for s in segments(t, plain)] == [(1, 1, 7)]
    assert [(s.number, s.first, s.last) for s in segments(timed([0, 900]), session)] == [(1, 1, 2)]


# --- the store ---------------------------------------------------------------------------------------


@pytest.fixture
def study(tmp_path) -> Path:
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    run("import", TIMED, UNTIMED, "--project", path)
    for coder in ("alice", "bob"):
        run("coders", "add", coder, "--project", path)
    return path


def rows(p: Project, **kw):
    return [(r["transcript"], r["segment"], r["coder"], r["value"]) for r in p.ratings(**kw)]


def test_set_logs_undoes_and_redoes_a_rating(study):
    with Project.open(study) as p:
        p.set_rating(T1, SCALE, 3, "alice", 2)
        p.set_rating(T1, "rupture INTENSITY", 3, "alice", 4)  # scales are named case-insensitively
        p.set_rating(T1, SCALE, 4, "alice", None)  # clearing nothing is harmless
        [event] = p.events(action="rating.set", limit=1)
        assert event["data"]["before"] is None and event["data"]["after"] is None
        event = p.events(action="rating.set")[1]
        assert (event["data"]["before"]["value"], event["data"]["after"]) == (
            2, {"value": 4, "unit": "5 minutes", "first": 28, "last": 41})
        assert rows(p) == [(T1, 3, "alice", 4)]
        p.undo("alice")
        p.undo("alice")
        assert rows(p) == [(T1, 3, "alice", 2)]
        p.undo("alice")
        assert rows(p) == []
        p.redo("alice")
        assert rows(p) == [(T1, 3, "alice", 2)]
        assert p.undo("bob") is None  # alice's ratings are not bob's to undo


@pytest.mark.parametrize("args,words", [
    ((T1, "Alliance", 1, "alice", 3), "no rating scale named 'Alliance' in the codebook (scales: Rupture intensity)"),
    ((T1, SCALE, 11, "alice", 3), "has no segment 11 under scale 'Rupture intensity' (10 segments)"),
    ((T1, SCALE, 1, "alice", 6), "6 is not a point of scale 'Rupture intensity' (a whole number from 1 to 5)"),
    ((T1, SCALE, 1, "nobody", 3), "no coder named 'nobody'"),
])
def test_a_refused_rating_writes_nothing(study, args, words):
    before = digest(study)
    with Project.open(study) as p:
        with pytest.raises(ProjectError, match=words.replace("(", r"\(").replace(")", r"\)")):
            p.set_rating(*args)
    assert digest(study) == before


def test_an_import_is_one_undoable_step_per_coder(study):
    with Project.open(study) as p:
        p.set_rating(T4, SCALE, 2, "alice", 1)
        counts = p.import_ratings([
            {"transcript": T4, "segment": 2, "scale": SCALE, "coder": "alice", "value": 5},
            {"transcript": T4, "segment": 3, "scale": SCALE, "coder": "alice", "value": 3},
            {"transcript": T4, "segment": 3, "scale": SCALE, "coder": "carol", "value": 2},
        ])
        assert counts == {"alice": 2, "carol": 1} and p.has_coder("carol")
        assert rows(p, transcript=T4) == [(T4, 2, "alice", 5), (T4, 3, "alice", 3), (T4, 3, "carol", 2)]
        assert p.undo("alice")["action"] == "ratings.import"
        assert rows(p, transcript=T4) == [(T4, 2, "alice", 1), (T4, 3, "carol", 2)]


def test_blind_mode_shows_a_coder_their_own_ratings_only(study):
    with Project.open(study) as p:
        p.set_rating(T1, SCALE, 1, "alice", 2)
        p.set_rating(T1, SCALE, 1, "bob", 5)
        assert [r["coder"] for r in p.visible_ratings("alice")] == ["alice"]
        p.set_mode("reconciliation")
        assert [r["coder"] for r in p.visible_ratings("alice")] == ["alice", "bob"]


def test_merge_brings_ratings_keeps_ours_where_they_differ_and_twice_changes_nothing(study, tmp_path):
    other = tmp_path / "bob.db"
    shutil.copy(study, other)
    with Project.open(study) as ours:
        ours.set_rating(T1, SCALE, 1, "bob", 1)  # bob rated segment 1 here too, otherwise
    with Project.open(other) as theirs:
        theirs.set_rating(T1, SCALE, 1, "bob", 4)
        theirs.set_rating(T1, SCALE, 2, "bob", 3)
        theirs.set_rating(T4, SCALE, 5, "bob", 2)
    with Project.open(study) as p:
        result = p.merge_from(other)
        assert result.ratings_added == {"bob": 2} and result.rating_conflicts == 1
        assert rows(p) == [(T1, 1, "bob", 1), (T1, 2, "bob", 3), (T4, 5, "bob", 2)]
        assert p.events(action="project.merge")[0]["data"]["ratings_added"] == {"bob": 2}
    before = digest(study)
    with Project.open(study) as p:
        again = p.merge_from(other)
    assert not again.changed and again.ratings_added == {}
    assert digest(study) == before


# --- the command line ---------------------------------------------------------------------------------


def table(path: Path, body: str) -> Path:
    path.write_text("transcript,segment,scale,coder,value\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body,line,words", [
    (f"{T1},1,{SCALE},alice,3\n{T1},2,Alliance,alice,3\n", 3, "no rating scale named 'Alliance' in the codebook"),
    (f"{T1},1,{SCALE},alice,9\n", 2, "9' is not a point of scale 'Rupture intensity' (a whole number from 1 to 5)"),
    (f"{T1},1,{SCALE},alice,three\n", 2, "'three' is not a point of scale"),
    (f"{T1},11,{SCALE},alice,3\n", 2, "segment '11' does not exist in 'session01_cbt_panic' under scale 'Rupture "
                                      "intensity' (segments: 1-10)"),
    (f"{T4},6,{SCALE},alice,3\n", 2, "(segments: 1-5)"),
    (f"nope,1,{SCALE},alice,3\n", 2, "no transcript named 'nope' in the project"),
    (f"{T1},1,{SCALE},,3\n", 2, "no coder on this row"),
    (f"{T1},1,{SCALE},alice,3,extra\n", 2, "more cells than columns"),
    (f"{T1},1,{SCALE},alice,3\n{T1},2,{SCALE}\n", 3, "fewer cells than columns"),
    (f"{T1},1,{SCALE},alice,3\n\n{T1},1,{SCALE},alice,4\n", 4, "alice rates segment 1 of 'session01_cbt_panic' on "
                                                                "'Rupture intensity' twice (first on line 2)"),
    (f'{T1},1,"{SCALE},alice,3\n', 2, "malformed CSV"),
])
def test_a_bad_ratings_table_names_file_and_line_exits_2_and_changes_nothing(study, tmp_path, body, line, words):
    bad = table(tmp_path / "ratings.csv", body)
    before = digest(study)
    result = run("ratings", "import", bad, "--project", study, code=2)
    assert f"{bad}:{line}: " in result.output and words in result.output, result.output
    assert digest(study) == before


def test_a_table_without_the_columns_or_not_utf8_is_refused(study, tmp_path):
    before = digest(study)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("transcript,segment,value\nx,1,2\n", encoding="utf-8")
    assert f"{wrong}:1: expected columns transcript, segment, scale, coder, value; missing scale, coder" in run(
        "ratings", "import", wrong, "--project", study, code=2).output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("transcript,segment,scale,coder,value\ncaf\xe9,1,x,y,1\n".encode("latin-1"))
    assert "not UTF-8" in run("ratings", "import", latin, "--project", study, code=2).output
    assert "no such file" in run("ratings", "import", tmp_path / "none.csv", "--project", study, code=2).output
    assert digest(study) == before


def test_import_list_set_segments_and_undo_from_the_command_line(study, tmp_path):
    assert "(key S)" in run("ratings", "--coder", "alice", "--project", study).output  # the coding screen's rating key
    good = table(tmp_path / "ratings.csv", f"{T1},1,{SCALE},alice,3\n{T1},3,rupture intensity,bob,5\n{T4},2,{SCALE},alice,2\n")
    assert "Imported 2 ratings by 'alice'" in run("ratings", "import", good, "--project", study).output
    out = run("ratings", "--coder", "alice", "--project", study).output
    assert f"{T1}  {SCALE}  segment 1 (00:00-05:00, utterances 1-13)  [alice]  3" in out and "bob" not in out
    assert f"{T4}  {SCALE}  segment 2 (utterances 21-40)  [alice]  2" in out  # not "utterances 21-40" twice
    refused = run("ratings", "--project", study, code=1).output  # blind: everyone's needs --reveal
    assert "blind mode" in refused and "--reveal" in refused
    listed = json.loads(run("ratings", "--reveal", "--json", "--project", study).output)
    assert [(r["coder"], r["value"], r["window"]) for r in listed] == [
        ("alice", 3, "00:00-05:00"), ("bob", 5, "10:00-15:00"), ("alice", 2, "utterances 21-40")]

    assert "3 -> 4" in run("ratings", "set", T1, 1, 4, "--coder", "alice", "--project", study).output
    before = digest(study)
    assert "not a point of scale" in run("ratings", "set", T1, 1, 0, "--coder", "alice", "--project", study, code=2).output
    assert "no rating scale named 'Alliance'" in run("ratings", "set", T1, 1, 2, "--scale", "Alliance", "--coder", "alice",
                                                     "--project", study, code=1).output
    assert digest(study) == before
    assert "4 -> none" in run("ratings", "set", T1, 1, "--clear", "--coder", "alice", "--project", study).output
    assert "Undid rating.set" in run("undo", "--coder", "alice", "--project", study).output
    assert "Undid rating.set" in run("undo", "--coder", "alice", "--project", study).output
    assert "Undid ratings.import" in run("undo", "--coder", "alice", "--project", study).output
    with Project.open(study) as p:
        assert rows(p) == [(T1, 3, "bob", 5)]

    segs = run("ratings", "segments", T4, "--project", study).output
    assert "    5  utterances 81-86" in segs
    windows = json.loads(run("ratings", "segments", T1, "--json", "--project", study).output)[SCALE]
    assert (windows[2]["label"], windows[2]["first"], windows[2]["last"], windows[2]["start"]) == ("10:00-15:00", 28, 41, 600.0)


def test_agreement_on_ratings_from_the_command_line(study):
    values = {"alice": [1, 2, 4, 5, 3, 1], "bob": [1, 3, 4, 4, 3, 2]}
    with Project.open(study) as p:
        for coder, vs in values.items():
            for segment, v in enumerate(vs, start=1):
                p.set_rating(T1, SCALE, segment, coder, v)
        p.set_rating(T1, SCALE, 7, "alice", 5)  # bob did not rate segment 7: not an ICC target
    from accord.agreement.ratings import icc, weighted_kappa

    refused = run("agreement", "--ratings", "--coders", "alice,bob", "--project", study, code=1).output
    assert "blind mode" in refused
    out = run("agreement", "--ratings", "--coders", "alice,bob", "--reveal", "--project", study).output
    expected = icc([list(pair) for pair in zip(values["alice"], values["bob"])], "2,1")
    assert "7 segments rated, 6 by every coder" in out
    assert f"ICC(2,1)    {expected.value:.2f}".replace("0.", ".") in out
    figures = json.loads(run("agreement", "--ratings", "--coders", "alice,bob", "--reveal", "--json",
                             "--project", study).output)[0]
    assert figures["kappa_quadratic"] == pytest.approx(weighted_kappa(values["alice"], values["bob"], "quadratic"))
    assert [i["form"] for i in figures["iccs"]] == ["1,1", "2,1", "3,1", "1,k", "2,k", "3,k"]
    rows_ = list(csv.DictReader(io.StringIO(run("agreement", "--ratings", "--coders", "alice,bob", "--reveal", "--csv",
                                                "--project", study).output)))
    assert float(rows_[1]["value"]) == pytest.approx(expected.value) and rows_[1]["coefficient"] == "ICC(2,1)"


def test_ratings_in_csv_and_word_exports(study, tmp_path):
    with Project.open(study) as p:
        for coder, vs in {"alice": [1, 2, 4, 5], "bob": [2, 2, 4, 3]}.items():
            for segment, v in enumerate(vs, start=1):
                p.set_rating(T1, SCALE, segment, coder, v)
            u = p.transcript(T1).utterances[3]
            p.apply_code(T1, "Denial", coder, u.start, u.end)
        p.add_coder("=evil")
        p.set_rating(T4, SCALE, 1, "=evil", 1)
        p.set_mode("reconciliation")
    out = run("export", "csv", "-", "--table", "ratings", "--coders", "alice", "--project", study).output
    got = list(csv.DictReader(io.StringIO(out)))
    assert [(r["segment"], r["value"], r["window_start"], r["window_end"], r["utterance_first"], r["anchor"])
            for r in got][:2] == [("1", "1", "0", "300", "1", "No rupture"), ("2", "2", "300", "600", "14",
                                                                                 "Slight strain, passing")]
    assert {r["coder"] for r in got} == {"alice"}
    everyone = list(csv.DictReader(io.StringIO(run("export", "csv", "-", "--table", "ratings", "--project", study).output)))
    assert everyone[-1]["coder"] == "'=evil" and everyone[-1]["unit"] == "20 utterances"  # spreadsheet-safe
    folder = tmp_path / "tables"
    run("export", "csv", folder, "--project", study)
    assert len(list(csv.DictReader((folder / "ratings.csv").open(encoding="utf-8")))) == 9

    report = tmp_path / "agreement.docx"
    run("export", "agreement", report, "--coders", "alice,bob", "--project", study)
    document = docx.Document(report)
    assert "Agreement on ratings" in [p.text for p in document.paragraphs]
    [iccs] = [t for t in document.tables if t.rows[0].cells[0].text == "Form"]
    from accord.agreement.ratings import icc
    from accord.agreement.render import apa

    assert iccs.rows[2].cells[1].text == apa(icc([[1, 2], [2, 2], [4, 4], [5, 3]], '2,1').value)  # APA: .68


def test_the_demo_has_the_reference_coders_rupture_ratings(tmp_path):
    path = tmp_path / "demo.db"
    assert "40 reference ratings" in run("demo", "--project", path).output
    with Project.open(path) as p:
        got = p.ratings(coder="reference")
        assert len(got) == 40 and {r["scale"] for r in got} == {SCALE}
        by_transcript = {}
        for r in got:
            by_transcript.setdefault(r["transcript"], []).append(r["segment"])
        for name, numbers in by_transcript.items():  # every segment of every session, once
            assert numbers == [s.number for s in p.rating_segments(name, SCALE)]
        assert {r["unit"] for r in got} == {"5 minutes", "20 utterances"}  # the .docx sessions have no times
    shipped = ROOT / "src" / "accord" / "data" / "sample_transcripts" / "reference_ratings.csv"
    assert shipped.read_bytes() == (ROOT / "sample_transcripts" / "reference_ratings.csv").read_bytes()


def test_read_rating_table_returns_the_scales_own_names(tmp_path):
    [scale] = load_codebook(ALLIANCE).ratings
    from accord.transcripts import read_transcript

    t = read_transcript(TIMED)
    got = read_rating_table(table(tmp_path / "r.csv", f"{T1},2,RUPTURE intensity,x,5\n"), {T1: t}, [scale])
    assert got == [{"transcript": T1, "segment": 2, "scale": SCALE, "coder": "x", "value": 5}]


def test_the_excerpt_report_ends_with_each_coders_ratings_per_segment(study, tmp_path):
    with Project.open(study) as p:
        u = p.transcript(T1).utterances[3]
        p.apply_code(T1, "Denial", "alice", u.start, u.end)
        p.set_rating(T1, SCALE, 3, "alice", 4)
    out = tmp_path / "excerpts.docx"
    run("export", "excerpts", out, "--coders", "alice", "--project", study)
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs]
    assert texts.index("Ratings") < texts.index(SCALE) < texts.index(T1, texts.index(SCALE))
    [ratings] = [t for t in document.tables if t.rows[0].cells[0].text == "Segment"]
    assert [c.text for c in ratings.rows[0].cells] == ["Segment", "Utterances", "alice"]
    assert [c.text for c in ratings.rows[3].cells] == ["3 (10:00-15:00)", "28\u201341", "4"]
    assert len(ratings.rows) == 11  # every segment of the session, rated or not
    only = tmp_path / "denial.docx"
    run("export", "excerpts", only, "--coders", "alice", "--codes", "Denial", "--project", study)
    assert "Ratings" not in [p.text for p in docx.Document(only).paragraphs]


def test_codebook_validate_and_show_mention_the_scales(study):
    assert run("codebook", "validate", ALLIANCE).output.rstrip().endswith("1 rating scale")
    shown = run("codebook", "show", "--project", study).output
    assert "rating scale 'Rupture intensity', per 5 minutes: 1 No rupture; 2 Slight strain" in shown
    assert json.loads(run("codebook", "show", "--json", "--project", study).output)["ratings"][0]["without_times"] == \
        "20 utterances"


def test_merge_counts_ratings_on_a_scale_this_codebook_lacks_and_leaves_them_out(study, tmp_path):
    other = tmp_path / "bob.db"
    shutil.copy(study, other)
    with Project.open(other) as theirs:
        theirs.set_rating(T1, SCALE, 2, "bob", 3)
    without = load_codebook(ALLIANCE)
    without.ratings = []
    with Project.open(study) as p:
        p.load_codebook(without)
        result = p.merge_from(other)
        assert result.rating_scales_missing == {SCALE: 1} and result.ratings_added == {}
        assert p.ratings() == []
    out = run("merge", other, "--project", study).output
    assert f"not merged: 1 ratings on scale {SCALE!r}, which this project's codebook lacks" in out


def test_every_problem_of_the_scales_is_reported_at_once():
    scales = (GOOD.format(segment="5 minute windows") +
              "  - name: Second\n    segment: session\n    anchors: {1: a, x: b}\n")
    with pytest.raises(InputError) as e:
        scales_of(scales)
    assert [(p.line, p.message.split(":")[0]) for p in e.value.problems] == [
        (6, "rating scale 'Alliance'"), (13, "rating scale 'Second'")]


@pytest.mark.parametrize("how", ["rated", "cleared", "imported then undone"])
def test_a_transcript_someone_has_rated_is_not_deleted(study, how):
    with Project.open(study) as p:
        if how == "imported then undone":
            p.import_ratings([{"transcript": T4, "segment": 1, "scale": SCALE, "coder": "alice", "value": 2}])
            p.undo("alice")
        else:
            p.set_rating(T4, SCALE, 1, "alice", 2)
            if how == "cleared":
                p.set_rating(T4, SCALE, 1, "alice", None)
        with pytest.raises(ProjectError, match="someone has worked on transcript .* or ratings"):
            p.delete_transcript(T4, "alice")
        assert T4 in [t["name"] for t in p.transcripts()]
        p.delete_transcript(T1, "alice")  # nobody rated this one
        assert T1 not in [t["name"] for t in p.transcripts()]
