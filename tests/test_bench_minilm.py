"""The bench's sentence encoder (bench/minilm.py) against vectors sentence-transformers itself produced.

Reference: sentence-transformers 6.3.0 with torch 2.13.0+cpu, `SentenceTransformer` loaded
from the same all-MiniLM-L6-v2 weights, `encode()` of the five sentences below (dimensions 0,
1, 2, 3, 100 and 383, and the pairwise cosine similarities), rounded to 7 decimals.
"""

import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import minilm as enc  # noqa: E402

SENTENCES = [
    "Come in, have a seat. Um, how's your week been?",
    "I-I-I don't, I- I don't know.",
    "You need to stop drinking.",
    "Yeah.",
    "This is pointless, can I go now?",
]
DIMS = [0, 1, 2, 3, 100, 383]
REFERENCE = np.array([
    [-0.0080594, -0.0164231, 0.0418646, 0.0181028, 0.0271469, 0.0244867],
    [-0.0035428, 0.0317867, 0.0708467, -0.0591890, 0.0226222, -0.0881603],
    [0.0730169, -0.0758648, 0.0726842, -0.0520446, -0.0510090, 0.0054581],
    [-0.1464114, 0.0056530, -0.0091074, -0.0065753, 0.0317294, -0.0341028],
    [0.0378968, 0.0281440, -0.0673686, 0.0256207, 0.0357390, -0.0034978],
])
COSINES = {(0, 1): 0.1514224, (0, 3): 0.2076975, (0, 4): 0.2294192, (1, 2): 0.0749036, (2, 4): 0.1227694}

needs_encoder = pytest.mark.skipif(
    not enc.installed(),
    reason=f"the bench encoder's packages are not installed ({enc.INSTALL_HINT})",
)


@pytest.fixture(scope="module")
def encoder():
    return enc.Encoder.load()


@needs_encoder
def test_vectors_match_sentence_transformers(encoder):
    v = encoder.encode(SENTENCES)
    assert v.shape == (5, 384)
    np.testing.assert_allclose(v[:, DIMS], REFERENCE, atol=2e-6)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    for (i, j), cos in COSINES.items():
        assert abs(float(v[i] @ v[j]) - cos) < 2e-6


@needs_encoder
def test_batching_and_order_do_not_change_vectors(encoder):
    one_by_one = np.vstack([encoder.encode([s]) for s in SENTENCES])
    batched = encoder.encode(list(reversed(SENTENCES)), batch_size=2)[::-1]
    np.testing.assert_allclose(one_by_one, batched, atol=1e-5)


@needs_encoder
def test_long_text_is_truncated_not_refused(encoder):
    v = encoder.encode(["word " * 2000])
    assert v.shape == (1, 384) and np.isfinite(v).all()


def test_erf_matches_math_erf():
    import math

    x = np.linspace(-5, 5, 2001)
    expected = np.array([math.erf(t) for t in x])
    assert np.abs(enc._erf(x) - expected).max() < 2e-7


@needs_encoder
def test_tampered_weights_are_refused(tmp_path, monkeypatch):
    """A model zip whose weights differ from the pinned digest is not used."""
    bad = tmp_path / "model.zip"
    with zipfile.ZipFile(enc.model_zip()) as src, zipfile.ZipFile(bad, "w") as dst:
        dst.writestr("tokenizer.json", src.read("tokenizer.json"))
        dst.writestr("model.safetensors", src.read("model.safetensors")[:-1] + b"\x00")
    monkeypatch.setattr(enc, "model_zip", lambda: bad)
    with pytest.raises(enc.EncoderError, match="SHA-256"):
        enc.Encoder.load()


def test_status_names_the_encoder_or_how_to_get_it():
    line = enc.status()
    assert ("all-MiniLM-L6-v2" in line) or ("pip install" in line)
