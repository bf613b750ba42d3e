"""Run the rules pipeline over a transcript and cut the result into utterances.

The whole transcript goes through spaCy as one Doc: on short turns spaCy's per-Doc overhead
(the Matcher sets up its predicate caches on every call) costs more than the matching itself,
measured at ~20k words/s per utterance Doc against well over 100k for one Doc per transcript.
Utterances are then slices of the Doc's token arrays; a rule hit belongs to the utterance it
falls in and is reported on its sentence (clipped to the utterance), and exclusions (near
misses) cancel hits of their code in the same sentence.

The result is plain data (offsets, hits, feature keys), not Docs, so it can be cached while
a model is retrained, or sent back from a worker process cheaply. Readable feature names
(for "driven by" in an explanation) cost about as much again as the analysis; a suggestion
run needs them only for the utterances the model suggests a code for (about a third), so
`analyze_lazily` hands back a function that names one utterance on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from spacy.attrs import IDX

from ..model import Transcript
from .features import ATTRS, feature_names, is_backchannel, turn_features, turn_from_arrays
from .rules import EXCLUDE_PREFIX

SPANS_KEY = "accord"


@dataclass
class Hit:
    code: str
    start: int  # the sentence (within the utterance) that matched, as transcript offsets
    end: int
    rule: str  # rule id
    matched: str


@dataclass
class UtteranceAnalysis:
    number: int
    start: int
    end: int
    role: str | None
    features: np.ndarray
    hits: list[Hit] = field(default_factory=list)
    excluded: list[Hit] = field(default_factory=list)
    names: dict | None = None  # feature key -> readable name, only when asked for
    backchannel: bool = False  # only "Yeah.", "Okay.", "Mm-hmm." ...: never a code with `backchannels: false`


def roles_of(transcript: Transcript) -> list[str | None]:
    return [transcript.roles.get(u.speaker) or (f"speaker {u.speaker}" if u.speaker else None) for u in transcript.utterances]


def analyze(nlp, transcript: Transcript, *, names: bool = False) -> list[UtteranceAnalysis]:
    """Rule hits and classifier features of every utterance of `transcript` (and, with
    `names`, the readable names of every utterance's features)."""
    analyses, namer = analyze_lazily(nlp, transcript)
    if names:
        for i, a in enumerate(analyses):
            a.names = namer(i)
    return analyses


def analyze_lazily(nlp, transcript: Transcript) -> tuple[list[UtteranceAnalysis], Callable[[int], dict]]:
    """`analyze` without names, and a function giving the feature names of utterance i."""
    utterances = transcript.utterances
    if not utterances:
        return [], lambda i: {}
    with nlp.select_pipes(disable=[n for n in ("accord_classifier",) if n in nlp.pipe_names]):
        doc = nlp(transcript.text)
    arr = doc.to_array(ATTRS)
    idx = doc.to_array(IDX).astype(np.int64)
    starts = np.array([u.start for u in utterances], dtype=np.int64)
    ends = np.array([u.end for u in utterances], dtype=np.int64)
    tok_start = np.searchsorted(idx, starts)
    tok_end = np.searchsorted(idx, ends)
    hits: list[list[Hit]] = [[] for _ in utterances]
    excluded: list[list[Hit]] = [[] for _ in utterances]
    blocked: set[tuple[str, int, int]] = set()
    found = []
    for span in doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else ():
        i = int(np.searchsorted(starts, span.start_char, side="right")) - 1
        if i < 0 or span.end_char > ends[i]:
            continue  # outside any utterance (a speaker label) or across two turns
        # The sentence(s) the match is in: a pattern with punctuation inside may run over a
        # boundary ("you're right. You're right").
        sent = doc[span.start].sent
        end_char = sent.end_char if span.end_char <= sent.end_char else doc[span.end - 1].sent.end_char
        s, e = max(sent.start_char, int(starts[i])), min(end_char, int(ends[i]))
        if span.label_.startswith(EXCLUDE_PREFIX):
            blocked.add((span.label_[len(EXCLUDE_PREFIX):], s, e))
        else:
            found.append((i, Hit(span.label_, s, e, span.id_, span.text)))
    for i, hit in found:
        (excluded if (hit.code, hit.start, hit.end) in blocked else hits)[i].append(hit)
    roles = roles_of(transcript)
    out, turns, codes, prev = [], [], [], None
    n = len(utterances)
    for i, u in enumerate(utterances):
        turn = turn_from_arrays(arr[tok_start[i] : tok_end[i]], roles[i])
        rule_codes = sorted({h.code for h in hits[i]})
        excl_codes = sorted({h.code for h in excluded[i]})
        out.append(UtteranceAnalysis(u.number, u.start, u.end, roles[i],
                                     turn_features(turn, prev, rule_codes, excl_codes, i / n),
                                     hits[i], excluded[i], backchannel=is_backchannel(turn)))
        turns.append(turn)
        codes.append((rule_codes, excl_codes))
        prev = turn
    strings = doc.vocab.strings

    def namer(i: int) -> dict:
        # A turn's words are its non-space tokens' lower-case forms: `turn.words` holds their hashes.
        texts = [strings[w] for w in turns[i].words.tolist()]
        prev = turns[i - 1] if i else None
        prev_last = strings[int(prev.words[-1])] if prev is not None and len(prev.words) else None
        return feature_names(turns[i], texts, prev, prev_last, *codes[i], position=i / n)

    return out, namer
