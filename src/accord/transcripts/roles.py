"""Speaker roles: parse `T=therapist,C=client` and guess roles from common labels.

Coders filter and agreement is reported by role (therapist vs client turns), while labels
differ between transcribers (T, Th, Therapist, Dr. Lee, Interviewer 1, P, Participant...).
"""

from __future__ import annotations

import re

from ..errors import InputError

_SUFFIX = r"(?:\s*\d+|\s*\(.*\)|\s+[^\W\d][\w'.-]*)?"  # "1", "(Anna)", "Lee"
_GUESSES = [
    (r"(?:t|th|ther|therapist|counsell?or|clinician|psychologist|psychotherapist|psychiatrist|"
     r"analyst)" + _SUFFIX + r"|(?:dr|doctor)\b.*", "therapist"),
    (r"(?:interviewer|int|i)" + _SUFFIX, "interviewer"),
    (r"(?:c|cl|client|patient|pt)" + _SUFFIX + r"|p(?:\s*\(.*\))?", "client"),
    (r"(?:participant|interviewee|respondent|r|p)" + _SUFFIX, "participant"),
]
_GUESSES = [(re.compile(p, re.IGNORECASE), role) for p, role in _GUESSES]


def guess_roles(speakers) -> dict[str, str]:
    """Role guesses for common labels; unknown labels ("Speaker 1", "Anna") get none."""
    out = {}
    for label in speakers:
        s = label.strip().rstrip(".:")
        for pattern, role in _GUESSES:
            if pattern.fullmatch(s):
                out[label] = role
                break
    return out


def parse_roles(spec: str) -> dict[str, str]:
    """`"T=therapist,C=client"` -> `{"T": "therapist", "C": "client"}`."""
    usage = "expected LABEL=ROLE pairs separated by commas, e.g. T=therapist,C=client"
    out: dict[str, str] = {}
    for part in re.split(r"[,;]", spec):
        if not part.strip():
            continue
        label, sep, role = part.partition("=")
        label, role = label.strip(), role.strip().lower()
        if not sep or not label or not role:
            raise InputError(None, f"bad speaker roles {spec!r}: {part.strip()!r} is not LABEL=ROLE; {usage}")
        if not re.fullmatch(r"[\w -]+", role):
            raise InputError(None, f"bad speaker roles {spec!r}: role {role!r} must be a word like therapist")
        if label in out:
            raise InputError(None, f"bad speaker roles {spec!r}: label {label!r} given twice")
        out[label] = role
    if not out:
        raise InputError(None, f"bad speaker roles {spec!r}: {usage}")
    return out


def assign_roles(speakers: list[str], explicit: dict[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """Guesses overridden by explicit roles (matched exactly, then ignoring case), and notes."""
    roles = guess_roles(speakers)
    notes = []
    by_lower = {s.lower(): s for s in speakers}
    for label, role in (explicit or {}).items():
        target = label if label in speakers else by_lower.get(label.lower())
        if target is None:
            notes.append(f"no speaker {label!r} for role {role!r} (speakers: {', '.join(speakers)})")
        else:
            roles[target] = role
    return {s: roles[s] for s in speakers if s in roles}, notes
