"""Rating the segment under the cursor on one of the codebook's rating scales.

Kept apart from the coding screen, which only binds a key to `action_rate`: the dialog shows
the scale's anchors, the segment's window and utterances (selected in the transcript behind
it), and the coder's own rating (in blind mode nobody else's is read); a digit or Enter rates,
Delete clears, Escape cancels.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...model import RatingScale
from ...ratings import Segment, segment_at, segments

CLEAR = "clear"


class RatingDialog(ModalScreen[int | str | None]):
    """Pick a point of `scale` for `segment`: returns the value, CLEAR, or None (cancelled)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="rating.cancel"),
        Binding("delete,backspace", "clear", "Clear rating", id="rating.clear"),
    ]

    def __init__(self, scale: RatingScale, segment: Segment, count: int, current: int | None) -> None:
        super().__init__()
        self.scale, self.segment, self.count, self.current = scale, segment, count, current

    def compose(self) -> ComposeResult:
        seg = self.segment
        window = f"{seg.label}, utterances {seg.first}-{seg.last}" if seg.start is not None else seg.label
        with Vertical(classes="dialog wide", id="rating-dialog"):
            yield Label(f"Rate {self.scale.name}: segment {seg.number} of {self.count} ({window})",
                        classes="dialog-title", id="rating-title")
            if self.scale.description:
                yield Static(self.scale.description, classes="dialog-body")
            yield OptionList(*[Option(f"{p}  {self.scale.anchors.get(p, '')}".rstrip(), id=str(p))
                               for p in self.scale.points], id="rating-points")
            now = "not rated yet" if self.current is None else f"your rating: {self.current}"
            yield Label(f"{now}. Type a point or Enter to rate, Delete to clear, Escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        points = self.query_one(OptionList)
        points.highlighted = self.scale.points.index(self.current) if self.current is not None else 0
        points.focus()

    def on_key(self, event) -> None:
        if event.character and event.character.lstrip("-").isdigit() and int(event.character) in self.scale.points:
            event.stop()
            self.dismiss(int(event.character))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_clear(self) -> None:
        self.dismiss(CLEAR)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RatesSegments:
    """A coding-screen mixin: `action_rate` rates the cursor's segment (needs `session`,
    `view`, `_save` and `saved` of the coding screen)."""

    def action_rate(self) -> None:
        from .modals import Choose

        session = self.session
        scales = session.project.rating_scales()
        if not scales:
            self.notify("The codebook has no rating scales: add `ratings:` to its YAML and load it again.",
                        severity="warning")
            return
        if len(scales) == 1:
            self._rate_on(scales[0])
            return
        self.app.push_screen(Choose("Rate on which scale?", [(s.name, s.name) for s in scales]),
                             lambda name: name and self._rate_on(next(s for s in scales if s.name == name)))

    def _rate_on(self, scale: RatingScale) -> None:
        session = self.session
        utterance = session.utterances[self.view.cursor]
        segment = segment_at(session.transcript, scale, utterance)
        if segment is None:
            return
        mine = [r for r in session.project.ratings(transcript=session.name, coder=session.coder, scale=scale.name)
                if r["segment"] == segment.number]
        current = mine[0]["value"] if mine else None
        # The segment is selected in the transcript while the dialog is open, so the coder sees
        # which words the rating is about; the selection they had comes back afterwards.
        view, before = self.view, self.view.selection
        view.set_selection(session.utterances[segment.first - 1].start, session.utterances[segment.last - 1].end)

        def chosen(value) -> None:
            if before is None:
                view.clear_selection()
            else:
                view.set_selection(before.start, before.end)
            if value is None:
                return
            new = None if value == CLEAR else value
            where = f"segment {segment.number} ({segment.label})"

            def done(_) -> None:
                self.saved(f"rated {scale.name} {where}: {new}" if new is not None else f"cleared {scale.name} {where}")

            self._save(f"rating of {where}", lambda: session.project.set_rating(
                session.name, scale.name, segment.number, session.coder, new), done)

        count = len(segments(session.transcript, scale))
        self.app.push_screen(RatingDialog(scale, segment, count, current), chosen)
