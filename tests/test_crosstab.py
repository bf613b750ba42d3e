"""`accord crosstab`: codes by a variable, checked against the long CSV and scipy, and in Word."""

import csv
import io
import json
from pathlib import Path

import docx
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
