"""Blind coding from the command line (issue 11, part 4): while the project is blind, no
command shows one coder's codings, memos or counts to anyone else unless told to with
--reveal, which the event log records (who, when, what)."""

import csv
import io
import json
from pathlib import Path

import pytest

from accord.store import Project

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"
SESSION = ROOT / "sample_transcripts" / "session04_withdrawal_repair.txt"
NAME = "session04_withdrawal_repair"


@pytest.fixture
def blind(tmp_path) -> Path:
    """alice and bob have coded the same session blind, each with a memo on a coding."""
    path = tmp_path / "study.db"
    run("init", "--project", path, "--codebook", ALLIANCE)
    run("import", SESSION, "--project", path)
    with Project.open(path) as p:
        u = p.transcript(NAME).utterances
        for coder, i, memo in (("alice", 2, "alice thinks denial"), ("bob", 4, "bob's private hunch")):
            p.add_coder(coder)
            c = p.apply_code(NAME, "Denial", coder, u[i].start, u[i].end)
            p.set_coding_memo(c.id, memo, coder)
        p.apply_code(NAME, "Minimal response", "bob", u[6].start, u[6].end)
        assert p.mode == "blind"
    return path


def reveals(path: Path) -> list[dict]:
    with Project.open(path) as p:
        return [e for e in reversed(p.events()) if e["action"] == "blind.reveal"]


def refused(path: Path, *args) -> str:
    before = digest(path)
    result = run(*args, "--project", path, code=None)
    assert result.exit_code == 1, result.output
    assert "blind mode" in result.output and "--reveal" in result.output
    assert "bob's private hunch" not in result.output
    assert digest(path) == before  # a refusal writes nothing
    return result.output


def test_codings_list_shows_only_the_asking_coders_own_unless_revealed(blind):
    out = refused(blind, "codings", "list")
    assert "every coder" in out
    mine = json.loads(run("codings", "list", "--coder", "alice", "--json", "--project", blind).stdout)
    assert {r["coder"] for r in mine} == {"alice"}
    assert reveals(blind) == []  # her own work: nothing revealed, nothing logged
    everyone = json.loads(run("codings", "list", "--reveal", "--json", "--project", blind).stdout)
    assert {r["coder"] for r in everyone} == {"alice", "bob"}
    [event] = reveals(blind)
    assert event["data"]["command"] == "codings list" and event["data"]["coders"] == ["alice", "bob"]
    assert event["data"]["by"] is None and event["at"]


def test_export_csv_with_memos_refuses_other_coders_and_logs_a_reveal(blind, tmp_path):
    refused(blind, "export", "csv", "-", "--table", "segments")
    refused(blind, "export", "csv", "-", "--table", "segments", "--coders", "alice,bob")
    refused(blind, "export", "csv", tmp_path / "tables")
    assert not (tmp_path / "tables").exists()
    own = run("export", "csv", "-", "--table", "segments", "--coders", "alice", "--project", blind).stdout
    rows = list(csv.DictReader(io.StringIO(own)))
    assert {r["coder"] for r in rows} == {"alice"} and rows[0]["memo"] == "alice thinks denial"
    out = run("export", "csv", "-", "--table", "segments", "--reveal", "--project", blind).stdout
    assert "bob's private hunch" in out
    [event] = reveals(blind)
    assert event["data"]["command"] == "export csv" and "memo" in event["data"]["what"]


def test_every_export_that_shows_codings_asks_the_same(blind, tmp_path):
    for args in (("export", "excerpts", tmp_path / "x.docx"),
                 ("export", "excerpts", tmp_path / "x.docx", "--coders", "bob,alice"),
                 ("export", "codebook", tmp_path / "book.docx"),
                 ("export", "qdpx", tmp_path / "all.qdpx"),
                 ("export", "agreement", tmp_path / "agree.docx", "--coders", "alice,bob")):
        refused(blind, *args)
        assert not args[2].exists()
    run("export", "excerpts", tmp_path / "alice.docx", "--coders", "alice", "--project", blind)
    run("export", "qdpx", tmp_path / "alice.qdpx", "--coders", "alice", "--project", blind)
    run("export", "codebook", tmp_path / "book.docx", "--coders", "alice", "--project", blind)
    run("export", "qdc", tmp_path / "book.qdc", "--project", blind)  # the codebook alone shows nobody's work
    assert reveals(blind) == []
    run("export", "qdpx", tmp_path / "all.qdpx", "--reveal", "--project", blind)
    assert [e["data"]["command"] for e in reveals(blind)] == ["export qdpx"]


def test_agreement_compares_coders_only_when_revealed(blind):
    out = refused(blind, "agreement", "--coders", "alice,bob")
    assert "alice, bob" in out
    refused(blind, "agreement", "--coders", "alice,bob", "--coder", "alice")
    run("agreement", "--coders", "alice,bob", "--coder", "alice", "--reveal", "--project", blind)
    [event] = reveals(blind)
    assert event["data"]["by"] == "alice" and event["data"]["coders"] == ["bob"]
    assert event["data"]["command"] == "agreement"


def test_status_and_coders_list_show_counts_only_for_the_asker(blind):
    s = json.loads(run("status", "--json", "--project", blind).stdout)
    assert s["codings"] is None and all(c["codings"] is None for c in s["coders"])
    s = json.loads(run("status", "--json", "--coder", "bob", "--project", blind).stdout)
    assert {c["name"]: c["codings"] for c in s["coders"]} == {"alice": None, "bob": 2}
    text = run("status", "--coder", "bob", "--project", blind).output
    assert "bob (2)" in text and "alice (1)" not in text and "hidden" in text
    listed = run("coders", "list", "--project", blind).output
    assert "alice" in listed and "1 codings" not in listed and "2 codings" not in listed
    s = json.loads(run("status", "--json", "--reveal", "--project", blind).stdout)
    assert s["codings"] == 3
    assert [e["data"]["command"] for e in reveals(blind)] == ["status"]


def test_switching_to_reconciliation_is_logged_as_a_reveal_and_then_nothing_is_hidden(blind):
    run("mode", "reconciliation", "--coder", "alice", "--project", blind)
    [event] = reveals(blind)
    assert event["data"]["by"] == "alice" and event["data"]["coders"] == ["bob"]
    assert event["data"]["command"] == "mode reconciliation"
    everyone = json.loads(run("codings", "list", "--json", "--project", blind).stdout)
    assert {r["coder"] for r in everyone} == {"alice", "bob"}
    assert json.loads(run("status", "--json", "--project", blind).stdout)["codings"] == 3
    assert len(reveals(blind)) == 1  # open mode: nothing more to log
