"""Review order: document order, or "uncertain first" for active learning.

Uncertain first puts the suggestions a decision teaches the model most about at the top:
places where the rules and the model disagree, then scores nearest the code's threshold.
"""

from __future__ import annotations

from .pipeline import ModelError, Pipeline


def review_order(project, suggestions: list, order: str = "document") -> list:
    if order == "document" or not suggestions:
        return list(suggestions)
    thresholds = {}
    saved = project.latest_pipeline()
    if saved is not None:
        thresholds = saved["meta"].get("thresholds", {}) or {}
        if not thresholds:
            try:
                model = Pipeline.from_bytes(saved["pipeline"]).classifier
                thresholds = dict(zip(model.codes, model.thresholds.tolist())) if model else {}
            except ModelError:
                thresholds = {}
    sources = project.suggestion_sources([s.id for s in suggestions])

    def key(s):
        disagree = sources.get(s.id) == "rule" and "disagree" in s.explanation
        return (0 if disagree else 1, abs(s.score - thresholds.get(s.code, 0.5)), s.transcript, s.start)

    return sorted(suggestions, key=key)
