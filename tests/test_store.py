"""The project store on real SQLite files: safety, immutability, versioning, undo."""

import multiprocessing
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap

import pytest

from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.store import Project, ProjectError

CODEBOOK = """
name: Test book
codes:
  - name: Rupture
    hotkey: "1"
    definition: A strain in the alliance.
  - name: Withdrawal
    parent: Rupture
    hotkey: "2"
  - name: Repair
    hotkey: "3"
"""


def make_transcript(name="s1", n=4, extra=""):
    lines, utterances, pos = [], [], 0
    for i in range(n):
        speaker = "T" if i % 2 == 0 else "C"
        body = f"utterance number {i + 1} {extra}".strip()
        line = f"{speaker}: {body}"
        utterances.append(Utterance(i + 1, speaker, pos + 3, pos + len(line)))
        lines.append(line)
        pos += len(line) + 1
    return Transcript(name, "\n".join(lines) + "\n", utterances, "text", roles={"T": "therapist", "C": "client"})


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "p.db")
    p.load_codebook(parse_codebook(CODEBOOK, "book.yaml"))
    p.import_transcript(make_transcript())
    p.add_coder("ann")
    p.add_coder("ben")
    yield p
    p.close()


def test_new_project_file_is_private_and_uses_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "p.db"
    with Project.create(path) as p:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert p.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert p.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        applied = [r["name"] for r in p.db["_sqlite_migrations"].rows]
        assert applied[:2] == ["m001_initial", "m002_review_progress"]


def test_create_refuses_to_overwrite_and_open_refuses_strangers(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path / "notes.txt")
    with pytest.raises(ProjectError, match="not an SQLite file"):
        Project.open(tmp_path / "notes.txt")
    with pytest.raises(ProjectError, match="no project here"):
        Project.open(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(ProjectError, match="not an accord project"):
        Project.open(other)


def test_transcript_round_trips_exactly(project):
    stored = project.transcript("s1")
    original = make_transcript()
    assert stored.text == original.text
    assert stored.utterances == original.utterances
    assert stored.roles == {"T": "therapist", "C": "client"}
    assert [stored.utterance_text(u) for u in stored.utterances][0] == "utterance number 1"


def test_reimport_same_text_is_a_no_op_and_changed_text_is_refused(project):
    assert project.import_transcript(make_transcript()).status == "unchanged"
    changed = make_transcript(extra="edited")
    with pytest.raises(ProjectError, match="text differs"):
        project.import_transcript(changed)
    assert project.transcript("s1").text == make_transcript().text
    result = project.import_transcript(changed, as_new=True)
    assert (result.status, result.name) == ("imported-as-new", "s1 (2)")
    assert project.transcript("s1 (2)").text == changed.text


def test_interrupted_import_leaves_no_half_imported_transcript(project):
    # A real SQLite failure half-way through the utterances, as a full disk would cause.
    project.conn.execute(
        "CREATE TRIGGER fail_half_way BEFORE INSERT ON utterances WHEN NEW.number = 50 "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    events_before = project.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        project.import_transcript(make_transcript("big", n=100))
    assert [t["name"] for t in project.transcripts()] == ["s1"]
    assert project.conn.execute("SELECT count(*) FROM utterances").fetchone()[0] == 4
    assert project.conn.execute("SELECT count(*) FROM events").fetchone()[0] == events_before


def test_codebook_versions_keep_code_identity(project):
    coding = project.apply_code("s1", "Withdrawal", "ann", 3, 10)
    assert project.load_codebook(parse_codebook(CODEBOOK, "book.yaml"))["status"] == "unchanged"
    edited = CODEBOOK.replace("A strain in the alliance.", "A strain.").replace(
        '  - name: Repair\n    hotkey: "3"\n', ""
    )
    change = project.load_codebook(parse_codebook(edited, "book.yaml"))
    assert change["version"] == 2
    assert change["updated"] == ["Rupture"]
    assert change["retired"] == ["Repair"]
    book = project.codebook()
    assert [c.name for c in book.codes] == ["Rupture", "Withdrawal"]
    assert book.by_name()["Rupture"].definition == "A strain."
    assert project.codings()[0] == coding
    with pytest.raises(ProjectError, match="retired"):
        project.apply_code("s1", "Repair", "ann", 3, 10)
    assert [v["version"] for v in project.codebook_versions()] == [1, 2]


def test_speaker_roles_of_codes_are_kept_and_a_change_is_a_new_version(project):
    with_roles = CODEBOOK.replace("    definition: A strain in the alliance.\n",
                                  "    definition: A strain in the alliance.\n    speakers: [client]\n")
    change = project.load_codebook(parse_codebook(with_roles, "book.yaml"))
    assert (change["version"], change["updated"]) == (2, ["Rupture"])
    book = project.codebook()
    assert book.by_name()["Rupture"].speakers == ["client"]
    assert book.speakers_of("Withdrawal") == ("client",) and book.speakers_of("Repair") == ()
    assert project.load_codebook(parse_codebook(with_roles, "book.yaml"))["status"] == "unchanged"
    assert project.load_codebook(parse_codebook(CODEBOOK, "book.yaml"))["updated"] == ["Rupture"]
    assert project.codebook().speakers_of("Withdrawal") == ()


def test_apply_checks_span_code_and_coder(project):
    with pytest.raises(ProjectError, match="not inside"):
        project.apply_code("s1", "Rupture", "ann", 5, 5000)
    with pytest.raises(ProjectError, match="no code named"):
        project.apply_code("s1", "Nope", "ann", 3, 10)
    with pytest.raises(ProjectError, match="no coder named"):
        project.apply_code("s1", "Rupture", "zoe", 3, 10)
    with pytest.raises(ProjectError, match="no transcript named"):
        project.apply_code("s9", "Rupture", "ann", 3, 10)


def test_overlapping_codes_and_per_coder_views(project):
    a = project.apply_code("s1", "Rupture", "ann", 3, 20)
    b = project.apply_code("s1", "Withdrawal", "ann", 5, 12)
    c = project.apply_code("s1", "Repair", "ben", 3, 20)
    assert project.codings(coder="ann") == [a, b]
    assert project.codings(coder="ben") == [c]
    assert project.codings(code="Rupture") == [a]


def test_coders_change_only_their_own_codings(project):
    a = project.apply_code("s1", "Rupture", "ann", 3, 20)
    with pytest.raises(ProjectError, match="another coder"):
        project.remove_coding(a.id, "ben")


def test_undo_redo_over_apply_remove_memo_survives_reopen(tmp_path, project):
    a = project.apply_code("s1", "Rupture", "ann", 3, 20)
    project.set_coding_memo(a.id, "flat tone", "ann")
    project.remove_coding(a.id, "ann")
    project.apply_code("s1", "Repair", "ben", 3, 20)  # another coder's action is not on ann's stack
    assert project.codings(coder="ann") == []
    path = project.path
    project.close()

    with Project.open(path) as p:
        assert p.undo("ann")["action"] == "coding.remove"
        assert p.codings(coder="ann")[0].memo == "flat tone"
        assert p.undo("ann")["action"] == "coding.memo"
        assert p.codings(coder="ann")[0].memo == ""
        assert p.undo("ann")["action"] == "coding.apply"
        assert p.codings(coder="ann") == []
        assert p.undo("ann") is None
        assert p.redo("ann")["action"] == "coding.apply"
        assert p.redo("ann")["action"] == "coding.memo"
        assert p.codings(coder="ann")[0].memo == "flat tone"
        # A new action clears the redo stack, as in every editor.
        p.apply_code("s1", "Withdrawal", "ann", 3, 8)
        assert p.redo("ann") is None
        assert len(p.codings(coder="ben")) == 1


def test_event_log_is_append_only(project):
    project.apply_code("s1", "Rupture", "ann", 3, 20)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        project.conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        project.conn.execute("UPDATE events SET data = '{}'")
    actions = [e["action"] for e in project.events()]
    assert actions[0] == "coding.apply" and "transcript.import" in actions


def _apply_many(path, coder, n, start_flag):
    start_flag.wait()
    with Project.open(path) as p:
        for i in range(n):
            p.apply_code("s1", "Rupture", coder, 3, 10 + i % 5)


def test_two_coders_writing_at_once_both_succeed(project):
    path, n = project.path, 150
    flag = multiprocessing.Event()
    procs = [multiprocessing.Process(target=_apply_many, args=(path, c, n, flag)) for c in ("ann", "ben")]
    for proc in procs:
        proc.start()
    flag.set()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0]
    assert len(project.codings(coder="ann")) == n
    assert len(project.codings(coder="ben")) == n


def test_every_committed_action_survives_sigkill(project, tmp_path):
    """A writer prints each coding id after apply_code returns; kill it mid-stream."""
    path = project.path
    script = textwrap.dedent(
        f"""
        import sys
        from accord.store import Project
        p = Project.open({str(path)!r})
        i = 0
        while True:
            c = p.apply_code("s1", "Rupture", "ann", 3, 10 + i % 5)
            print(c.id, flush=True)
            i += 1
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    confirmed = []
    for line in proc.stdout:
        confirmed.append(int(line))
        if len(confirmed) == 40:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    confirmed += [int(x) for x in proc.stdout.read().split()]
    with Project.open(path) as p:
        stored = {c.id for c in p.codings(coder="ann")}
        assert p.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(confirmed) <= stored


def suggest(project, *spans, version="v1"):
    items = [
        {"code": code, "start": a, "end": b, "score": 0.9, "explanation": f"phrase matched at {a}"}
        for code, a, b in spans
    ]
    return project.replace_suggestions("s1", version, items)


def test_suggestion_decisions_are_per_coder_and_blind(project):
    suggest(project, ("Rupture", 3, 10), ("Repair", 23, 30))
    first, second = project.suggestions(transcript="s1", coder="ann")
    coding = project.accept_suggestion(first.id, "ann", end=12)
    assert (coding.origin, coding.suggestion_id, coding.start, coding.end) == ("suggestion", first.id, 3, 12)
    project.reject_suggestion(second.id, "ann")
    assert project.suggestions(transcript="s1", coder="ann") == []
    assert len(project.suggestions(transcript="s1", coder="ben")) == 2, "ann's decisions do not decide for ben"
    with pytest.raises(ProjectError, match="already accepted"):
        project.accept_suggestion(first.id, "ann")
    event = project.events(coder="ann")[0]
    assert event["action"] == "suggestion.reject" and event["data"]["pipeline_version"] == "v1"


def test_rerun_replaces_undecided_and_keeps_decided(project):
    suggest(project, ("Rupture", 3, 10), ("Repair", 23, 30))
    kept = project.suggestions(transcript="s1")[0]
    project.accept_suggestion(kept.id, "ann")
    counts = suggest(project, ("Rupture", 3, 10), ("Withdrawal", 40, 45), version="v2")
    assert counts == {"added": 1, "kept": 1, "superseded": 0, "review_only_added": 0}
    now = project.suggestions(transcript="s1")
    assert [(s.code, s.pipeline_version) for s in now] == [("Rupture", "v2"), ("Withdrawal", "v2")]
    assert now[0].id == kept.id, "the decided suggestion keeps its id, so provenance holds"
    counts = suggest(project, ("Withdrawal", 40, 45), version="v3")
    assert counts["superseded"] == 1
    assert project.codings(coder="ann")[0].suggestion_id == kept.id


def test_a_coders_own_suggestions_are_hers_alone_and_replace_the_shared_ones_for_her(project):
    suggest(project, ("Rupture", 3, 10), ("Repair", 23, 30))
    shared = project.suggestions(transcript="s1", coder="ann")
    project.reject_suggestion(shared[0].id, "ann")
    items = [{"code": "Rupture", "start": 3, "end": 10, "score": 0.8, "explanation": "ann's model"},
             {"code": "Withdrawal", "start": 40, "end": 45, "score": 0.7, "explanation": "ann's model"}]
    counts = project.replace_suggestions("s1", "ann-v1", items, coder="ann")
    assert counts == {"added": 1, "kept": 1, "superseded": 0, "review_only_added": 0}, "what ann rejected as shared is not asked again"
    mine = project.suggestions(transcript="s1", coder="ann")
    assert [(s.code, s.pipeline_version) for s in mine] == [("Withdrawal", "ann-v1")]
    assert [s.code for s in project.suggestions(transcript="s1", coder="ben")] == ["Rupture", "Repair"]
    assert [s.code for s in project.suggestions(transcript="s1")] == ["Rupture", "Repair"]
    with pytest.raises(ProjectError, match="another coder's own"):
        project.accept_suggestion(mine[0].id, "ben")
    project.accept_suggestion(mine[0].id, "ann")
    assert project.suggestions(transcript="s1", coder="ann") == []
    # A later run of ann's model keeps her decided suggestion and leaves the shared ones alone.
    project.replace_suggestions("s1", "ann-v2", items[1:], coder="ann")
    assert project.codings(coder="ann")[0].suggestion_id == mine[0].id
    assert len(project.suggestions(transcript="s1", coder="ben")) == 2
    # Nor does her model suggest a code she has already applied there by hand.
    project.apply_code("s1", "Repair", "ann", 23, 28)
    counts = project.replace_suggestions("s1", "ann-v3", [
        {"code": "Repair", "start": 20, "end": 30, "score": 0.9, "explanation": "ann's model"},
        {"code": "Rupture", "start": 20, "end": 30, "score": 0.9, "explanation": "ann's model"}], coder="ann")
    assert counts["added"] == 1
    assert [s.code for s in project.suggestions(transcript="s1", coder="ann")] == ["Rupture"]


def test_a_suggestion_a_coder_has_already_applied_by_hand_is_not_pending_for_her(project):
    suggest(project, ("Rupture", 3, 10), ("Repair", 23, 30))
    coding = project.apply_code("s1", "Rupture", "ann", 5, 8)  # the same code, overlapping
    project.apply_code("s1", "Withdrawal", "ann", 23, 30)  # another code on the other one
    assert [s.code for s in project.suggestions(transcript="s1", coder="ann")] == ["Repair"]
    assert [s.code for s in project.suggestions(transcript="s1", coder="ben")] == ["Rupture", "Repair"], "blind"
    assert len(project.suggestions(transcript="s1", coder="ann", pending=False)) == 2
    project.remove_coding(coding.id, "ann")
    assert [s.code for s in project.suggestions(transcript="s1", coder="ann")] == ["Rupture", "Repair"]


def test_pending_suggestions_match_a_plain_overlap_check_against_the_coders_codings(tmp_path):
    import random

    rng = random.Random(7)
    with Project.create(tmp_path / "r.db") as p:
        p.load_codebook(parse_codebook(CODEBOOK, "book.yaml"))
        for name in ("s1", "s2"):
            p.import_transcript(make_transcript(name, n=40))
        p.add_coder("ann")
        codes = ["Rupture", "Withdrawal", "Repair"]
        length = len(p.transcript("s1").text)
        spans = lambda k: [sorted(rng.sample(range(length), 2)) for _ in range(k)]  # noqa: E731
        for name in ("s1", "s2"):
            p.replace_suggestions(name, "v1", [{"code": rng.choice(codes), "start": a, "end": b, "score": 0.5,
                                                "explanation": "x"} for a, b in spans(150)])
            for a, b in spans(60):
                p.apply_code(name, rng.choice(codes), "ann", a, b)
        for k in rng.sample(p.codings(coder="ann"), 20):
            p.remove_coding(k.id, "ann")
        mine = [(k.transcript, k.code, k.start, k.end) for k in p.codings(coder="ann")]
        for transcript in ("s1", None):
            everything = p.suggestions(transcript=transcript, coder="ann", pending=False)
            expected = [s for s in everything if not any(t == s.transcript and c == s.code and a < s.end and b > s.start
                                                         for t, c, a, b in mine)]
            assert 0 < len(expected) < len(everything)
            assert p.suggestions(transcript=transcript, coder="ann") == expected


def test_correcting_a_suggestion_rejects_it_and_applies_the_right_code_as_one_undoable_action(project):
    suggest(project, ("Rupture", 3, 10), ("Repair", 23, 30))
    first, second = project.suggestions(transcript="s1", coder="ann")
    with pytest.raises(ProjectError, match="accept the suggestion instead"):
        project.correct_suggestion(first.id, "ann", "Rupture")
    coding = project.correct_suggestion(first.id, "ann", "Withdrawal", expected=first)
    assert (coding.code, coding.start, coding.end, coding.origin, coding.suggestion_id) == ("Withdrawal", 3, 10, "correction", first.id)
    assert project.decision(first.id, "ann") == "rejected" and project.decision(first.id, "ben") is None
    [d] = project.decisions("ann")
    assert (d["decision"], d["code"], d["coding_id"]) == ("rejected", "Rupture", coding.id)
    assert [s.code for s in project.suggestions(transcript="s1", coder="ann")] == ["Repair"]
    with pytest.raises(ProjectError, match="already rejected"):
        project.correct_suggestion(first.id, "ann", "Repair")
    assert project.undo("ann")["action"] == "suggestion.correct"
    assert project.codings(coder="ann") == [] and project.decision(first.id, "ann") is None
    assert len(project.suggestions(transcript="s1", coder="ann")) == 2
    project.redo("ann")
    assert [k.id for k in project.codings(coder="ann")] == [coding.id] and project.decision(first.id, "ann") == "rejected"
    adjusted = project.correct_suggestion(second.id, "ann", "Withdrawal", 23, 27)
    assert (adjusted.start, adjusted.end) == (23, 27)
    assert project.decision_count("ann") == 4 and project.decision_count("ben") == 0  # 2 codings, 2 rejections


def test_personal_models_are_kept_apart_from_the_shared_one(project):
    assert project.latest_pipeline("ann") is None
    project.save_pipeline("shared-1", "sha", b"shared", {"n": 1})
    assert project.latest_pipeline("ann")["version"] == "shared-1", "without her own, a coder uses the shared model"
    for i in range(5):
        project.save_pipeline(f"ann-{i}", "sha", b"ann", {"n": i}, coder="ann")
    assert project.latest_pipeline("ann")["version"] == "ann-4"
    assert project.latest_pipeline("ben")["version"] == "shared-1"
    assert project.latest_pipeline()["version"] == "shared-1", "keeping only ann's latest few spares the shared one"
    owners = project.conn.execute("SELECT coder_id IS NULL, count(*) FROM suggestion_models GROUP BY 1").fetchall()
    assert sorted(owners) == [(0, 3), (1, 1)]


def test_deciding_a_suggestion_as_shown_refuses_one_replaced_under_the_same_id(project):
    suggest(project, ("Rupture", 3, 10))
    [shown] = project.suggestions(transcript="s1", coder="ann")
    suggest(project, ("Repair", 23, 30), version="v2")  # the undecided one is replaced...
    [now] = project.suggestions(transcript="s1", coder="ann")
    assert now.id == shown.id and now.code == "Repair"  # ...and SQLite may hand its id to the new one
    with pytest.raises(ProjectError, match="no longer pending as shown"):
        project.accept_suggestion(shown.id, "ann", expected=shown)
    with pytest.raises(ProjectError, match="no longer pending as shown"):
        project.reject_suggestion(shown.id, "ann", expected=shown)
    assert project.codings(coder="ann") == [] and project.decisions("ann") == []
    project.accept_suggestion(now.id, "ann", expected=now)
    assert [c.code for c in project.codings(coder="ann")] == ["Repair"]


def test_undo_accept_reject_and_accept_all(project):
    suggest(project, ("Rupture", 3, 10), ("Rupture", 23, 30), ("Repair", 40, 45))
    a, b, c = project.suggestions(transcript="s1")
    project.accept_suggestion(a.id, "ann")
    project.reject_suggestion(c.id, "ann")
    assert project.undo("ann")["action"] == "suggestion.reject"
    assert project.decision(c.id, "ann") is None
    assert project.undo("ann")["action"] == "suggestion.accept"
    assert project.codings(coder="ann") == [] and project.decision(a.id, "ann") is None
    assert project.accept_all("s1", "Rupture", "ann") == 2
    assert len(project.codings(coder="ann")) == 2
    project.undo("ann")
    assert project.codings(coder="ann") == []
    assert len(project.suggestions(transcript="s1", coder="ann")) == 3
    project.redo("ann")
    assert [d["decision"] for d in project.decisions("ann")] == ["accepted", "accepted"]


def test_blind_mode_hides_other_coders_until_reconciliation(project):
    mine = project.apply_code("s1", "Rupture", "ann", 3, 10)
    theirs = project.apply_code("s1", "Repair", "ben", 3, 10)
    project.set_utterance_memo("s1", 1, "ben", "ben's private thought")
    assert project.mode == "blind"
    assert project.visible_codings("ann", "s1") == [mine]
    assert project.utterance_memos("s1", "ann") == {}
    project.set_mode("reconciliation")
    assert project.visible_codings("ann", "s1") == [mine, theirs]
    assert project.utterance_memos("s1", "ann") == {1: "ben's private thought"}
    with pytest.raises(ProjectError, match="unknown mode"):
        project.set_mode("open")


def test_utterance_memo_undo_and_review_progress(project):
    project.set_utterance_memo("s1", 2, "ann", "first")
    project.set_utterance_memo("s1", 2, "ann", "second")
    assert project.utterance_memos("s1", "ann") == {2: "second"}
    project.undo("ann")
    assert project.utterance_memos("s1", "ann") == {2: "first"}
    project.undo("ann")
    assert project.utterance_memos("s1", "ann") == {}
    project.save_reviewed("s1", "ann", {1, 2, 4})
    assert project.reviewed("s1", "ann") == {1, 2, 4}
    assert project.progress("ann") == {"s1": 0.75}
    assert project.progress("ben") == {"s1": 0.0}


def test_a_project_from_a_newer_accord_is_refused_untouched(tmp_path):
    import hashlib

    path = tmp_path / "p.db"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('accord', 'm999_future', 'x')"
        )
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ProjectError, match="newer accord"):
        Project.open(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_project_from_before_personal_suggestions_is_upgraded_in_place(tmp_path):
    from sqlite_utils import Database

    from accord.store.schema import known_migrations, migrations

    path = tmp_path / "old.db"
    db = Database(path)
    for step in migrations.pending(db):
        if step.name == "m004_personal_suggestions":
            break
        with db.conn:
            step.fn(db)
            db["_sqlite_migrations"].insert({"migration_set": "accord", "name": step.name, "applied_at": "x"},
                                            alter=True)
    db.conn.close()
    with Project.open(path) as p:
        assert "coder_id" in p.db["suggestions"].columns_dict
        assert "coder_id" in p.db["suggestion_models"].columns_dict
        applied = [r["name"] for r in p.db["_sqlite_migrations"].rows]
        assert "m004_personal_suggestions" in applied and applied[-1] == known_migrations()[-1]


def test_waiting_at_most_bounds_the_wait_for_a_lock_and_restores_the_timeout(tmp_path):
    """A screen's retry of an unsaved action waits briefly for another program's lock, not the
    full busy timeout; afterwards the usual timeout is back. The lock is held by another
    process (closing a second connection in this one would drop this one's locks)."""
    import time

    from accord.store.project import BUSY_TIMEOUT_MS

    path = tmp_path / "p.db"
    with Project.create(path) as p:
        p.add_coder("alice")
    script = ("import sqlite3, sys\n"
              f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline(); c.execute('COMMIT')\n")
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with Project.open(path) as p:
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError, match="locked"), p.waiting_at_most(100):
                p.add_coder("ben")
            assert time.monotonic() - started < 5  # BUSY_TIMEOUT_MS is 15 s
            assert p.conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    finally:
        holder.communicate("go\n", timeout=30)
    with Project.open(path) as p:
        assert [c["name"] for c in p.coders()] == ["alice"]
