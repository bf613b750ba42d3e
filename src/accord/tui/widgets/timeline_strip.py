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

from ...sequences.episodes import DEFAULT_WITHIN, Episode
from ...sequences.timeline import (CODED, EMPTY, JOINED, OTHER, OTHER_COLORS, REPAIR_COLOR, REPAIRED, RESOLVED,
                                   RUPTURE_COLOR, UNRESOLVED, Timeline, describe, has_families, next_episode,
                                   session_timeline, strip_cells)

GLYPHS = {UNRESOLVED: "▽", RESOLVED: "▼", REPAIRED: "▲", CODED: "◆", JOINED: "━", EMPTY: "─"}
# The figure's colours (a 256-colour terminal shows the nearest: orange, green, pink), never
# Textual's ANSI names, which its themes may map to one red.
STYLES = {UNRESOLVED: f"bold {RUPTURE_COLOR}", RESOLVED: f"bold {RUPTURE_COLOR}", REPAIRED: f"bold {REPAIR_COLOR}",
          CODED: OTHER_COLORS[0], JOINED: "#9e9e9e", EMPTY: "#6c6c6c"}
CURSOR = "┃"
MAX_ROWS = 4  # coders shown at most; the rest are left out (the legend says how many)
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
        self._drawn: tuple | None = None
        self._cursor = 0
        self._said: tuple[int, str] | None = None  # (utterance index, what the last jump found there)

    # --- what it shows ------------------------------------------------------------------------

    def timelines(self) -> list[Timeline]:
        """One timeline per coder whose codings the screen shows (the coder's own first)."""
        s = self.session
        seen = (id(s.codings), len(s.codings), s.codings[0].id if s.codings else None,
                s.codings[-1].id if s.codings else None)
        if seen != self._codings_seen:
            self._codings_seen = seen
            coders = [s.coder] + [c for c in s.shown_coders() if c != s.coder]
            self._timelines = [session_timeline(s.transcript, s.codings, s.codebook, c, DEFAULT_WITHIN)
                               for c in coders[:MAX_ROWS]]
            self._cells.clear()
        return self._timelines

    def episodes(self) -> list[Episode]:
        return [e for t in self.timelines() for e in t.episodes]

    def show(self, cursor: int) -> None:
        """Redraw for the cursor at utterance index `cursor`, if anything shown changed."""
        if not self.display:
            return
        self._cursor = cursor
        width = self.content_size.width
        self.timelines()  # re-read when the codings changed
        said = self._said[1] if self._said and self._said[0] == cursor else None
        key = (self._codings_seen, cursor, width, said)
        if key == self._drawn or width <= 0:
            return
        self._drawn = key
        # After a jump, the top border says which episode this is, until the cursor moves on.
        if said and len(said) > width - 4:
            said = said[: max(0, width - 5)] + "…"
        self.border_title = Text(said, style="bold") if said else self.legend(width)
        self.update(self.render_strip(cursor, width))

    def on_resize(self) -> None:
        self._drawn = None
        self.show(self._cursor)

    def render_strip(self, cursor: int, width: int) -> Text:
        timelines = self.timelines()
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
            here = min(cells_width - 1, (number - 1) * cells_width // max(1, t.utterances))
            for column, kind in enumerate(cells):
                if column == here:
                    if kind in (EMPTY, JOINED):
                        out.append(CURSOR, style="bold")
                    else:
                        out.append(GLYPHS[kind], style=STYLES[kind] + " reverse")
                else:
                    out.append(GLYPHS[kind], style=STYLES[kind])
        return out

    def legend(self, width: int) -> str:
        """What the glyphs mean, as much as fits on the strip's top border."""
        others = sorted({m.row for t in self.timelines() for m in t.marks if m.family == OTHER},
                        key=lambda name: [c.name for c in self.session.codebook.codes].index(name)
                        if name in self.session.codebook.by_name() else 0)
        keys = f"  {self.keys} episodes" if self.keys else ""
        left_out = len(self.session.shown_coders()) - len(self.timelines())
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
        ordered = sorted(self.episodes(), key=lambda e: (e.rupture.first, e.rupture.start, e.coder))
        text = f"{ordered.index(episode) + 1}/{len(ordered)} " + describe(episode, coder=len(self.timelines()) > 1)
        self._said = (self.session.utterance_index_at(episode.rupture.start), text)
        return episode, text
