"""Agreement and reconciliation: the per-code table, then the disputed units one by one.

The figures come from `accord.agreement.agreement_report`, the disputed units and the
decisions on them from `accord.agreement.by_unit`, which writes the consensus coder's
codings and logs who decided what; these screens only show them and collect keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...agreement.by_unit import DisputedUnit, decide_unit, disputed_units, refresh, surrounding_turns
from ...agreement.disagreements import disagreements_by_code
from ...agreement.reconcile import CONSENSUS, reconcile, seed_consensus, seed_pending
from ...agreement.render import fixed
from ...agreement.report import agreement_report
from ...errors import AccordError
from ..saving import NOT_SAVED_STYLE, SavesActions, not_saved
from .modals import Choose, TextPrompt

if TYPE_CHECKING:
    from ...store import Project


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/c"  # not computable: never shown as 0 or 1
    return f"{value:.0%}" if percent else fixed(value, 2)


class AgreementScreen(SavesActions, Screen):
    """Per-code agreement of two or more coders; Enter reconciles the disputed units, starting
    with the highlighted code's; s copies the agreements into the consensus."""

    BINDINGS = [
        Binding("enter", "open", "Reconcile", id="agreement.open"),
        Binding("s", "seed", "Seed consensus", id="agreement.seed"),
        Binding("u", "cycle_unit", "Unit", id="agreement.unit"),
        Binding("escape,q", "back", "Back", id="app.back"),
    ]
    UNITS = ("utterance", "sentence", "character")

    def __init__(self, project: Project, coders: list[str], unit: str = "utterance") -> None:
        super().__init__()
        self.project, self.coders, self.unit = project, coders, unit
        self.report, self.found, self.pending = None, {}, None

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

    def on_resize(self) -> None:
        if self.report is not None:
            self.draw()  # the same figures, laid out for the new width

    def recompute(self) -> None:
        """Figures, disagreements left and agreements not yet in the consensus, afresh (on
        opening, after reconciling, after a unit change), then drawn."""
        try:
            self.report = agreement_report(self.project, self.coders, self.unit, bootstrap=0)
        except AccordError as e:
            self.report = None
            self.query_one(DataTable).clear(columns=True)
            self.query_one("#agreement-note", Static).update(Text(str(e), style="red"))
            return
        try:
            self.found = disagreements_by_code(self.project, self.coders, self.unit)
            self.pending = seed_pending(self.project, self.coders, unit=self.unit)
        except AccordError:  # blind mode: figures only
            self.found, self.pending = {}, None
        self.draw()

    def draw(self) -> None:
        """The table, title and note from the figures computed last; the cursor keeps its row."""
        report, table = self.report, self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        # Short headers (the title names the kappa), and the code column takes what is left of
        # the width: a long code name wraps onto a second line of its row instead of being cut.
        headers = [*self.coders, "agree", "kappa", "alpha", "to resolve"]
        others = sum(max(len(h), 6) + 2 for h in headers) + 4
        longest = max([len(c.code) for c in report.by_code] + [4])
        table.add_column("Code", width=max(12, min(longest, (self.size.width or 80) - others)))
        table.add_columns(*headers)
        for c in report.by_code:
            f = c.all_units
            open_items = self.found.get(c.code)
            todo = "–" if open_items is None else f"{sum(not d.resolved for d in open_items)} of {len(open_items)}"
            table.add_row(Text(c.code), *[str(c.use.get(k, 0)) for k in self.coders], _fmt(f.percent_agreement, True),
                          _fmt(f.kappa), _fmt(f.alpha), todo, key=c.code, height=None)
        table.move_cursor(row=min(row, table.row_count - 1))
        o = report.overall.all_units
        title = Text()
        title.append(" Agreement ", style="bold reverse")
        title.append(f" {', '.join(self.coders)} · {report.units} {self.unit}s · "
                     f"{report.kappa} {_fmt(o.kappa)}, alpha {_fmt(o.alpha)}")
        self.query_one("#agreement-title", Static).update(title)
        self._show_note()

    def _show_note(self) -> None:
        """Whether the consensus holds the agreements yet (the first step of reconciling), and the keys."""
        note = Text()
        if self.unsaved:
            note.append(not_saved(self.unsaved[0], self.unsaved[3]), style=NOT_SAVED_STYLE)
            note.append(" ")
        if self.pending:
            note.append(f"Step 1: s copies {self.pending} agreed codings into the consensus. ", style="bold yellow")
        elif self.pending == 0:
            note.append("Agreements are in the consensus ✓ ", style="green")
        note.append("Enter: reconcile the disputed units · u: unit · n/c: not computable", style="grey50")
        self.query_one("#agreement-note", Static).update(note)

    def _highlighted_code(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_open(self) -> None:
        self._open(self._highlighted_code())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def _open(self, code: str | None) -> None:
        try:
            screen = ReconcileScreen(self.project, self.coders, self.unit, code=code)
        except AccordError as e:
            self.notify(str(e), severity="error")
            return
        self.app.push_screen(screen)

    def action_seed(self) -> None:
        """The first step of reconciling, and what `accord reconcile` does."""
        self._save("seeding the consensus", lambda: seed_consensus(self.project, self.coders, unit=self.unit),
                   self._seeded)

    def _seeded(self, added: int) -> None:
        self.notify(f"Copied {added} agreed codings into the consensus." if added
                    else "The consensus already holds every agreement.", timeout=4)
        self.recompute()

    def _show_unsaved(self) -> None:
        self._show_note()

    def action_cycle_unit(self) -> None:
        self.unit = self.UNITS[(self.UNITS.index(self.unit) + 1) % len(self.UNITS)]
        self.recompute()

    def action_back(self) -> None:
        self._leave(self.app.pop_screen)


class PickCodes(ModalScreen[list[str] | None]):
    """Tick the codes the consensus should hold in a unit: space ticks, Enter keeps, Escape cancels.

    Ticks are drawn as [x] and [ ], not by colour alone, so they read in any terminal.
    """

    BINDINGS = [
        Binding("space", "toggle", "Tick", id="pick.toggle"),
        Binding("enter", "keep", "Keep these", id="pick.keep", priority=True),
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
    ]

    def __init__(self, title: str, codes: list[tuple[str, str]], ticked: list[str]) -> None:
        """`codes` are (code, label) pairs, the unit's codes first; `ticked` start ticked."""
        super().__init__()
        self.title_text, self.codes = title, codes
        self.ticked = {code for code, _ in codes if code in ticked}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(self._label(code, label), id=code) for code, label in self.codes], id="pick-codes")
            yield Label("Space ticks or unticks · Enter keeps these · Escape cancels", classes="dialog-hint")

    def _label(self, code: str, label: str) -> Text:
        return Text(f"[{'x' if code in self.ticked else ' '}] {label}")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def action_toggle(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        code, label = self.codes[options.highlighted]
        self.ticked ^= {code}
        options.replace_option_prompt(code, self._label(code, label))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_keep()

    def action_keep(self) -> None:
        self.dismiss([code for code, _ in self.codes if code in self.ticked])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReconcileScreen(SavesActions, Screen):
    """Each disputed unit once: the turns around it, each coder's codes side by side, and the
    consensus; one key decides the whole unit. The grouping and the decisions are
    `accord.agreement.by_unit`'s; this screen shows them and collects keys."""

    BINDINGS = [
        Binding("j,down", "step(1)", "Next", id="reconcile.next"),
        Binding("k,up", "step(-1)", "Previous", id="reconcile.previous"),
        Binding("right_square_bracket", "undecided(1)", "Next undecided", id="reconcile.next_undecided", show=False),
        Binding("left_square_bracket", "undecided(-1)", "Previous undecided", id="reconcile.previous_undecided",
                show=False),
        *[Binding(str(n), f"take({n})", f"Coder {n}'s", id=f"reconcile.take{n}", show=n <= 2) for n in range(1, 10)],
        Binding("b", "decide('both')", "Both", id="reconcile.both"),
        Binding("n", "decide('neither')", "Neither", id="reconcile.neither"),
        Binding("e", "edit", "Edit", id="reconcile.edit"),
        Binding("a", "adjust", "Adjust span", id="reconcile.adjust", show=False),
        Binding("s", "seed", "Seed", id="reconcile.seed"),
        Binding("u", "undo", "Undo", id="reconcile.undo"),
        Binding("U,ctrl+r", "undo(True)", "Redo", id="reconcile.redo", show=False),
        Binding("escape,q", "back", "Back", id="app.back"),
    ]

    def __init__(self, project: Project, coders: list[str], unit: str = "utterance", code: str | None = None) -> None:
        """Opens at the first undecided unit where the coders differ on `code` (any code if None)."""
        super().__init__()
        self.project, self.coders, self.unit = project, coders, unit
        self.units = disputed_units(project, coders, unit)
        self.pending_seed = seed_pending(project, coders, unit=unit)
        wanted = [i for i, x in enumerate(self.units) if code is None or any(d.code == code for d in x.disputed)]
        self.index = next((i for i in wanted if not self.units[i].decided), wanted[0] if wanted else 0)
        self._transcripts: dict = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="reconcile-title")
        with VerticalScroll(id="reconcile-context"):
            yield Static("", id="reconcile-turns")
        with VerticalScroll(id="reconcile-body"):  # scrolls only when a unit has more codes than fit
            with Horizontal(id="reconcile-columns"):
                for i, _ in enumerate(self.coders):
                    yield Static("", id=f"coder-{i}", classes="reconcile-column")
                yield Static("", id="consensus-column", classes="reconcile-column")
        yield Static("", id="reconcile-here")
        yield Static("", id="reconcile-status")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.show()  # the code boxes' height follows the width they wrap at

    @property
    def current(self) -> DisputedUnit | None:
        return self.units[self.index] if self.units else None

    def transcript(self, name: str):
        if name not in self._transcripts:
            self._transcripts[name] = self.project.transcript(name)
        return self._transcripts[name]

    # --- drawing ------------------------------------------------------------------------------

    def show(self) -> None:
        x = self.current
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" Reconcile ", style="bold reverse")
        if x is not None:
            where = f"utterance {x.utterance}" if x.utterance else f"[{x.start}, {x.end})"
            title.append(f" {self.index + 1}/{len(self.units)} {x.transcript}, {where}")
        title.append(f" · {sum(u.decided for u in self.units)} decided · by {self.unit}")
        self.query_one("#reconcile-title", Static).update(title)
        self.query_one("#reconcile-status", Static).update(self._status())
        if x is None:
            self.query_one("#reconcile-turns", Static).update(
                "The coders agree on every unit: nothing to reconcile. s copies the agreements into the consensus.")
            self.query_one("#reconcile-body").display = False
            self.query_one("#reconcile-here", Static).update("")
            return
        turns = self._turns(x)
        self.query_one("#reconcile-turns", Static).update(turns)
        self.call_after_refresh(self._scroll_to_unit, turns)
        columns = [self._column(x, i, coder) for i, coder in enumerate(self.coders)] + [self._consensus(x)]
        for i, column in enumerate(columns[:-1]):
            self.query_one(f"#coder-{i}", Static).update(column)
        self.query_one("#consensus-column", Static).update(columns[-1])
        # All columns as tall as the tallest (wrapped at the column width), so the boxes line up;
        # the boxes get what the title, three lines of turns, "Codes here", the status and the
        # footer leave, and scroll beyond that, so no code is ever cut off.
        here = self._here(x)
        self.query_one("#reconcile-here", Static).update(here)
        width, height = self.size.width or 80, self.size.height or 24
        lines = max(len(c.wrap(self.app.console, max(8, width // len(columns) - 4))) for c in columns) + 2
        here_lines = len(here.wrap(self.app.console, max(8, width - 2)))
        self.query_one("#reconcile-columns").styles.height = lines
        body = self.query_one("#reconcile-body")
        body.styles.height = max(3, min(lines, height - 7 - here_lines))
        body.display = True

    def _scroll_to_unit(self, turns: Text) -> None:
        """Keep the unit's turn in view when long turns before it fill the pane."""
        pane = self.query_one("#reconcile-context", VerticalScroll)
        width = max(8, pane.scrollable_content_region.width)
        before = turns.plain.split("\n▶ ")[0]
        lines = len(Text(before).wrap(self.app.console, width)) if "\n▶ " in turns.plain else 0
        pane.scroll_to(y=max(0, lines - 1), animate=False)

    def _turns(self, x: DisputedUnit) -> Text:
        """The turns around the unit dimmed, the unit's turn bold, the unit underlined where it
        is only part of the turn (sentence and character units)."""
        text = Text()
        height = self.size.height or 24  # more of the conversation when the terminal is taller
        before, after = max(2, (height - 20) // 4), max(1, (height - 20) // 8)
        for turn in surrounding_turns(self.transcript(x.transcript), x.start, x.end, before, after):
            if text:
                text.append("\n")
            line = Text(f"{turn.speaker}: ", style="bold" if turn.in_unit else "grey50")
            body = Text(turn.text, style="" if turn.in_unit else "grey50")
            if turn.in_unit:
                a, b = max(x.start, turn.start) - turn.start, min(x.end, turn.start + len(turn.text)) - turn.start
                if 0 <= a < b and (a, b) != (0, len(turn.text)):  # only part of the turn is the unit
                    body.stylize("underline", a, b)
                line = Text("▶ ", style="bold") + line
            text.append_text(line + body)
        return text

    def _column(self, x: DisputedUnit, i: int, coder: str) -> Text:
        """One coder's codes here: agreed ones plain, the ones only they applied marked +."""
        body = Text(f"[{i + 1}] {coder}", style="bold")
        codes = x.codes_of(coder)
        for code in codes:
            mine = code not in x.agreed
            body.append("\n+ " if mine else "\n  ", style="bold" if mine else "")
            body.append(code, style="bold" if mine else "grey50")
        if not codes:
            body.append("\n  (no code)", style="grey50")
        return body

    def _consensus(self, x: DisputedUnit) -> Text:
        body = Text(f"{CONSENSUS}: ", style="bold")
        body.append(x.decision(), style="green" if x.decided else "yellow")
        for code in x.consensus:
            body.append(f"\n  {code}")
        if not x.consensus:
            body.append("\n  (no code)", style="grey50")
        return body

    def _here(self, x: DisputedUnit) -> Text:
        """Codes here, each with who applied it: what the columns say, in one line."""
        here = Text("Codes here: ", style="bold")
        names = x.agreed + [d.code for d in x.disputed if d.code not in x.agreed]
        for k, code in enumerate(dict.fromkeys(names)):
            if k:
                here.append(" · ")
            who = x.coders_of(code)
            here.append(code, style="" if code in x.agreed else "bold")
            here.append(f" ({'all' if len(who) == len(self.coders) and len(who) > 2 else ', '.join(who)})", style="grey50")
        return here

    def _status(self) -> Text:
        """Whose codes are shown, whether the agreements are in the consensus yet, and the keys."""
        status = Text(no_wrap=True, overflow="ellipsis")
        if self.unsaved:  # first, so no terminal is too narrow to show it
            status.append(not_saved(self.unsaved[0], self.unsaved[3]), style=NOT_SAVED_STYLE)
            status.append("  ")
        shown = ", ".join(f"{coder} [{i + 1}]" for i, coder in enumerate(self.coders))
        status.append(f"Codes of {shown}, consensus · ")
        if self.pending_seed:
            status.append(f"s: seed {self.pending_seed} agreed codings", style="bold yellow")
        else:
            status.append("agreements seeded ✓", style="green")
        take = "1" if len(self.coders) == 1 else f"1-{len(self.coders)}"
        status.append(f"\n{take} a coder's codes · b both · n neither · e edit · a span · u undo · ]/[",
                      style="grey50")
        return status

    # --- moving -------------------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        if self.units:
            self.index = max(0, min(len(self.units) - 1, self.index + delta))
            self.show()

    def action_undecided(self, direction: int) -> None:
        order = range(self.index + 1, len(self.units)) if direction > 0 else range(self.index - 1, -1, -1)
        found = next((i for i in order if not self.units[i].decided), None)
        if found is None:
            self.notify("No undecided unit that way.", timeout=3)
            return
        self.index = found
        self.show()

    # --- deciding -----------------------------------------------------------------------------

    def action_take(self, n: int) -> None:
        if n <= len(self.coders):
            self.decide("take", take=self.coders[n - 1])

    def action_decide(self, choice: str) -> None:
        self.decide(choice)

    def decide(self, choice: str, take: str | None = None, codes: list[str] | None = None) -> None:
        """Decide the unit under the cursor; the cursor stays on it, showing what was decided."""
        x = self.current
        if x is None:
            return
        what = f"{take}'s codes" if choice == "take" else choice
        where = f"utterance {x.utterance}" if x.utterance else f"[{x.start}, {x.end})"
        self._save(f"{what} on {x.transcript}, {where}",
                   lambda: decide_unit(self.project, x, choice, take=take, codes=codes, decided_by=self.coders,
                                       unit_kind=self.unit),
                   lambda _: self._reload(seeded=True))

    def action_edit(self) -> None:
        x = self.current
        if x is None:
            return
        codebook = self.project.codebook()
        here = list(dict.fromkeys(x.agreed + [d.code for d in x.disputed]))
        rest = [c.name for c in codebook.codes if c.name not in here] if codebook else []
        choices = [(c, f"{c} ({', '.join(x.coders_of(c))})") for c in here] + [(c, c) for c in rest]
        ticked = x.consensus if x.decided else here

        def chosen(codes: list[str] | None) -> None:
            if codes is not None:
                self.decide("edit", codes=codes)

        self.app.push_screen(PickCodes("Codes the consensus holds here", choices, ticked), chosen)

    def action_adjust(self) -> None:
        """Code exactly the words typed, for one disputed code of the unit (when the coders
        chose the same code but different words, say); the other codes stay as they are."""
        x = self.current
        if x is None:
            return
        if len({d.code for d in x.disputed}) == 1:
            self._adjust(x, x.disputed[0].code)
            return
        choices = [(d.code, f"{d.code} ({', '.join(x.coders_of(d.code))})") for d in x.disputed]
        self.app.push_screen(Choose("Adjust the consensus span of which code?", list(dict.fromkeys(choices))),
                             lambda code: self._adjust(x, code) if code else None)

    def _adjust(self, x: DisputedUnit, code: str) -> None:
        items = [d for d in x.disputed if d.code == code]
        text = self.transcript(x.transcript).text
        lo, hi = min(d.start for d in items), max(d.end for d in items)

        def keep(words: str | None) -> None:
            if not words:
                return
            at = text.find(words, lo, hi)
            if at < 0:
                self.notify("Those exact words are not in this unit.", severity="error")
                return
            where = f"utterance {x.utterance}" if x.utterance else f"[{x.start}, {x.end})"
            self._save(f"adjust {code} on {x.transcript}, {where}",
                       lambda: [reconcile(self.project, x.transcript, code, d.start, d.end, "adjust", coders=self.coders,
                                          spans=[(max(at, d.start), min(at + len(words), d.end))]
                                          if at < d.end and at + len(words) > d.start else [],
                                          decided_by=self.coders, unit=self.unit) for d in items],
                       lambda _: self._reload(seeded=True))

        self.app.push_screen(TextPrompt(f"Consensus span of {code}: the exact words to code", value=text[lo:hi]), keep)

    def action_seed(self) -> None:
        """Copy every agreement into the consensus: `accord reconcile` does the same."""
        self._save("seeding the consensus", lambda: seed_consensus(self.project, self.coders, unit=self.unit),
                   self._seeded)

    def _seeded(self, added: int) -> None:
        self.notify(f"Copied {added} agreed codings into the consensus." if added
                    else "The consensus already holds every agreement.", timeout=4)
        self._reload(seeded=True)

    def _reload(self, seeded: bool = False) -> None:
        """Decisions and consensus codes afresh; `seeded`: a decision just seeded the consensus
        (every decision does), so nothing is left to seed and counting it again is skipped."""
        refresh(self.project, self.units)
        self.pending_seed = 0 if seeded else seed_pending(self.project, self.coders, unit=self.unit)
        self.show()

    def _show_unsaved(self) -> None:
        self.show()

    def action_undo(self, redo: bool = False) -> None:
        """Take back (or redo) the latest consensus action, wherever it was, and go to it: the
        consensus coder's own undo, so `accord undo --coder consensus` is the same."""
        known = self.project.has_coder(CONSENSUS)
        self._save("redo" if redo else "undo",
                   lambda: (self.project.redo if redo else self.project.undo)(CONSENSUS) if known else None,
                   lambda event: self._undone(event, redo))

    def _undone(self, event: dict | None, redo: bool) -> None:
        if event is None:
            self.notify(f"Nothing to {'redo' if redo else 'undo'}.", severity="warning")
            return
        self._reload()
        data, verb = event["data"], "Redid" if redo else "Undid"
        if event["action"] in ("reconcile.unit", "reconcile.decide"):
            place = (data["transcript"], *data["unit"])
            self.index = next((i for i, x in enumerate(self.units)
                               if x.transcript == place[0] and x.start <= place[1] and place[2] <= x.end), self.index)
            what = data.get("choice") or f"{data['decision']} on {data['code']}"
            self.notify(f"{verb} “{what}” in {data['transcript']}.")
            self.show()
        else:
            links = len(data.get("links") or [])
            self.notify(f"{verb} seeding the consensus with {data.get('count', 0)} agreed codings"
                        + (f" and {links} links." if links else "."))

    def action_back(self) -> None:
        self._leave(self.app.pop_screen)


def comparable_coders(project: Project) -> list[str]:
    """Coders with codings, the consensus coder left out."""
    return [c["name"] for c in project.coders() if c["codings"] and c["name"] != CONSENSUS]
