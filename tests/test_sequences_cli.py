"""`accord sequences` end to end through the real command line, on the demo project and on the
two coders of ../shared/corpus/alliance (skipped when absent)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest


from conftest import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    run("demo", "--project", path)
    return path


def test_summary_per_session_and_overall(demo):
    out = run("sequences", "--coder", "reference", "-p", demo).output
    lines = out.splitlines()
    assert lines[0] == "Rupture-repair episodes coded by reference (repair within 5 utterances)"
    overall = next(line for line in lines if line.startswith("overall"))
    assert overall.split()[1:3] == ["72", "44%"] and "therapist 13" in overall and "interviewer 1" in overall
    assert any(line.startswith("session06_ending") and " 100% " in line for line in lines)


def test_json_and_csv_carry_the_same_figures(demo):
    data = json.loads(run("sequences", "--coder", "reference", "--json", "-p", demo).output)
    assert data["overall"]["ruptures"] == 72 and data["overall"]["resolved"] == 32
    assert data["sessions"]["session01_cbt_panic"]["latency_utterances"]["median"] == 1.0
    rows = list(csv.DictReader(io.StringIO(run("sequences", "--coder", "reference", "--csv", "-p", demo).output)))
    assert [r["session"] for r in rows][-1] == "overall" and len(rows) == 7
    assert rows[-1]["ruptures"] == "72" and float(rows[-1]["share_resolved"]) == pytest.approx(32 / 72, abs=1e-4)


def test_one_transcript_its_episodes_and_a_narrower_window(demo):
    out = run("sequences", "session01_cbt_panic", "--coder", "reference", "--episodes", "-p", demo).output
    assert "session01_cbt_panic 28: Minimal response [Withdrawal rupture] by Client (client) -> - unresolved" in out
    assert "session01_cbt_panic 46: Denial [Withdrawal rupture] by Client (client) -> Inviting relationship talk at 47 " \
           "by Therapist (therapist), after 1 utt / 8 s" in out
    rows = list(csv.DictReader(io.StringIO(
        run("sequences", "session01_cbt_panic", "--coder", "reference", "--episodes", "--csv", "--within", "1",
            "-p", demo).output)))
    assert len(rows) == 15 and sum(r["resolved"] == "1" for r in rows) == 6  # only the latency-1 ones remain
    assert run("sequences", "nope", "--coder", "reference", "-p", demo, code=None).exit_code == 1


def test_lag_tables_and_sdis(demo, tmp_path):
    data = json.loads(run("sequences", "--coder", "reference", "--lag", "2", "--by-role", "--json", "-p", demo).output)
    assert [t["lag"] for t in data["lag"]] == [1, 2]
    assert "client:Withdrawal rupture" in data["lag"][0]["categories"]
    out = run("sequences", "--coder", "reference", "--lag", "1", "-p", demo).output
    assert "Lag 1 (N = 605 transitions; rows given, columns target)" in out and "Yule's Q" in out
    cells = list(csv.DictReader(io.StringIO(run("sequences", "--coder", "reference", "--lag", "1", "--csv",
                                                "-p", demo).output)))
    assert {"given", "target", "count", "probability", "z", "yules_q"} <= set(cells[0])
    sds = tmp_path / "demo.sds"
    run("sequences", "--coder", "reference", "--sdis", sds, "-p", demo)
    text = sds.read_text(encoding="utf-8")
    assert text.startswith("Event (") and text.count("/") == 6  # one per session
    refused = run("sequences", "--coder", "reference", "--sdis", demo, "-p", demo, code=None)
    assert refused.exit_code == 2 and "is the project file" in refused.output


def test_blind_mode_comparing_coders_needs_reveal_and_is_logged(tmp_path):
    path = tmp_path / "p.db"
    run("init", "--project", path, "--codebook", ROOT / "codebooks" / "alliance.yaml")
    (tmp_path / "s1.txt").write_text("T: How are you?\nC: Fine. I guess.\nT: I pushed too hard there.\nC: Whatever.\n",
                                     encoding="utf-8")
    run("import", tmp_path / "s1.txt", "-p", path)
    table = tmp_path / "c.csv"
    table.write_text("transcript,utterance,code,text,coder\ns1,2,Minimal response,,alice\ns1,3,Meta-communication,,alice\n"
                     "s1,2,Denial,,bob\ns1,4,Minimal response,,bob\n", encoding="utf-8")
    run("codings", "import", table, "-p", path)
    assert "1 " in run("sequences", "--coder", "alice", "-p", path).output  # one's own: fine while blind
    refused = run("sequences", "--coders", "alice,bob", "--coder", "alice", "-p", path, code=None)
    assert refused.exit_code == 1 and "blind mode" in refused.output and "--reveal" in refused.output
    data = json.loads(run("sequences", "--coders", "alice,bob", "--coder", "alice", "--reveal", "--json", "-p", path).output)
    assert (data["agreement"]["matched"], data["agreement"]["only_a"], data["agreement"]["only_b"]) == (1, 0, 1)
    assert data["agreement"]["same_resolution"] == 0  # alice repaired at 3, bob did not
    from accord.store import Project

    with Project.open(path) as project:
        assert any(e["action"] == "blind.reveal" and e["data"]["command"] == "sequences" for e in project.events())
    text = run("sequences", "--coders", "alice,bob", "--coder", "alice", "--reveal", "-p", path).output
    assert "matched" in text and "50%" in text


def test_bad_requests_are_clear(demo):
    assert run("sequences", "-p", demo, code=None).exit_code == 2
    assert run("sequences", "--coders", "a", "-p", demo, code=None).exit_code == 2
    unknown = run("sequences", "--coder", "nobody", "-p", demo, code=None)
    assert unknown.exit_code == 1 and "nobody" in unknown.output
    assert run("sequences", "--coder", "reference", "--json", "--csv", "-p", demo, code=None).exit_code == 2


# ------------------------------------------------------------ real sessions, two real coders

sys.path.insert(0, str(ROOT / "bench"))
import alliance_real  # noqa: E402


@pytest.fixture(scope="module")
def alliance(tmp_path_factory):
    if not alliance_real.available() or not (alliance_real.ALLIANCE / "coder_b.csv").is_file():
        pytest.skip("../shared/corpus/alliance not found: the two coders' real episodes need it")
    folder = tmp_path_factory.mktemp("alliance")
    with alliance_real.build(folder, ordinary=False) as project:
        for coder in ("coder_a", "coder_b"):
            project.import_codings(alliance_real.read_rows(alliance_real.ALLIANCE / f"{coder}.csv"), coder)
    return folder / "alliance.db"


def test_real_episodes_of_two_coders(alliance):
    a = json.loads(run("sequences", "--coder", "coder_a", "--json", "-p", alliance).output)
    # The corpus README: coder a has 24 withdrawal and 41 confrontation codings.
    assert a["overall"]["by_type"]["Withdrawal rupture"]["ruptures"] == 24
    assert a["overall"]["by_type"]["Confrontation rupture"]["ruptures"] == 41
    assert 0 < a["overall"]["resolved"] < a["overall"]["ruptures"]
    both = json.loads(run("sequences", "--coders", "coder_a,coder_b", "--reveal", "--json", "-p", alliance).output)
    g = both["agreement"]
    assert g["matched"] + g["only_a"] == 65 and g["matched"] + g["only_b"] == 64
    assert g["agreement"] > 0.8  # rupture kappas are .91 and .94 in the README
