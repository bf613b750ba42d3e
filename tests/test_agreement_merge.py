"""`accord merge`: copies of one project coded blind come together; twice changes nothing;
bad files leave both projects byte for byte as they were."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from accord.cli import main
from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project

CODEBOOK = """
name: Test book
codes:
  - name: Rupture
  - name: Repair
"""


def run(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def transcript(name: str, words: str = "utterance") -> Transcript:
    lines = [f"T: first {words}", f"C: second {words}", f"T: third {words}"]
    utterances, pos = [], 0
    for i, line in enumerate(lines):
        utterances.append(Utterance(i + 1, line[0], pos + 3, pos + len(line)))
        pos += len(line) + 1
    return Transcript(name, "\n".join(lines) + "\n", utterances, "text")


@pytest.fixture
def copies(tmp_path):
    """alice codes in ours.db, bob in a copy of it (theirs.db), as two laptops would."""
    ours = tmp_path / "ours.db"
    with Project.create(ours) as p:
        p.load_codebook(parse_codebook(CODEBOOK))
        p.import_transcript(transcript("s1"))
        p.import_transcript(transcript("s2"))
        p.add_coder("alice")
    theirs = tmp_path / "theirs.db"
    shutil.copy(ours, theirs)
    with Project.open(ours) as p:
        t = p.transcript("s1")
        p.apply_code("s1", "Rupture", "alice", t.utterances[0].start, t.utterances[0].end)
    with Project.open(theirs) as p:
        p.ensure_coder("bob")
        t = p.transcript("s1")
        p.apply_code("s1", "Rupture", "bob", t.utterances[0].start, t.utterances[0].end)
        p.apply_code("s1", "Repair", "bob", t.utterances[1].start, t.utterances[1].end, memo="bob's memo")
        removed = p.apply_code("s2", "Repair", "bob", t.utterances[2].start, t.utterances[2].end)
        p.remove_coding(removed.id, "bob")
    return ours, theirs


def test_merge_brings_coders_and_codings_and_twice_changes_nothing(copies):
    ours, theirs = copies
    before_theirs = digest(theirs)
    out = run("merge", theirs, "--project", ours).output
    assert "Merged 2 codings by 'bob' (new coder)" in out
    assert digest(theirs) == before_theirs  # the other copy is only read
    with Project.open(ours) as p:
        bob = p.codings(coder="bob")
        assert [(k.transcript, k.code, k.memo) for k in bob] == [("s1", "Rupture", ""), ("s1", "Repair", "bob's memo")]
        assert len(p.codings(coder="alice")) == 1
        event = p.events(limit=1)[0]
        assert event["action"] == "project.merge" and event["data"]["codings_added"] == {"bob": 2}
        with Project.open(theirs) as q:
            guids = lambda proj: {r[0] for r in proj.conn.execute("SELECT guid FROM codings WHERE status = 'active'")}  # noqa: E731
            assert guids(q) <= guids(p)
    once = digest(ours)
    again = json.loads(run("merge", theirs, "--project", ours, "--json").output)
    assert again["added"] == 0 and again["already_here"] == 2 and again["event_id"] is None
    assert digest(ours) == once  # running it twice changes nothing
    # and the other way round: alice's work reaches bob's copy
    run("merge", ours, "--project", theirs)
    with Project.open(theirs) as q:
        assert len(q.codings(coder="alice")) == 1 and len(q.codings(coder="bob")) == 2


def test_transcripts_match_by_text_differing_text_is_reported_new_ones_added(copies, tmp_path):
    ours, theirs = copies
    with Project.open(theirs) as p:
        p.conn.execute("UPDATE transcripts SET name = 'renamed s1' WHERE name = 's1'")
        p.import_transcript(transcript("s2", words="words"), as_new=True)  # same name elsewhere: "s2 (2)"
        p.import_transcript(transcript("s3", words="new"))
        p.ensure_coder("bob")
        t3 = p.transcript("s3")
        p.apply_code("s3", "Repair", "bob", t3.utterances[0].start, t3.utterances[0].end)
    with Project.open(ours) as p:
        p.import_transcript(transcript("s2 (2)", words="different"))
    result = run("merge", theirs, "--project", ours)
    assert "Matched their 'renamed s1' to 's1' by its text" in result.output
    assert "not merged: transcript 's2 (2)' has different text" in result.stderr
    assert "Added transcript 's3'" in result.output
    with Project.open(ours) as p:
        assert p.transcript("s3").text == transcript("s3", words="new").text
        assert [k.transcript for k in p.codings(coder="bob")] == ["s1", "s1", "s3"]


def test_codes_are_matched_by_name_and_missing_ones_reported(copies):
    ours, theirs = copies
    with Project.open(theirs) as p:
        p.load_codebook(parse_codebook(CODEBOOK + "  - name: Extra\n"))
        t = p.transcript("s2")
        p.apply_code("s2", "Extra", "bob", t.utterances[0].start, t.utterances[0].end)
    result = run("merge", theirs, "--project", ours)
    assert "not merged: 1 codings of code 'Extra'" in result.stderr
    with Project.open(ours) as p:
        assert {k.code for k in p.codings(coder="bob")} == {"Rupture", "Repair"}


def _unchanged_after_failed_merge(ours: Path, other: Path, message: str, status: int = 2):
    before = digest(ours), (digest(other) if other.is_file() else None)
    result = run("merge", other, "--project", ours, ok=False)
    assert result.exit_code == status, result.output
    assert message in result.stderr
    assert (digest(ours), digest(other) if other.is_file() else None) == before


def test_bad_merge_files_change_nothing(copies, tmp_path):
    ours, theirs = copies
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    _unchanged_after_failed_merge(ours, text, "not an accord project (not an SQLite file)")
    other_sqlite = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other_sqlite)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    _unchanged_after_failed_merge(ours, other_sqlite, "an SQLite file, but not an accord project")
    _unchanged_after_failed_merge(ours, tmp_path / "missing.db", "no such file")
    _unchanged_after_failed_merge(ours, tmp_path, "not a file")
    _unchanged_after_failed_merge(ours, ours, "is this project itself", status=1)
    newer = tmp_path / "newer.db"
    shutil.copy(theirs, newer)
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('accord', 'm999_from_the_future', 'x')"
    )
    conn.commit()
    conn.close()
    _unchanged_after_failed_merge(ours, newer, "written by a newer accord (schema steps this accord does not know: m999_from_the_future)")
    with Project.open(ours) as p:
        assert [c["name"] for c in p.coders()] == ["alice"]


def test_an_older_copy_is_upgraded_in_memory_only(copies, tmp_path):
    ours, theirs = copies
    conn = sqlite3.connect(theirs)
    conn.execute("DROP TABLE review_progress")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_review_progress'")
    conn.commit()
    conn.close()
    before = digest(theirs)
    assert "Merged 2 codings by 'bob'" in run("merge", theirs, "--project", ours).output
    assert digest(theirs) == before
