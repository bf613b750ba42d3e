"""Utterances for a source that comes without accord's own record of them.

A text from another tool is only text. When it is labelled (`T: ...`, `Therapist: ...`)
accord's plain-text reader finds the turns; otherwise each non-empty line is one
utterance with no speaker, so every character can still be coded and compared.
"""

from __future__ import annotations

from ..errors import InputError
from ..model import Utterance
from ..transcripts import plaintext


def derive_utterances(text: str, where: str) -> tuple[list[Utterance], list[str]]:
    try:
        return plaintext.parse(text, where)
    except InputError:
        pass
    out, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + len(line) - len(line.lstrip())
            out.append(Utterance(len(out) + 1, "", start, start + len(stripped)))
        pos += len(line) + 1
    return out, [f"{where}: no speaker labels found; one utterance per line, without speakers"]


def extras_utterances(rows, length: int) -> list[Utterance] | None:
    """accord's stored utterances, if they are well formed for a text of `length`."""
    try:
        out = [Utterance(int(n), str(s), int(a), int(b), ts, te) for n, s, a, b, ts, te in rows]
    except (TypeError, ValueError):
        return None
    last = 0
    for u in out:
        if not (last <= u.start <= u.end <= length):
            return None
        last = u.end
    return out or None
