"""Blind coding: who may see whose work, decided in this one place.

While a project is in `blind` mode each coder sees only their own codings, memos and
decisions on suggestions. Every command and screen that would show one coder's work to
somebody asks `check` first; it refuses, saying why, unless the asker reveals on purpose,
and a reveal is written to the event log (`blind.reveal`: who asked, by which command, what
and whose work was shown), as is leaving blind mode.

What this protects against: a coder seeing another coder's work by accident (a listing, an
export, a status line). What it cannot protect against: anyone who can read the project file
can open it with sqlite3. accord takes a coder's name at its word (`--coder alice` is alice
asking); where coders must not be able to look, each codes in a project file of their own and
the files are brought together with `accord merge` afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .store.common import ProjectError
from .store.events import BlindReveal

if TYPE_CHECKING:
    from .store import Project


class BlindError(ProjectError):
    """Refused: the request would show a coder's work to someone else while coding is blind."""


def _names(project: Project) -> list[str]:
    return [c["name"] for c in project.coders()]


def check(project: Project, command: str, what: str, *, coders=None, viewer: str | None = None,
          reveal: bool = False, own: str | None = None) -> list[str]:
    """May the asker see `what` (e.g. "codings and memos") of `coders` (names; None: every
    coder's)? Returns the coders whose work is revealed to someone else (empty: nothing to
    reveal, or the project is not blind); raises `BlindError` if that needs `reveal`.

    The asker is `viewer`; when not given and exactly one coder is named (or the project has
    only one), that coder is taken to be asking for their own work (accord takes names at
    their word). With `reveal` the sight is allowed and logged as a `blind.reveal` event.
    `own` says how to ask for one's own work instead, for the message (default --coder NAME).
    """
    if viewer is not None:
        project.coder_id(viewer)
    if project.mode != "blind":
        return []
    names = list(dict.fromkeys(coders)) if coders is not None else _names(project)
    for name in names:
        project.coder_id(name)  # an unknown coder is a clear error, not an empty answer
    if viewer is None and len(names) == 1:  # one coder named, or the only coder there is
        viewer = names[0]
    others = [n for n in names if n != viewer]
    if not others:
        return []
    if not reveal:
        whose = ", ".join(others) if coders is not None else "every coder (" + ", ".join(others) + ")"
        asker = f"to {viewer}" if viewer else "to someone who has not said who they are"
        own = own or (f"--coder {viewer}" if viewer else "--coder YOUR_NAME")
        raise BlindError(
            f"the project is in blind mode: `{command}` would show {what} of {whose} {asker}. "
            f"Ask for your own work only ({own}), add --reveal to see it anyway (written to the event "
            "log: who, when, what), or end blind coding for everyone: `accord mode reconciliation`"
        )
    record_reveal(project, command, what, others, viewer)
    return others


def record_reveal(project: Project, command: str, what: str, coders: list[str], by: str | None) -> int:
    """Log that `by` (None: not said) saw `what` of `coders` through `command`."""
    with project.transaction():
        by_id = next((c["id"] for c in project.coders() if c["name"] == by), None)
        return project.log(BlindReveal(by=by, command=command, what=what, coders=list(coders)), by_id)


def leave_blind(project: Project, by: str | None, via: str) -> None:
    """Switch the project to reconciliation (everyone sees everyone's work), logged as a
    reveal of every other coder's work to `by` as well as the mode change."""
    with project.transaction():
        if project.mode == "blind":
            others = [n for n in _names(project) if n != by]
            record_reveal(project, via, "all codings, memos and decisions (blind mode ended)", others, by)
        project.set_mode("reconciliation")


def coder_counts(project: Project, viewer: str | None = None, *, revealed: bool = False) -> list[dict]:
    """Coders with their numbers of codings; while blind, only the viewer's own number (the
    others are None) unless `revealed` (after `check`)."""
    rows = project.coders()
    if viewer is None and len(rows) == 1:  # the only coder there is: nobody else's to hide
        viewer = rows[0]["name"]
    hide = project.mode == "blind" and not revealed
    return [dict(c, codings=None if hide and c["name"] != viewer else c["codings"]) for c in rows]


def status(project: Project, viewer: str | None = None, *, revealed: bool = False) -> dict:
    """`Project.status()` as the viewer may see it: while blind, each coder's number of codings
    and the total are hidden (the total less one's own would tell the others'), except the
    viewer's own, unless `revealed`."""
    if viewer is not None:
        project.coder_id(viewer)
    s = project.status()
    if project.mode == "blind" and not revealed:
        s["coders"] = [{"name": c["name"], "codings": c["codings"]} for c in coder_counts(project, viewer)]
        if any(c["codings"] is None for c in s["coders"]):
            s["codings"] = None
            s["hidden"] = "blind mode: other coders' numbers of codings are hidden"
    return s


def visible_codings(project: Project, viewer: str | None, **filters):
    """The codings a screen may show `viewer`: everyone's unless blind, then only theirs."""
    if project.mode != "blind":
        return project.codings(**filters)
    return project.codings(coder=viewer, **filters) if viewer else []
