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


def test_uncertain_order_puts_disagreements_first(trained_demo, tmp_path):
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
        flags = ["disagree" in s.explanation for s in ordered]
        assert flags == sorted(flags, reverse=True)


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
