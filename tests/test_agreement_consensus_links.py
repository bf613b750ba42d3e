"""Links between codings carried over to the consensus while reconciling: by seeding and by the
decision that completes them, in that action's event (undone and redone with it), hidden with a
coding a later decision removes, left out and listed where the coders linked differently, never
made or shown while the project is blind. Real project files throughout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.agreement.by_unit import decide_unit, disputed_units
from accord.agreement.consensus_links import plan_links
from accord.agreement.reconcile import consensus_links, reconcile, seed_consensus
from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.sequences import project_episodes
from accord.store import Project, ProjectError

from conftest import digest, run

BOOK = """
name: Consensus links test
relations:
  - provokes
codes:
  - name: Rupture
    family: rupture
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


def new_project(path: Path) -> Project:
    p = Project.create(path)
    p.load_codebook(parse_codebook(BOOK))
    p.import_transcript(transcript())
    p.add_coder("alice")
    p.add_coder("bob")
    return p


def code_on(p: Project, coder: str, code: str, number: int) -> int:
    u = p.transcript("s1").utterances[number - 1]
    return p.apply_code("s1", code, coder, u.start, u.end).id


def consensus_on(p: Project, code: str, number: int) -> int:
    u = p.transcript("s1").utterances[number - 1]
    [k] = [k for k in p.codings(transcript="s1", coder="consensus", code=code) if k.start < u.end and k.end > u.start]
    return k.id


def shown(p: Project, coder: str = "consensus") -> set[tuple[int, str, int]]:
    return {(k.source.id, k.relation, k.target.id) for k in p.links(coder=coder)} if p.has_coder(coder) else set()


@pytest.fixture
def path(tmp_path) -> Path:
    """alice and bob agree on ruptures at 2 and 4 and a repair at 6; only alice coded a repair
    at 9. Both link 6 repairs 2; alice alone says 2 provokes 4 (bob has no link between them
    nor any "provokes" into 4); alice says 9 repairs 4 and bob says 6 repairs 4, which differ once alice's
    repair at 9 is in the consensus."""
    path = tmp_path / "study.db"
    with new_project(path) as p:
        ids = {}
        for coder in ("alice", "bob"):
            for code, n in (("Rupture", 2), ("Rupture", 4), ("Repair", 6)):
                ids[coder, n] = code_on(p, coder, code, n)
        ids["alice", 9] = code_on(p, "alice", "Repair", 9)
        for coder in ("alice", "bob"):
            p.add_link(ids[coder, 6], ids[coder, 2], "repairs", coder)
        p.add_link(ids["alice", 2], ids["alice", 4], "provokes", "alice")
        p.add_link(ids["alice", 9], ids["alice", 4], "repairs", "alice")
        p.add_link(ids["bob", 6], ids["bob", 4], "repairs", "bob")
    return path


def test_seeding_carries_the_links_whose_codings_the_consensus_holds_in_its_own_event(path):
    with Project.open(path) as p:
        p.set_mode("reconciliation")
        assert seed_consensus(p, ["alice", "bob"]) == 3
        r2, r4, p6 = (consensus_on(p, c, n) for c, n in (("Rupture", 2), ("Rupture", 4), ("Repair", 6)))
        # both drew 6 repairs 2; alice alone 2 provokes 4; bob's 6 repairs 4 has no rival yet,
        # because alice's repair at 9 is not in the consensus
        assert shown(p) == {(p6, "repairs", r2), (r2, "provokes", r4), (p6, "repairs", r4)}
        [event] = p.events(coder="consensus", action="reconcile.seed")
        assert sorted(event["data"]["links"]) == sorted(k.id for k in p.links(coder="consensus"))
        assert {k.coder for k in p.links(coder="consensus")} == {"consensus"}
        by = {(x.source.id, x.relation, x.target.id): x.coders for x in consensus_links(p, ["alice", "bob"])}
        assert by == {(p6, "repairs", r2): ("alice", "bob"), (r2, "provokes", r4): ("alice",),
                      (p6, "repairs", r4): ("bob",)}
        assert seed_consensus(p, ["alice", "bob"]) == 0
        assert len(p.events(coder="consensus", action="reconcile.seed")) == 1  # nothing new: no event
        episodes = {e.rupture.first: e for e in project_episodes(p, "consensus")["s1"]}
        assert episodes[2].linked and episodes[2].repair.coding_id == p6
        p.undo("consensus")
        assert shown(p) == set() and p.links(coder="alice") and p.links(coder="bob")


def test_links_drawn_differently_are_not_carried_and_are_listed(path):
    with Project.open(path) as p:
        p.set_mode("reconciliation")
        seed_consensus(p, ["alice", "bob"])
        r4, p6 = consensus_on(p, "Rupture", 4), consensus_on(p, "Repair", 6)
        u9 = p.transcript("s1").utterances[8]
        d = reconcile(p, "s1", "Repair", u9.start, u9.end, "take", take="alice", coders=["alice", "bob"])
        [p9] = d.added
        # alice's 9 repairs 4 is now between consensus codings, but bob says 6 repaired 4: this
        # decision carries no link; bob's, carried by the seeding before, is listed as held
        event = p.events(coder="consensus", action="reconcile.decide")[0]
        assert d.links == [] and "links" not in event["data"]
        rival = {(x.source.id, x.relation, x.target.id): x for x in consensus_links(p, ["alice", "bob"]) if x.disputed_by}
        assert set(rival) == {(p9, "repairs", r4), (p6, "repairs", r4)}
        assert rival[p9, "repairs", r4].coders == ("alice",) and rival[p9, "repairs", r4].disputed_by == ("bob",)
        assert rival[p9, "repairs", r4].link_id is None and rival[p6, "repairs", r4].link_id is not None
        assert (p9, "repairs", r4) not in shown(p)


def test_a_decision_carries_the_link_it_completes_in_its_event(tmp_path):
    """alice alone coded a repair at 8 and linked it to the rupture at 6 (bob drew nothing into
    6): taking alice's repair completes the link, in the decision's own event."""
    with new_project(tmp_path / "one.db") as p:
        for coder in ("alice", "bob"):
            code_on(p, coder, "Rupture", 6)
        p.add_link(code_on(p, "alice", "Repair", 8), p.codings(coder="alice", code="Rupture")[0].id, "repairs", "alice")
        p.set_mode("reconciliation")
        seed_consensus(p, ["alice", "bob"])
        assert shown(p) == set()
        u8 = p.transcript("s1").utterances[7]
        d = reconcile(p, "s1", "Repair", u8.start, u8.end, "take", take="alice", coders=["alice", "bob"])
        r6, [r8] = consensus_on(p, "Rupture", 6), d.added
        assert shown(p) == {(r8, "repairs", r6)}
        event = p.events(coder="consensus", action="reconcile.decide")[0]
        assert event["id"] == d.event_id and event["data"]["links"] == d.links and len(d.links) == 1
        assert project_episodes(p, "consensus")["s1"][0].linked

        assert p.undo("consensus")["id"] == d.event_id
        assert shown(p) == set() and not p.codings(coder="consensus", code="Repair")
        p.redo("consensus")
        assert shown(p) == {(r8, "repairs", r6)}
        # deciding the unit again ("neither") removes the consensus repair, and with it its link
        reconcile(p, "s1", "Repair", u8.start, u8.end, "neither", coders=["alice", "bob"])
        assert shown(p) == set() and not project_episodes(p, "consensus")["s1"][0].linked
        p.undo("consensus")
        assert shown(p) == {(r8, "repairs", r6)}


def test_deciding_a_whole_unit_carries_links_in_the_unit_event(tmp_path):
    with new_project(tmp_path / "unit.db") as p:
        for coder in ("alice", "bob"):
            code_on(p, coder, "Rupture", 2)
        p.add_link(code_on(p, "bob", "Repair", 5), p.codings(coder="bob", code="Rupture")[0].id, "repairs", "bob")
        p.set_mode("reconciliation")
        [unit] = disputed_units(p, ["alice", "bob"])
        data = decide_unit(p, unit, "take", take="bob")
        assert len(data["links"]) == 1 and shown(p) == {(consensus_on(p, "Repair", 5), "repairs",
                                                         consensus_on(p, "Rupture", 2))}
        p.undo("consensus")
        assert shown(p) == set()


def test_a_link_the_consensus_coder_removed_is_not_brought_back(path):
    with Project.open(path) as p:
        p.set_mode("reconciliation")
        seed_consensus(p, ["alice", "bob"])
        provokes = next(k for k in p.links(coder="consensus") if k.relation == "provokes")
        p.remove_link(provokes.id, "consensus")
        u8 = p.transcript("s1").utterances[7]
        reconcile(p, "s1", "Other", u8.start, u8.end, "adjust", spans=[(u8.start, u8.end)], coders=["alice", "bob"])
        seed_consensus(p, ["alice", "bob"])
        assert provokes.id not in {k.id for k in p.links(coder="consensus")}
        assert all(k.relation != "provokes" for k in p.links(coder="consensus"))
        assert [x.dropped for x in plan_links(p, ["alice", "bob"], consensus="consensus") if x.relation == "provokes"] == [True]


def test_nothing_of_the_consensus_or_its_links_while_the_project_is_blind(path):
    before = digest(path)
    out = run("reconcile", "--coders", "alice,bob", "-p", path, code=1).output
    assert "blind mode" in out and digest(path) == before
    with Project.open(path) as p:
        with pytest.raises(ProjectError, match="blind mode"):
            consensus_links(p, ["alice", "bob"])
        assert not p.has_coder("consensus")
    out = run("links", "list", "--coder", "alice", "-p", path).output  # alice sees her own links only
    assert "[alice]" in out and "[bob]" not in out
    assert "blind mode" in run("links", "list", "-p", path, code=1).output
    run("mode", "reconciliation", "--coder", "alice", "-p", path)
    assert "drew differently" not in run("reconcile", "--coders", "alice,bob", "-p", path).output
    assert "[consensus]" in run("links", "list", "--coder", "consensus", "-p", path).output
    run("mode", "blind", "--coder", "alice", "-p", path)  # back to blind: the coders' links stay out of sight again
    assert "blind mode" in run("reconcile", "--coders", "alice,bob", "-p", path, code=1).output


def test_two_coders_linking_the_same_codings_in_other_relations_carry_neither(tmp_path):
    with new_project(tmp_path / "pair.db") as p:
        ids = {(c, n): code_on(p, c, code, n) for c in ("alice", "bob") for code, n in (("Rupture", 2), ("Repair", 3))}
        p.add_link(ids["alice", 3], ids["alice", 2], "repairs", "alice")
        p.add_link(ids["bob", 3], ids["bob", 2], "provokes", "bob")
        p.set_mode("reconciliation")
        seed_consensus(p, ["alice", "bob"])
        assert shown(p) == set()
        assert sorted((x.relation, x.coders, x.disputed_by) for x in consensus_links(p, ["alice", "bob"])) == [
            ("provokes", ("bob",), ("alice",)), ("repairs", ("alice",), ("bob",))]


def test_accord_reconcile_on_the_demo_carries_links_and_lists_those_drawn_differently(tmp_path):
    """The worked example of docs/agreement.md: two coders of the demo's fees session."""
    db = tmp_path / "demo.db"
    run("demo", "--project", db)
    rows = (Path(__file__).resolve().parents[1] / "sample_transcripts" / "reference_coding_1-3.csv").read_text(
        encoding="utf-8").splitlines()
    session = [r for r in rows if r.startswith("session02_fees_rupture,")]
    for coder, keep in (("alice", session), ("bob", [r for r in session if not r.startswith("session02_fees_rupture,29,")])):
        table = tmp_path / f"{coder}.csv"
        table.write_text("\n".join([rows[0], *keep]) + "\n", encoding="utf-8")
        run("codings", "import", table, "--coder", coder, "-p", db)
    link = lambda coder, a, b, *rest: run("links", "add", "session02_fees_rupture", "--from", a, "--to", b,  # noqa: E731
                                          "--coder", coder, *rest, "-p", db)
    link("alice", "31:acknowledging", "18:rejecting")
    link("alice", "31:acknowledging", "20:rejecting")
    link("alice", "23:coercion", "24:complaint", "--relation", "provokes")
    link("bob", "31:acknowledging", "18:rejecting")
    link("bob", "33:acknowledging", "20:rejecting")
    run("mode", "reconciliation", "--coder", "alice", "-p", db)
    out = run("reconcile", "--coders", "alice,bob", "-p", db).output
    assert "2 links between codings carried over (1 drawn by one coder only)" in out
    assert "2 links the coders drew differently" in out
    assert "31:Acknowledging therapist contribution" in out and "[alice; bob linked otherwise]" in out
    assert "33:Acknowledging therapist contribution" in out and "[bob; alice linked otherwise]" in out
    listed = run("links", "list", "--coder", "consensus", "-p", db).output.splitlines()
    assert len(listed) == 2 and "provokes 24:Complaint about the therapist" in listed[0]
    assert "31:Acknowledging therapist contribution" in listed[1] and "repairs 18:Rejecting" in listed[1]
    data = json.loads(run("sequences", "session02_fees_rupture", "--coder", "consensus", "--episodes", "--json",
                          "-p", db).output)
    linked = [(e["rupture"]["first"], e["repair"]["first"]) for e in data["episodes"] if e["resolved_by"] == "link"]
    assert linked == [(18, 31)]
    again = json.loads(run("reconcile", "--coders", "alice,bob", "--json", "-p", db).output)
    assert again["added"] == 0 and again["links_added"] == 0
    assert {(d["source"]["utterance"], d["target"]["utterance"], tuple(d["coders"])) for d in again["link_disagreements"]} \
        == {(31, 20, ("alice",)), (33, 20, ("bob",))}
    run("undo", "--coder", "consensus", "-p", db)
    assert "No links yet" in run("links", "list", "--coder", "consensus", "-p", db).output
