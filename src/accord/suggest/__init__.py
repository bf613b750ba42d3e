"""Suggestions: a spaCy pipeline built from the codebook that learns from coders' decisions.

- `pipeline`: build the rules pipeline from a codebook; save and load it (with its model).
- `analysis`: rule hits and features per utterance; `suggester`: suggestions that say why.
- `classifier`, `features`, `training`: the learned part and its training data.
- `service`: suggesting and training on a project; `workers`: across processes.
- `review`, `evaluate`, `simulate`: review order, evaluation against a coder, learning curves.
"""

from .pipeline import ModelError, Pipeline, build_pipeline

__all__ = ["ModelError", "Pipeline", "build_pipeline"]
