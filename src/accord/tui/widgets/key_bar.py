"""A one-line list of keys that fits the terminal: the most useful first, never cut mid-word.

Textual's Footer lists every shown binding and cuts the last one at the screen's edge ("? He"
at 80 columns); this shows as many whole hints as fit, and always the key for help.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


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
        super().__init__("", **kwargs)
        self.hints = hints

    def on_resize(self) -> None:
        self.update(fit_hints(self.hints, self.size.width))
