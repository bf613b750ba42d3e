"""Blind coding: who may see whose work, decided in this one place.

While a project is in `blind` mode each coder sees only their own codings, memos and
decisions on suggestions. Every command and screen that would show one coder's work to
somebody asks `check` first; it refuses, saying why, unless the asker reveals on purpose,
and a reveal is written to the event log (`blind.reveal`: who asked, by which command, what
and whose work was shown), as is every switch of mode (`project.mode`: who switched). Each of
them also records the operating-system account that ran accord, since a coder's name is taken
at its word. `history` reads them back for an audit (`accord mode --history`).

What this protects against: a coder seeing another coder's work by accident (a listing, an
export, a status line). What it cannot protect against: anyone who can read the project file
can open it with sqlite3. accord takes a coder's name at its word (`--coder alice` is alice
asking); where coders must not be able to look, each codes in a project file of their own and
the files are brought together with `accord merge` afterwards.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from .store.common import ProjectError
from .store.events import BlindReveal, ProjectMode, payload

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
            "log: who, when, what), or end blind coding for everyone: `accord mode reconciliation --coder NAME`"
        )
    record_reveal(project, command, what, others, viewer)
    return others


def login() -> str | None:
    """The operating-system account running accord (None where it cannot be told)."""
    try:
        return getpass.getuser() or None
    except (OSError, KeyError, ImportError):
        return None


def record_reveal(project: Project, command: str, what: str, coders: list[str], by: str | None) -> int:
    """Log that `by` (None: not said) saw `what` of `coders` through `command`."""
    with project.transaction():
        by_id = next((c["id"] for c in project.coders() if c["name"] == by), None)
        return project.log(BlindReveal(by=by, command=command, what=what, coders=list(coders), login=login()),
                           by_id)


class SwitcherUnknown(ProjectError):
    """A mode switch in a project with coders must say which coder is switching."""


def switch_mode(project: Project, mode: str, by: str | None, via: str = "mode") -> str:
    """Switch to `mode` as coder `by`; returns the mode before. In a project with coders `by`
    is required: an audit must be able to say which coder ended (or restarted) blind coding.
    The operating-system account is logged too (the only name there is in a project without
    coders). Leaving blind mode is also logged as a reveal of everyone's work to `by`."""
    if by is not None:
        project.coder_id(by)
    elif project.coders():
        raise SwitcherUnknown("say who is switching the mode: --coder NAME (one of "
                              + ", ".join(_names(project)) + "); it is written to the event log")
    before = project.mode
    if before == mode:
        return before
    with project.transaction():
        others = [n for n in _names(project) if n != by]
        if before == "blind" and others:  # nobody else's work: nothing revealed
            record_reveal(project, via, "all codings, memos and decisions (blind mode ended)", others, by)
        project.set_mode(mode, by=by, login=login())
    return before


def leave_blind(project: Project, by: str | None, via: str) -> None:
    """Switch the project to reconciliation (everyone sees everyone's work), logged as a
    reveal of every other coder's work to `by` as well as the mode change."""
    with project.transaction():
        if project.mode == "blind":
            others = [n for n in _names(project) if n != by]
            record_reveal(project, via, "all codings, memos and decisions (blind mode ended)", others, by)
        project.set_mode("reconciliation", by=by, login=login())


def history(project: Project) -> list[dict]:
    """Every mode switch and every reveal, oldest first: when, who (the coder said; None where
    it was not recorded, as before accord logged it), the login, and what."""
    out = []
    events = project.events(action=ProjectMode.action) + project.events(action=BlindReveal.action)
    for e in sorted(events, key=lambda e: e["id"]):
        p = payload(e)
        row = {"event": e["id"], "at": e["at"], "by": p.by, "login": p.login}
        if isinstance(p, ProjectMode):
            row.update(kind="mode", before=p.before, after=p.after)
        else:
            assert isinstance(p, BlindReveal)
            row.update(kind="reveal", command=p.command, what=p.what, coders=list(p.coders))
        out.append(row)
    return out


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


def suggest_run_counts(project: Project, totals: dict[str, dict], shown: dict[str, int], *,
                       personal: str | None = None, viewer: str | None = None) -> dict:
    """What `accord suggest` may say about a run: `totals` are the store's counts per
    transcript, `shown` the suggestions (not review-only) the run made per transcript.

    Every suggestion shown is new or was kept because it had been decided or coded, so
    already = shown - new. A coder's own run (`personal`) speaks only of their decisions.
    A shared run in blind mode, in a project with coders besides the viewer (as in `check`,
    the only coder is taken to be asking), keeps their decisions out: no new/already split (it
    would count what others decided), and with `viewer` how many that coder has to decide."""
    total = sum(shown.values())
    new = {n: t["added"] - t.get("review_only_added", 0) for n, t in totals.items()}
    counts = {"suggestions": total, "transcripts": {n: {"suggestions": shown.get(n, 0)} for n in totals}}
    if viewer is not None:
        project.coder_id(viewer)
    names = _names(project)
    others = [n for n in names if n != (viewer if viewer is not None or len(names) != 1 else names[0])]
    if project.mode == "blind" and personal is None and others:
        counts["hidden"] = "blind mode: how many suggestions other coders have decided is not shown"
        if viewer is not None:
            pending = {n: len(project.suggestions(transcript=n, coder=viewer)) for n in totals}
            counts.update(viewer=viewer, pending_for_viewer=sum(pending.values()))
            for n in totals:
                counts["transcripts"][n]["pending_for_viewer"] = pending[n]
        return counts
    for n, t in totals.items():
        counts["transcripts"][n].update(new=new[n], already=shown.get(n, 0) - new[n], superseded=t["superseded"])
    counts.update(new=sum(new.values()), already=total - sum(new.values()), whose=personal)
    return counts
