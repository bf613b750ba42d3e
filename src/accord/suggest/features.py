"""Features of one utterance for the learned classifier, as stable 64-bit keys.

A transcript is processed as one Doc (spaCy's per-Doc overhead dominates on short turns), so
an utterance is a slice of that Doc's token arrays. Keys are spaCy string hashes (stable
across processes and machines, unlike Python's `hash`) mixed with integer arithmetic in
numpy: featurising costs a few array operations per utterance, not a loop over strings.
`feature_names` rebuilds the same keys with readable names, only for the utterances whose
suggestion is being explained.

Besides words and word pairs, the features carry what a bag of words cannot see: the
speaker's role, how long the turn is, how it starts and ends ("?"), which codebook rules
fired, and how much of the turn repeats the previous turn (reflections echo the client; on
real MI sessions that overlap helped where the previous turn's raw words did not).

Context (`CONTEXT`, measured and switched off): the previous turn's speaker role and whether it asked an open question
("what", "how", "tell me" ...), a closed one ("do you", "is it" ...) or none, that question
kind joined with this turn's length (a short answer to an open question is not a short answer
to a closed one), where in the session the turn comes, and whether the turn is only a
backchannel ("Yeah.", "Okay.", "Mm-hmm."). `bench/context_ablation.py` measures them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE, IS_STOP, LOWER
from spacy.strings import get_string_id

ATTRS = [LOWER, IS_SPACE, IS_PUNCT, IS_STOP]
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_FIRST = np.uint64(0x165667B19E3779F9)
_LAST = np.uint64(0x27D4EB2F165667C5)
_PLAST = np.uint64(0x85EBCA77C2B2AE63)


@lru_cache(maxsize=4096)
def key(name: str) -> np.uint64:
    return np.uint64(get_string_id("accord:" + name))


# The context features below. Off: in grouped cross-validation they added +0.012 macro-F1 on the
# alliance sessions and +0.005 / +0.007 (therapist / client) on the MI pool, within the spread
# over seeds (bench/context_ablation.py), so the model does without them; the backchannel
# guard (`is_backchannel`, `backchannels: false`) does not depend on this switch.
CONTEXT = False


def _ids(words: str) -> frozenset:
    return frozenset(get_string_id(w) for w in words.split())


OPEN_STARTS = _ids("what how why where when who whom whose which tell describe explain")
CLOSED_STARTS = _ids("do does did is are was were am can could would will have has had should shall may might "
                     "'s 're 've ca wo won't don't doesn't didn't isn't aren't wasn't weren't haven't hasn't")
PROMPTS = _ids("tell describe explain")  # "Tell me about ..." asks openly without a "?"
LEADS = _ids("so and well okay ok um uh er now but alright right then oh , - ... and also just")
ENDS = _ids(". ! ? ...")
QUESTION = get_string_id("?")
BACKCHANNEL_WORDS = _ids("yeah yes yep yup ya yah okay ok kay mm mmm hmm hm mhm mm-hmm uh-huh huh uh um oh ah "
                         "right alright all i see")
PUNCT = _ids(". , ! ? ... - -- ; :")


@dataclass
class Turn:
    """The token arrays of one utterance: words (lower-case hashes, no whitespace) and
    which of them are content words (not punctuation, not stop words)."""

    words: np.ndarray
    content: np.ndarray
    role: str | None = None
    _question: str | None = None

    @property
    def question(self) -> str:
        """"open", "closed", "other" (a question of neither form) or "none"."""
        if self._question is None:
            self._question = question_kind(self.words.tolist())
        return self._question


def question_kind(words: list[int]) -> str:
    """What kind of question a turn (its LOWER hashes) ends with, by the first words of its
    last question: open ("What ...?", "How ...?", "Tell me ..."), closed ("Do you ...?",
    "Is it ...?"), other ("You're okay with that?") or none."""
    if QUESTION not in words:  # "Okay. Tell me about it.": a sentence that starts with a prompt
        at_start = True
        for w in words:
            if w in ENDS:
                at_start = True
            elif at_start and w not in LEADS:
                if w in PROMPTS:
                    return "open"
                at_start = False
        return "none"
    last = len(words) - 1 - words[::-1].index(QUESTION)
    start = last
    while start > 0 and words[start - 1] not in ENDS:
        start -= 1
    first = next((w for w in words[start:last] if w not in LEADS), None)
    if first in OPEN_STARTS:
        return "open"
    if first in CLOSED_STARTS:
        return "closed"
    return "other"


def is_backchannel(turn: Turn) -> bool:
    """A turn that only acknowledges: "Yeah.", "Okay.", "Mm-hmm.", "Right.", "I see."."""
    words = [w for w in turn.words.tolist() if w not in PUNCT]
    return 0 < len(words) <= 4 and all(w in BACKCHANNEL_WORDS for w in words)


def turn_from_arrays(arr: np.ndarray, role: str | None) -> Turn:
    keep = arr[:, 1] == 0
    return Turn(arr[keep, 0], (arr[keep, 2] == 0) & (arr[keep, 3] == 0), role)


def _bucket(n: int) -> int:
    return 0 if n <= 0 else min(int(np.log2(n)) + 1, 8)


def _context(turn: Turn, prev: Turn | None, position: float | None) -> list[str]:
    if not CONTEXT:
        return []
    names = []
    if prev is None:
        if position is not None:  # not for a codebook example, which has no session around it
            names.append("first")
    else:
        if prev.role:
            names.append(f"prole={prev.role}")
        q = prev.question
        names.append(f"pq={q}")
        names.append(f"len={_bucket(len(turn.words))}&pq={q}")
    if position is not None:
        names.append(f"pos={min(int(position * 4), 3)}")
    if is_backchannel(turn):
        names.append("backchannel")
    return names


def _specials(turn: Turn, prev: Turn | None, rules: list[str], exclusions: list[str],
              position: float | None = None) -> list[str]:
    names = ["bias", f"len={_bucket(len(turn.words))}", *_context(turn, prev, position)]
    if turn.role:
        names.append(f"role={turn.role}")
    if prev is not None:
        names.append(f"plen={_bucket(len(prev.words))}")
        cur = turn.words[turn.content].tolist()
        if not cur:
            names.append("ovl=none")
        elif len(prev.words):
            seen = set(prev.words.tolist())
            names.append(f"ovl={min(int(4 * sum(w in seen for w in cur) / len(cur)), 3)}")
    names.extend("rule=" + c for c in rules)
    names.extend("excl=" + c for c in exclusions)
    return names


def turn_features(turn: Turn, prev: Turn | None, rules=(), exclusions=(), position: float | None = None) -> np.ndarray:
    """Unique feature keys (uint64) of an utterance, given the one before it and where it
    comes in its transcript (0 first, up to 1)."""
    words = turn.words
    specials = _specials(turn, prev, list(rules), list(exclusions), position)
    pieces = [words, np.array([key(n) for n in specials], dtype=np.uint64)]
    if len(words):
        pieces.append(words[:1] * _M1 + _FIRST)
        pieces.append(words[-1:] * _M2 + _LAST)
        if len(words) > 1:
            pieces.append(words[:-1] * _M1 + words[1:] * _M2)
    if prev is not None and len(prev.words):
        pieces.append(prev.words[-1:] * _M1 + _PLAST)
    return np.unique(np.concatenate(pieces))


_OVERLAP = {"ovl=none": "no content words", "ovl=0": "repeats little of the previous turn",
            "ovl=1": "repeats some of the previous turn", "ovl=2": "repeats much of the previous turn",
            "ovl=3": "repeats most of the previous turn"}


def _display(name: str) -> str:
    if name.startswith("rule="):
        return f"a codebook rule for {name[5:]!r}"
    if name.startswith("excl="):
        return f"a near miss listed under {name[5:]!r}"
    if name.startswith("role="):
        return f"spoken by the {name[5:]}"
    if "&pq=" in name:
        length, q = name.split("&pq=")
        return f"{_display(length)} {_QUESTION[q]}"
    if name.startswith("len="):
        n = int(name[4:])
        return "an empty turn" if n == 0 else f"a turn of {2 ** (n - 1)}-{2 ** n - 1} words"
    if name.startswith("plen="):
        return "the length of the previous turn"
    if name.startswith("prole="):
        return f"after the {name[6:]}"
    if name.startswith("pq="):
        return _QUESTION[name[3:]]
    if name.startswith("pos="):
        return f"in the {('first', 'second', 'third', 'last')[int(name[4:])]} quarter of the session"
    return _OVERLAP.get(name, name)


_QUESTION = {"open": "after an open question", "closed": "after a closed question", "other": "after a question",
             "none": "not after a question"}
_OVERLAP.update({"first": "the session's first turn", "backchannel": "only a backchannel (yeah, okay, mm-hmm)"})


def feature_names(turn: Turn, texts: list[str], prev: Turn | None, prev_last: str | None,
                  rules=(), exclusions=(), position: float | None = None) -> dict[int, str]:
    """Readable names of the keys `turn_features` gives; `texts` are the turn's words."""
    with np.errstate(over="ignore"):
        return _names(turn, texts, prev, prev_last, rules, exclusions, position)


def _names(turn, texts, prev, prev_last, rules, exclusions, position) -> dict[int, str]:
    words = turn.words
    out = {int(k): f'"{n}"' for k, n in zip(words, texts)}
    for n in _specials(turn, prev, list(rules), list(exclusions), position):
        out[int(key(n))] = _display(n)
    if len(words):
        out[int(words[0] * _M1 + _FIRST)] = f'starts with "{texts[0]}"'
        out[int(words[-1] * _M2 + _LAST)] = f'ends with "{texts[-1]}"'
        for i in range(len(words) - 1):
            out[int(words[i] * _M1 + words[i + 1] * _M2)] = f'"{texts[i]} {texts[i + 1]}"'
    if prev is not None and len(prev.words) and prev_last:
        out[int(prev.words[-1] * _M1 + _PLAST)] = f'the previous turn ends with "{prev_last}"'
    return out


def doc_turn(doc, role: str | None = None) -> Turn:
    return turn_from_arrays(doc.to_array(ATTRS), role)
