"""Links between codings: stored in one transaction with their event, undone and redone, hidden
with a removed coding and back with it, carried by code merges, blind, read by episodes, and
named on the command line by id or UTTERANCE:CODE. Real project files throughout."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from accord.codebook import load_codebook, parse_codebook
from accord.errors import InputError
from accord.model import Transcript, Utterance
from accord.sequences import find_episodes, project_episodes, summarize
from accord.store import Project, ProjectError

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]

BOOK = """
name: Links test
relations:
  - name: continues
    description: the same rupture, carried on
  - provokes
codes:
  - name: Rupture
    family: rupture
  - name: Withdrawal
    parent: Rupture
  - name: Repair
    family: repair
  - name: Other
"""


def transcript(name: str = "s1", turns: int = 12) -> Transcript:
    lines = [f"{'CT'[i % 2]}: turn {i + 1} words here" for i in range(turns)]
    utterances, pos = [], 0
    for i, line in enumerate(lines):
        utterances.append(Utterance(i + 1, line[0], pos + 3, pos + len(line)))
        pos += len(line) + 1
    return Transcript(name, "\n".join(lines) + "\n", utterances, "text", roles={"C": "client", "T": "therapist"})


@pytest.fixture
def path(tmp_path) -> Path:
    path = tmp_path / "study.db"
    with Project.create(path) as p:
        p.load_codebook(parse_codebook(BOOK))
        p.import_transcript(transcript("s1"))
        p.import_transcript(transcript("s2"))
        p.add_coder("alice")
        p.add_coder("bob")
    return path


def code_on(p: Project, code: str, number: int, coder: str = "alice", name: str = "s1"):
    u = p.transcript(name).utterances[number - 1]
    return p.apply_code(name, code, coder, u.start, u.end)


def shown(p: Project, **filters) -> list[tuple]:
    return [(k.source.id, k.relation, k.target.id, k.coder) for k in p.links(**filters)]


# --- store ------------------------------------------------------------------------------------------


def test_a_link_is_one_transaction_with_its_event_and_undo_and_redo_revert_it(path):
    with Project.open(path) as p:
        rupture, repair = code_on(p, "Withdrawal", 2), code_on(p, "Repair", 9)
        link = p.add_link(repair.id, rupture.id, "Repairs", "alice")  # relations match case-insensitively
        assert (link.source, link.relation, link.target, link.coder) == (repair, "repairs", rupture, "alice")
        event = p.events(action="link.add")[0]
        assert event["entity_id"] == link.id and event["data"]["source_code"] == "Repair"
        assert shown(p) == [(repair.id, "repairs", rupture.id, "alice")]
        assert p.event_place(event) == ("s1", repair.start)
        assert p.undo("alice")["action"] == "link.add" and shown(p) == []
        assert p.redo("alice")["action"] == "link.add" and len(shown(p)) == 1
        removed = p.remove_link(link.id, "alice")
        assert removed.id == link.id and shown(p) == [] and p.events(action="link.remove")[0]["entity_id"] == link.id
        with pytest.raises(ProjectError, match="already removed"):
            p.remove_link(link.id, "alice")
        assert p.undo("alice")["action"] == "link.remove" and len(shown(p)) == 1
        assert p.redo("alice")["action"] == "link.remove" and shown(p) == []


def test_links_are_refused_with_a_reason_and_the_project_is_left_as_it_was(path):
    with Project.open(path) as p:
        rupture, repair, other = code_on(p, "Withdrawal", 2), code_on(p, "Repair", 4), code_on(p, "Other", 5)
        early_repair = code_on(p, "Repair", 1)
        bobs = code_on(p, "Rupture", 3, "bob")
        elsewhere = code_on(p, "Withdrawal", 2, name="s2")
        gone = code_on(p, "Rupture", 6)
        p.remove_coding(gone.id, "alice")
        p.add_link(repair.id, rupture.id, "repairs", "alice")
        events = len(p.events())
        cases = [
            ((repair.id, rupture.id, "mends"), "no relation named 'mends' \\(relations: repairs, continues, provokes\\)"),
            ((rupture.id, repair.id, "repairs"), "from the repair to the rupture.*swap them"),
            ((other.id, rupture.id, "repairs"), "goes from a repair coding; coding .* 'Other'"),
            ((repair.id, other.id, "repairs"), "goes to a rupture coding"),
            ((early_repair.id, rupture.id, "repairs"), "begins before .* a repair comes after the rupture"),
            ((repair.id, rupture.id, "repairs"), "already repairs"),
            ((repair.id, bobs.id, "continues"), "belongs to another coder"),
            ((repair.id, repair.id, "continues"), "cannot be linked to itself"),
            ((repair.id, elsewhere.id, "continues"), "joins two codings of one transcript"),
            ((repair.id, gone.id, "continues"), "has been removed"),
            ((repair.id, 9999, "continues"), "no coding with id 9999"),
        ]
        for (source, target, relation), message in cases:
            with pytest.raises(ProjectError, match=message):
                p.add_link(source, target, relation, "alice")
        with pytest.raises(ProjectError, match="belongs to another coder"):
            p.remove_link(p.links()[0].id, "bob")
        assert len(p.events()) == events and len(shown(p)) == 1


def test_a_removed_coding_hides_its_links_and_undo_and_redo_bring_them_back_and_away(path):
    with Project.open(path) as p:
        rupture, repair = code_on(p, "Withdrawal", 2), code_on(p, "Repair", 4)
        p.add_link(repair.id, rupture.id, "repairs", "alice")
        p.remove_coding(rupture.id, "alice")
        assert shown(p) == [] and p.link_records() == []  # nothing points at a coding that is not there
        p.undo("alice")
        assert shown(p) == [(repair.id, "repairs", rupture.id, "alice")]
        p.redo("alice")
        assert shown(p) == []
        p.undo("alice")
        # deleting the code removes its codings (everyone's): the links go with them, and come back on undo
        p.delete_code("Repair", "bob")
        assert shown(p) == []
        p.undo("bob")
        assert len(shown(p)) == 1


def test_undoing_the_apply_of_a_linked_coding_hides_the_link(path):
    with Project.open(path) as p:
        rupture = code_on(p, "Withdrawal", 2)
        repair = code_on(p, "Repair", 4, "bob")  # bob's: alice's undo stack is hers alone
        other = code_on(p, "Withdrawal", 3, "bob")
        p.add_link(repair.id, other.id, "repairs", "bob")
        late = code_on(p, "Rupture", 5, "bob")
        p.add_link(late.id, other.id, "continues", "bob")
        assert len(shown(p, coder="bob")) == 2
        p.undo("bob")
        p.undo("bob")  # the apply of `late`
        assert shown(p, coder="bob") == [(repair.id, "repairs", other.id, "bob")]
        p.redo("bob")  # `late` is back, its link was undone before it and stays undone
        assert shown(p, coder="bob") == [(repair.id, "repairs", other.id, "bob")]
        p.redo("bob")
        assert len(shown(p, coder="bob")) == 2
        assert rupture.id not in {k.source.id for k in p.links()}


def test_merging_a_code_carries_its_codings_links_and_undo_takes_the_merge_back(path):
    with Project.open(path) as p:
        rupture, repair = code_on(p, "Withdrawal", 2), code_on(p, "Repair", 4)
        twin_target = code_on(p, "Rupture", 2)  # the span is already coded Rupture: the link moves onto it
        p.add_link(repair.id, rupture.id, "repairs", "alice")
        p.merge_codes("Withdrawal", "Rupture", "alice")
        assert shown(p) == [(repair.id, "repairs", twin_target.id, "alice")]
        p.undo("alice")
        assert shown(p) == [(repair.id, "repairs", rupture.id, "alice")]
        p.redo("alice")
        assert shown(p) == [(repair.id, "repairs", twin_target.id, "alice")]


def test_a_coders_links_are_theirs_to_see_while_blind(path):
    with Project.open(path) as p:
        a = p.add_link(code_on(p, "Repair", 4).id, code_on(p, "Withdrawal", 2).id, "repairs", "alice")
        b = p.add_link(code_on(p, "Repair", 6, "bob").id, code_on(p, "Rupture", 5, "bob").id, "repairs", "bob")
        assert [k.id for k in p.visible_links("alice", "s1")] == [a.id]
        p.set_mode("reconciliation")
        assert [k.id for k in p.visible_links("alice", "s1")] == [a.id, b.id]
        p.set_mode("blind")
    out = run("links", "list", "-p", path, code=1)
    assert "blind mode" in out.output and "--reveal" in out.output
    assert "bob" not in run("links", "list", "--coder", "alice", "-p", path).output
    with Project.open(path) as p:
        before = len(p.events(action="blind.reveal"))
    assert "[bob]" in run("links", "list", "--reveal", "-p", path).output
    with Project.open(path) as p:
        assert len(p.events(action="blind.reveal")) == before + 1


def test_an_older_project_gets_the_links_table_when_opened(tmp_path):
    from sqlite_utils import Database

    from accord.store.schema import migrations

    path = tmp_path / "old.db"
    with Project.create(path) as p:
        p.conn.execute("DROP TABLE links")  # as a project from before links
        p.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_links'")
        assert not p.db["links"].exists()
    with Project.open(path) as p:
        assert p.db["links"].exists() and "m008_links" in [m.name for m in migrations.applied(Database(p.conn))]


# --- codebook -----------------------------------------------------------------------------------------


def test_the_codebook_defines_relations_and_repairs_always_comes_first():
    book = parse_codebook(BOOK)
    assert [(r.name, r.description) for r in book.all_relations()] == [
        ("repairs", "a repair coding resolves the rupture coding it points to"),
        ("continues", "the same rupture, carried on"), ("provokes", "")]
    assert book.relation("CONTINUES").name == "continues" and book.relation("mends") is None
    described = parse_codebook(BOOK.replace("  - provokes", "  - name: Repairs\n    description: ours"))
    assert described.all_relations()[0].description == "ours" and len(described.all_relations()) == 2


@pytest.mark.parametrize("relations, message, line", [
    ("relations: continues", "`relations` must be a list", 2),
    ("relations:\n  - continues\n  - Continues", "duplicate relation 'Continues' \\(first defined on line 3\\)", 4),
    ("relations:\n  - name: x\n    colour: red", "unknown key 'colour' in relation", 4),
    ("relations:\n  - description: no name", "relation has no `name`", 3),
    ("relations:\n  - " + "y" * 41, "too long: at most 40 characters", 3),
    ("relations:\n  - [a, b]", "each relation must be a name or a mapping", 3),
])
def test_bad_relations_are_refused_with_their_line(relations, message, line):
    text = "name: t\n" + relations + "\ncodes:\n  - name: A\n"
    with pytest.raises(InputError, match=message) as e:
        parse_codebook(text, "book.yaml")
    assert e.value.line == line


def test_relations_survive_the_project_snapshot_and_the_alliance_codebook_has_some(path):
    with Project.open(path) as p:
        assert [r.name for r in p.relations()] == ["repairs", "continues", "provokes"]
        assert p.codebook().relations[0].description == "the same rupture, carried on"
    alliance = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    assert [r.name for r in alliance.all_relations()][:2] == ["repairs", "attempts to repair"]
    assert alliance.relations[0].description.startswith("this repair resolves that rupture")


# --- episodes -----------------------------------------------------------------------------------------


def test_a_repairs_link_resolves_its_rupture_first_then_the_window_rule(path):
    with Project.open(path) as p:
        far = code_on(p, "Withdrawal", 1)  # no repair within 2 utterances of it
        near = code_on(p, "Withdrawal", 6)
        window = code_on(p, "Repair", 7)  # the window's answer for both ruptures after utterance 5
        linked = code_on(p, "Repair", 11)
        found = project_episodes(p, "alice", within=2)["s1"]
        assert [(e.rupture.coding_id, e.repair and e.repair.coding_id, e.linked) for e in found] == [
            (far.id, None, False), (near.id, window.id, False)]
        p.add_link(linked.id, far.id, "repairs", "alice")
        p.add_link(linked.id, near.id, "continues", "alice")  # not a repairs link: no effect on episodes
        found = project_episodes(p, "alice", within=2)["s1"]
        assert [(e.rupture.coding_id, e.repair.coding_id, e.linked, e.latency_utterances) for e in found] == [
            (far.id, linked.id, True, 10), (near.id, window.id, False, 1)]
        assert found[0].to_dict()["resolved_by"] == "link" and found[1].to_dict()["resolved_by"] == "window"
        s = summarize(found)
        assert (s["resolved"], s["linked"]) == (2, 1)
        p.add_link(window.id, near.id, "repairs", "alice")  # the same repair as the window: now linked
        earlier = code_on(p, "Repair", 10)
        p.add_link(earlier.id, far.id, "repairs", "alice")  # two repairs link to one rupture: the earliest
        found = project_episodes(p, "alice", within=2)["s1"]
        assert [(e.repair.coding_id, e.linked) for e in found] == [(earlier.id, True), (window.id, True)]
        t = p.transcript("s1")
        # the pure function: links of codings that are not the coder's repairs are ignored
        assert not find_episodes(t, p.codings(coder="alice"), p.codebook(), "alice", 2, [(near.id, far.id)])[0].resolved


def test_sequences_says_which_episodes_a_link_decided(path):
    with Project.open(path) as p:
        far, linked = code_on(p, "Withdrawal", 1), code_on(p, "Repair", 11)
        code_on(p, "Withdrawal", 6)
        code_on(p, "Repair", 7)
        p.add_link(linked.id, far.id, "repairs", "alice")
    out = run("sequences", "--coder", "alice", "--within", "2", "--episodes", "-p", path).output
    assert "1 of the 2 resolved ruptures were resolved by a repairs link" in out
    assert "s1 1: Withdrawal [Withdrawal] by C (client) -> Repair at 11 by C (client), after 10 utt (linked)" in out
    assert "s1 6: Withdrawal [Withdrawal] by T (therapist) -> Repair at 7 by C (client), after 1 utt\n" in out
    import csv

    rows = list(csv.DictReader(run("sequences", "--coder", "alice", "--within", "2", "--episodes", "--csv", "-p",
                                   path).output.splitlines()))
    assert [r["resolved_by"] for r in rows] == ["link", "window"]
    data = json.loads(run("sequences", "--coder", "alice", "--within", "2", "--json", "-p", path).output)
    assert data["overall"]["linked"] == 1


# --- command line -----------------------------------------------------------------------------------


def test_links_add_list_remove_by_utterance_and_code_or_by_id(path):
    with Project.open(path) as p:
        rupture, repair = code_on(p, "Withdrawal", 2), code_on(p, "Repair", 9)
        code_on(p, "Rupture", 3)
    out = run("links", "add", "s1", "--from", "9:repair", "--to", "2:withdrawal", "--coder", "alice", "-p", path)
    assert out.output == f"Link 1: 9:Repair (#{repair.id}) repairs 2:Withdrawal (#{rupture.id}) in s1 [alice]\n"
    out = run("links", "add", "--from", rupture.id, "--to", "3:Rupture", "--relation", "continues", "--coder", "alice",
              "-p", path, code=1)
    assert "names a coding by utterance: say which transcript" in out.output
    data = json.loads(run("links", "add", "s1", "--from", "3:Rupture", "--to", rupture.id, "--relation", "Continues",
                          "--coder", "alice", "--json", "-p", path).output)
    assert (data["relation"], data["source"]["utterance"], data["target"]["coding"]) == ("continues", 3, rupture.id)
    listed = run("links", "list", "s1", "--coder", "alice", "-p", path).output.splitlines()
    assert listed == [f"    2  s1  3:Rupture (#{rupture.id + 2}) continues 2:Withdrawal (#{rupture.id})  [alice]",
                      f"    1  s1  9:Repair (#{repair.id}) repairs 2:Withdrawal (#{rupture.id})  [alice]"]
    assert len(json.loads(run("links", "list", "--coder", "alice", "--relation", "repairs", "--json", "-p",
                              path).output)) == 1
    assert "Removed link 1" in run("links", "remove", "1", "--coder", "alice", "-p", path).output
    assert "Undid link.remove" in run("undo", "--coder", "alice", "-p", path).output
    assert len(run("links", "list", "--coder", "alice", "-p", path).output.splitlines()) == 2


@pytest.mark.parametrize("args, code, message", [
    (["--from", "nine", "--to", "2:withdrawal"], 2, "Invalid value for --from: 'nine' names no coding"),
    (["--from", "9:repair", "--to", "2:withdrawal", "--relation", "mends"], 1, "no relation named 'mends'"),
    (["--from", "9:rep", "--to", "2:other"], 1, "alice has no coding of 'other' on utterance 2 of 's1' "
                                              "\\(their codes there: Withdrawal\\)"),
    (["--from", "40:repair", "--to", "2:withdrawal"], 1, "has no utterance 40 \\(1-12\\)"),
    (["--from", "9:re", "--to", "2:withdrawal", "--coder", "bob"], 1, "bob has no coding of 're'"),
    (["--from", "9", "--to", "2:withdrawal"], 1, "no coding with id 9"),
])
def test_links_add_refuses_what_names_no_coding_and_leaves_the_project_as_it_was(path, args, code, message):
    with Project.open(path) as p:
        code_on(p, "Withdrawal", 2)
        code_on(p, "Repair", 9)
    before = digest(path)
    coder = [] if "--coder" in args else ["--coder", "alice"]
    out = run("links", "add", "s1", *args, *coder, "-p", path, code=code)
    assert re.search(message, out.output), out.output
    assert digest(path) == before


def test_an_utterance_and_code_that_fit_two_codings_ask_for_more(path):
    with Project.open(path) as p:
        code_on(p, "Rupture", 2)
        u = p.transcript("s1").utterances[1]
        one = p.apply_code("s1", "Repair", "alice", u.start, u.start + 4)
        two = p.apply_code("s1", "Repair", "alice", u.start + 5, u.end)
        code_on(p, "Withdrawal", 1)
    out = run("links", "add", "s1", "--from", "2:r", "--to", "1:w", "--coder", "alice", "-p", path, code=1)
    assert "'2:r': 'r' could be Repair, Rupture; write more of the code's name" in out.output
    out = run("links", "add", "s1", "--from", "2:Repair", "--to", "1:w", "--coder", "alice", "-p", path, code=1)
    assert f"'2:Repair' could be codings {one.id}, {two.id}; give the id instead" in out.output
    run("links", "add", "s1", "--from", two.id, "--to", "1:w", "--coder", "alice", "-p", path)


def test_links_relations_lists_repairs_then_the_codebooks(path):
    out = run("links", "relations", "-p", path).output.splitlines()
    assert out[0].startswith("repairs ") and out[1] == "continues  the same rupture, carried on" and out[2] == "provokes"


# --- accord merge --------------------------------------------------------------------------------------


def test_merge_brings_links_along_mapped_to_this_projects_codings_and_twice_changes_nothing(path, tmp_path):
    with Project.open(path) as p:
        shared_rupture = code_on(p, "Withdrawal", 2, "bob")
    theirs = tmp_path / "theirs.db"
    shutil.copy(path, theirs)
    with Project.open(path) as p:
        code_on(p, "Other", 1, "alice")  # ids here and there now differ
    with Project.open(theirs) as p:
        repair = code_on(p, "Repair", 8, "bob")
        p.add_link(repair.id, shared_rupture.id, "repairs", "bob")
        p.add_link(code_on(p, "Rupture", 9, "bob").id, shared_rupture.id, "continues", "bob")
        gone = p.add_link(code_on(p, "Rupture", 10, "bob").id, shared_rupture.id, "provokes", "bob")
        p.remove_link(gone.id, "bob")
    out = run("merge", theirs, "-p", path).output
    assert "Merged 2 links between codings by 'bob'" in out
    with Project.open(path) as p:
        got = [(k.source.code, k.source.start, k.relation, k.target.id) for k in p.links(coder="bob")]
        t = p.transcript("s1")
        assert got == [("Repair", t.utterances[7].start, "repairs", shared_rupture.id),
                       ("Rupture", t.utterances[8].start, "continues", shared_rupture.id)]
        assert project_episodes(p, "bob")["s1"][0].linked
    assert "Nothing new" in run("merge", theirs, "-p", path).output


def test_merge_leaves_out_links_in_a_relation_this_codebook_lacks(path, tmp_path):
    theirs = tmp_path / "theirs.db"
    shutil.copy(path, theirs)
    with Project.open(theirs) as p:
        p.load_codebook(parse_codebook(BOOK.replace("  - provokes", "  - provokes\n  - echoes")))
        p.add_link(code_on(p, "Rupture", 9, "bob").id, code_on(p, "Withdrawal", 2, "bob").id, "echoes", "bob")
    out = run("merge", theirs, "-p", path).output
    assert "Left out 1 links in relation 'echoes'" in out
    with Project.open(path) as p:
        assert p.links() == [] and len(p.codings(coder="bob")) == 2
