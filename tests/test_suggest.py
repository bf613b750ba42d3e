"""Suggestions on real projects: rules from the codebook, training from decisions, the saved
pipeline, review order, evaluation, and bad input leaving the project file unchanged."""

import hashlib
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from accord.cli import main
from accord.codebook import load_codebook, parse_codebook
from accord.demo import build_demo
from accord.store import Project
from accord.suggest import service
from accord.suggest.evaluate import cohen_kappa
from accord.suggest.pipeline import Pipeline, build_pipeline
from accord.suggest.suggester import suggest_transcript
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def alliance():
    return build_pipeline(load_codebook(ROOT / "codebooks" / "alliance.yaml"))


@pytest.fixture(scope="module")
def trained_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    with Project.open(path) as project:
        pipeline, report = service.train(project)
    return path, report


def test_rules_suggest_example_phrases_and_say_why(alliance):
    t = read_transcript(ROOT / "sample_transcripts" / "session01_cbt_panic.txt")
    items = suggest_transcript(alliance, t)
    assert items
    for i in items:
        assert 0 <= i.start < i.end <= len(t.text)
        assert i.source == "rule" and i.explanation.startswith("rule: ")
    deference = [i for i in items if i.code == "Deference and appeasing"]
    assert any("Whatever you think" in t.text[i.start:i.end] for i in deference)


def test_lemma_phrases_and_exclusions():
    book = parse_codebook(
        'name: t\ncodes:\n  - name: Quit\n    examples: ["tried to quit"]\n'
        '    when_not_to_use: Not for "never tried to quit" said of someone else.\n'
    )
    p = build_pipeline(book)
    from accord.model import Transcript, Utterance

    text = "She tries to quit. He never tried to quit, he says."
    t = Transcript("x", text, [Utterance(1, "C", 0, len(text))], "text")
    items = suggest_transcript(p, t)
    assert [text[i.start:i.end] for i in items] == ["She tries to quit."]
    assert "same word roots" in items[0].explanation


def test_train_save_load_and_model_suggestions(trained_demo):
    path, report = trained_demo
    assert report["counts"]["Minimal response"][0] > 0 and report["scores"]
    with Project.open(path) as project:
        saved = project.latest_pipeline()
        assert saved["meta"]["counts"]
        pipeline = Pipeline.from_bytes(saved["pipeline"])
        assert pipeline.classifier is not None
        items = suggest_transcript(pipeline, project.transcript("session04_withdrawal_repair"))
    model_items = [i for i in items if i.source in ("model", "both")]
    assert model_items and all("model 0." in i.explanation for i in model_items)
    assert any("driven by" in i.explanation for i in model_items)


def test_rerun_keeps_decisions_and_provenance(tmp_path):
    path = tmp_path / "p.db"
    build_demo(path)
    runner = CliRunner()
    assert runner.invoke(main, ["suggest", "-p", str(path)]).exit_code == 0
    with Project.open(path) as project:
        project.add_coder("alice")
        first = project.suggestions(coder="alice")
        coding = project.accept_suggestion(first[0].id, "alice")
        project.reject_suggestion(first[1].id, "alice")
    result = runner.invoke(main, ["suggest", "-p", str(path)])
    assert result.exit_code == 0, result.output
    with Project.open(path) as project:
        decisions = {d["suggestion_id"]: d["decision"] for d in project.decisions("alice")}
        assert decisions == {first[0].id: "accepted", first[1].id: "rejected"}
        assert project.coding(coding.id).suggestion_id == first[0].id
        assert project.latest_pipeline() is not None


def test_uncertain_order_keeps_every_pending_suggestion(trained_demo, tmp_path):
    import shutil

    path = tmp_path / "copy.db"
    shutil.copy(trained_demo[0], path)
    runner = CliRunner()
    assert runner.invoke(main, ["suggest", "-p", str(path)]).exit_code == 0
    with Project.open(path) as project:
        from accord.suggest.review import review_order

        pending = project.suggestions()
        ordered = review_order(project, pending, "uncertain")
        assert sorted(s.id for s in ordered) == sorted(s.id for s in pending)
        assert ordered != sorted(pending, key=lambda s: (s.transcript, s.start))


def _items(code, scores, disagree=()):
    from types import SimpleNamespace

    return [SimpleNamespace(code=code, score=s, explanation="disagree" if i in disagree else "") for i, s in enumerate(scores)]


def test_uncertain_first_orders_disagreements_then_nearest_threshold():
    from accord.suggest.review import uncertain_first

    items = _items("Known", [0.95, 0.52, 0.7, 0.41, 0.9], disagree={4})
    ordered = uncertain_first(items, threshold=lambda c: 0.5, positives={"Known": 100},
                              disagree=lambda it: it.explanation == "disagree")
    assert [it.score for it in ordered] == [0.9, 0.52, 0.41, 0.7, 0.95]


def test_uncertain_first_gives_rare_codes_every_fourth_place_likeliest_first():
    from accord.suggest.review import uncertain_first

    known = _items("Known", [0.5 + i / 100 for i in range(12)])
    rare = _items("Rare", [0.2, 0.9, 0.6])
    almost = _items("Almost", [0.3, 0.8, 0.7])  # 28 of 30 confirmed: two more places
    ordered = uncertain_first(known + rare + almost, threshold=lambda c: 0.5,
                              positives={"Known": 100, "Almost": 28}, disagree=lambda it: False)
    assert len(ordered) == 18 and len({id(it) for it in ordered}) == 18
    picks = [(it.code, it.score) for it in ordered[::4]]
    assert picks == [("Almost", 0.8), ("Rare", 0.9), ("Almost", 0.7), ("Rare", 0.6), ("Rare", 0.2)]
    assert (ordered[1].code, ordered[1].score) == ("Known", 0.5)
    # Past its quota, Almost's last suggestion waits its turn by uncertainty (0.2 from 0.5).
    rest = [it for i, it in enumerate(ordered) if i % 4]
    assert [round(abs(it.score - 0.5), 2) for it in rest] == sorted(round(abs(it.score - 0.5), 2) for it in rest)
    assert ("Almost", 0.3) in [(it.code, it.score) for it in rest]


def test_evaluate_and_train_cli(trained_demo):
    runner = CliRunner()
    result = runner.invoke(main, ["evaluate", "-p", str(trained_demo[0]), "--coder", "reference", "--json"])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output)
    assert set(report) == {"rules", "model", "both"}
    assert 0 <= report["rules"]["macro_f1"]["utterance"] <= 1
    assert report["model"]["macro_f1"]["utterance"] > report["rules"]["macro_f1"]["utterance"]


def test_cohen_kappa_matches_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    a = list("aabbbcccca")
    b = list("abbbccccaa")
    assert cohen_kappa(a, b) == pytest.approx(sk.cohen_kappa_score(a, b))
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None


def test_suggesting_works_with_networking_disabled(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    build_demo(path)

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with Project.open(path) as project:
        pipeline, needs_save = service.load_pipeline(project)
        results = service.run_suggestions(project, ["session01_cbt_panic"], pipeline)
        service.store_suggestions(project, pipeline, results, needs_save)
        service.train(project)
        assert project.suggestions()


# --- bad input: a clear message and the project file unchanged -------------------------------


def _project_with(tmp_path, codebook_text: str) -> Path:
    path = tmp_path / "p.db"
    with Project.create(path) as project:
        project.load_codebook(parse_codebook(codebook_text, tmp_path / "book.yaml"))
        project.import_transcript(read_transcript(ROOT / "sample_transcripts" / "session01_cbt_panic.txt"))
    return path


def test_pattern_spacy_rejects_is_reported_and_project_unchanged(tmp_path):
    path = _project_with(tmp_path, 'name: t\ncodes:\n  - name: Broken\n    patterns:\n      - [{TEXT: {REGEX: "(unclosed"}}]\n')
    before = sha(path)
    result = CliRunner().invoke(main, ["suggest", "-p", str(path)])
    assert result.exit_code == 2
    assert "Broken" in result.output and "spaCy rejects pattern 1" in result.output
    assert sha(path) == before


def test_code_with_no_examples_is_reported_and_project_unchanged(tmp_path):
    path = _project_with(tmp_path, 'name: t\ncodes:\n  - name: Empty\n  - name: Has\n    examples: ["panic"]\n')
    before = sha(path)
    result = CliRunner().invoke(main, ["suggest", "-p", str(path), "--codes", "Empty"])
    assert result.exit_code == 1
    assert "'Empty' has no example phrases or patterns" in result.output
    assert sha(path) == before


def test_empty_project_is_reported_and_unchanged(tmp_path):
    path = tmp_path / "empty.db"
    Project.create(path).close()
    before = sha(path)
    for args in (["suggest"], ["train"]):
        result = CliRunner().invoke(main, [*args, "-p", str(path)])
        assert result.exit_code == 1 and "no codebook yet" in result.output
    with Project.open(path) as project:
        project.load_codebook(load_codebook(ROOT / "codebooks" / "mi.yaml"))
    before = sha(path)
    result = CliRunner().invoke(main, ["suggest", "-p", str(path)])
    assert result.exit_code == 1 and "no transcripts yet" in result.output
    result = CliRunner().invoke(main, ["train", "-p", str(path)])
    assert result.exit_code == 1 and "nothing to train on" in result.output
    assert sha(path) == before


def test_corrupted_saved_model_is_reported_and_project_unchanged(trained_demo, tmp_path):
    import shutil

    path = tmp_path / "broken.db"
    shutil.copy(trained_demo[0], path)
    with Project.open(path) as project:
        project.conn.execute("UPDATE suggestion_models SET pipeline = ?", [b"\x93not a pipeline at all"])
    before = sha(path)
    result = CliRunner().invoke(main, ["suggest", "-p", str(path)])
    assert result.exit_code == 1
    assert "damaged" in result.output and "accord train" in result.output
    assert sha(path) == before


def test_simulate_cli_prints_a_learning_curve_and_leaves_the_project_alone(tmp_path):
    import csv
    import hashlib
    import json

    path = tmp_path / "demo.db"
    build_demo(path)
    gold = tmp_path / "gold.csv"
    with open(gold, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["transcript", "start", "end", "code"])
        writer.writeheader()
        with Project.open(path) as project:
            for k in project.codings(coder="reference"):
                writer.writerow({"transcript": k.transcript, "start": k.start, "end": k.end, "code": k.code})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["simulate", "-p", str(path), "--gold", str(gold), "--seeds", "2",
                                       "--checkpoints", "10,20", "--every", "10", "--holdout", "0.34", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [row["decisions"] for row in report["summary"]] == [0, 10, 20, "all"]
    assert {r["seed"] for r in report["runs"]} == {0, 1}
    for run in report["runs"]:
        if run["decisions"] not in (0, "all"):
            assert run["made"] <= run["decisions"]
        for who in ("accord", "baseline"):
            if run[who]:
                assert 0 <= run[who]["macro_f1"] <= 1
                assert set(run[who]["per_code"]) == set(report["codes"])
    all_row = report["summary"][-1]
    assert all_row["accord"]["macro_f1"] > report["summary"][0]["accord"]["macro_f1"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    result = CliRunner().invoke(main, ["simulate", "-p", str(path), "--gold", str(gold), "--seeds", "1",
                                       "--checkpoints", "10", "--holdout", "0.34", "--references"])
    assert result.exit_code == 0, result.output
    assert "full labels" in result.output and "tuned baseline" in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_simulation_references_train_on_the_baselines_random_utterances_with_full_labels(tmp_path):
    pytest.importorskip("sklearn")
    from accord.suggest.simulate import simulate

    path = tmp_path / "demo.db"
    build_demo(path)
    with Project.open(path) as project:
        rows = [{"transcript": k.transcript, "code": k.code, "start": k.start, "end": k.end}
                for k in project.codings(coder="reference")]
        codes = sorted({r["code"] for r in rows})
        book = project.codebook()
        runs = simulate(project, lambda: build_pipeline(book), rows, codes, checkpoints=(20,), holdout=0.34,
                        references=True, log=lambda s: None)
    final = {r["decisions"]: r for r in runs}
    for point in (20, "all"):
        assert 0 <= final[point]["labels"]["macro_f1"] <= 1 and 0 <= final[point]["tuned"]["macro_f1"] <= 1
    # With every training utterance labelled, the reference is accord trained on the same labels.
    assert final["all"]["labels"]["macro_f1"] == pytest.approx(final["all"]["accord"]["macro_f1"])
    assert final[20]["labels"]["macro_f1"] != final["all"]["labels"]["macro_f1"]


def test_simulation_on_a_project_without_a_codebook_says_to_load_one(trained_demo, tmp_path):
    from accord.store.common import ProjectError
    from accord.suggest.simulate import simulate

    with Project.open(trained_demo[0]) as demo:
        book = demo.require_codebook()
        rows = [{"transcript": k.transcript, "code": k.code, "start": k.start, "end": k.end}
                for k in demo.codings(coder="reference")]
        transcripts = [demo.transcript(name) for name in sorted({r["transcript"] for r in rows})]
    with Project.create(tmp_path / "bare.db") as project:
        for t in transcripts:
            project.import_transcript(t)
        with pytest.raises(ProjectError, match="no codebook"):
            simulate(project, lambda: build_pipeline(book), rows, sorted({r["code"] for r in rows}),
                     checkpoints=(10,), holdout=0.34, with_baseline=False, log=lambda s: None)


def test_features_named_on_demand_are_those_named_up_front(trained_demo):
    from accord.suggest.analysis import analyze, analyze_lazily
    from accord.suggest.suggester import suggest_analyses

    with Project.open(trained_demo[0]) as project:
        pipeline = Pipeline.from_bytes(project.latest_pipeline()["pipeline"])
        t = project.transcript("session04_withdrawal_repair")
    eager = analyze(pipeline.nlp, t, names=True)
    lazy, namer = analyze_lazily(pipeline.nlp, t)
    assert [namer(i) for i in range(len(lazy))] == [a.names for a in eager]
    assert [a.features.tolist() for a in lazy] == [a.features.tolist() for a in eager]
    items = suggest_transcript(pipeline, t)
    assert items == suggest_analyses(pipeline, t.name, eager, review=True)  # `accord suggest` stores review-only ones too
    assert any("driven by" in i.explanation for i in items)


def test_train_and_suggest_for_one_coder_keep_that_coders_model_and_suggestions_apart(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path)
    runner = CliRunner()
    result = runner.invoke(main, ["train", "-p", str(path), "--for", "reference"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["suggest", "-p", str(path), "--for", "reference", "session01_cbt_panic"])
    assert result.exit_code == 0, result.output
    with Project.open(path) as project:
        assert project.latest_pipeline() is None
        own = project.latest_pipeline("reference")["version"]
        project.add_coder("newcomer")
        assert {s.pipeline_version for s in project.suggestions(transcript="session01_cbt_panic", coder="reference")} == {own}
        assert project.suggestions(transcript="session01_cbt_panic", coder="newcomer") == []
    result = runner.invoke(main, ["train", "-p", str(path), "--for", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output
    result = runner.invoke(main, ["train", "-p", str(path), "--for", "reference", "--coder", "reference"])
    assert result.exit_code != 0 and "leave out --coder" in result.output


def test_a_shared_model_trained_on_several_blind_coders_comes_with_a_warning(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path)
    runner = CliRunner()
    result = runner.invoke(main, ["train", "-p", str(path)])
    assert result.exit_code == 0 and "Warning" not in result.output, "one coder's decisions: nothing to warn about"
    assert "coded by reference" in result.output
    with Project.open(path) as project:
        project.add_coder("ben")
        u = project.transcript("session01_cbt_panic").utterances[0]
        project.apply_code("session01_cbt_panic", "Minimal response", "ben", u.start, u.end)
    result = runner.invoke(main, ["train", "-p", str(path)])  # blind: refused, and says why
    assert result.exit_code == 1 and "blind mode" in result.output and "--for NAME" in result.output
    result = runner.invoke(main, ["train", "-p", str(path), "--reveal"])
    assert result.exit_code == 0, result.output
    assert "blind mode" in result.output and "reference, ben" in result.output and "--for reference" in result.output
    assert "Warning" not in runner.invoke(main, ["train", "-p", str(path), "--for", "ben"]).output
    assert "Warning" not in runner.invoke(main, ["train", "-p", str(path), "--coder", "ben"]).output
    assert runner.invoke(main, ["mode", "-p", str(path), "reconciliation", "--coder", "ben"]).exit_code == 0
    assert "Warning" not in runner.invoke(main, ["train", "-p", str(path)]).output


def test_ranking_suggestions_does_not_load_spacy_but_the_package_still_offers_the_pipeline():
    import subprocess
    import sys

    code = ("import sys, accord.suggest.review, accord.coding_session; print('spacy' in sys.modules); "
            "from accord.suggest import build_pipeline, ModelError; print(build_pipeline.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "accord.suggest.pipeline"]


def test_a_correction_teaches_the_right_code_and_the_wrong_one_and_nothing_else(tmp_path):
    from accord.suggest.analysis import analyze
    from accord.suggest.training import labels_from_project

    path = tmp_path / "demo.db"
    build_demo(path, suggestions=True)
    with Project.open(path) as project:
        project.add_coder("ann")
        sg = project.suggestions(transcript="session01_cbt_panic", coder="ann")[0]
        right = next(c.name for c in project.codebook().codes if c.name != sg.code)
        project.correct_suggestion(sg.id, "ann", right)
        pipeline, _ = service.load_pipeline(project)
        cache = {}

        def analyses_of(name):
            return cache.setdefault(name, analyze(pipeline.nlp, project.transcript(name)))

        labels, _ = labels_from_project(project, project.codebook(), analyses_of, coders=["ann"])
    units = set(labels.pos) | set(labels.neg)
    assert len(units) == 1, "a correction does not mark the rest of the transcript as read"
    [unit] = units
    assert right in labels.pos[unit] and sg.code in labels.neg[unit]
    assert labels.coders == ["ann"]


def test_a_match_across_a_sentence_boundary_is_suggested_with_both_sentences(alliance):
    from accord.model import Transcript, Utterance

    # The pattern "you are right <punct>? you are right" runs over the full stop between them.
    text = "Okay. No, you're right. You're right. Let's do it your way."
    t = Transcript("x", text, [Utterance(1, "C", 0, len(text))], "text")
    [hit] = [i for i in suggest_transcript(alliance, t) if i.code == "Deference and appeasing"]
    assert text[hit.start:hit.end] == "No, you're right. You're right."


def test_a_bracketed_pause_belongs_to_the_sentence_it_opens(alliance):
    from accord.model import Transcript, Utterance

    text = "Hello, Sam. Come through. (pause) I'll miss our sessions."
    t = Transcript("x", text, [Utterance(1, "T", 0, len(text))], "text")
    spans = {i.code: text[i.start:i.end] for i in suggest_transcript(alliance, t)}
    assert spans["Minimal response"] == spans["Real relationship"] == "(pause) I'll miss our sessions."


def test_hand_coding_counts_as_reading_only_as_far_as_the_coder_has_read(tmp_path):
    from accord.suggest.analysis import analyze
    from accord.suggest.training import labels_from_project

    path = tmp_path / "demo.db"
    build_demo(path)
    name = "session04_withdrawal_repair"
    with Project.open(path) as project:
        project.add_coder("ann")
        utterances = project.transcript(name).utterances
        for u in utterances[1:6:2]:
            project.apply_code(name, "Minimal response", "ann", u.start, u.end)
        pipeline, _ = service.load_pipeline(project)
        cache = {}

        def analyses_of(n):
            return cache.setdefault(n, analyze(pipeline.nlp, project.transcript(n)))

        def labelled():
            labels, _ = labels_from_project(project, project.codebook(), analyses_of, coders=["ann"])
            return {i for (_, i) in set(labels.pos) | set(labels.neg)}

        assert labelled() == set(range(len(utterances))), "no progress recorded: the whole transcript counts as read"
        project.save_reviewed(name, "ann", set(range(1, 11)))  # the coding screen saw her reach utterance 10
        assert labelled() == set(range(10))
        # The reference coder's imported coding still counts the whole transcript as read.
        labels, _ = labels_from_project(project, project.codebook(), analyses_of, coders=["reference"])
        assert {i for (t, i) in set(labels.pos) | set(labels.neg) if t == name} == set(range(len(utterances)))
