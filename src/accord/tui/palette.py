"""How codes look on screen: a mark (a letter) and a colour per code, in any terminal.

Codebook colours are truecolor hex, and siblings are often shades of one hue; a 256-colour
terminal (tmux's default, macOS Terminal) maps those dimmed shades to one grey. So without
truecolor each code gets a colour pair from a fixed set of 256-colour entries chosen to differ
from each other, and every code has a mark, shown beside the text and in the code lists, so
codes stay apart even in monochrome (NO_COLOR).
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

from ..model import Codebook

# (background behind coded text, ink for the code's name) as xterm-256 indices, one hue each,
# in an order where neighbours differ (siblings in a codebook are usually listed together).
PAIRS_256 = [
    (52, 203), (22, 114), (17, 75), (94, 215), (53, 177), (23, 80), (58, 186), (54, 141),
    (88, 210), (28, 120), (19, 69), (130, 208), (90, 213), (30, 87), (100, 228), (60, 146),
    (131, 174), (29, 122), (25, 117), (95, 181), (91, 219), (65, 151), (136, 222), (24, 111),
]
SPARE_MARKS = "+*#%&@=~^$<>"


def color_mode(app) -> str:
    """"truecolor", "256" (or fewer colours) or "mono", as Textual will draw."""
    if getattr(app, "no_color", False):
        return "mono"
    return "truecolor" if app.console.color_system == "truecolor" else "256"


def code_marks(codebook: Codebook | None) -> dict[str, str]:
    """One character per code: its hotkey (what the coder presses is what she sees), else an
    initial of its name not taken by another code, else a spare symbol."""
    if not codebook:
        return {}
    marks: dict[str, str] = {c.name: c.hotkey for c in codebook.codes if c.hotkey and len(c.hotkey) == 1}
    taken = set(marks.values())
    for code in codebook.codes:
        if code.name in marks:
            continue
        initials = [w[0] for w in code.name.split() if w[:1].isalnum()]
        letters = [ch for ch in code.name if ch.isalnum()]
        candidates = [ch for ch in initials + [i.swapcase() for i in initials] + letters if ch.strip()]
        mark = next((ch for ch in candidates + list(SPARE_MARKS) if ch not in taken), "?")
        marks[code.name] = mark
        taken.add(mark)
    return marks


def _dim(hex_color: str, factor: float = 0.45) -> Color:
    """A darker shade of a code's colour, readable behind light text."""
    color = Color.parse(hex_color).get_truecolor()
    return Color.from_rgb(color.red * factor, color.green * factor, color.blue * factor)


class CodeLook:
    """Marks and colours of a codebook's codes for one colour mode."""

    def __init__(self, codebook: Codebook | None, mode: str = "truecolor") -> None:
        self.mode = mode
        self.marks = code_marks(codebook)
        codes = codebook.codes if codebook else []
        self._order = {c.name: i for i, c in enumerate(codes)}
        self._hex = {c.name: c.color for c in codes if c.color}

    def mark(self, code: str) -> str:
        return self.marks.get(code, "?")

    def _pair(self, code: str) -> tuple[int, int]:
        return PAIRS_256[self._order.get(code, len(self._order)) % len(PAIRS_256)]

    def ink(self, code: str) -> Color:
        """The colour a code's name is written in."""
        if self.mode == "truecolor":
            return Color.parse(self._hex.get(code, "#888888"))
        return Color.from_ansi(self._pair(code)[1])

    def tint(self, code: str) -> Color:
        """The background behind text the code covers."""
        if self.mode == "truecolor":
            return _dim(self._hex.get(code, "#888888"))
        return Color.from_ansi(self._pair(code)[0])

    def badge(self, code: str) -> tuple[str, Style]:
        """The mark as a small coloured block, e.g. " 4 " on the code's tint."""
        return f" {self.mark(code)} ", Style(bgcolor=self.tint(code), color="white", bold=True)

    def sort_key(self, code: str) -> tuple[int, str]:
        """Codebook order, so an utterance's codes are always listed the same way."""
        return self._order.get(code, len(self._order)), code
