"""Real data: the alliance codebook's rules on the 23 AnnoMI sessions coded with the alliance
manual (../shared/corpus/alliance; skipped when absent). The full measurement, with the model
in cross-validation, is `bench/suggest_eval.py alliance`; this runs its rules-only condition."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from accord.codebook import load_codebook
from accord.suggest.evaluate import group_by

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import alliance_real  # noqa: E402


@pytest.fixture(scope="module")
def rules_only(tmp_path_factory):
    if not alliance_real.available():
        pytest.skip("../shared/corpus/alliance not found: the real alliance coding is needed")
    return alliance_real.run(tmp_path_factory.mktemp("alliance"), model=False, ordinary=False, log=lambda s: None)


def test_codes_map_to_the_manuals_five_categories_through_the_hierarchy():
    groups = group_by(load_codebook(ROOT / "codebooks" / "alliance.yaml"), alliance_real.GROUPS)
    assert groups["Minimal response"] == "Withdrawal rupture"
    assert groups["Defending self"] == "Confrontation rupture"
    assert groups["Validating the client's stance"] == "Repair"
    assert groups["Coercion"] == "Power dynamics" and groups["Power dynamics"] == "Power dynamics"
    assert groups["Genuineness"] == "Real relationship"
    assert "Rupture" not in groups  # the bare parent is neither withdrawal nor confrontation


def test_rules_only_figures_on_real_sessions(rules_only):
    held, every = rules_only["rules"]["held"], rules_only["rules"]["all"]
    # Every gold utterance is counted once per category (the corpus README's counts).
    assert {c: r["tp"] + r["fn"] for c, r in every.items() if c != "all suggestions"} == rules_only["gold"]
    assert rules_only["gold"] == {"withdrawal": 22, "confrontation": 40, "repair": 14, "power dynamics": 79,
                                  "real relationship": 5}
    assert every["all suggestions"]["suggestions"] == sum(held_or_dev["all suggestions"]["suggestions"]
                                                          for held_or_dev in (held, rules_only["rules"]["dev"]))
    # The manual rules these out; the rules must never make them.
    assert rules_only["rules"]["checks"]["backchannel withdrawal"] == 0
    # The coders' own agreement with the gold is the ceiling, and is high.
    assert rules_only["coders"]["coder_a"]["power dynamics"]["f1"] > 0.9


def test_backchannels_are_recognised():
    for text in ["Yeah.", "Okay.", "Mm-hmm.", "Yeah, yeah.", "Okay. Yeah.", "Uh-huh", "Right."]:
        assert alliance_real.is_backchannel(text), text
    for text in ["I guess.", "Whatever.", "Yeah, I don't know.", "No, I'm fine."]:
        assert not alliance_real.is_backchannel(text), text
