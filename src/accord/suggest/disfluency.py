"""Disfluency-tolerant matching: rules also run over a tidied view of what was said.

Real speech is full of hesitations and restarts ("I-I-I don't, I- I don't know", "um",
"you know, you know") that break token patterns written for fluent wording. This component
runs after the rule matchers and matches their patterns (token patterns, phrases, lemma
phrases and exclusions alike) once more over a view of the Doc with the disfluencies left
out:

- fillers ("uh", "um", "er", "erm", ...) and a comma on either side of one (not "uh-huh");
- hyphen-cut fragments, which spaCy keeps as one token ("I-", "don't-", "wh-");
- immediate repetitions of one to four tokens, directly or across a comma, hyphen, dash or
  ellipsis ("I-I-I", "I don't, I don't", "you know, you know"): the first copy is kept;
- stutters on a word's start ("th-the", "b-but").

The view is a list of the Doc's own tokens (only sentences that lose a token are re-matched),
so a match maps back to the original tokens, and a span covers the original characters from
its first to its last matched token, disfluencies inside included: the pattern
[i, do, n't, know] matches "I-I-I don't, I- I don't know" and the suggestion quotes all of
it. Matches on the original Doc are kept as they were: the view only adds matches, so a
pattern written for "so-so" or "very very" still matches.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IS_SPACE, LEMMA, LOWER, NORM, ORTH, SPACY
from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from .token_patterns import TokenPatternRuler

FILLERS = frozenset("uh uhh uhm um umm er erm ehm hmm".split())
SEPARATORS = frozenset([",", "-", "--", "—", "–", "...", "…"])
MAX_REPEAT = 4  # longest repeated stretch collapsed, in tokens ("I don't know, I don't know")
WORD, FILLER, SEP, CUT, OTHER = 0, 1, 2, 3, 4

_kinds: dict[int, int] = {}  # LOWER hash -> kind; string hashes are the same in every vocab


def _kind(text: str) -> int:
    if text in FILLERS:
        return FILLER
    if text in SEPARATORS:
        return SEP
    if len(text) > 1 and text.endswith("-") and any(ch.isalnum() for ch in text):
        return CUT
    return WORD if any(ch.isalnum() for ch in text) else OTHER


def _kinds_of(lower: np.ndarray, strings) -> np.ndarray:
    uniq, inverse = np.unique(lower, return_inverse=True)
    kinds = np.empty(len(uniq), dtype=np.int8)
    for i, h in enumerate(uniq.tolist()):
        k = _kinds.get(h)
        if k is None:
            k = _kinds[h] = _kind(strings[h])
        kinds[i] = k
    return kinds[inverse.reshape(-1)]


def kept_tokens(doc: Doc) -> np.ndarray | None:
    """Indices of the tokens of the tidied view, or None when it leaves nothing out."""
    n = len(doc)
    if n < 2:
        return None
    arr = doc.to_array([LOWER, SPACY, IS_SPACE])
    lower, space_after, is_space = arr[:, 0], arr[:, 1] != 0, arr[:, 2] != 0
    kind = _kinds_of(lower, doc.vocab.strings)
    hyphen = lower == doc.vocab.strings.add("-")
    keep = kind != CUT
    # Fillers, unless joined to a hyphen ("uh-huh"), with the commas around them.
    joined = np.zeros(n, dtype=bool)
    joined[:-1] |= hyphen[1:] & ~space_after[:-1]
    joined[1:] |= hyphen[:-1] & ~space_after[:-1]
    filler = (kind == FILLER) & ~joined
    if filler.any():
        comma = lower == doc.vocab.strings.add(",")
        keep &= ~filler
        keep[1:] &= ~(comma[1:] & filler[:-1])
        keep[:-1] &= ~(comma[:-1] & filler[1:])
    idx = np.flatnonzero(keep)
    word = (kind == WORD) & ~is_space
    solid = ~is_space
    for _ in range(3):  # a collapse can make a longer repetition adjacent: repeat until stable
        before = len(idx)
        for k in range(1, MAX_REPEAT + 1):
            idx = _collapse(idx, lower, word, solid, kind == SEP, k)
        if len(idx) == before:
            break
    idx = _stutters(doc, idx, lower, word, hyphen, space_after)
    return None if len(idx) == n else idx


def _collapse(idx, lower, word, solid, sep, k: int) -> np.ndarray:
    """Drop the second copy of every k tokens repeated at once, directly or after a separator."""
    a = lower[idx]
    m = len(a)
    drop = np.zeros(m, dtype=bool)
    for gap in (0, 1):
        count = m - 2 * k - gap + 1
        if count <= 0:
            continue
        ok = word[idx[:count]].copy()
        if gap:
            ok &= sep[idx[k : k + count]]
        for j in range(k):
            ok &= (a[j : j + count] == a[k + gap + j : k + gap + j + count]) & solid[idx[j : j + count]]
        starts = np.flatnonzero(ok)
        if len(starts):
            drop[(starts[:, None] + k + np.arange(k + gap)).ravel()] = True
    return idx[~drop] if drop.any() else idx


def _stutters(doc, idx, lower, word, hyphen, space_after) -> np.ndarray:
    """Drop "th-" in "th-the": a short word start, a hyphen joined to it, then the whole word."""
    a = idx
    at = np.flatnonzero(hyphen[a[1:-1]]) + 1 if len(a) > 2 else np.zeros(0, dtype=np.intp)
    if not len(at):
        return idx
    strings = doc.vocab.strings
    drop = np.zeros(len(a), dtype=bool)
    for i in at.tolist():
        before, after = int(a[i - 1]), int(a[i + 1])
        if not (word[before] and word[after]) or space_after[int(a[i]) - 1] or space_after[int(a[i])]:
            continue
        head, whole = strings[int(lower[before])], strings[int(lower[after])]
        if len(head) <= 3 and len(whole) > len(head) and whole.startswith(head):
            drop[i - 1] = drop[i] = True
    return idx[~drop] if drop.any() else idx


@Language.factory("accord_disfluency", default_config={"spans_key": "accord"})
def make_disfluency(nlp: Language, name: str, spans_key: str):
    return DisfluencyMatcher(nlp, name, spans_key)


class DisfluencyMatcher:
    """Re-runs the rule matchers before it in the pipeline over the tidied view (see above)
    of every sentence that has a disfluency, and adds what they find there."""

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.nlp, self.name, self.spans_key = nlp, name, spans_key

    def _rulers(self):
        for _, pipe in self.nlp.pipeline:
            if pipe is self:
                break
            if isinstance(pipe, TokenPatternRuler) and pipe.matcher.patterns and pipe.spans_key == self.spans_key:
                yield pipe
            elif isinstance(pipe, SpanRuler) and pipe.key == self.spans_key and len(pipe):
                yield pipe

    def __call__(self, doc: Doc) -> Doc:
        kept = kept_tokens(doc)
        if kept is None:
            return doc
        view, origin = self._view(doc, kept)
        spans = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        seen = {(s.start, s.end, s.label_, s.id_) for s in spans}
        for pipe in self._rulers():
            if isinstance(pipe, TokenPatternRuler):
                found = [(pipe.matcher.patterns[i][0], pipe.matcher.patterns[i][1], s, e) for i, s, e in pipe.matcher(view)]
            else:
                found = [(sp.label_, sp.id_, sp.start, sp.end) for sp in pipe.match(view)]
            for label, span_id, s, e in found:
                inside = origin[s:e]
                if (inside < 0).any():
                    continue  # across the join of two sentences that were not next to each other
                start, end = int(inside[0]), int(inside[-1]) + 1
                if (start, end, label, span_id) not in seen:
                    seen.add((start, end, label, span_id))
                    spans.append(Span(doc, start, end, label=label, span_id=span_id))
        doc.spans[self.spans_key] = spans
        return doc

    @staticmethod
    def _view(doc: Doc, kept: np.ndarray) -> tuple[Doc, np.ndarray]:
        """The kept tokens of the sentences that lost one, as a Doc, and each of its tokens'
        index in `doc` (-1 for the line break put between sentences that were apart)."""
        n = len(doc)
        dropped = np.ones(n, dtype=bool)
        dropped[kept] = False
        sent = np.cumsum(doc.to_array("SENT_START") == 1) - 1 if doc.has_annotation("SENT_START") else np.zeros(n, np.int64)
        touched = np.zeros(sent.max() + 1 if n else 0, dtype=bool)
        touched[sent[dropped]] = True
        chosen = kept[touched[sent[kept]]]
        gaps = np.flatnonzero(sent[chosen[1:]] - sent[chosen[:-1]] > 1) + 1  # sentences apart
        origin = np.insert(chosen.astype(np.int64), gaps, -1)
        arr = doc.to_array([ORTH, NORM, LEMMA, SPACY])
        strings = doc.vocab.strings
        brk = strings.add("\n")
        rows = arr[np.where(origin >= 0, origin, 0)]
        rows[origin < 0] = [brk, brk, brk, 0]
        view = Doc(doc.vocab, words=[strings[h] for h in rows[:, 0].tolist()], spaces=(rows[:, 3] != 0).tolist())
        # spaCy's doc.pyi types to_array() as float64 and from_array() as Ints2d; it is uint64 hashes.
        view.from_array([NORM, LEMMA], rows[:, 1:3])  # type: ignore[arg-type]
        return view, origin


def add_to(nlp) -> None:
    """Put the component after the rule matchers (before the classifier), if it is missing."""
    if "accord_disfluency" in nlp.pipe_names:
        return
    if "accord_classifier" in nlp.pipe_names:
        nlp.add_pipe("accord_disfluency", before="accord_classifier")
    else:
        nlp.add_pipe("accord_disfluency")
