"""Real data: AnnoMI sessions 7 and 27, each coded by the same ten expert annotators.

The sessions and annotations are imported through the command line (one coder per
annotator, in one coding table with a coder column), and `accord agreement --json` must give
the same pairwise Cohen's kappa, Fleiss' kappa and Krippendorff's alpha as scikit-learn,
statsmodels and the `krippendorff` package computed straight from the annotation file on the
same units (utterances). The README's reference figures come from here.
"""

from __future__ import annotations

import csv
import json
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa


from conftest import run

MI = Path(__file__).resolve().parents[1] / "codebooks" / "mi.yaml"
SESSIONS = (7, 27)
ANNOTATORS = [f"annotator{i}" for i in range(10)]
# AnnoMI's labels -> the shipped MI codebook's codes
CODES = {
    "reflection": "Reflection",
    "question": "Question",
    "therapist_input": "Therapist input",
    "other": "Other (therapist)",
    "change": "Change talk",
    "sustain": "Sustain talk",
    "neutral": "Neutral talk",
}


@pytest.fixture(scope="module")
def annomi(corpus_dir, tmp_path_factory):
    """(project path, labels: annotators x utterances of AnnoMI codes, from the CSV alone)."""
    rows = [
        r for r in csv.DictReader(open(corpus_dir / "annotations.csv", encoding="utf-8"))
        if int(r["transcript_id"]) in SESSIONS
    ]
    units = sorted({(int(r["transcript_id"]), int(r["utterance_id"])) for r in rows})
    index = {u: i for i, u in enumerate(units)}
    labels = np.empty((10, len(units)), dtype=object)
    for r in rows:
        labels[int(r["annotator_id"]), index[(int(r["transcript_id"]), int(r["utterance_id"]))]] = CODES[r["code"]]
    assert (labels != None).all()  # noqa: E711  every annotator coded every utterance once

    folder = tmp_path_factory.mktemp("annomi")
    project = folder / "annomi.db"
    table = folder / "annotations.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["transcript", "start", "end", "code", "coder"])
        for r in rows:
            name = f"annomi_{int(r['transcript_id']):03d}"
            w.writerow([name, r["text_start"], r["text_end"], CODES[r["code"]], f"annotator{r['annotator_id']}"])
    run("init", "--project", project, "--codebook", MI)
    run("import", *[corpus_dir / "transcripts" / f"annomi_{s:03d}.txt" for s in SESSIONS], "--project", project)
    out = run("codings", "import", table, "--project", project).output
    assert out.count("Imported 89 codings") == 10
    first = sorted({f"annotator{r['annotator_id']}" for r in rows})[0]
    run("mode", "reconciliation", "--coder", first, "--project", project)  # coding is done: compare (blind mode: tests/test_blind.py)
    return project, labels


def agreement_json(project, *args):
    return json.loads(run("agreement", "--coders", ",".join(ANNOTATORS), "--project", project, "--json", *args).output)


def test_annomi_agreement_matches_independent_libraries(annomi):
    project, labels = annomi
    report = agreement_json(project)
    assert report["units"] == labels.shape[1] == 89 and report["kappa"] == "Fleiss' kappa"
    categories = sorted(set(labels.ravel()))
    numbers = np.vectorize(categories.index)(labels)
    overall = report["overall"]
    assert overall["multi_coded_units"] == 0 and overall["categories"] == 7  # mutually exclusive scheme
    fleiss = fleiss_kappa(aggregate_raters(numbers.T)[0])
    alpha = krippendorff.alpha(reliability_data=numbers, level_of_measurement="nominal")
    assert overall["all_units"]["kappa"] == pytest.approx(fleiss, abs=1e-12)
    assert overall["all_units"]["alpha"] == pytest.approx(alpha, abs=1e-12)
    pairs = {(p["a"], p["b"]): p for p in overall["pairwise"]}
    assert len(pairs) == 45
    for i, j in combinations(range(10), 2):
        expected = cohen_kappa_score(labels[i], labels[j])
        assert pairs[(ANNOTATORS[i], ANNOTATORS[j])]["all_units"]["kappa"] == pytest.approx(expected, abs=1e-12)
    for row in report["by_code"]:  # each code as a binary decision per utterance
        binary = (labels == row["code"]).astype(int)
        assert row["use"] == {a: int(binary[k].sum()) for k, a in enumerate(ANNOTATORS)}
        assert row["all_units"]["kappa"] == pytest.approx(fleiss_kappa(aggregate_raters(binary.T, n_cat=2)[0]), abs=1e-12)
        assert row["all_units"]["alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal"), abs=1e-12
        )
        first = row["pairwise"][0]
        assert first["all_units"]["kappa"] == pytest.approx(cohen_kappa_score(binary[0], binary[1]), abs=1e-12)
    # the reference figures quoted in the README
    kappas = [p["all_units"]["kappa"] for p in overall["pairwise"]]
    assert round(fleiss, 3) == 0.713 and round(alpha, 3) == 0.714
    assert (round(min(kappas), 2), round(float(np.mean(kappas)), 2), round(max(kappas), 2)) == (0.57, 0.71, 0.85)
    interval = overall["all_units"]["alpha_interval"]
    assert interval["low"] < alpha < interval["high"]


def test_annomi_per_session_and_two_coders(annomi):
    project, labels = annomi
    report = agreement_json(project, "--per-transcript", "--bootstrap", "0")
    categories = sorted(set(labels.ravel()))
    numbers = np.vectorize(categories.index)(labels)
    for t, part in zip(report["by_transcript"], (slice(0, 66), slice(66, 89))):
        assert t["transcript"] in ("annomi_007", "annomi_027")
        assert t["overall"]["all_units"]["kappa"] == pytest.approx(fleiss_kappa(aggregate_raters(numbers[:, part].T)[0]))
    two = json.loads(run("agreement", "--coders", "annotator0,annotator1", "--project", project, "--json").output)
    assert two["kappa"] == "Cohen's kappa"
    assert two["overall"]["all_units"]["kappa"] == pytest.approx(cohen_kappa_score(labels[0], labels[1]))
    assert two["overall"]["all_units"]["percent_agreement"] == pytest.approx(np.mean(labels[0] == labels[1]))
