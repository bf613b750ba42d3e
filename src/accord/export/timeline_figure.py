"""A session's timeline as a figure for a paper (PNG, drawn with matplotlib's Agg renderer).

x is the utterance number (with minutes along the top when every utterance is timed); one
row per rupture marker type, repair root and other root code; a line joins each rupture to
the repair that resolved it. Colours are Okabe and Ito's (2008) colour-blind-safe set, and
the families differ by shape too (a rupture points down, a repair up, other codes are
diamonds, an unresolved rupture is hollow), so a greyscale print still reads.

matplotlib is imported here only, when a figure is drawn, so the command line starts fast;
the figure is built on a bare Figure with an Agg canvas (no pyplot, no GUI, no global state).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from ..sequences.timeline import OTHER, OTHER_COLORS, REPAIR, REPAIR_COLOR, RUPTURE, RUPTURE_COLOR, Timeline

JOIN_COLOR = "#555555"

WIDTH_IN = 6.5  # the text width of a Letter or A4 page with 1-inch margins
DPI = 200
ROW_IN = 0.3  # height per row
FRAME_IN = 1.15  # axes labels, the legend and (when timed) the minutes axis
FONT_PT = 8


@dataclass
class Figure:
    """A drawn timeline: the PNG and where things are on it, in pixels from the top left
    (so a test can look for a marker where an episode should be)."""

    png: bytes
    width_px: int
    height_px: int
    width_in: float
    height_in: float
    colors: dict[str, str] = field(default_factory=dict)  # row -> colour
    _to_pixels: Callable[[float, str], tuple[int, int]] | None = None

    def pixel(self, number: float, row: str) -> tuple[int, int]:
        """The pixel (x, y) of utterance `number` on `row`."""
        assert self._to_pixels is not None, "a Figure made by timeline_figure() knows its pixels"
        return self._to_pixels(number, row)


def row_colors(rows: list[tuple[str, str]]) -> dict[str, str]:
    others = [r for r, f in rows if f == OTHER]
    return {r: RUPTURE_COLOR if f == RUPTURE else REPAIR_COLOR if f == REPAIR else
            OTHER_COLORS[others.index(r) % len(OTHER_COLORS)] for r, f in rows}


def timeline_figure(timeline: Timeline, rows: list[tuple[str, str]], *, width_in: float = WIDTH_IN,
                    dpi: int = DPI) -> Figure:
    """Draw `timeline` with `rows` ((row, family) from top to bottom, as `timeline_rows` gives)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D

    timed = timeline.timed and timeline.utterances > 1
    height_in = round(FRAME_IN + (0.3 if timed else 0) + ROW_IN * max(len(rows), 1), 2)
    fig = MplFigure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colors = row_colors(rows)
    y_of = {name: len(rows) - 1 - i for i, (name, _) in enumerate(rows)}  # the first row on top
    n = max(timeline.utterances, 1)

    ax.set_xlim(0.5, n + 0.5)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_yticks([y_of[name] for name, _ in rows], [name for name, _ in rows], fontsize=FONT_PT)
    ax.tick_params(axis="x", labelsize=FONT_PT)
    ax.set_xlabel("Utterance", fontsize=FONT_PT + 1)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("right",) + (() if timed else ("top",)):
        ax.spines[side].set_visible(False)

    for e in timeline.episodes:  # the joins first, under the markers
        if e.repair is not None and e.rupture.marker in y_of and (row := _repair_row(e, timeline)) is not None and row in y_of:
            ax.plot([e.rupture.first, e.repair.first], [y_of[e.rupture.marker], y_of[row]],
                    color=JOIN_COLOR, linewidth=0.8, zorder=2, solid_capstyle="round")
    resolved = {e.rupture.coding_id for e in timeline.episodes if e.resolved}
    for m in timeline.marks:
        if m.row not in y_of:
            continue
        y, color = y_of[m.row], colors[m.row]
        if m.last > m.first:  # a coding over several utterances: a bar to its last one
            ax.plot([m.first, m.last], [y, y], color=color, linewidth=2.2, zorder=3, solid_capstyle="butt")
        shape = "v" if m.family == RUPTURE else "^" if m.family == REPAIR else "D"
        hollow = m.family == RUPTURE and m.coding_id not in resolved
        ax.scatter([m.first], [y], marker=shape, s=42 if shape != "D" else 26, zorder=4,
                   facecolors="white" if hollow else color, edgecolors=color, linewidths=1.1 if hollow else 0.4)

    if timed:
        numbers = np.arange(1, timeline.utterances + 1, dtype=float)
        minutes = np.maximum.accumulate(np.array(timeline.minutes, dtype=float))

        def to_minutes(x):
            return np.interp(x, numbers, minutes)

        def to_utterances(m):
            return np.interp(m, minutes, numbers)

        top = ax.secondary_xaxis("top", functions=(to_minutes, to_utterances))
        top.set_xlabel("Minutes", fontsize=FONT_PT + 1)
        top.tick_params(labelsize=FONT_PT)

    handles = [Line2D([], [], linestyle="", marker="v", markersize=6.5, color=RUPTURE_COLOR, label="Rupture, repaired"),
               Line2D([], [], linestyle="", marker="v", markersize=6.5, markerfacecolor="white",
                      markeredgecolor=RUPTURE_COLOR, label="Rupture, unrepaired"),
               Line2D([], [], linestyle="", marker="^", markersize=6.5, color=REPAIR_COLOR, label="Repair"),
               Line2D([], [], color=JOIN_COLOR, linewidth=0.8, label="Episode")]
    if any(f == OTHER for _, f in rows):
        handles.append(Line2D([], [], linestyle="", marker="D", markersize=4.5, color="#777777", label="Other code"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=FONT_PT - 0.5,
               frameon=False, handletextpad=0.3, columnspacing=1.0)

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)  # no bbox_inches: the picture is exactly figsize x dpi
    width_px, height_px = round(width_in * dpi), round(height_in * dpi)

    def to_pixels(number: float, row: str) -> tuple[int, int]:
        x, y = ax.transData.transform((number, y_of[row]))
        return round(x), round(height_px - y)

    return Figure(buffer.getvalue(), width_px, height_px, width_in, height_in, colors, to_pixels)


def _repair_row(episode, timeline: Timeline) -> str | None:
    """The row of the repair that resolved `episode` (its root), found among the marks."""
    return next((m.row for m in timeline.marks if m.coding_id == episode.repair.coding_id), None)
