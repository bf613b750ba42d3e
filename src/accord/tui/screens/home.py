"""Home: the project's transcripts with this coder's progress, the codebook, the coders."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ... import blind
from ...store import Project


class HomeScreen(Screen):
    BINDINGS = [
        Binding("enter", "open", "Code transcript", id="home.open"),
        Binding("c", "codebook", "Codebook", id="home.codebook"),
        Binding("a", "agreement", "Agreement", id="home.agreement"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project, self.coder = project, coder

    def compose(self) -> ComposeResult:
        yield Static("", id="home-title")
        with Horizontal(id="home-body"):
            with Vertical(id="home-main"):
                yield Static("Transcripts", classes="section-title")
                yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
            with Vertical(id="home-side"):
                yield Static("Codebook", classes="section-title")
                yield Static("", id="home-codebook")
                yield Static("Variables", classes="section-title", id="home-variables-title")
                yield Static("", id="home-variables")
                yield Static("Coders", classes="section-title")
                yield Static("", id="home-coders")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Transcript", "Words", "Utterances", "Speakers", "Reviewed", "Suggestions")
        self.refresh_data()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        p = self.project
        table = self.query_one(DataTable)
        table.clear()
        progress = p.progress(self.coder)
        pending = {}
        for s in p.suggestions(coder=self.coder):
            pending[s.transcript] = pending.get(s.transcript, 0) + 1
        for t in p.transcripts():
            share = progress.get(t["name"], 0.0)
            bar = "█" * round(share * 10) + "░" * (10 - round(share * 10))
            table.add_row(
                t["name"], f"{t['words']:,}", str(t["utterances"]), ", ".join(t["speakers"][:3]),
                f"{bar} {share:4.0%}", str(pending.get(t["name"], 0)), key=t["name"],
            )
        title = Text()
        title.append(" accord ", style="bold reverse")
        title.append(f"  {p.path.name}  ·  coder: {self.coder}  ·  mode: {p.mode}")
        self.query_one("#home-title", Static).update(title)
        book = p.codebook()
        if book:
            lines = Text(f"{book.name} (v{book.version})\n", style="bold")
            for code in book.codes:
                depth = len(book.path(code.name)) - 1
                lines.append("  " * depth + "■ ", style=code.color or "")
                lines.append(f"{code.name}" + (f" [{code.hotkey}]" if code.hotkey else "") + "\n")
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

    def action_codebook(self) -> None:
        self.app.open_codebook()

    def action_agreement(self) -> None:
        self.app.open_agreement()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS, {}))

    def action_quit(self) -> None:
        self.app.exit()
