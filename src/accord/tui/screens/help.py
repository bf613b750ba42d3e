"""Every key, grouped, generated from the bindings themselves so it cannot go stale.

It shows the keys in effect, the person's own keymap included, and each binding's id: the
name to use in the `keymap` section of the preferences file to change that key.
"""

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
    "rating": "Ratings",
    "search": "Search",
    "view": "View",
    "edit": "Undo",
    "home": "Home",
    "retrieval": "Retrieval",
    "app": "General",
}


def key_names(keys: str) -> str:
    names = {"right_square_bracket": "]", "left_square_bracket": "[", "right_curly_bracket": "}",
             "left_curly_bracket": "{", "slash": "/", "colon": ":", "question_mark": "?", "ampersand": "&"}
    return ", ".join(names.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, bindings: list[Binding], hotkeys: dict[str, str]) -> None:
        super().__init__()
        self.bindings, self.hotkeys = bindings, hotkeys

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(ratio=1)
        table.add_column(style="grey50", no_wrap=True)
        for prefix, title in GROUPS.items():
            rows = [b for b in self.bindings if (b.id or "").startswith(prefix + ".")]
            if rows:
                table.add_row(f"[b]{title}[/b]", "", "keymap id" if prefix == "move" else "")
                for b in rows:
                    table.add_row(key_names(self.app.keys_for(b)), b.description, b.id)
        if self.hotkeys:
            table.add_row("[b]Code hotkeys[/b]", "apply to the selection")
            for key, name in sorted(self.hotkeys.items()):
                table.add_row(key, name)
        table.add_row("[b]Anywhere[/b]", "")
        table.add_row("ctrl+p", "command palette: accord's commands, codes, transcripts")
        table.add_row("", "Change a key in ~/.config/accord/prefs.json, e.g. "
                      '"keymap": {"move.down": "j,down,ctrl+n"}')
        with VerticalScroll(classes="dialog wide tall"):
            yield Static("accord keys (Escape to close)", classes="dialog-title")
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
