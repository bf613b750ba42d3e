"""The model's choice of codes per utterance, done for all utterances at once, is the one the
plain per-utterance, per-code loop makes (thresholds, roles, exclusive families, --codes)."""

from types import SimpleNamespace

import numpy as np
import pytest

from accord.suggest.suggester import _model_choices


def loop_choices(pipeline, model, analyses, probs, index, family_of, codes):
    """The reference: how suggest_analyses chose codes before it was vectorised."""
    def allowed(code, a):
        roles = pipeline.meta.get("roles", {}).get(code)
        speakers = pipeline.meta.get("speakers", {}).get(code)
        known = a.role is not None and not a.role.startswith("speaker ")
        return ((not roles or a.role in roles) and (not speakers or not known or a.role in speakers)
                and not (a.backchannel and code in pipeline.meta.get("no_backchannels", ())))

    chosen_all, best_all = [], []
    for i, a in enumerate(analyses):
        chosen, best = {}, {}
        for code, j in index.items():
            if (codes is not None and code not in codes) or not allowed(code, a):
                continue
            p = float(probs[i][j])
            fam = family_of.get(code)
            if fam is not None:
                if fam not in best or p > best[fam][0]:
                    best[fam] = (p, code)
            elif p >= model.thresholds[j]:
                chosen[code] = p
        for p, code in best.values():
            if p >= model.thresholds[index[code]]:
                chosen[code] = p
        chosen_all.append(chosen)
        best_all.append(best)
    return chosen_all, best_all


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_choices_match_the_loop(seed):
    rng = np.random.default_rng(seed)
    codes = [f"c{k}" for k in range(12)]
    families = [["c7", "c2", "c9"], ["c0", "c11", "absent"], ["c4", "c5"]]
    roles = {"c7": ["client"], "c2": ["therapist"], "c0": ["client"], "c3": ["therapist", "client"]}
    # Learned roles, the codebook's `speakers` and `backchannels: false` all narrow the choice.
    speakers = {"c1": ["client"], "c9": ["therapist"], "c4": ["client", "interviewer"]}
    pipeline = SimpleNamespace(meta={"roles": roles, "exclusive": families, "speakers": speakers,
                                     "no_backchannels": ["c5", "c9", "c6"]})
    model = SimpleNamespace(codes=codes, thresholds=rng.choice([0.2, 0.5, 0.8], len(codes)).astype(np.float32))
    analyses = [SimpleNamespace(role=rng.choice(["client", "therapist", None, "speaker X"]), backchannel=bool(rng.random() < 0.3))
                for _ in range(300)]
    probs = rng.random((len(analyses), len(codes))).astype(np.float32)
    probs[::7, 2] = probs[::7, 9]  # ties inside a family: the first in model order wins
    index = {c: j for j, c in enumerate(codes)}
    family_of = {c: i for i, f in enumerate(families) for c in f if c in index}
    for subset in (None, {"c2", "c9", "c0", "c1", "c5"}, set()):
        expected = loop_choices(pipeline, model, analyses, probs, index, family_of, subset)
        got = _model_choices(pipeline, model, analyses, probs, index, family_of, subset)
        assert [list(c.items()) for c in got[0]] == [list(c.items()) for c in expected[0]]  # same order too
        assert [list(b.items()) for b in got[1]] == [list(b.items()) for b in expected[1]]
