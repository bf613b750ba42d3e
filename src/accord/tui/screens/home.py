"""Home: the project's transcripts with this coder's progress, the codebook, the coders.

Below SIDE_PANEL_FROM columns the codebook and coders go below the table instead of beside
it; the table shows the speakers only when there is room, so every column it shows fits
whole without scrolling.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ... import blind
from ...store import Project
from ..palette import CodeLook, color_mode
from ..saving import SAVE_ERRORS, short
from ..widgets.code_panel import wrapped_code_label
from ..widgets.key_bar import KeyBar, hints_for
from .coding import SIDE_PANEL_FROM


class HomeScreen(Screen):
    BINDINGS = [
        Binding("enter", "open", "Code transcript", id="home.open"),
        Binding("c", "codebook", "Codebook", id="home.codebook"),
        Binding("a", "agreement", "Agreement", id="home.agreement"),
        Binding("v", "set_variable", "Set a variable", id="home.variable"),
        Binding("r", "retrieve", "Retrieve the segments of a code", id="home.retrieve"),
        Binding("j", "row(1)", "Next transcript", id="home.down", show=False),
        Binding("k", "row(-1)", "Previous transcript", id="home.up", show=False),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project, self.coder = project, coder
        self._built_for: tuple | None = None  # (wide, codebook width) the screen was built for

    def compose(self) -> ComposeResult:
        yield Static("", id="home-title")
        with Horizontal(id="home-body"):
            with Vertical(id="home-main"):
                yield Static("Transcripts", classes="section-title")
                yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="home-side"):
                yield Static("Codebook", classes="section-title")
                yield Static("", id="home-codebook")
                yield Static("Variables", classes="section-title", id="home-variables-title")
                yield Static("", id="home-variables")
                yield Static("Coders", classes="section-title")
                yield Static("", id="home-coders")
        hints = hints_for(self.app, self.BINDINGS, [
            (("home.open",), "code transcript"), (("home.codebook",), "codebook"), (("home.agreement",), "agreement"),
            (("home.variable",), "variable"),
            (("app.quit",), "quit"), (("app.help",), "help")])
        yield KeyBar(hints[:-1] + [("^p", "commands"), hints[-1]], id="keys")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < SIDE_PANEL_FROM, "narrow")
        self.call_after_refresh(self._fit)  # once the new layout has sized the panels

    def _fit(self) -> None:
        """Rebuild the table and codebook list when the width changed what they can show."""
        shape = (self.query_one(DataTable).size.width, self.query_one("#home-codebook").content_size.width)
        if shape != self._built_for:
            self._built_for = shape
            self.refresh_data()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        p = self.project
        table = self.query_one(DataTable)
        row = table.cursor_row
        progress = p.progress(self.coder)
        pending = {}
        for s in p.suggestions(coder=self.coder):
            pending[s.transcript] = pending.get(s.transcript, 0) + 1
        headers = ["Transcript", "Words", "Utterances", "Speakers", "Reviewed", "Suggestions"]
        rows = []
        for t in p.transcripts():
            share = progress.get(t["name"], 0.0)
            bar = "█" * round(share * 5) + "░" * (5 - round(share * 5))
            speakers = ", ".join(t["speakers"][:3]) + (", …" if len(t["speakers"]) > 3 else "")
            rows.append([t["name"], f"{t['words']:,}", str(t["utterances"]), speakers,
                         f"{bar} {share:4.0%}", str(pending.get(t["name"], 0))])
        # Each column is as wide as its widest cell plus 2 of padding; speakers only if they fit.
        widths = [max(len(h), *(len(r[i]) for r in rows)) + 2 if rows else len(h) + 2 for i, h in enumerate(headers)]
        if sum(widths) > table.size.width:
            headers.pop(3)
            rows = [r[:3] + r[4:] for r in rows]
        table.clear(columns=True)
        table.add_columns(*headers)
        for r in rows:
            table.add_row(*r, key=r[0])
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        title = Text()
        title.append(" accord ", style="bold reverse")
        title.append(f"  {p.path.name}  ·  coder: {self.coder}  ·  mode: {p.mode}")
        self.query_one("#home-title", Static).update(title)
        book = p.codebook()
        if book:
            look = CodeLook(book, color_mode(self.app))
            width = max(12, self.query_one("#home-codebook").content_size.width)
            lines = Text(f"{book.name} (v{book.version})\n", style="bold")
            for code in book.codes:
                lines.append_text(wrapped_code_label(code, len(book.path(code.name)) - 1, width, look))
                lines.append("\n")
        else:
            lines = Text("No codebook yet: accord codebook load FILE", style="yellow")
        self.query_one("#home-codebook", Static).update(lines)
        coders = Text()
        for c in blind.coder_counts(p, self.coder):  # blind mode: only your own number
            count = "" if c["codings"] is None else f"  ({c['codings']} codings)"
            coders.append(("▶ " if c["name"] == self.coder else "  ") + f"{c['name']}{count}\n")
        self.query_one("#home-coders", Static).update(coders)
        self.variables = (p.variables(), p.variable_values(), p.case_of())
        self.show_variables(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None)
        if not table.row_count:
            self.notify("No transcripts yet. Import some: accord import FILE...", timeout=8)

    def show_variables(self, transcript: str | None) -> None:
        """The session variables of the transcript under the cursor, and each of its cases with
        theirs, so a coder sees which session and whose turns these are; hidden in a project
        without variables (set them with `accord variables`)."""
        defined, values, case_of = self.variables
        for widget in self.query("#home-variables-title, #home-variables"):
            widget.display = bool(defined)
        if not defined or transcript is None:
            return
        lines = Text(f"{transcript}\n", style="bold")
        for v in defined:
            if v["applies_to"] == "transcript":
                lines.append(f"  {v['name']}: {values[v['name']].get(transcript, '–')}\n")
        for (name, speaker), case in sorted(case_of.items(), key=lambda kv: str(kv[0][1])):
            if name != transcript:
                continue
            lines.append(f"{case}", style="bold")
            lines.append(f" ({speaker or 'whole transcript'})\n")
            for v in defined:
                if v["applies_to"] == "case" and case in values[v["name"]]:
                    lines.append(f"  {v['name']}: {values[v['name']][case]}\n")
        self.query_one("#home-variables", Static).update(lines)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and hasattr(self, "variables"):
            self.show_variables(event.row_key.value)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.app.open_transcript(name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_transcript(event.row_key.value)

    def action_row(self, delta: int) -> None:
        """j and k move through the transcripts as they move through utterances when coding."""
        table = self.query_one("#transcripts", DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_codebook(self) -> None:
        self.app.open_codebook()

    def action_agreement(self) -> None:
        self.app.open_agreement()

    def action_set_variable(self) -> None:
        """Set a session variable of the transcript under the cursor, or a participant variable
        of one of its cases: pick it, then type (or pick) the value. Logged as the coder's
        action, so their undo takes it back."""
        table = self.query_one(DataTable)
        defined, values, case_of = self.variables
        if not table.row_count:
            return
        if not defined:
            self.notify("No variables yet. Define one: accord variables set NAME VALUE --transcript NAME --type number",
                        timeout=8)
            return
        transcript = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        cases = sorted({case for (name, _), case in case_of.items() if name == transcript})
        choices = [(f"{v['name']}\0{transcript}", f"{v['name']} (session): {values[v['name']].get(transcript, '–')}")
                   for v in defined if v["applies_to"] == "transcript"]
        choices += [(f"{v['name']}\0{case}", f"{v['name']} of {case}: {values[v['name']].get(case, '–')}")
                    for case in cases for v in defined if v["applies_to"] == "case"]
        if not choices:
            self.notify(f"{transcript} has no session variables and no cases with variables", timeout=6)
            return
        from .modals import Choose

        self.app.push_screen(Choose(f"Set a variable of {transcript}", choices), self._ask_value)

    def _ask_value(self, picked: str | None) -> None:
        if picked is None:
            return
        from .modals import Choose, TextPrompt

        name, owner = picked.split("\0")
        v = next(v for v in self.variables[0] if v["name"] == name)
        current = self.variables[1][name].get(owner, "")
        done = lambda value: self._store_value(name, owner, value)  # noqa: E731
        if v["type"] == "category":
            choices = [(c, c) for c in v["categories"]] + [("\0clear", "(not set)")]
            self.app.push_screen(Choose(f"{name} of {owner} (now {current or 'not set'})", choices),
                                 lambda value: done("" if value == "\0clear" else value))
        else:
            hint = {"number": "a number, e.g. 3 or 2.5", "date": "a date, YYYY-MM-DD", "text": "any text"}[v["type"]]
            self.app.push_screen(TextPrompt(f"{name} of {owner}: {hint}; empty clears it", value=current), done)

    def _store_value(self, name: str, owner: str, value: str | None) -> None:
        from ...store.common import ProjectError

        if value is None:
            return
        try:
            changed = self.project.set_value(name, owner, value, coder=self.coder)
        except ProjectError as e:
            self.notify(str(e), severity="error", timeout=8)
            return
        except SAVE_ERRORS as e:  # another program holds the file: never shown as set
            self.notify(f"Not saved ({short(e)}): {name} of {owner} is unchanged; press v to try again.",
                        severity="error", timeout=10)
            return
        self.refresh_data()
        if changed:
            shown = self.variables[1][name].get(owner, "(not set)")
            self.notify(f"{name} of {owner}: {shown} (undo: u in the coding screen, or accord undo)")

    def action_retrieve(self) -> None:
        self.app.open_retrieval()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS, {}))

    def action_quit(self) -> None:
        self.app.exit()
