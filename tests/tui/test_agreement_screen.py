"""The agreement screen: switching out of blind mode, the per-code table, reconciling by unit."""

from accord.agreement.reconcile import CONSENSUS
from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.agreement import AgreementScreen, PickCodes, ReconcileScreen
from accord.tui.screens.home import HomeScreen
from accord.tui.screens.modals import Choose, TextPrompt

from .conftest import screen_ready, wait_for, widget

NAME = "session04_withdrawal_repair"


def two_coders(path):
    with Project.open(path) as p:
        u = p.transcript(NAME).utterances
        for i in (1, 3, 5):
            p.apply_code(NAME, "Minimal response", "alice", u[i].start, u[i].end)
        for i in (1, 3, 7):
            p.apply_code(NAME, "Minimal response", "ben", u[i].start, u[i].end)
        return u


def table_row(app, key):
    """A row of the active screen's table, or None until the table holds it."""
    from textual.widgets.data_table import RowDoesNotExist

    table = widget(app, "DataTable")
    try:
        return table.get_row(key) if table is not None else None
    except RowDoesNotExist:
        return None


async def test_agreement_table_and_reconciling_disagreements(project_path):
    u = two_coders(project_path)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, TextPrompt)
        await pilot.press(*"reconciliation", "enter")
        await screen_ready(pilot, AgreementScreen)
        await wait_for(pilot, lambda: table_row(app, "Minimal response") is not None)
        row = table_row(app, "Minimal response")
        assert row[1:3] == ["3", "3"] and row[-1] == "2 of 2"
        await pilot.press("enter")
        dis = await screen_ready(pilot, ReconcileScreen)
        assert [(x.start, x.end) for x in dis.units] == [(u[5].start, u[5].end), (u[7].start, u[7].end)]
        await pilot.press("1")  # alice's codes on utterance 6
        await wait_for(pilot, lambda: dis.units[0].decided)
        assert dis.index == 0  # the cursor stays on the unit just decided
        await pilot.press("j", "n")  # neither on utterance 8
        await wait_for(pilot, lambda: all(x.decided for x in dis.units))
        await pilot.press("q")
        await screen_ready(pilot, AgreementScreen)
        await wait_for(pilot, lambda: (table_row(app, "Minimal response") or [""])[-1] == "0 of 2")
    with Project.open(project_path) as p:
        assert p.mode == "reconciliation"
        consensus = [(c.start, c.end) for c in p.codings(coder=CONSENSUS)]
        # what both coded (utterances 2 and 4) came in with the first decision, beside it
        assert consensus == [(u[i].start, u[i].end) for i in (1, 3, 5)]
        decided = [e for e in p.events() if e["action"] == "reconcile.unit"]
        assert [e["data"]["choice"] for e in decided] == ["neither", "take"]
        assert decided[1]["data"]["take"] == "alice" and decided[1]["data"]["decided_by"] == ["alice", "ben"]


async def test_undo_takes_back_the_latest_consensus_decision_and_redo_restores_it(project_path):
    u = two_coders(project_path)
    with Project.open(project_path) as p:
        p.set_mode("reconciliation")
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, AgreementScreen)
        await pilot.press("enter")
        dis = await screen_ready(pilot, ReconcileScreen)
        await pilot.press("1", "j", "2")  # alice's codes on utterance 6; ben's (none there) on utterance 8
        await wait_for(pilot, lambda: all(x.decided for x in dis.units))
        await pilot.press("k", "b")  # utterance 6 again: both, replacing "alice's codes"
        await wait_for(pilot, lambda: dis.units[0].decision() == "both")
        await pilot.press("j", "u")  # undo goes back to the unit it changed
        await wait_for(pilot, lambda: dis.units[0].decision() == "alice's codes")
        assert dis.index == 0
        await pilot.press("u", "u")  # and the other one, then the first
        await wait_for(pilot, lambda: not any(x.decided for x in dis.units))
        agreed = [(u[i].start, u[i].end) for i in (1, 3)]
        with Project.open(project_path) as p:  # the agreed codings the first decision brought in stay
            assert [(c.start, c.end) for c in p.codings(coder=CONSENSUS)] == agreed
        await pilot.press("u")
        await wait_for(pilot, lambda: "Undid seeding the consensus with 2" in str([n.message for n in app._notifications]))
        with Project.open(project_path) as p:
            assert p.codings(coder=CONSENSUS) == []
        await pilot.press("u")
        await wait_for(pilot, lambda: "Nothing to undo" in str([n.message for n in app._notifications]))
        await pilot.press("U", "U")
        await wait_for(pilot, lambda: dis.units[0].decision() == "alice's codes")
        with Project.open(project_path) as p:
            assert [(c.start, c.end) for c in p.codings(coder=CONSENSUS)] == sorted(agreed + [(u[5].start, u[5].end)])


def different_codes(path):
    """At utterance 6 alice applied Deference and appeasing, ben Minimal response; both applied
    Topic shift at utterance 3 (an agreement to seed)."""
    with Project.open(path) as p:
        u = p.transcript(NAME).utterances
        p.apply_code(NAME, "Deference and appeasing", "alice", u[5].start, u[5].end)
        p.apply_code(NAME, "Minimal response", "ben", u[5].start, u[5].end)
        for coder in ("alice", "ben"):
            p.apply_code(NAME, "Topic shift", coder, u[2].start, u[2].end)
        p.set_mode("reconciliation")
        return u


def text_of(app, selector):
    found = widget(app, selector)
    return str(found.render()) if found is not None else ""


async def test_at_80x24_a_unit_shows_once_with_both_coders_codes_and_the_turns_around_it(project_path):
    u = different_codes(project_path)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, AgreementScreen)
        await wait_for(pilot, lambda: "s copies 1 agreed" in text_of(app, "#agreement-note"))
        await pilot.press("enter")
        dis = await screen_ready(pilot, ReconcileScreen)
        assert len(dis.units) == 1  # one unit, not one item per code
        await wait_for(pilot, lambda: "Deference and appeasing" in text_of(app, "#coder-0"))
        assert "Minimal response" in text_of(app, "#coder-1") and "Deference" not in text_of(app, "#coder-1")
        assert "Minimal response (ben) · Deference and appeasing (alice)" in text_of(app, "#reconcile-here")
        turns = text_of(app, "#reconcile-turns")
        with Project.open(project_path) as p:
            t = p.transcript(NAME)
        for i in (3, 4, 5, 6):  # two turns before, the unit, one after
            assert t.utterance_text(u[i])[:40] in turns.replace("\n", " ")
        assert f"▶ {u[5].speaker}:" in turns
        status = text_of(app, "#reconcile-status")
        assert "Codes of alice [1], ben [2], consensus" in status and "s: seed 1 agreed" in status
        await pilot.press("s")
        await wait_for(pilot, lambda: dis.pending_seed == 0)
        assert "agreements seeded ✓" in text_of(app, "#reconcile-status")
        await pilot.press("e")
        picker = await screen_ready(pilot, PickCodes)
        assert picker.ticked == {"Deference and appeasing", "Minimal response"}
        await pilot.press("space", "enter")  # untick Minimal response (listed first): Deference only
        await screen_ready(pilot, ReconcileScreen)
        await wait_for(pilot, lambda: dis.units[0].decided)
        assert dis.units[0].consensus == ["Deference and appeasing"] and dis.index == 0
        assert "consensus: edited" in text_of(app, "#consensus-column")
    with Project.open(project_path) as p:
        assert sorted(c.code for c in p.codings(coder=CONSENSUS)) == ["Deference and appeasing", "Topic shift"]


async def test_adjusting_one_codes_span_codes_exactly_the_words_typed(project_path):
    u = different_codes(project_path)
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, AgreementScreen)
        await pilot.press("enter")
        dis = await screen_ready(pilot, ReconcileScreen)
        await pilot.press("a")
        await screen_ready(pilot, Choose)
        await pilot.press(*"minimal", "enter")
        prompt = await screen_ready(pilot, TextPrompt)
        words = prompt.value.split()[0]  # the first word of the unit
        await pilot.press("ctrl+u", *words, "enter")
        await screen_ready(pilot, ReconcileScreen)
        await wait_for(pilot, lambda: "Minimal response" in dis.units[0].consensus)
        assert dis.units[0].decision() == "partly decided" and dis.index == 0
    with Project.open(project_path) as p:
        [k] = [k for k in p.codings(coder=CONSENSUS) if k.code == "Minimal response"]
        assert p.transcript(NAME).text[k.start:k.end] == words and k.start == u[5].start


async def test_a_decision_in_the_screen_brings_the_link_it_completes_and_undo_takes_it_back(project_path):
    """Both coders have Minimal response at utterance 2; only alice coded Meta-communication at
    utterance 6 and linked it as the repair of that rupture. Taking alice's codes there gives
    the consensus the link; `u` takes the decision and the link back."""
    with Project.open(project_path) as p:
        u = p.transcript(NAME).utterances
        ruptures = {c: p.apply_code(NAME, "Minimal response", c, u[1].start, u[1].end) for c in ("alice", "ben")}
        repair = p.apply_code(NAME, "Meta-communication", "alice", u[5].start, u[5].end)
        p.add_link(repair.id, ruptures["alice"].id, "repairs", "alice")
        p.set_mode("reconciliation")
    app = AccordApp(project_path, coder="alice", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_ready(pilot, HomeScreen)
        await pilot.press("a")
        await screen_ready(pilot, AgreementScreen)
        await pilot.press("enter")
        dis = await screen_ready(pilot, ReconcileScreen)
        await pilot.press("1")
        await wait_for(pilot, lambda: dis.units[0].decided)
        with Project.open(project_path) as p:
            [link] = p.links(coder=CONSENSUS)
            assert (link.source.code, link.relation, link.target.code) == ("Meta-communication", "repairs",
                                                                         "Minimal response")
        await pilot.press("u")
        await wait_for(pilot, lambda: not dis.units[0].decided)
        with Project.open(project_path) as p:
            assert p.links(coder=CONSENSUS) == [] and len(p.links(coder="alice")) == 1
