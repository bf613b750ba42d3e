"""The transcript pane: a Line-API widget that stays fast on 5,000-utterance sessions.

Only the rows on screen are rendered. A table of wrapped-line offsets per utterance is
built once per width (and per filter); `render_line` bisects it to find the utterance and
line, then styles the line's text by code-point offsets: codings as background colour,
pending suggestions underlined in their code's colour, search hits, and the selection in
reverse. Rendered rows are cached per utterance version, so moving the cursor re-renders
just the two utterances involved.

Every column is sized from the pane's real width (`Geometry`), so no word is ever cut: the
timestamps go and the speaker column narrows before the text gets too narrow to read, and
the codes on an utterance are listed beside it by mark and, when there is room, by name,
wrapped onto as many rows as they need (an utterance is as tall as its text or its codes).

It keeps its own top row instead of being a Textual ScrollView: a ScrollView's scroll makes
the screen lay out and repaint every widget (the code tree, panels, footer), which tripled
the cost of a page down; here a scroll repaints this widget only. The mouse wheel scrolls,
and the status bar shows the position.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.message import Message
from textual.geometry import Region
from textual.widget import Widget
from textual.strip import Strip

from ...coding import CodingSession
from ..palette import CodeLook, color_mode

_SOFT_BREAK = re.compile(r"(?<!\n)\n(?!\n)")
NAMES_MARGIN = 26  # code names beside the text, when the text keeps NAMES_MIN_TEXT columns
NAMES_MIN_TEXT = 50
MARKS_MARGIN = 7  # otherwise two code marks a row
CACHE_ROWS = 4000


def wrap_offsets(text: str, base: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap; returns absolute (start, end) offsets of each display line.
    A word longer than the width is split, never cut. A single line break inside an utterance
    (a file hard-wrapped at 80 columns) flows like a space; a blank line still breaks."""
    width = max(1, width)
    text = _SOFT_BREAK.sub(" ", text)  # same length: offsets are unchanged
    lines: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while True:
        nl = text.find("\n", pos)
        para_end = n if nl < 0 else nl
        while para_end - pos > width:
            cut = text.rfind(" ", pos, pos + width + 1)
            if cut <= pos:
                lines.append((base + pos, base + pos + width))
                pos += width
            else:
                lines.append((base + pos, base + cut))
                pos = cut + 1
        lines.append((base + pos, base + para_end))
        if nl < 0:
            return lines
        pos = nl + 1


def wrap_words(text: str, width: int) -> list[str]:
    """`text` wrapped at spaces into lines of at most `width` cells."""
    return [text[a:b] for a, b in wrap_offsets(text, 0, width)]


@dataclass
class Selection:
    start: int
    end: int


@dataclass(frozen=True)
class Geometry:
    """Columns of one pane width: number, speaker, time, memo mark and bar; text; codes."""

    speaker: int
    times: bool
    margin: int  # the codes column on the right (0 without a codebook)
    names: bool  # whether it has room for code names, or only their marks
    gutter: int  # columns left of the text
    text: int


def geometry(width: int, speaker: int, times: bool, has_codes: bool) -> Geometry:
    """Give the text as much room as possible without hiding anything: code names beside it
    only when the text keeps NAMES_MIN_TEXT columns; below 40 columns of text the timestamps
    go, below 30 the speaker column narrows (names then end in "…")."""

    def fit(speaker: int, times: bool, names: bool) -> Geometry:
        margin = 0 if not has_codes else NAMES_MARGIN if names else MARKS_MARGIN
        gutter = 6 + speaker + 1 + (9 if times else 0) + 2
        return Geometry(speaker, times, margin, names, gutter, width - gutter - margin - 1)

    g = fit(speaker, times, True)
    if g.text < NAMES_MIN_TEXT:
        g = fit(speaker, times, False)
    if g.text < 40 and times:
        g = fit(speaker, False, False)
    if g.text < 30:
        g = fit(max(3, speaker - (30 - g.text)), False, False)
    if g.text < 20 and has_codes:  # the side panel, open at this width, names the codes here
        g = Geometry(g.speaker, False, 0, False, g.gutter, g.text + g.margin)
    return g if g.text >= 1 else Geometry(g.speaker, False, g.margin, False, g.gutter, 1)


class TranscriptView(Widget, can_focus=True):
    """Shows a CodingSession's transcript; the coding screen owns the keys."""

    DEFAULT_CSS = """
    TranscriptView { background: $surface; }
    """

    class CursorMoved(Message):
        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    class SelectionChanged(Message):
        pass

    def __init__(self, session: CodingSession, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.cursor = 0  # index into session.utterances
        self.selection: Selection | None = None  # None means: the cursor utterance
        self.hits: list[tuple[int, int]] = []
        self.current_suggestion_id: int | None = None
        self.shown: list[int] = list(range(len(session.utterances)))
        self._utt_versions: dict[int, int] = {}
        self._row_cache: LRUCache[tuple, Strip] = LRUCache(CACHE_ROWS)  # a hit moves its row to the front
        self._layout_width = -1
        self._wrapped: dict[int, list[tuple[int, int]]] = {}
        self._first_rows: list[int] = []
        self._pos_of: dict[int, int] = {}
        self._row_count = 0
        self._top = 0  # first row on screen
        self._style_memo: dict = {}
        self._labels: dict[int, list[list[Segment]]] = {}  # rows of the codes column
        self._look: CodeLook | None = None
        self._drag_anchor: int | None = None
        t = session.transcript
        self._speaker_width = min(12, max((len(s) for s in t.speakers), default=1))
        self._has_times = any(u.time_start is not None for u in session.utterances)
        self.geometry = geometry(80, self._speaker_width, self._has_times, bool(session.codes))

    # --- layout ---------------------------------------------------------------------------

    @property
    def pane_width(self) -> int:
        # The view has no border or padding, so its outer size is its content size; reading
        # `size` instead goes through the screen's widget map, a real cost at 38 rows a key.
        return self.outer_size.width

    @property
    def pane_height(self) -> int:
        return self.outer_size.height

    @property
    def look(self) -> CodeLook:
        """Code marks and colours for the terminal's colours (known once the app runs)."""
        if self._look is None:
            self._look = CodeLook(self.session.codebook, color_mode(self.app))
        return self._look

    @property
    def text_width(self) -> int:
        return self.geometry.text

    def _rows_of(self, index: int) -> int:
        """Rows utterance `index` takes: its text or its codes, whichever is taller, and a blank."""
        return max(len(self._wrapped[index]), len(self._labels[index])) + 1

    def _build_layout(self) -> None:
        # Where the cursor's utterance is on screen, to put it back there after re-wrapping.
        k = self._pos_of.get(self.cursor)
        laid_out = self._layout_width > 0 and self.pane_height > 0  # not the first, sizeless layout
        anchor = self._first_rows[k] - self._top if laid_out and k is not None and k < len(self._first_rows) else None
        g = self.geometry = geometry(self.pane_width, self._speaker_width, self._has_times, bool(self.session.codes))
        text = self.session.transcript.text
        self._wrapped: dict[int, list[tuple[int, int]]] = {}
        self._labels = {}
        self._first_rows: list[int] = []
        row = 0
        for i in self.shown:
            u = self.session.utterances[i]
            self._wrapped[i] = wrap_offsets(text[u.start : u.end], u.start, g.text)
            self._labels[i] = self._code_labels(i)
            self._first_rows.append(row)
            row += self._rows_of(i)
        self._row_count = row
        self._pos_of = {i: k for k, i in enumerate(self.shown)}
        self._layout_width = self.pane_width
        self._row_cache.clear()
        k = self._pos_of.get(self.cursor)
        if anchor is not None and k is not None and 0 <= anchor < max(1, self.pane_height):
            self._top = max(0, self._first_rows[k] - anchor)
        self._top = min(self._top, max(0, self._row_count - 1))

    def _relayout(self, index: int) -> None:
        """Utterance `index`'s codes changed: re-list them, and if that changes its height,
        move the rows below it."""
        k = self._pos_of.get(index)
        if k is None or self._layout_width < 0:
            return
        before = self._rows_of(index)
        self._labels[index] = self._code_labels(index)
        delta = self._rows_of(index) - before
        if delta:
            for j in range(k + 1, len(self._first_rows)):
                self._first_rows[j] += delta
            self._row_count += delta
            self.refresh()

    def _code_labels(self, index: int) -> list[list[Segment]]:
        """The codes column beside an utterance, row by row: each code's mark on its colour,
        then its name wrapped at spaces when there is room, else two marks a row."""
        g = self.geometry
        if not g.margin:
            return []
        look, base = self.look, self._style("base")
        names = sorted({c.code for c in self.session.codings_by_utterance.get(index, ())}, key=look.sort_key)
        rows: list[list[Segment]] = []
        if not g.names:
            for a in range(0, len(names), 2):
                rows.append([Segment(" ", base)] + [Segment(*look.badge(n)) for n in names[a : a + 2]])
            return rows
        for name in names:
            badge, style = look.badge(name)
            ink = base + Style(color=look.ink(name))
            for n, part in enumerate(wrap_words(name, g.margin - len(badge) - 2)):
                rows.append([Segment(" ", base), Segment(badge, style) if n == 0 else Segment(" " * len(badge), base),
                             Segment(" " + part, ink)])
        return rows

    def _ensure_layout(self) -> None:
        if self._layout_width != self.pane_width:
            self._build_layout()

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap for the new width, keeping the cursor's utterance where it was on screen."""
        if self.pane_width != self._layout_width:
            self._build_layout()
            self.refresh()
        self.scroll_to_cursor()

    # The wrap table waits for the first resize (or render), when the width is known;
    # building it on mount too would wrap every utterance twice at start-up.

    def set_filter(self, indexes: list[int]) -> None:
        self.shown = indexes or []
        self._build_layout()
        if self.shown and self.cursor not in self._pos_of:
            self.cursor = self.shown[0]
        self.refresh()
        self.scroll_to_cursor()

    # --- state changes --------------------------------------------------------------------

    def touch(self, *indexes: int) -> None:
        """Mark utterances as changed so their rows re-render."""
        for i in indexes:
            self._utt_versions[i] = self._utt_versions.get(i, 0) + 1
            k = self._pos_of.get(i) if self._layout_width >= 0 else None
            if k is not None:  # repaint just this utterance's rows, not the whole pane
                self._relayout(i)
                self.refresh(Region(0, self._first_rows[k] - self._top, self.pane_width, self._rows_of(i)))

    def touch_range(self, start: int, end: int) -> None:
        self.touch(*self.session.utterances_overlapping(start, end))

    def touch_all(self) -> None:
        """Everything may have changed (undo, reload): re-lay out and repaint."""
        if self._layout_width >= 0:
            self._build_layout()
        self._row_cache.clear()
        self.refresh()

    def selected_span(self) -> tuple[int, int]:
        if self.selection is not None:
            return self.selection.start, self.selection.end
        u = self.session.utterances[self.cursor]
        return u.start, u.end

    def set_selection(self, start: int, end: int) -> None:
        old = self.selected_span()
        start, end = min(start, end), max(start, end)
        self.selection = Selection(start, end)
        self.touch_range(min(old[0], start), max(old[1], end))
        self.post_message(self.SelectionChanged())

    def clear_selection(self) -> None:
        if self.selection is not None:
            old = self.selected_span()
            self.selection = None
            self.touch_range(*old)
            self.post_message(self.SelectionChanged())

    def move_to(self, index: int, keep_selection: bool = False) -> None:
        """Put the cursor on utterance `index` (clamped to what the filter shows)."""
        if not self.shown:
            return
        self._ensure_layout()
        if index not in self._pos_of:
            k = min(bisect.bisect_left(self.shown, index), len(self.shown) - 1)
            index = self.shown[k]
        old = self.cursor
        self.cursor = index
        if not keep_selection:
            self.clear_selection()
        self.touch(old, index)
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(index))

    def move_by(self, delta: int) -> None:
        k = self._pos_of.get(self.cursor, 0)
        k = max(0, min(len(self.shown) - 1, k + delta))
        if self.shown:
            self.move_to(self.shown[k])

    def page_rows(self) -> int:
        return max(1, self.pane_height - 2)

    def page(self, direction: int) -> None:
        """Move the cursor by about a screenful of rows."""
        if not self.shown:
            return
        self._ensure_layout()
        k = self._pos_of.get(self.cursor, 0)
        target_row = self._first_rows[k] + direction * self.page_rows()
        target_row = max(0, min(self._row_count - 1, target_row))
        k2 = max(0, bisect.bisect_right(self._first_rows, target_row) - 1)
        if k2 == k:
            k2 = max(0, min(len(self.shown) - 1, k + direction))
        self.move_to(self.shown[k2])

    def scroll_to_cursor(self) -> None:
        self._ensure_layout()
        k = self._pos_of.get(self.cursor)
        if k is None or not self._first_rows:
            return
        top = self._first_rows[k]
        bottom = top + self._rows_of(self.cursor) - 1
        height = max(1, self.pane_height)
        if top < self._top or bottom > self._top + height:
            # Re-centre rather than creep a line at a time: a scroll repaints the whole pane,
            # so scrolling once per half screen keeps most key presses to two utterances.
            self.scroll_rows_to(top - max(0, (height - (bottom - top)) // 3))

    def scroll_rows_to(self, row: int) -> None:
        row = max(0, min(row, max(0, self._row_count - self.pane_height + 1)))
        if row != self._top:
            self._top = row
            self.refresh()

    def rows_of_span(self, start: int, end: int) -> tuple[int, int]:
        """Screen rows (first, last) that text offsets [start, end) are shown on, clamped to the pane."""
        self._ensure_layout()

        def row_at(offset: int) -> int:
            index = self.session.utterance_index_at(offset)
            k = self._pos_of.get(index)
            if k is None:
                return 0 if not self._first_rows or index < self.shown[0] else self._row_count
            line = max(0, bisect.bisect_right([a for a, _ in self._wrapped[index]], offset) - 1)
            return self._first_rows[k] + line

        height = max(1, self.pane_height)
        first = min(max(0, row_at(start) - self._top), height - 1)
        last = min(max(first, row_at(max(start, end - 1)) - self._top), height - 1)
        return self.region.y + first, self.region.y + last

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_rows_to(self._top + 3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_rows_to(self._top - 3)

    def set_hits(self, hits: list[tuple[int, int]]) -> None:
        self.hits = hits
        self.touch_all()

    # --- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self._top + y
        width = self.pane_width
        if self._layout_width != width:
            self._build_layout()
        if not self._first_rows or row >= self._row_count:
            return Strip.blank(width, self._style("base"))
        k = bisect.bisect_right(self._first_rows, row) - 1
        index = self.shown[k]
        line_no = row - self._first_rows[k]
        key = (index, line_no, self._utt_versions.get(index, 0), index == self.cursor, width)
        strip = self._row_cache.get(key)
        if strip is None:
            strip = self._render_row(index, line_no, width)
            self._row_cache.set(key, strip)
        return strip

    def _style(self, name: str) -> Style:
        style = self._style_memo.get(name)
        if style is None:
            style = {
                "base": self.rich_style,
                "gutter": Style(color="grey50"),
                "current": Style(color="black", bgcolor="#e0c060", bold=True),
                "speaker": Style(color="#8fbcdb", bold=True),
                "time": Style(color="grey42"),
                "memo": Style(color="#e0c060"),
                "hit": Style(color="black", bgcolor="yellow"),
            }[name]
            self._style_memo[name] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_memo.clear()
        self._row_cache.clear()

    def _render_row(self, index: int, line_no: int, width: int) -> Strip:
        s = self.session
        u = s.utterances[index]
        lines = self._wrapped[index]
        labels = self._labels[index]
        g = self.geometry
        base = self._style("base")
        if line_no >= max(len(lines), len(labels)):
            return Strip.blank(width, base)
        segments: list[Segment] = []
        is_cursor = index == self.cursor
        if line_no == 0:
            marker = Segment(f"{u.number:>5} ", self._style("current") if is_cursor else self._style("gutter"))
            speaker = u.speaker or "?"
            if len(speaker) > g.speaker:
                speaker = speaker[: g.speaker - 1] + "…"
            segments += [marker, Segment(speaker.ljust(g.speaker) + " ", self._style("speaker"))]
            if g.times:
                t = u.time_start
                clock = f"{int(t) // 3600:02d}:{int(t) % 3600 // 60:02d}:{int(t) % 60:02d} " if t is not None else " " * 9
                segments.append(Segment(clock, self._style("time")))
        else:
            segments.append(Segment(" " * (g.gutter - 2), self._style("base")))
        memo_mark = "✎" if (line_no == 0 and u.number in s.memos) else " "
        bar = Segment("▌" if is_cursor else "│", self._style("current") if is_cursor else self._style("gutter"))
        segments += [Segment(memo_mark, self._style("memo")), bar]
        if line_no < len(lines):
            start, end = lines[line_no]
            segments += self._text_segments(index, start, end)
        used = sum(seg.cell_length for seg in segments)
        pad = max(0, g.gutter + g.text + 1 - used)
        segments.append(Segment(" " * pad, base))
        used += pad
        if line_no < len(labels):
            segments += labels[line_no]
            used += sum(seg.cell_length for seg in labels[line_no])
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        strip = Strip(segments)
        return strip if strip.cell_length == width else strip.crop_extend(0, width, base)

    def _text_segments(self, index: int, start: int, end: int) -> list[Segment]:
        """The text of one display line, cut where any styling changes."""
        s = self.session
        text = s.transcript.text
        if end <= start:
            return []
        layers = []  # (start, end, kind, payload)
        for c in s.codings_by_utterance.get(index, ()):
            if c.start < end and c.end > start:
                layers.append((c.start, c.end, "code", c))
        for sg in s.suggestions_by_utterance.get(index, ()):
            if sg.start < end and sg.end > start:
                layers.append((sg.start, sg.end, "suggestion", sg))
        if self.hits:
            lo = bisect.bisect_left(self.hits, (start - 10_000, 0))
            for a, b in self.hits[lo:]:
                if a >= end:
                    break
                if b > start:
                    layers.append((a, b, "hit", None))
        sel_start, sel_end = self.selected_span()
        show_selection = self.selection is not None or index == self.cursor
        if show_selection and sel_start < end and sel_end > start:
            layers.append((sel_start, sel_end, "selection", None))
        cuts = {start, end}
        for a, b, _, _ in layers:
            cuts.add(min(max(a, start), end))
            cuts.add(min(max(b, start), end))
        points = sorted(cuts)
        out = []
        for a, b in zip(points, points[1:]):
            covering = [layer for layer in layers if layer[0] <= a and layer[1] >= b]
            out.append(Segment(text[a:b].replace("\n", " "), self._piece_style(covering)))
        return out

    def _piece_style(self, covering: list) -> Style:
        """The style of a piece of text, memoized by what covers it (a handful of combinations
        recur on every row, and building Styles and dimmed colours each time was a third of
        the cost of a page)."""
        codes = [layer[3] for layer in covering if layer[2] == "code"]
        innermost = min(codes, key=lambda c: c.end - c.start).code if codes else None
        key = (
            innermost,
            len(codes) > 1,
            tuple((layer[3].code, layer[3].id == self.current_suggestion_id) for layer in covering if layer[2] == "suggestion"),
            any(layer[2] == "hit" for layer in covering),
            any(layer[2] == "selection" for layer in covering),
        )
        style = self._style_memo.get(key)
        if style is None:
            style = self._style_memo[key] = self._build_piece_style(*key)
        return style

    def _build_piece_style(self, innermost: str | None, multiple: bool, suggestions: tuple, hit: bool, selected: bool) -> Style:
        look = self.look
        style = self._style("base")
        if innermost is not None:
            style += Style(bgcolor=look.tint(innermost), underline=multiple, bold=multiple)
        for code, current in suggestions:
            style += Style(color=look.ink(code), underline=True, italic=True, bold=current)
        if hit:
            style += self._style("hit")
        if selected:
            style += Style(reverse=True)
        return style

    # --- mouse ----------------------------------------------------------------------------

    def offset_at(self, x: int, y: int) -> int | None:
        """Text offset under a screen cell, or None outside the text column."""
        row = self._top + y
        if not self._first_rows or row >= self._row_count:
            return None
        k = bisect.bisect_right(self._first_rows, row) - 1
        index = self.shown[k]
        line_no = row - self._first_rows[k]
        lines = self._wrapped[index]
        if line_no >= len(lines):
            return None
        start, end = lines[line_no]
        column = x - self.geometry.gutter
        return max(start, min(end, start + max(0, column)))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self.offset_at(event.x, event.y)
        if offset is None:
            return
        self.focus()
        self._drag_anchor = offset
        self.capture_mouse()
        self.move_to(self.session.utterance_index_at(offset))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None:
            return
        offset = self.offset_at(event.x, event.y)
        if offset is not None and offset != self._drag_anchor:
            self.set_selection(self._drag_anchor, offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._drag_anchor = None
        self.release_mouse()
