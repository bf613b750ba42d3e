"""Speaker names replaced by roles or stable IDs, for outputs that leave the research team.

Within a transcript a speaker becomes their role ("Therapist") when no one else there has
it, "Participant 2" when several share it, or "Speaker 3" without a role, numbered by first
appearance, so the same input always gives the same aliases. The labels (and the name
parts of multi-word labels such as "Dr. Lee") are replaced in quoted text too; other names
mentioned in speech are not detected and remain the researcher's job.
"""

from __future__ import annotations

import re

from ..model import Transcript

_TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof.", "doctor"}


def aliases(transcript: Transcript) -> dict[str, str]:
    speakers = [s for s in transcript.speakers if s]
    by_role: dict[str, list[str]] = {}
    for s in speakers:
        by_role.setdefault(transcript.roles.get(s, ""), []).append(s)
    out, unnamed = {}, 0
    for s in speakers:
        role = transcript.roles.get(s, "")
        if not role:
            unnamed += 1
            out[s] = f"Speaker {unnamed}"
        elif len(by_role[role]) == 1:
            out[s] = role.capitalize()
        else:
            out[s] = f"{role.capitalize()} {by_role[role].index(s) + 1}"
    return out


class Scrubber:
    """Replaces a transcript's speaker names in free text with their aliases."""

    def __init__(self, names: dict[str, str]):
        words: dict[str, str] = {}
        for label, alias in names.items():
            if len(label) >= 2 and label != alias:
                words[label] = alias
            parts = label.split()
            if len(parts) > 1:
                for part in parts:
                    if len(part) >= 3 and part.lower() not in _TITLES and part[0].isupper():
                        words.setdefault(part, alias)
        self.words = words
        self.pattern = (
            re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")
            if words else None
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(lambda m: self.words[m.group(1)], text) if self.pattern else text
