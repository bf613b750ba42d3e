"""`accord crosstab`: codes by a variable, checked against the long CSV and scipy, and in Word."""

import csv
import io
import json
from pathlib import Path

import docx
import numpy as np
import pytest
from scipy import stats

from accord.demo import build_demo
from accord.store import Project

from conftest import digest, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crosstab") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        # a two-valued session variable, for Fisher's test
        p.define_variable("ending", "transcript", "category", ["no", "yes"])
        p.set_values([("ending", t["name"], "yes" if "ending" in t["name"] else "no") for t in p.transcripts()])
    return path


def _long(path, *args):
    out = run("export", "csv", "-", "--table", "long", "--coders", "reference", "--raw", *args, "-p", path).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_counts_and_rates_match_the_long_table(demo):
    table = json.loads(run("crosstab", "--by", "phase", "--coder", "reference", "--json", "-p", demo).stdout)
    assert table["levels"] == ["early", "middle", "late"] and table["coder"] == "reference"
    rows = _long(demo)
    with Project.open(demo) as p:
        codings = p.codings(coder="reference")
        phase = p.variable_values()["phase"]
    for level in table["levels"]:
        mine = [r for r in rows if r["phase"] == level]
        assert table["utterances"][level] == len(mine)
        assert table["words"][level] == sum(int(r["words"]) for r in mine)
    checked = 0
    for r in table["codes"]:
        for level in table["levels"]:
            cell = r["cells"][level]
            coded = sum(int(x[r["code"]]) for x in rows if x["phase"] == level)
            assert cell["coded_utterances"] == coded
            n = sum(1 for c in codings if c.code == r["code"] and phase[c.transcript] == level)
            assert cell["codings"] == n
            assert cell["per_1000_words"] == pytest.approx(1000 * n / table["words"][level], rel=1e-12)
            assert cell["share_of_utterances"] == pytest.approx(coded / table["utterances"][level], rel=1e-12)
            checked += n
    assert checked == len(codings)  # every coding counted once


def test_tests_agree_with_scipy(demo):
    table = json.loads(run("crosstab", "--by", "phase", "--coder", "reference", "--json", "-p", demo).stdout)
    tested = [r for r in table["codes"] if r["test"]["test"] == "chi-square"]
    assert tested, "the demo should allow a chi-square for some code"
    for r in tested:
        coded = [r["cells"][lv]["coded_utterances"] for lv in table["levels"]]
        counts = [coded, [table["utterances"][lv] - c for lv, c in zip(table["levels"], coded)]]
        reference = stats.chi2_contingency(counts, correction=False)
        assert r["test"]["statistic"] == pytest.approx(reference.statistic, rel=1e-10)
        assert r["test"]["p"] == pytest.approx(reference.pvalue, rel=1e-9)
        assert r["test"]["df"] == 2
    untested = [r for r in table["codes"] if r["test"]["test"] is None]
    assert all("expected counts" in r["test"]["reason"] or "fewer than two" in r["test"]["reason"] for r in untested)

    strict = lambda constant: pytest.fail(f"{constant} is not JSON")  # noqa: E731
    two = json.loads(run("crosstab", "--by", "ending", "--coder", "reference", "--json", "-p", demo).stdout,
                     parse_constant=strict)
    fisher = [r for r in two["codes"] if r["test"]["test"] == "Fisher"]
    assert fisher
    # a code never used at the ending has an infinite odds ratio: written as null, valid JSON
    assert any(r["test"]["odds_ratio"] is None for r in fisher)
    for r in fisher:
        coded = [r["cells"][lv]["coded_utterances"] for lv in two["levels"]]
        counts = [coded, [two["utterances"][lv] - c for lv, c in zip(two["levels"], coded)]]
        assert r["test"]["p"] == pytest.approx(stats.fisher_exact(counts).pvalue, rel=1e-9)


def test_a_participant_variable_counts_the_speakers_turns(demo):
    table = json.loads(run("crosstab", "--by", "referral", "--coder", "reference", "--speaker", "client", "--json",
                           "-p", demo).stdout)
    assert table["levels"] == ["self", "GP", "court"]  # every client turn has a case: nothing unset
    rows = [r for r in _long(demo, "--speaker", "client") if r["role"] == "client"]
    for level in table["levels"]:
        assert table["utterances"][level] == sum(1 for r in rows if r["referral"] == level)
    whole = json.loads(run("crosstab", "--by", "referral", "--coder", "reference", "--json", "-p", demo).stdout)
    assert whole["levels"][-1] == "(not set)"  # therapists' turns belong to no case


def test_csv_and_text_output(demo):
    out = run("crosstab", "--by", "session", "--coder", "reference", "--codes", "Denial", "--csv", "-p", demo).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["session"] for r in rows] == ["1", "4", "6", "8", "12"]  # numbers in numeric order
    assert {r["code"] for r in rows} == {"Denial"}
    text = run("crosstab", "--by", "phase", "--coder", "reference", "-p", demo).output
    assert "Codes by phase" in text and "early (n=" in text and "χ²(2, N = " in text


def test_word_table(demo, tmp_path):
    out = tmp_path / "phase.docx"
    run("crosstab", "--by", "phase", "--coder", "reference", "--docx", out, "-p", demo)
    table = json.loads(run("crosstab", "--by", "phase", "--coder", "reference", "--json", "-p", demo).stdout)
    document = docx.Document(out)
    counts, shares = document.tables[-2], document.tables[-1]
    header = [c.text for c in counts.rows[0].cells]
    assert header[0] == "Code" and header[1] == f"early (n = {table['utterances']['early']})"
    first = table["codes"][0]
    by_code = {row.cells[0].text: [c.text for c in row.cells] for row in counts.rows[1:]}
    cell = first["cells"]["early"]
    assert by_code[first["code"]][1] == f"{cell['codings']} ({cell['per_1000_words']:.1f})"
    tests = {row.cells[0].text: row.cells[-1].text for row in shares.rows[1:]}
    chi = next(r for r in table["codes"] if r["test"]["test"] == "chi-square")
    assert tests[chi["code"]].startswith("χ²(2, N = ") and "p = ." in tests[chi["code"]]


def test_refusals(demo, tmp_path):
    before = digest(demo)
    assert "no variable named 'arm'" in run("crosstab", "--by", "arm", "--coder", "reference", "-p", demo, code=1).output
    assert "--coder NAME" in run("crosstab", "--by", "phase", "-p", demo, code=2).output  # two coders: whose?
    assert "no coder named 'carol'" in run("crosstab", "--by", "phase", "--coder", "carol", "-p", demo, code=1).output
    assert digest(demo) == before


def _session_values(demo, variable):
    values = json.loads(run("variables", "--json", "-p", demo).stdout)
    return next(v["values"] for v in values if v["name"] == variable)


def test_ratings_by_a_variable_match_the_ratings_list_and_scipy(demo):
    table = json.loads(run("crosstab", "--by", "phase", "--of", "ratings", "--coder", "reference", "--json",
                           "-p", demo).stdout)
    phase = _session_values(demo, "phase")
    ratings = json.loads(run("ratings", "--coder", "reference", "--json", "-p", demo).stdout)
    scale = table["scales"][0]
    assert scale["scale"] == "Rupture intensity" and scale["levels"] == ["early", "middle", "late"]
    for level in scale["levels"]:
        mine = [r["value"] for r in ratings if r["coder"] == "reference" and phase[r["transcript"]] == level]
        cell = scale["cells"][level]
        assert cell["n"] == len(mine) > 0
        assert cell["mean"] == pytest.approx(np.mean(mine)) and cell["sd"] == pytest.approx(np.std(mine, ddof=1))
        assert cell["points"] == {str(p): mine.count(p) for p in range(1, 6)}
    # two values: a points x 2 table, tested where scipy's chi-square assumptions allow
    two = json.loads(run("crosstab", "--by", "ending", "--of", "ratings", "--coder", "reference", "--json",
                         "-p", demo).stdout)["scales"][0]
    counts = [[two["cells"][lv]["points"][str(p)] for lv in ("no", "yes")] for p in range(1, 6)]
    counts = [r for r in counts if sum(r)]
    if two["test"]["test"] == "chi-square":
        assert two["test"]["statistic"] == pytest.approx(stats.chi2_contingency(counts, correction=False).statistic)
    else:
        assert "expected counts" in two["test"]["reason"]
        assert (np.asarray(stats.contingency.expected_freq(counts)) < 5).mean() > 0.2


def test_episodes_by_a_variable_match_the_episode_list_and_fisher(demo):
    table = json.loads(run("crosstab", "--by", "ending", "--of", "episodes", "--coder", "reference", "--json",
                           "-p", demo).stdout)
    ending = _session_values(demo, "ending")
    episodes = json.loads(run("sequences", "--coder", "reference", "--episodes", "--json", "-p", demo).stdout)["episodes"]
    assert table["levels"] == ["no", "yes"] and table["within"] == 5
    every = next(m for m in table["markers"] if m["marker"] == "All ruptures")
    for level in ("no", "yes"):
        mine = [e for e in episodes if ending[e["transcript"]] == level]
        assert every["cells"][level]["ruptures"] == len(mine) > 0
        assert every["cells"][level]["resolved"] == sum(e["resolved"] for e in mine)
    withdrawal = next(m for m in table["markers"] if m["marker"] == "Withdrawal rupture")
    assert withdrawal["cells"]["yes"]["ruptures"] == sum(
        1 for e in episodes if ending[e["transcript"]] == "yes" and e["rupture"]["marker"] == "Withdrawal rupture")
    assert every["test"]["test"] == "Fisher"
    counts = [[every["cells"][lv]["resolved"] for lv in ("no", "yes")],
              [every["cells"][lv]["ruptures"] - every["cells"][lv]["resolved"] for lv in ("no", "yes")]]
    assert every["test"]["p"] == pytest.approx(stats.fisher_exact(counts).pvalue, rel=1e-9)
    narrower = json.loads(run("crosstab", "--by", "ending", "--of", "episodes", "--coder", "reference", "--within", "1",
                              "--json", "-p", demo).stdout)
    resolved = lambda t: sum(c["resolved"] for c in t["markers"][-1]["cells"].values())  # noqa: E731
    assert resolved(narrower) < resolved(table)


def test_ratings_and_episodes_as_text_csv_and_word(demo, tmp_path):
    text = run("crosstab", "--by", "phase", "--of", "ratings", "--coder", "reference", "-p", demo).output
    assert "Rupture intensity (1-5)" in text and "early" in text
    rows = list(csv.DictReader(io.StringIO(run("crosstab", "--by", "phase", "--of", "episodes", "--coder", "reference",
                                               "--csv", "-p", demo).stdout)))
    assert {r["phase"] for r in rows} == {"early", "middle", "late"} and rows[-1]["marker"] == "All ruptures"
    for of, heading in (("ratings", "Ratings by phase"), ("episodes", "Rupture-repair episodes by phase")):
        out = tmp_path / f"{of}.docx"
        run("crosstab", "--by", "phase", "--of", of, "--coder", "reference", "--docx", out, "-p", demo)
        document = docx.Document(out)
        assert any(p.text == heading for p in document.paragraphs)
        assert document.tables[-1].rows[1].cells[0].text in ("early", "Confrontation rupture")
    ratings_table = docx.Document(tmp_path / "ratings.docx").tables[-1]
    assert [c.text for c in ratings_table.rows[0].cells][:4] == ["phase", "n", "M (SD)", "Mdn"]


def test_ratings_and_episodes_refusals(demo):
    before = digest(demo)
    assert "do not apply to --of ratings" in run("crosstab", "--by", "phase", "--of", "ratings", "--coder", "reference",
                                                  "--codes", "Denial", "-p", demo, code=2).output
    assert "--within goes with --of episodes" in run("crosstab", "--by", "phase", "--of", "ratings", "--coder",
                                                     "reference", "--within", "3", "-p", demo, code=2).output
    assert "no coder named 'carol'" in run("crosstab", "--by", "phase", "--of", "episodes", "--coder", "carol",
                                           "-p", demo, code=1).output
    assert digest(demo) == before
