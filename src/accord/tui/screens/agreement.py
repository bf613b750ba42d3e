"""Agreement and reconciliation: the per-code table, then the disagreements one by one.

The figures come from `accord.agreement.agreement_report` and the decisions go through
`accord.agreement.reconcile`, which writes the consensus coder's codings and logs who
decided what; this screen only shows them and collects keys.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...agreement.disagreements import disagreements, disagreements_by_code
from ...agreement.reconcile import CONSENSUS, reconcile
from ...agreement.report import agreement_report
from ...errors import AccordError
from ..saving import SavesActions
from .modals import TextPrompt


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/c"  # not computable: never shown as 0 or 1
    return f"{value:.0%}" if percent else f"{value:.2f}"


class AgreementScreen(Screen):
    """Per-code agreement of two or more coders; Enter walks through a code's disagreements."""

    BINDINGS = [
        Binding("enter", "open", "Disagreements", id="agreement.open"),
        Binding("u", "cycle_unit", "Unit", id="agreement.unit"),
        Binding("escape,q", "back", "Back", id="app.back"),
    ]
    UNITS = ("utterance", "sentence", "character")

    def __init__(self, project, coders: list[str], unit: str = "utterance") -> None:
        super().__init__()
        self.project, self.coders, self.unit = project, coders, unit
        self.report = None

    def compose(self) -> ComposeResult:
        yield Static("", id="agreement-title")
        yield DataTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="agreement-note")
        yield Footer()

    def on_mount(self) -> None:
        self.recompute()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.recompute()

    def recompute(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        try:
            self.report = report = agreement_report(self.project, self.coders, self.unit, bootstrap=0)
        except AccordError as e:
            self.query_one("#agreement-note", Static).update(Text(str(e), style="red"))
            return
        width = max([len(c.code) for c in report.by_code] + [4])
        table.add_column("Code", width=min(width, 40))
        table.add_columns(*[f"{c} units" for c in self.coders], "% agree", report.kappa, "alpha", "to resolve")
        try:
            found = disagreements_by_code(self.project, self.coders, self.unit)
        except AccordError:
            found = {}
        for c in report.by_code:
            f = c.all_units
            open_items = found.get(c.code)
            todo = "–" if open_items is None else f"{sum(not d.resolved for d in open_items)} of {len(open_items)}"
            table.add_row(c.code, *[str(c.use.get(k, 0)) for k in self.coders], _fmt(f.percent_agreement, True),
                          _fmt(f.kappa), _fmt(f.alpha), todo, key=c.code)
        o = report.overall.all_units
        title = Text()
        title.append(" Agreement ", style="bold reverse")
        title.append(f"  {', '.join(self.coders)}  ·  unit: {self.unit}  ·  {report.units} units  ·  "
                     f"overall {report.kappa} {_fmt(o.kappa)}, alpha {_fmt(o.alpha)}")
        self.query_one("#agreement-title", Static).update(title)
        self.query_one("#agreement-note", Static).update(
            Text("n/c: not computable (only one category in use). Enter: step through a code's "
                 "disagreements; u: change the unit.", style="grey50")
        )

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            code = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.app.push_screen(DisagreementScreen(self.project, self.coders, code, self.unit))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(DisagreementScreen(self.project, self.coders, event.row_key.value, self.unit))

    def action_cycle_unit(self) -> None:
        self.unit = self.UNITS[(self.UNITS.index(self.unit) + 1) % len(self.UNITS)]
        self.recompute()

    def action_back(self) -> None:
        self.app.pop_screen()


class DisagreementScreen(SavesActions, Screen):
    """One disagreement at a time, each coder's spans side by side; keys decide the consensus."""

    BINDINGS = [
        Binding("j,right_square_bracket,down", "step(1)", "Next", id="reconcile.next"),
        Binding("k,left_square_bracket,up", "step(-1)", "Previous", id="reconcile.previous"),
        *[Binding(str(n), f"take({n})", f"Take coder {n}", id=f"reconcile.take{n}", show=n <= 2) for n in range(1, 10)],
        Binding("b", "decide('both')", "Both", id="reconcile.both"),
        Binding("n", "decide('neither')", "Neither", id="reconcile.neither"),
        Binding("e", "adjust", "Adjust", id="reconcile.adjust"),
        Binding("u", "undo", "Undo", id="reconcile.undo"),
        Binding("U,ctrl+r", "undo(True)", "Redo", id="reconcile.redo", show=False),
        Binding("escape,q", "back", "Back", id="app.back"),
    ]

    def __init__(self, project, coders: list[str], code: str, unit: str) -> None:
        super().__init__()
        self.project, self.coders, self.code, self.unit = project, coders, code, unit
        self.items = disagreements(project, coders, code, unit)
        self.index = next((i for i, d in enumerate(self.items) if not d.resolved), 0)
        self._texts: dict[str, str] = {}
        self._transcripts: dict = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="reconcile-title")
        with Horizontal(id="reconcile-body"):
            for i, _ in enumerate(self.coders):
                with VerticalScroll(classes="reconcile-column"):
                    yield Static("", id=f"coder-{i}")
        yield Static("", id="reconcile-status")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def text_of(self, transcript: str) -> str:
        if transcript not in self._texts:
            self._texts[transcript] = self.project.transcript(transcript).text
        return self._texts[transcript]

    def context_before(self, transcript: str, offset: int) -> str:
        """The previous turn, dimmed above the unit: what the speaker was answering."""
        t = self._transcripts.get(transcript)
        if t is None:
            t = self._transcripts[transcript] = self.project.transcript(transcript)
        previous = [u for u in t.utterances if u.end <= offset]
        if not previous:
            return ""
        u = previous[-1]
        return f"{u.speaker}: {t.utterance_text(u)[:300]}"

    def show(self) -> None:
        title = Text()
        title.append(f" {self.code} ", style="bold reverse")
        resolved = sum(d.resolved for d in self.items)
        title.append(f"  {resolved} of {len(self.items)} disagreements resolved  ·  unit: {self.unit}")
        self.query_one("#reconcile-title", Static).update(title)
        if not self.items:
            self.query_one("#reconcile-status", Static).update("The coders agree on every unit of this code.")
            return
        d = self.items[self.index]
        text = self.text_of(d.transcript)
        lo, hi = d.start, d.end
        if self.unit == "character":  # show the surrounding utterance for context
            lo, hi = max(0, d.start - 200), min(len(text), d.end + 200)
        before = self.context_before(d.transcript, d.start)
        for i, coder in enumerate(self.coders):
            body = Text()
            body.append(f"[{i + 1}] {coder}: ", style="bold")
            body.append("applied\n\n" if d.applied.get(coder) else "not applied\n\n", style="green" if d.applied.get(coder) else "red")
            if before:
                body.append(before + "\n\n", style="grey50")
            piece = Text(text[lo:hi])
            for span in d.spans.get(coder, []):
                a, b = max(span.start, lo) - lo, min(span.end, hi) - lo
                if a < b:
                    piece.stylize("bold reverse", a, b)
            body.append_text(piece)
            self.query_one(f"#coder-{i}", Static).update(body)
        status = Text()
        if self.unsaved:  # first, so no terminal is too narrow to show it
            status.append(f" NOT SAVED: {self.unsaved[0]} ({self.unsaved[3]}); retrying ", style="bold white on red")
            status.append("  ")
        status.append(f"{self.index + 1}/{len(self.items)}  {d.transcript}, utterance {d.utterance}  ")
        status.append(f"decided: {d.decision}" if d.decision else "undecided", style="green" if d.decision else "yellow")
        status.append("   1-9 take that coder's spans · b both · n neither · e adjust · u undo · j/k move", style="grey50")
        self.query_one("#reconcile-status", Static).update(status)

    def action_step(self, delta: int) -> None:
        if self.items:
            self.index = max(0, min(len(self.items) - 1, self.index + delta))
            self.show()

    def action_take(self, n: int) -> None:
        if n <= len(self.coders):
            self.decide("take", take=self.coders[n - 1])

    def action_decide(self, decision: str) -> None:
        self.decide(decision)

    def decide(self, decision: str, take: str | None = None, spans=None) -> None:
        if not self.items:
            return
        d = self.items[self.index]

        def decided(_) -> None:
            d.decision = decision
            later = [i for i, x in enumerate(self.items) if not x.resolved and i > self.index]
            if self.items[self.index] is d:
                self.index = later[0] if later else self.index
            self.show()

        self._save(f"{decision} on {d.transcript}, utterance {d.utterance}",
                   lambda: reconcile(self.project, d.transcript, self.code, d.start, d.end, decision, coders=self.coders,
                                     take=take, spans=spans, decided_by=self.coders, unit=self.unit), decided)

    def _show_unsaved(self) -> None:
        self.show()

    def action_undo(self, redo: bool = False) -> None:
        """Take back (or redo) the latest consensus decision, in this code or another: the
        consensus coder's own undo, so `accord undo --coder consensus` is the same."""
        known = any(c["name"] == CONSENSUS for c in self.project.coders())
        self._save("redo" if redo else "undo",
                   lambda: (self.project.redo if redo else self.project.undo)(CONSENSUS) if known else None,
                   lambda event: self._undone(event, redo))

    def _undone(self, event: dict | None, redo: bool) -> None:
        if event is None:
            self.notify(f"Nothing to {'redo' if redo else 'undo'}.", severity="warning")
            return
        self.items = disagreements(self.project, self.coders, self.code, self.unit)
        data, verb = event["data"], "Redid" if redo else "Undid"
        if event["action"] == "reconcile.decide":
            unit = (data["transcript"], *data["unit"])
            self.index = next((i for i, d in enumerate(self.items) if (d.transcript, d.start, d.end) == unit), self.index)
            self.notify(f"{verb} “{data['decision']}” on {data['code']} in {data['transcript']}.")
        else:
            self.notify(f"{verb} seeding the consensus with {data.get('count', 0)} agreed codings.")
        self.index = min(self.index, max(0, len(self.items) - 1))
        self.show()

    def action_adjust(self) -> None:
        if not self.items:
            return
        d = self.items[self.index]
        text = self.text_of(d.transcript)

        def keep(words: str | None) -> None:
            if not words:
                return
            at = text.find(words, d.start, d.end)
            if at < 0:
                self.notify("Those exact words are not in this unit.", severity="error")
                return
            self.decide("adjust", spans=[(at, at + len(words))])

        self.app.push_screen(TextPrompt("Consensus span: type the exact words to code", value=text[d.start:d.end]), keep)

    def action_back(self) -> None:
        self._leave(self.app.pop_screen)


def comparable_coders(project) -> list[str]:
    """Coders with codings, the consensus coder left out."""
    return [c["name"] for c in project.coders() if c["codings"] and c["name"] != CONSENSUS]
