"""Saving a screen's actions honestly: never shown as saved unless the store committed.

For screens whose keys write to the project (coding, reconciling). An action the store could
not save (the file locked by another program past the busy timeout, a full disk) is kept,
shown as NOT SAVED and retried every RETRY_SECONDS; nothing else is saved until it is, so the
actions reach the file in the order they were taken. Leaving the screen asks first.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from ..errors import AccordError

# Seconds between attempts to save an action the store refused (locked, disk full).
RETRY_SECONDS = 2.0
# How long each retry waits for another program's lock: short, so the screen stays usable
# while the file is held (the first attempt waits the store's full busy timeout).
RETRY_WAIT_MS = 200
# What a failed save raises: the store's own errors and the operating system's.
SAVE_ERRORS = (sqlite3.Error, OSError)


# How every screen shows an action it could not save yet (status bars and notes).
NOT_SAVED_STYLE = "bold white on red"


def not_saved(what: str, error: str) -> str:
    return f" NOT SAVED: {what} ({error}); retrying "


def short(error: BaseException) -> str:
    """An error as a status bar says it: 'database is locked', 'disk I/O error'."""
    return str(error) or type(error).__name__


class SavesActions:
    """A Screen mixin: `_save(what, do, then)` for every action that writes; the screen
    shows `self.unsaved` (what, error) in its status and implements `_show_unsaved()`."""

    unsaved: tuple[str, Callable, Callable, str] | None = None  # (what, do, then, error)
    _retry_timer = None

    def _show_unsaved(self) -> None:
        raise NotImplementedError

    def _save(self, what: str, do: Callable, then: Callable, refused: Callable | None = None) -> None:
        """Run `do` (one store action, committed when it returns), then `then(result)`; a
        refusal (AccordError: a stale suggestion, a bad span) goes to `refused`."""
        if self.unsaved:
            self.notify(f"Your earlier action ({self.unsaved[0]}) is not saved yet and is being retried; "
                        f"{what} was not done.", severity="error", timeout=6)
            return
        try:
            result = do()
        except AccordError as e:
            (refused or (lambda e: self.notify(str(e), severity="error")))(e)
            return
        except SAVE_ERRORS as e:
            self.unsaved = (what, do, then, short(e))
            self._show_unsaved()
            self.notify(f"{what} could not be saved ({short(e)}). accord keeps it and retries every "
                        f"{RETRY_SECONDS:g} s; the status bar says when it is saved.",
                        title="Not saved", severity="error", timeout=10)
            if self._retry_timer is None:
                self._retry_timer = self.set_interval(RETRY_SECONDS, self._retry)
            return
        then(result)

    def _retry(self) -> None:
        if not self.unsaved:
            return
        what, do, then, _ = self.unsaved
        try:
            with self.app.project.waiting_at_most(RETRY_WAIT_MS):
                result = do()
        except AccordError as e:  # no longer possible (e.g. the suggestion was replaced meanwhile)
            self.unsaved = None
            self.notify(f"{what} was not saved: {e}", severity="error", timeout=10)
            self._show_unsaved()
            return
        except SAVE_ERRORS as e:
            self.unsaved = (what, do, then, short(e))
            self._show_unsaved()
            return
        self.unsaved = None
        then(result)
        self._show_unsaved()
        self.notify(f"Saved now: {what}.", timeout=4)

    def _leave(self, go: Callable[[], None]) -> None:
        """Leave the screen with `go`, after one more try at an unsaved action; if it still
        cannot be saved, ask before dropping it."""
        from .screens.modals import Confirm

        if self.unsaved:
            self._retry()
        if not self.unsaved:
            go()
            return
        what, error = self.unsaved[0], self.unsaved[3]

        def answer(leave: bool) -> None:
            if leave:
                self.unsaved = None
                go()

        self.app.push_screen(Confirm(f"{what} is still not saved ({error}). Leave anyway and lose it?",
                                     yes="Leave, lose it", no="Stay and keep retrying"), answer)
