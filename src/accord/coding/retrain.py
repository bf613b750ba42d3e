"""When a coder's decisions retrain their suggestions, and the jobs that do it.

The coding screen counts each decision here (accepting, rejecting or correcting a
suggestion, applying a code, accepting all of a code) and starts a background retrain when
`count` says one is due; it only runs the job in a worker and shows the result. Training
and suggesting run in accord's background process (`accord.suggest.background`): spaCy and
the classifier in the UI's process held up the keys.
"""

from __future__ import annotations

# Decisions between background retrains (or a quarter of all the coder's decisions, if more):
# the simulation behind the README's learning curves retrains as often. 0 turns it off.
AUTO_RETRAIN = 10


class RetrainSchedule:
    """One coder's retrains in one coding session: whether one is running, whether the coder
    asked for it (or it started by itself, and so is announced quietly), and the decisions
    made since the last one."""

    def __init__(self, project, coder: str):
        self.project = project
        self.coder = coder
        self.running = False
        self.quiet = False  # the running job was started by `count` or on opening, not by the coder
        self.since = 0  # decisions since the last retrain
        self._decided: int | None = None  # the coder's decisions in the project, read when first needed

    def start(self, quiet: bool = False) -> bool:
        """A retrain the coder asked for (`T`), or a quiet one: False while one is running."""
        if self.running:
            return False
        self.running, self.quiet, self.since = True, quiet, 0
        return True

    def finished(self) -> None:
        self.running = False

    def count(self, n: int, every: int = AUTO_RETRAIN) -> bool:
        """Count `n` new decisions; True when a quiet retrain is due now (and marked started):
        every `every` decisions, or a quarter of all the coder's decisions if more, so a long
        coding history does not retrain on every few keys."""
        if every <= 0 or n <= 0:
            return False
        if self._decided is None:
            self._decided = self.project.decision_count(self.coder)  # already includes these n
        else:
            self._decided += n
        self.since += n
        if self.since >= max(every, self._decided // 4) and not self.running:
            return self.start(quiet=True)
        return False

    def own_model_due(self, pending, every: int = AUTO_RETRAIN) -> bool:
        """On opening a transcript: whether its suggestions should come from the coder's own
        model (she has one, and what is pending here is from an older or the shared model, or
        nothing is), with no training. Marks the job started (quietly) when it is."""
        own = self.project.own_pipeline_version(self.coder) if every > 0 else None
        if own is None or not (not pending or any(s.pipeline_version != own for s in pending)):
            return False
        self.running, self.quiet = True, True
        return True


def retrain_and_suggest(project_path, coder: str, transcript: str) -> tuple[dict | None, str | None]:
    """Retrain on `coder`'s decisions and refresh `transcript`'s suggestions, in accord's
    background process; waits for it, so call it from a worker thread. (report, error)."""
    from ..suggest import background

    return background.run("retrain_and_suggest", project_path, coder, [transcript])


def suggest_with_own_model(project_path, coder: str, transcript: str) -> tuple[int | None, str | None]:
    """Suggest on `transcript` from `coder`'s own newest model, no training, in accord's
    background process; waits for it. (suggestions added, error)."""
    from ..suggest import background

    return background.run("suggest_with_own_model", project_path, coder, [transcript])
