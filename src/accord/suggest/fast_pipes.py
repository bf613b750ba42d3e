"""spaCy's sentencizer and lookup lemmatizer, with their per-token Python loops vectorised.

Both spaCy components visit every token from Python (`for token in doc`, creating a Token
object each time): on whole transcripts that cost more than the tokenizer itself (measured
~0.26 s and ~0.5 s per 200k words against ~0.8 s for tokenizing). These subclasses keep
spaCy's configuration, saved form and results, and only replace that loop with a few numpy
operations over the Doc's attribute arrays:

- `accord_sentencizer`: the same rule (a sentence starts at the first token that is neither
  punctuation nor a sentence-final character after one of `punct_chars`), on hash arrays,
  with one change for transcripts: an opening bracket there starts the sentence it opens.
  spaCy's rule gives "Come through. (" and "pause) It's good to see you."; transcripts are
  full of "(pause)" and "[laughs]", so accord gives "Come through." and "(pause) It's good…".
- `accord_lemmatizer` (lookup mode only): the saved `lemma_lookup` table as a sorted key
  array; each token's ORTH hash is looked up with `searchsorted` and LEMMA written with
  `Doc.from_array`. The table is the pipeline's own, serialised exactly as spaCy's.

On short Docs (a phrase pattern, one utterance) numpy's fixed cost per call is more than the
loop, so there they run spaCy's own code (measured crossovers ~128 and ~16 tokens).
`tests/test_suggest_fast_pipes.py` checks both against spaCy's own components on real text.
`upgrade` swaps spaCy's components in a pipeline saved by an older accord for these.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IS_PUNCT, LEMMA, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.pipeline.lemmatizer import Lemmatizer
from spacy.strings import get_string_id

SHORT_SENTENCIZE = 128  # tokens: below this, spaCy's own loop is faster
OPENING = ("(", "[", "{")  # an opening bracket after a sentence's end starts the next sentence
_OPENING_HASHES = np.array([get_string_id(c) for c in OPENING], dtype=np.uint64)
SHORT_LEMMATIZE = 16


class FastSentencizer(Sentencizer):
    """spaCy's Sentencizer; `predict` works on arrays instead of Token objects."""

    _punct_key = None

    def _punct_hashes(self) -> np.ndarray:
        chars = frozenset(self.punct_chars)  # may be replaced by from_bytes: re-derive when it changes
        if self._punct_key != chars:
            self._punct = np.array(sorted({get_string_id(c) for c in chars}), dtype=np.uint64)
            self._punct_key = chars
        return self._punct

    def predict(self, docs):
        punct = self._punct_hashes()
        guesses = []
        for doc in docs:
            n = len(doc)
            if n < SHORT_SENTENCIZE:
                guess = super().predict([doc])[0] if n else []
                for k in [k for k, start in enumerate(guess) if start and k]:
                    while k > 1 and doc[k - 1].text in OPENING:  # spaCy's loop is short here
                        guess[k], guess[k - 1] = False, True
                        k -= 1
                guesses.append(guess)
                continue
            arr = doc.to_array([ORTH, IS_PUNCT])
            pos = np.minimum(np.searchsorted(punct, arr[:, 0]), max(len(punct) - 1, 0))
            final = punct[pos] == arr[:, 0] if len(punct) else np.zeros(n, dtype=bool)  # `token.text in punct_chars`
            other = ~(final | (arr[:, 1] != 0))  # neither punctuation nor a sentence-final char
            # spaCy: after a final char, the next `other` token starts a sentence. So an `other`
            # token starts one when a final char lies between it and the previous `other` token.
            seen = np.cumsum(final)
            idx = np.flatnonzero(other)
            before = np.concatenate(([0], seen[idx[:-1]]))
            guess = np.zeros(n, dtype=bool)
            guess[0] = True
            guess[idx[seen[idx] > before]] = True
            opening = np.isin(arr[:, 0], _OPENING_HASHES)
            for _ in range(3):  # "((" and "[(" are rare; three brackets deep is plenty
                move = np.flatnonzero(guess[2:] & opening[1:-1]) + 2  # a start right after an opening bracket
                if not len(move):
                    break
                guess[move], guess[move - 1] = False, True
            guesses.append(guess.tolist())
        return guesses


@Language.factory(
    "accord_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False, "scorer": {"@scorers": "spacy.senter_scorer.v1"}},
    default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
)
def make_fast_sentencizer(nlp: Language, name: str, punct_chars, overwrite: bool, scorer):
    return FastSentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)


class FastLookupLemmatizer(Lemmatizer):
    """spaCy's lemmatizer in lookup mode; `__call__` looks all tokens up at once."""

    _table_key = None

    def _arrays(self, strings):
        table = self.lookups.get_table("lemma_lookup", {})
        key = (id(table), len(table), id(strings))
        if self._table_key != key:
            keys = np.fromiter(table.keys(), dtype=np.uint64, count=len(table))
            values = [v if isinstance(v, str) else v[0] for v in table.values()]
            order = np.argsort(keys)
            self._keys = keys[order]
            self._values = [values[i] for i in order.tolist()]
            self._hashes = np.array([get_string_id(v) for v in self._values], dtype=np.uint64)
            self._added = np.zeros(len(keys), dtype=bool)  # which lemma strings are in `strings`
            self._table_key = key
        return self._keys, self._hashes

    def __call__(self, doc):
        if not self._validated:
            from spacy.errors import Errors

            self._validate_tables(Errors.E1004)
        if len(doc) < SHORT_LEMMATIZE:
            return super().__call__(doc)
        strings = doc.vocab.strings
        keys, hashes = self._arrays(strings)
        arr = doc.to_array([ORTH, LEMMA])
        orth = arr[:, 0]
        lemma = orth.copy()  # a word not in the table is its own lemma
        if len(keys):
            pos = np.searchsorted(keys, orth)
            pos[pos == len(keys)] = 0
            found = keys[pos] == orth
            lemma[found] = hashes[pos[found]]
            # `token.lemma_ = s` adds s to the string store: do the same, once per table entry.
            new = np.unique(pos[found & ~self._added[pos]])
            for p in new.tolist():
                strings.add(self._values[p])
            self._added[new] = True
        if not self.overwrite:
            lemma = np.where(arr[:, 1] != 0, arr[:, 1], lemma)
        doc.from_array([LEMMA], lemma)
        return doc


@Language.factory(
    "accord_lemmatizer",
    assigns=["token.lemma"],
    default_config={"model": None, "overwrite": False, "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"}},
    default_score_weights={"lemma_acc": 1.0},
)
def make_fast_lemmatizer(nlp: Language, model, name: str, overwrite: bool, scorer):
    return FastLookupLemmatizer(nlp.vocab, model, name, mode="lookup", overwrite=overwrite, scorer=scorer)


def upgrade(nlp) -> None:
    """Swap spaCy's sentencizer and lookup lemmatizer (pipelines saved by an older accord)
    for the vectorised ones, keeping their settings and the lemma table."""
    for name, pipe in list(nlp.pipeline):
        if type(pipe) is Sentencizer:
            chars = None if pipe.punct_chars == set(Sentencizer.default_punct_chars) else sorted(pipe.punct_chars)
            nlp.replace_pipe(name, "accord_sentencizer", config={"punct_chars": chars, "overwrite": pipe.overwrite})
        elif isinstance(pipe, Lemmatizer) and not isinstance(pipe, FastLookupLemmatizer) and pipe.mode == "lookup" \
                and type(pipe).lookup_lemmatize is Lemmatizer.lookup_lemmatize:
            lookups = pipe.lookups
            new = nlp.replace_pipe(name, "accord_lemmatizer", config={"overwrite": pipe.overwrite})
            new.lookups = lookups
            new._validate_tables()
