"""A one-line list of keys that fits the terminal: the most useful first, never cut mid-word.

Textual's Footer lists every shown binding and cuts the last one at the screen's edge ("? He"
at 80 columns); this shows as many whole hints as fit, and always the key for help.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

SHORT = {"enter": "⏎", "escape": "esc", "right_square_bracket": "]", "left_square_bracket": "[",
         "right_curly_bracket": "}", "left_curly_bracket": "{", "slash": "/",
         "colon": ":", "question_mark": "?", "ctrl+p": "^p", "ampersand": "&"}


def hints_for(app, bindings: list[Binding], wanted: list[tuple[tuple[str, ...], str]]) -> list[tuple[str, str]]:
    """(keys, label) hints for binding ids, with the keys in effect (the person's keymap
    included): `(("move.down", "move.up"), "move")` becomes ("j/k", "move")."""
    by_id = {b.id: b for b in bindings if b.id}
    out = []
    for ids, label in wanted:
        keys = [app.keys_for(by_id[i]).split(",")[0] for i in ids if i in by_id]
        if keys:
            out.append(("/".join(SHORT.get(k, k) for k in keys), label))
    return out


def fit_hints(hints: list[tuple[str, str]], width: int, last: tuple[str, str] = ("?", "help")) -> Text:
    """`hints` are (key, what it does) in order of importance; `last` is always shown."""
    def piece(key: str, label: str) -> Text:
        return Text.assemble((f" {key} ", "bold reverse"), f" {label}  ")

    tail = piece(*last)
    out = Text()
    for key, label in hints:
        p = piece(key, label)
        if out.cell_len + p.cell_len + tail.cell_len > width:
            break
        out.append_text(p)
    out.append_text(tail)
    return out


class KeyBar(Static):
    """Key hints for a screen, refitted whenever the width changes."""

    DEFAULT_CSS = "KeyBar { dock: bottom; height: 1; background: $panel; }"

    def __init__(self, hints: list[tuple[str, str]], **kwargs) -> None:
        """`hints` as from `hints_for`, most useful first; the last one is always shown."""
        super().__init__("", **kwargs)
        self.hints = hints

    def on_resize(self) -> None:
        self.update(fit_hints(self.hints[:-1], self.size.width, self.hints[-1]))
