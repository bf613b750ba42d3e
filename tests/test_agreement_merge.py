"""`accord merge`: copies of one project coded blind come together; twice changes nothing;
bad files leave both projects byte for byte as they were."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project

from conftest import digest, run

CODEBOOK = """
name: Test book
codes:
  - name: Rupture
  - name: Repair
"""


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
        p.replace_suggestions("s2", "rules-1", items(t, ("Extra", 2)))
        p.reject_suggestion(p.suggestions(transcript="s2")[0].id, "bob")
    result = run("merge", theirs, "--project", ours)
    assert "not merged: 1 codings of code 'Extra'" in result.stderr
    assert "not merged: 1 suggestion decisions on code 'Extra'" in result.stderr
    with Project.open(ours) as p:
        assert {k.code for k in p.codings(coder="bob")} == {"Rupture", "Repair"}


def _unchanged_after_failed_merge(ours: Path, other: Path, message: str, status: int = 2):
    before = digest(ours), (digest(other) if other.is_file() else None)
    result = run("merge", other, "--project", ours, code=None)
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


# --- the rest of a coder's work: memos, review progress, suggestion decisions ---------------


def span(t: Transcript, number: int) -> tuple[int, int]:
    u = t.utterances[number - 1]
    return u.start, u.end


def items(t: Transcript, *pairs) -> list[dict]:
    return [{"code": code, "start": span(t, n)[0], "end": span(t, n)[1], "score": 0.8,
             "explanation": f"rule for {code}", "source": "rule"} for code, n in pairs]


@pytest.fixture
def ben_copy(tmp_path):
    """The PI's project with shared suggestions on s1; ben works in a copy of it, where he
    also runs suggestions of his own on s2, writes memos, reviews, accepts and rejects."""
    ours = tmp_path / "ours.db"
    with Project.create(ours) as p:
        p.load_codebook(parse_codebook(CODEBOOK))
        p.import_transcript(transcript("s1"))
        p.import_transcript(transcript("s2", words="turn"))
        p.add_coder("alice")
        p.replace_suggestions("s1", "rules-1", items(p.transcript("s1"), ("Rupture", 1), ("Repair", 2), ("Rupture", 3)))
    theirs = tmp_path / "theirs.db"
    shutil.copy(ours, theirs)
    with Project.open(theirs) as p:
        p.ensure_coder("ben")
        shared = {(s.code, s.start): s for s in p.suggestions(transcript="s1")}
        s1, s2 = p.transcript("s1"), p.transcript("s2")
        p.reject_suggestion(shared[("Rupture", span(s1, 1)[0])].id, "ben")
        p.accept_suggestion(shared[("Repair", span(s1, 2)[0])].id, "ben")
        p.replace_suggestions("s2", "rules-1", items(s2, ("Rupture", 1), ("Repair", 3)), coder="ben")
        own = {s.code: s for s in p.suggestions(transcript="s2", coder="ben")}
        p.reject_suggestion(own["Rupture"].id, "ben")
        p.accept_suggestion(own["Repair"].id, "ben")
        p.set_utterance_memo("s1", 1, "ben", "a rupture? no, a joke")
        p.set_utterance_memo("s2", 3, "ben", "repair after the silence")
        p.save_reviewed("s1", "ben", {1, 2, 3})
        p.save_reviewed("s2", "ben", {1})
    with Project.open(ours) as p:
        # the PI runs suggestions again meanwhile: undecided ones are replaced here
        p.replace_suggestions("s1", "rules-2", items(p.transcript("s1"), ("Rupture", 1), ("Repair", 2), ("Rupture", 3)))
    return ours, theirs


def test_merge_brings_memos_progress_and_decisions_and_twice_changes_nothing(ben_copy):
    ours, theirs = ben_copy
    before_theirs = digest(theirs)
    out = run("merge", theirs, "--project", ours).output
    assert "Merged 2 memos by 'ben'" in out
    assert "Marked 4 more utterances as reviewed by 'ben'" in out
    assert "Merged 4 suggestion decisions by 'ben' (2 accepted, 2 rejected)" in out
    assert digest(theirs) == before_theirs
    with Project.open(ours) as p:
        assert p.utterance_memos("s1", "ben") == {1: "a rupture? no, a joke"}
        assert p.utterance_memos("s2", "ben") == {3: "repair after the silence"}
        assert p.utterance_memos("s1", "alice") == {}  # still blind: memos keep their coder
        assert p.reviewed("s1", "ben") == {1, 2, 3} and p.reviewed("s2", "ben") == {1}
        assert p.reviewed("s1", "alice") == set()

        decisions = {(d["transcript"], d["code"], d["decision"]) for d in p.decisions("ben")}
        assert decisions == {("s1", "Rupture", "rejected"), ("s1", "Repair", "accepted"),
                             ("s2", "Rupture", "rejected"), ("s2", "Repair", "accepted")}
        assert p.decisions("alice") == []
        s1 = p.transcript("s1")
        rejected = next(d for d in p.decisions("ben") if d["transcript"] == "s1" and d["decision"] == "rejected")
        assert (rejected["start"], rejected["end"]) == span(s1, 1)
        # ben's decisions on the shared suggestions land on the ones here (the PI's rerun),
        # which stay pending for alice and are no longer pending for ben
        current = {s.id for s in p.suggestions(transcript="s1")}
        assert {d["suggestion_id"] for d in p.decisions("ben") if d["transcript"] == "s1"} <= current
        assert [s.code for s in p.suggestions(coder="alice", transcript="s1")] == ["Rupture", "Repair", "Rupture"]
        assert [(s.code, s.start) for s in p.suggestions(coder="ben")] == [("Rupture", span(s1, 3)[0])]
        # his own suggestions on s2 come as superseded ones, owned by him: never shown as pending
        own = p.conn.execute(
            "SELECT s.status, s.coder_id, s.pipeline_version, s.explanation FROM suggestions s "
            "JOIN transcripts t ON t.id = s.transcript_id WHERE t.name = 's2' ORDER BY s.id"
        ).fetchall()
        assert own == [("superseded", p.coder_id("ben"), "rules-1", "rule for Rupture"),
                       ("superseded", p.coder_id("ben"), "rules-1", "rule for Repair")]
        assert p.suggestions(transcript="s2", coder="ben") == [] and p.suggestions(transcript="s2") == []
        # accepted codings keep their provenance: coding <-> suggestion, same code and span
        accepted = [d for d in p.decisions("ben") if d["decision"] == "accepted"]
        for d in accepted:
            coding = p.coding(d["coding_id"])
            assert coding.coder == "ben" and coding.suggestion_id == d["suggestion_id"]
            s = p.suggestion(coding.suggestion_id)
            assert (s.transcript, s.code, s.start, s.end) == (coding.transcript, coding.code, coding.start, coding.end)
        assert sorted(k.suggestion_id for k in p.codings(coder="ben")) == sorted(d["suggestion_id"] for d in accepted)

        event = p.events(limit=1)[0]
        assert event["action"] == "project.merge"
        assert event["data"]["memos_added"] == {"ben": 2} and event["data"]["reviewed_added"] == {"ben": 4}
        assert event["data"]["decisions_added"] == {"ben": {"accepted": 2, "rejected": 2}}
        assert len(event["data"]["suggestion_ids"]) == 2 and len(event["data"]["decisions"]) == 4
        events = p.events()
    once = digest(ours)
    again = json.loads(run("merge", theirs, "--project", ours, "--json").output)
    assert again["event_id"] is None and again["memos_added"] == {} and again["reviewed_added"] == {}
    assert again["decisions_added"] == {} and again["memo_conflicts"] == [] and again["decision_conflicts"] == 0
    assert digest(ours) == once
    with Project.open(ours) as p:
        assert p.events() == events
    assert digest(theirs) == before_theirs


def test_what_differs_here_is_kept_and_counted_and_progress_is_the_union(ben_copy):
    ours, theirs = ben_copy
    with Project.open(ours) as p:
        p.ensure_coder("ben")
        p.set_utterance_memo("s1", 1, "ben", "a rupture")  # ben wrote another memo here
        p.set_utterance_memo("s2", 3, "ben", "repair after the silence")  # and the same one
        p.save_reviewed("s2", "ben", {2, 3})
        rupture = next(s for s in p.suggestions(transcript="s1", coder="ben") if s.code == "Rupture")
        p.accept_suggestion(rupture.id, "ben")  # he rejected it in his copy
    result = run("merge", theirs, "--project", ours)
    assert "note: 1 memos differ here and were kept as they are: 's1' utterance 1 (ben)" in result.output
    assert "note: 1 suggestions were decided otherwise here" in result.output
    assert "Marked 4 more utterances as reviewed by 'ben'" in result.output  # 1-3 of s1, 1 of s2
    assert "Merged 3 suggestion decisions by 'ben' (2 accepted, 1 rejected)" in result.output
    with Project.open(ours) as p:
        assert p.utterance_memos("s1", "ben") == {1: "a rupture"}
        assert p.utterance_memos("s2", "ben") == {3: "repair after the silence"}
        assert p.conn.execute("SELECT count(*) FROM memos").fetchone()[0] == 2
        assert p.reviewed("s2", "ben") == {1, 2, 3}
        assert [d["decision"] for d in p.decisions("ben") if (d["transcript"], d["code"]) == ("s1", "Rupture")] == ["accepted"]
        event = p.events(limit=1)[0]["data"]
        assert event["memo_conflicts"] == 1 and event["decision_conflicts"] == 1
    again = json.loads(run("merge", theirs, "--project", ours, "--json").output)
    assert again["event_id"] is None and len(again["memo_conflicts"]) == 1 and again["decision_conflicts"] == 1


@pytest.mark.filterwarnings("ignore:.*W036")  # a codebook without patterns: no rules, as intended
def test_training_after_merge_learns_from_the_merged_rejections(ben_copy):
    from accord.suggest.analysis import analyze
    from accord.suggest.pipeline import build_pipeline
    from accord.suggest.training import labels_from_project

    ours, theirs = ben_copy
    book = parse_codebook(CODEBOOK)
    nlp = build_pipeline(book).nlp
    with Project.open(ours) as p:
        assert p.decisions() == []
        assert p.merge_from(theirs).decisions_added == {"ben": {"accepted": 2, "rejected": 2}}
        labels, _ = labels_from_project(p, book, lambda name: analyze(nlp, p.transcript(name)), coders=["ben"])
    assert labels.coders == ["ben"]
    assert {unit for unit, codes in labels.neg.items() if "Rupture" in codes} == {("s1", 0), ("s2", 0)}
    assert {unit for unit, codes in labels.pos.items() if "Repair" in codes} == {("s1", 1), ("s2", 2)}


def test_memos_on_a_whole_transcript_and_without_a_coder_come_too(copies):
    """Such memos come from REFI-QDA imports; they travel like any other."""
    ours, theirs = copies
    conn = sqlite3.connect(theirs)
    conn.execute("INSERT INTO memos (transcript_id, utterance, coder_id, text, created_at, updated_at) "
                 "SELECT id, NULL, NULL, 'about the session', 'x', 'x' FROM transcripts WHERE name = 's2'")
    conn.commit()
    conn.close()
    assert "Merged 1 memos by '(no coder)'" in run("merge", theirs, "--project", ours).output
    with Project.open(ours) as p:
        assert [(m["transcript"], m["utterance"], m["coder"], m["text"]) for m in p.memo_records()] == [
            ("s2", None, None, "about the session")]
    again = json.loads(run("merge", theirs, "--project", ours, "--json").output)
    assert again["memos_added"] == {} and again["event_id"] is None
    # s1 and s2 have the same text here: each is matched to the one of its own name
    assert again["transcripts_matched"] == {"s1": "s1", "s2": "s2"}


def test_variables_and_cases_come_too_and_ours_win(copies):
    ours, theirs = copies
    with Project.open(theirs) as p:
        p.define_variable("session", "transcript", "number")
        p.define_variable("phase", "transcript", "category", ["early", "late"])
        p.define_variable("age", "case", "number")
        p.define_variable("site", "transcript", "text")  # a number here: not merged
        p.add_case("client A", [("s1", "C"), ("s2", "C")])
        p.set_values([("session", "s1", "1"), ("session", "s2", "2"), ("phase", "s1", "early"),
                      ("age", "client A", "34"), ("site", "s1", "Leeds")])
    with Project.open(ours) as p:
        p.define_variable("session", "transcript", "number")
        p.define_variable("site", "transcript", "number")
        p.set_value("session", "s2", "5")  # set otherwise here: kept
    out = run("merge", theirs, "-p", ours)
    assert "Merged variables: 2 new (phase, age), 3 values, 1 new cases, 2 case members" in out.output, out.output
    assert "variable 'site' is another type" in out.stderr and "1 variable values or case members differ" in out.output
    with Project.open(ours) as p:
        values = p.variable_values()
        assert values["session"] == {"s1": "1", "s2": "5"} and values["phase"] == {"s1": "early"}
        assert values["age"] == {"client A": "34"} and "site" not in values or values["site"] == {}
        assert p.case_of() == {("s1", "C"): "client A", ("s2", "C"): "client A"}
        assert p.variable("phase")["categories"] == ["early", "late"]
        merged = p.events(action="project.merge")[-1]["data"]
        assert merged["variables_added"]["values"] == 3 and merged["value_conflicts"] == 1
    before = digest(ours)
    run("merge", theirs, "-p", ours)  # twice: nothing new, the file is not even written
    assert digest(ours) == before
