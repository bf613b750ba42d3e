"""A list of retrieved segments, one line each, drawn with Textual's Line API.

DataTable measures every cell of every row when rows are added (about 4 s for 10,000
segments); this widget draws only the lines on screen, so it opens on 10,000 segments as
fast as on ten. Columns are sized once from the data (capped), the text takes the rest.
"""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

CAPS = {"Transcript": 28, "Utt.": 7, "Speaker": 16, "Code": 30, "Coder": 12, "Followed by": 30}  # widest shown


class SegmentList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of cells (transcript, utterance, speaker, code, [coder,] [followed by,] text); the
    screen owns the keys."""

    DEFAULT_CSS = "SegmentList { background: $surface; }"

    class Highlighted(Message):
        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[str, ...]] = []
        self.widths: list[int] = []
        self.cursor = 0

    def set_rows(self, rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
        """Show `rows`; returns the header line laid out like them."""
        self.rows = rows
        self.widths = [min(CAPS.get(h, 20), max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(headers[:-1])]
        self.cursor = 0
        self.virtual_size = Size(0, len(rows))  # lines are cut to the width: no sideways scrolling
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        return self._line(headers)

    def _line(self, cells: tuple[str, ...]) -> str:
        fixed = [set_cell_size(c, w) for c, w in zip(cells, self.widths)]
        if len(fixed) > 1:  # the utterance number reads best right-aligned
            fixed[1] = cells[1][: self.widths[1]].rjust(self.widths[1])
        return "  ".join(fixed + [cells[-1]])

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        style = base + Style(reverse=True, bold=True) if index == self.cursor else base
        text = set_cell_size(self._line(self.rows[index]), width)
        return Strip([Segment(text, style)], width)

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(len(self.rows) - 1, index))
        old, self.cursor = self.cursor, index
        self.refresh_lines(old)
        self.refresh_lines(index)
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.post_message(self.Highlighted(index))

    def move_by(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def page(self, direction: int) -> None:
        self.move_by(direction * max(1, self.size.height - 1))

    def on_click(self, event: events.Click) -> None:
        self.move_to(self.scroll_offset.y + event.y)
