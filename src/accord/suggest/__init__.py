"""Suggestions: a spaCy pipeline built from the codebook that learns from coders' decisions.

- `pipeline`: build the rules pipeline from a codebook; save and load it (with its model).
- `analysis`: rule hits and features per utterance; `suggester`: suggestions that say why.
- `classifier`, `features`, `training`: the learned part and its training data.
- `service`: suggesting and training on a project; `workers`: across processes.
- `review`, `evaluate`, `simulate`: review order, evaluation against a coder, learning curves.

Importing the package costs nothing: spaCy is loaded (about 0.6 s) only when a module that
needs it is, so the coding screen can rank suggestions without it.
"""

__all__ = ["ModelError", "Pipeline", "build_pipeline"]


def __getattr__(name: str):
    if name in __all__:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
