"""Every key, grouped, generated from the bindings themselves so it cannot go stale."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GROUPS = {
    "move": "Moving",
    "select": "Selecting",
    "code": "Coding",
    "suggest": "Suggestions",
    "memo": "Memos",
    "search": "Search",
    "view": "View",
    "edit": "Undo",
    "app": "General",
}


def key_names(keys: str) -> str:
    names = {"right_square_bracket": "]", "left_square_bracket": "[", "slash": "/", "colon": ":", "question_mark": "?"}
    return ", ".join(names.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, bindings: list[Binding], hotkeys: dict[str, str]) -> None:
        super().__init__()
        self.bindings, self.hotkeys = bindings, hotkeys

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for prefix, title in GROUPS.items():
            rows = [b for b in self.bindings if (b.id or "").startswith(prefix + ".")]
            if rows:
                table.add_row(f"[b]{title}[/b]", "")
                for b in rows:
                    table.add_row(key_names(b.key), b.description)
        if self.hotkeys:
            table.add_row("[b]Code hotkeys[/b]", "apply to the selection")
            for key, name in sorted(self.hotkeys.items()):
                table.add_row(key, name)
        table.add_row("[b]Anywhere[/b]", "")
        table.add_row("ctrl+p", "command palette: accord's commands, codes, transcripts")
        with VerticalScroll(classes="dialog wide tall"):
            yield Static("accord keys (Escape to close)", classes="dialog-title")
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
