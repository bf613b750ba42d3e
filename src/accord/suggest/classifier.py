"""The learned part: one logistic regression per code over sparse utterance features.

Why not spaCy's own textcat: coders' decisions are few (tens to a few thousand), partial
(a rejection says "not this code", nothing about the others) and the features that matter
include context (the previous turn) that a bag-of-words textcat cannot see. A per-code
logistic regression with missing labels masked out, L2 regularisation and class weights is
what works at that scale; trained full-batch with Adam in numpy it takes seconds, needs no
extra dependency, and predicts with a few vectorised array operations per batch.

It runs inside the spaCy pipeline as the `accord_classifier` component (so the trained
pipeline is one spaCy object, saved and loaded with `nlp.to_bytes`), and writes `doc.cats`.
"""

from __future__ import annotations

import numpy as np
import srsly
from spacy.language import Language
from spacy.util import minibatch

from .features import doc_turn, turn_features


class LinearModel:
    """Per-code logistic regression over hashed features, with TF-IDF weighting."""

    def __init__(self, codes, keys, idf, W, b, thresholds):
        self.codes = list(codes)
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.W = np.asarray(W, dtype=np.float32)
        self.b = np.asarray(b, dtype=np.float32)
        self.thresholds = np.asarray(thresholds, dtype=np.float32)

    # --- sparse rows ---------------------------------------------------------------------------

    @staticmethod
    def rows(feature_lists, keys, idf):
        """(row ids, vocabulary indices, values, row starts) with L2-normalised TF-IDF values.

        Every row keeps at least the `bias` feature, which is always in the vocabulary.
        """
        lengths = np.fromiter((len(f) for f in feature_lists), dtype=np.int64, count=len(feature_lists))
        flat = np.concatenate(feature_lists) if len(feature_lists) else np.zeros(0, np.uint64)
        row = np.repeat(np.arange(len(feature_lists)), lengths)
        pos = np.searchsorted(keys, flat)
        pos[pos >= len(keys)] = 0
        known = keys[pos] == flat
        row, pos = row[known], pos[known]
        vals = idf[pos]
        norms = np.sqrt(np.bincount(row, weights=vals.astype(np.float64) ** 2, minlength=len(feature_lists)))
        vals = (vals / np.maximum(norms[row], 1e-9)).astype(np.float32)
        starts = np.searchsorted(row, np.arange(len(feature_lists)))
        return row, pos, vals, starts

    def scores(self, feature_lists) -> np.ndarray:
        if not feature_lists:
            return np.zeros((0, len(self.codes)), np.float32)
        row, pos, vals, starts = self.rows(feature_lists, self.keys, self.idf)
        z = np.add.reduceat(self.W[pos] * vals[:, None], starts, axis=0) + self.b
        return 1.0 / (1.0 + np.exp(-z))

    # --- training ------------------------------------------------------------------------------

    @classmethod
    def train(cls, feature_lists, Y, *, sample_weight=None, codes, extra_docs=(), c: float = 10.0, epochs: int = 150):
        """Fit on `Y` (n x codes; 1, 0, or NaN for unknown), rows weighted by `sample_weight`
        (n, or n x codes). `extra_docs` (feature lists of
        unlabelled utterances from the same transcripts) only inform the IDF weights."""
        Y = np.asarray(Y, dtype=np.float32)
        n, k = Y.shape
        vocab = np.unique(np.concatenate(feature_lists)) if n else np.zeros(0, np.uint64)
        docs = list(feature_lists) + list(extra_docs)
        df = np.zeros(len(vocab), np.float64)
        for f in docs:
            pos = np.searchsorted(vocab, f)
            pos[pos >= len(vocab)] = 0
            df[pos[vocab[pos] == f]] += 1
        idf = (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)
        W = np.zeros((len(vocab), k), np.float32)
        b = np.zeros(k, np.float32)
        if n == 0:
            return cls(codes, vocab, idf, W, b, np.full(k, 0.5, np.float32))
        row, pos, vals, starts = cls.rows(feature_lists, vocab, idf)
        order = np.argsort(pos, kind="stable")
        pos_s, row_s, vals_s = pos[order], row[order], vals[order]
        col_starts = np.flatnonzero(np.r_[True, pos_s[1:] != pos_s[:-1]])
        cols = pos_s[col_starts]

        mask = ~np.isnan(Y)
        target = np.where(mask, Y, 0).astype(np.float32)
        # A weight per row, or per row and code (n x k: the codebook's examples weigh more for a
        # code with few decisions than for one with many).
        sw = np.ones(n, np.float32) if sample_weight is None else np.asarray(sample_weight, np.float32)
        sw = sw[:, None] if sw.ndim == 1 else sw
        # Class weights: positives and negatives of each code weigh the same in total (capped),
        # so a rare code is not drowned by its negatives; recall matters more than precision here.
        pos_w = (sw * mask * (target == 1)).sum(0)
        neg_w = (sw * mask * (target == 0)).sum(0)
        cw_pos = np.clip(neg_w / np.maximum(pos_w, 1e-9), 1.0, 20.0)
        weight = sw * mask * np.where(target == 1, cw_pos, 1.0)
        weight = (weight / max(weight.sum() / k, 1e-9)).astype(np.float32)
        lam = 1.0 / (c * max(n, 1))

        mW, vW = np.zeros_like(W), np.zeros_like(W)
        mb, vb = np.zeros_like(b), np.zeros_like(b)
        lr, beta1, beta2 = 0.2, 0.9, 0.999
        for t in range(1, epochs + 1):
            z = np.add.reduceat(W[pos] * vals[:, None], starts, axis=0) + b
            p = 1.0 / (1.0 + np.exp(-z))
            G = (p - target) * weight
            gW = np.add.reduceat(G[row_s] * vals_s[:, None], col_starts, axis=0)
            full = lam * W
            full[cols] += gW
            gb = G.sum(0)
            step = lr / (1 + t / 50)
            mW = beta1 * mW + (1 - beta1) * full
            vW = beta2 * vW + (1 - beta2) * full * full
            mb = beta1 * mb + (1 - beta1) * gb
            vb = beta2 * vb + (1 - beta2) * gb * gb
            corr = np.sqrt(1 - beta2**t) / (1 - beta1**t)
            W -= step * corr * mW / (np.sqrt(vW) + 1e-8)
            b -= step * corr * mb / (np.sqrt(vb) + 1e-8)
        return cls(codes, vocab, idf, W, b, np.full(k, 0.5, np.float32))

    # --- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "codes": self.codes,
            "keys": self.keys.tobytes(),
            "idf": self.idf.astype(np.float16).tobytes(),
            "W": self.W.astype(np.float16).tobytes(),
            "b": self.b.tobytes(),
            "thresholds": self.thresholds.tobytes(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "LinearModel":
        keys = np.frombuffer(d["keys"], dtype=np.uint64)
        k = len(d["codes"])
        W = np.frombuffer(d["W"], dtype=np.float16).astype(np.float32).reshape(len(keys), k)
        return cls(
            d["codes"],
            keys,
            np.frombuffer(d["idf"], dtype=np.float16).astype(np.float32),
            W,
            np.frombuffer(d["b"], dtype=np.float32),
            np.frombuffer(d["thresholds"], dtype=np.float32),
        )


class AccordClassifier:
    """spaCy component: sets `doc.cats` to each code's probability (empty until trained).

    For use of the pipeline outside accord, where a Doc is one utterance without context;
    accord itself scores utterance slices of whole-transcript Docs (see `analysis`), with
    the same model and features.
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.model: LinearModel | None = None

    def __call__(self, doc):
        for out in self.pipe([doc]):
            return out

    def pipe(self, docs, batch_size: int = 512):
        for batch in minibatch(docs, size=batch_size):
            if self.model is None:
                yield from batch
                continue
            probs = self.model.scores([turn_features(doc_turn(d), None) for d in batch])
            codes = self.model.codes
            for doc, row in zip(batch, probs.tolist()):
                doc.cats = dict(zip(codes, row))
                yield doc

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"model": self.model.to_dict() if self.model else None})

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        d = srsly.msgpack_loads(data)
        self.model = LinearModel.from_dict(d["model"]) if d["model"] else None
        return self

    def to_disk(self, path, *, exclude=tuple()):
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.msgpack").write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=tuple()):
        return self.from_bytes((path / "model.msgpack").read_bytes())


@Language.factory("accord_classifier")
def make_accord_classifier(nlp: Language, name: str) -> AccordClassifier:
    return AccordClassifier(nlp, name)
