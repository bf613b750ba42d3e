"""The timeline strip under the transcript: where ruptures, repairs and other codes lie along
the session, with the cursor's place; one row per coder in reconciliation mode.

Each cell stands for a stretch of utterances. The families differ by glyph, not only by
colour, so the strip reads in 256 colours and under NO_COLOR: ▼ a repaired rupture, ▽ one not
repaired, ▲ a repair, ━ the stretch from a rupture to its repair, ◆ another code, ─ nothing;
the cursor's cell is ┃ (or its glyph in reverse). The episodes and cells come from
`accord.sequences.timeline`; this widget only draws them and answers where the next one is.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...model import REPAIRS
from ...sequences.episodes import DEFAULT_WITHIN, Episode
from ...sequences.timeline import (CODED, column_of, EMPTY, JOINED, OTHER, OTHER_COLORS, REPAIR_COLOR, REPAIRED, RESOLVED,
                                   RUPTURE_COLOR, UNRESOLVED, Timeline, describe, has_families, next_episode,
                                   session_timeline, strip_cells)

GLYPHS = {UNRESOLVED: "▽", RESOLVED: "▼", REPAIRED: "▲", CODED: "◆", JOINED: "━", EMPTY: "─"}
# The figure's colours (a 256-colour terminal shows the nearest: orange, green, pink), never
# Textual's ANSI names, which its themes may map to one red.
STYLES = {UNRESOLVED: f"bold {RUPTURE_COLOR}", RESOLVED: f"bold {RUPTURE_COLOR}", REPAIRED: f"bold {REPAIR_COLOR}",
          CODED: OTHER_COLORS[0], JOINED: "#9e9e9e", EMPTY: "#6c6c6c"}
CURSOR = "┃"
MAX_ROWS = 4  # coders shown at most; the rest are left out (the legend says how many)
REBUILD_AFTER = 0.15  # seconds without a change to the codings before the strip is rebuilt
NAME_WIDTH = 10  # a coder's name before their row, in reconciliation mode


class TimelineStrip(Static):
    """The strip for a coding session; `show(cursor)` brings it up to date (cheap when nothing changed)."""

    DEFAULT_CSS = """
    TimelineStrip { height: auto; border-top: solid $panel-lighten-2; border-title-color: $text-muted; }
    """

    def __init__(self, session, keys: str = "", **kwargs) -> None:
        """`keys`: how to jump between episodes ("}/{"), shown in the legend when it fits."""
        super().__init__("", **kwargs)
        self.session = session
        self.keys = keys
        self.display = has_families(session.codebook)
        self._codings_seen: tuple | None = None
        self._timelines: list[Timeline] = []
        self._cells: dict[tuple[str, int], list[str]] = {}  # (coder, width) -> cells, until the codings change
        self._placed: dict = {}  # codings placed on the utterances, kept across changes (see session_timeline)
        self._drawn: tuple | None = None
        self._cursor = 0
        self._rows = 0  # rows drawn last time
        self._rebuild_timer = None
        self._first_scheduled = False
        self._legend: tuple = (None, "")  # ((codings seen, width), text)
        self._said: tuple[int, str] | None = None  # (utterance index, what the last jump found there)

    # --- what it shows ------------------------------------------------------------------------

    def _signature(self) -> tuple:
        """Changes when the session's codings do (a new list after a reload or removal, a new last one after apply)."""
        c, k = self.session.codings, self.session.links
        return id(c), len(c), c[0].id if c else None, c[-1].id if c else None, tuple(x.id for x in k)

    def timelines(self) -> list[Timeline]:
        """One timeline per coder whose codings the screen shows (the coder's own first), up to date."""
        s = self.session
        seen = self._signature()
        if seen != self._codings_seen:
            self._codings_seen = seen
            coders = [s.coder] + [c for c in s.shown_coders() if c != s.coder]
            self._timelines = [session_timeline(s.transcript, s.codings, s.codebook, c, DEFAULT_WITHIN, self._placed,
                                                [(k.source.id, k.target.id) for k in s.links
                                                 if k.coder == c and k.relation == REPAIRS])
                               for c in coders[:MAX_ROWS]]
            self._cells.clear()
        return self._timelines

    def episodes(self) -> list[Episode]:
        return [e for t in self.timelines() for e in t.episodes]

    def show(self, cursor: int) -> None:
        """Redraw for the cursor at utterance index `cursor`, if anything shown changed.

        The strip is first built just after the screen's first paint, and after a change to
        the codings REBUILD_AFTER seconds later, once the keys stop, not in the key's own frame
        (on 5,000 codings a rebuild costs about 10 ms); meanwhile it shows the cursor on the
        strip as it was. Jumping (`jump`) always reads the codings as they are."""
        if not self.display:
            return
        self._cursor = cursor
        width = self.content_size.width
        if width <= 0:
            return
        if self._codings_seen is None:  # the first time: after the transcript's first paint
            if not self._first_scheduled:
                self._first_scheduled = True
                self.call_after_refresh(self._rebuild)
            return
        if self._signature() != self._codings_seen:
            if self._rebuild_timer is not None:
                self._rebuild_timer.stop()
            self._rebuild_timer = self.set_timer(REBUILD_AFTER, self._rebuild)
        said = self._said[1] if self._said and self._said[0] == cursor else None
        key = (self._codings_seen, cursor, width, said)
        if key == self._drawn:
            return
        self._drawn = key
        if said and len(said) > width - 4:
            said = said[: max(0, width - 5)] + "…"
        self.border_title = Text(said, style="bold") if said else self.legend(width)
        rows = len(self._timelines)
        # Only a change in the number of rows (coders) changes the strip's height: any other
        # redraw skips laying the screen out again, which on every key cost more than the rest.
        self.update(self.render_strip(cursor, width), layout=rows != self._rows)
        self._rows = rows

    def _rebuild(self) -> None:
        self._rebuild_timer = None
        self.timelines()
        self.show(self._cursor)

    def on_resize(self) -> None:
        self._drawn = None
        self.show(self._cursor)

    def render_strip(self, cursor: int, width: int) -> Text:
        timelines = self._timelines
        named = len(timelines) > 1
        name_width = min(NAME_WIDTH, max(len(t.coder) for t in timelines)) + 1 if named else 0
        cells_width = max(1, width - name_width)
        number = self.session.utterances[cursor].number if self.session.utterances else 1
        out = Text(no_wrap=True, overflow="crop")
        for i, t in enumerate(timelines):
            if i:
                out.append("\n")
            if named:
                out.append(f"{t.coder[:name_width - 1]:<{name_width - 1}} ", style="bold" if i == 0 else "")
            cells = self._cells.get((t.coder, cells_width))
            if cells is None:  # a key that only moves the cursor redraws from these
                cells = self._cells[(t.coder, cells_width)] = strip_cells(t, cells_width)
            here = column_of(number, t.utterances, cells_width)
            runs: list[tuple[str, str]] = []  # (glyphs, style): one segment per run, not per cell
            for column, kind in enumerate(cells):
                if column == here:
                    glyph, style = (CURSOR, "bold") if kind in (EMPTY, JOINED) else (GLYPHS[kind], STYLES[kind] + " reverse")
                    runs.append((glyph, style))
                elif runs and runs[-1][1] == STYLES[kind] and column - 1 != here:
                    runs[-1] = (runs[-1][0] + GLYPHS[kind], STYLES[kind])
                else:
                    runs.append((GLYPHS[kind], STYLES[kind]))
            for glyphs, style in runs:
                out.append(glyphs, style=style)
        return out

    def legend(self, width: int) -> str:
        """What the glyphs mean, as much as fits on the strip's top border."""
        if self._legend[0] != (self._codings_seen, width):
            self._legend = ((self._codings_seen, width), self._fit_legend(width))
        return self._legend[1]

    def _fit_legend(self, width: int) -> str:
        others = sorted({m.row for t in self._timelines for m in t.marks if m.family == OTHER},
                        key=lambda name: [c.name for c in self.session.codebook.codes].index(name)
                        if name in self.session.codebook.by_name() else 0)
        keys = f"  {self.keys} episodes" if self.keys else ""
        left_out = len(self.session.shown_coders()) - len(self._timelines)
        more = f"  (+{left_out} coders)" if left_out > 0 else ""
        for text in (f"▼ rupture  ▽ unrepaired  ▲ repair  ━ episode  ◆ {', '.join(others) or 'other codes'}{keys}{more}",
                     f"▼ rupture ▽ unrepaired ▲ repair ━ episode ◆ other{keys}{more}",
                     f"▼ rupture ▽ unrepaired ▲ repair ━ episode ◆ other {self.keys}".rstrip(),
                     f"▼▽ rupture ▲ repair ◆ other{keys}",
                     "▼▽ rupture ▲ repair ◆ other"):
            if len(text) + 4 <= width:
                return text
        return ""

    # --- jumping ----------------------------------------------------------------------------------

    def jump(self, cursor: int, direction: int) -> tuple[Episode | None, str]:
        """The next (1) or previous (-1) episode from utterance index `cursor`, and a line
        saying what it is (or that there is none that way)."""
        if not self.display:
            return None, "No episodes: the codebook does not say which codes are ruptures and repairs (family)."
        number = self.session.utterances[cursor].number
        episode = next_episode(self.episodes(), number, direction)
        if episode is None:
            where = "after" if direction > 0 else "before"
            return None, f"No rupture-repair episode {where} utterance {number}."
        ordered = sorted(self.episodes(), key=lambda e: (e.rupture.first, e.rupture.start))  # own first on ties
        text = f"{ordered.index(episode) + 1}/{len(ordered)} " + describe(episode, coder=len(self.timelines()) > 1)
        self._said = (self.session.utterance_index_at(episode.rupture.start), text)
        return episode, text
