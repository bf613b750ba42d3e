"""Whether a code fits the speaker of the turns it is on: the codebook's `speakers` rule.

A code may say which roles it applies to (`speakers: [client]`, inherited down the
hierarchy). Suggestions never break the rule; a coder may (the coding screen saves and warns,
an imported table is imported and warned about, `accord sequences` counts and flags), so
every face asks this one function. A turn whose speaker has no role never conflicts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .model import Codebook, Transcript, Utterance


@dataclass(frozen=True)
class RoleMismatch:
    """`code` (for `roles`, as `owner` in the codebook says) on utterance `utterance`, a turn of `role`."""

    code: str
    roles: tuple[str, ...]
    owner: str
    utterance: int
    speaker: str
    role: str

    def message(self) -> str:
        source = "codebook" if self.owner == self.code else f"codebook: speakers of {self.owner!r}"
        return (f"{self.code!r} is a code for the {' and '.join(self.roles)}'s turns ({source}), "
                f"but utterance {self.utterance} is the {self.role}'s ({self.speaker})")

    def to_dict(self) -> dict:
        return dict(asdict(self), roles=list(self.roles))


def role_mismatch(codebook: Codebook | None, transcript: Transcript, code: str,
                  utterances: Iterable[Utterance]) -> RoleMismatch | None:
    """The first of `utterances` (those a coding of `code` is on) whose speaker's role the
    codebook excludes for `code`; None when every one fits or has no role."""
    if codebook is None:
        return None
    roles = codebook.speakers_of(code)
    if not roles:
        return None
    for u in utterances:
        role = transcript.roles.get(u.speaker)
        if role and role not in roles:
            owner = codebook.speakers_from(code) or code
            return RoleMismatch(code, tuple(roles), owner, u.number, u.speaker, role)
    return None


def utterances_in(transcript: Transcript, start: int, end: int) -> list[Utterance]:
    """The utterances `[start, end)` overlaps, in order."""
    us = transcript.utterances
    first = bisect_right([u.end for u in us], start)
    last = bisect_left([u.start for u in us], end)
    return us[first:last]


def span_mismatch(codebook: Codebook | None, transcript: Transcript, code: str, start: int,
                  end: int) -> RoleMismatch | None:
    """`role_mismatch` for a span of the transcript's text."""
    if codebook is None or not codebook.speakers_of(code):
        return None
    return role_mismatch(codebook, transcript, code, utterances_in(transcript, start, end))
