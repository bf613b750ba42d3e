"""Matching what a coder types against code names the way people type them.

"self crit" finds "Self-criticism and hopelessness": case, hyphens and extra spaces do not
matter, each typed word may be the start of any word in the name (in any order), and a name
whose own words match beats one matched only through its parent's ("Rupture > ...").
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-_/.,:;'’()]+")


def words(text: str) -> list[str]:
    """Lower-case words, split at spaces, hyphens and punctuation."""
    return [w for w in _SEPARATORS.split(text.lower()) if w]


def match_score(query: str, label: str) -> float | None:
    """How well `label` matches `query` (higher is better), or None if it does not.

    `label` may be a path "Parent > Child"; its last part is the name. Each query word must
    start a word of the label or, failing that, appear inside the label with separators
    removed ("selfcrit"); a word that starts a word of the name scores most.
    """
    tokens = words(query)
    if not tokens:
        return 0.0
    name = label.rsplit(">", 1)[-1]
    name_words, all_words = words(name), words(label)
    squashed = "".join(all_words)
    score = 0.0
    for token in tokens:
        if any(w.startswith(token) for w in name_words):
            score += 3 + (1 if name_words and name_words[0].startswith(token) else 0)
        elif any(w.startswith(token) for w in all_words):
            score += 1.5
        elif token in squashed:
            score += 0.5
        else:
            return None
    if " ".join(name_words).startswith(" ".join(tokens)):
        score += 2  # typed the beginning of the name itself
    return score - len(name) / 1000  # among equals, the shorter name first
