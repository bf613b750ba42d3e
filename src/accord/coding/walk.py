"""The walk through pending suggestions with `]` and `[`: which one is shown, where the next
step goes, and when the one shown stops being the one to decide on.

The order itself (text order, or uncertain first with the review-only candidates) is the
session's (`CodingSession.next_suggestion`); this keeps what the screen is looking at, so
the screen only draws it.
"""

from __future__ import annotations

from ..model import Coding, Suggestion, Utterance


class SuggestionWalk:
    def __init__(self, session):
        self.session = session
        self.current: Suggestion | None = None  # the suggestion being decided on, if any
        self.last: Suggestion | None = None  # the one shown last: where uncertain-first order resumes

    def show(self, suggestion: Suggestion | None) -> Suggestion | None:
        """Make `suggestion` (or none) the current one; returns the one it replaces."""
        old, self.current = self.current, suggestion
        if suggestion is not None:
            self.last = suggestion
        return old

    def restart(self) -> None:
        """After switching order: the next step starts from the top of the new order."""
        self.last = None

    def step(self, selection_start: int, direction: int) -> Suggestion | None:
        """The next (direction > 0) or previous pending suggestion: in text order from the one
        shown, else from the selection; in uncertain-first order after the one shown last."""
        start = self.current.start if self.current else selection_start
        return self.session.next_suggestion(start, backwards=direction < 0, after=self.last)

    def goes_on_after(self, decided: Suggestion, coding: Coding | None) -> bool:
        """After deciding on `decided` (coded as `coding`, or rejected): is there a next one
        to move on to?"""
        start = decided.start if coding is None else coding.start
        return self.session.next_suggestion(start, after=decided) is not None

    def left_behind(self, utterance: Utterance) -> bool:
        """The cursor moved to `utterance`: the current suggestion is no longer the one to
        decide on unless it overlaps it."""
        sg = self.current
        return sg is not None and not (sg.start < utterance.end and sg.end > utterance.start)

    def settled_by(self, code: str, coding: Coding) -> bool:
        """A code applied by hand settles the current suggestion if it is of that code and
        overlaps it (the store no longer hands it out)."""
        sg = self.current
        return sg is not None and sg.code == code and sg.start < coding.end and sg.end > coding.start

    def still_proposed(self, shown: Suggestion | None) -> Suggestion | None:
        """After the suggestions were reloaded: the pending suggestion proposing what `shown`
        did (same code and span), if any."""
        if shown is None:
            return None
        return next((s for s in self.session.suggestions
                     if (s.code, s.start, s.end) == (shown.code, shown.start, shown.end)), None)
