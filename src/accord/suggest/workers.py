"""Suggestions across worker processes.

`nlp.pipe(n_process=...)` pickles every Doc back to the parent, which costs more than it
saves; here each worker takes whole transcripts and returns only suggestion tuples (measured
~2x on two cores, see bench/suggest.py). Forked workers inherit the parent's pipeline as it
is (no serialising and reloading, ~0.3 s each, and the tokenizer's cache is already warm);
where processes are spawned, each worker loads the pipeline once from its bytes.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING

from .suggester import Item

if TYPE_CHECKING:
    from .pipeline import Pipeline

_pipeline: Pipeline | None = None  # this worker's, set by the pool's initializer


def _init(blob: bytes) -> None:
    global _pipeline
    from .pipeline import Pipeline

    _pipeline = Pipeline.from_bytes(blob)


def _inherit(pipeline: Pipeline) -> None:
    global _pipeline
    _pipeline = pipeline


def _work(transcript, codes, explain) -> tuple[str, list[tuple]]:
    from .suggester import suggest_transcript

    if _pipeline is None:
        raise RuntimeError("a suggestion worker ran before its initializer set its pipeline")
    items = suggest_transcript(_pipeline, transcript, codes=codes, explain=explain)
    return transcript.name, [(i.code, i.start, i.end, i.score, i.explanation, i.source) for i in items]


def suggest_parallel(pipeline, transcripts, *, codes=None, workers: int = 2, progress=None, explain=True) -> dict[str, list[Item]]:
    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    # Forked, the initializer's argument is not pickled: the workers get this very object.
    init, arg = (_inherit, pipeline) if fork else (_init, pipeline.to_bytes())
    out: dict[str, list[Item]] = {}
    by_name = {t.name: t for t in transcripts}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init, initargs=(arg,)) as pool:
        # Longest first, so one long session does not finish last on its own.
        futures = [pool.submit(_work, t, codes, explain) for t in sorted(transcripts, key=lambda t: -len(t.text))]
        for f in as_completed(futures):
            name, rows = f.result()
            out[name] = [Item(name, *row) for row in rows]
            if progress:
                progress(by_name[name])
    return {t.name: out[t.name] for t in transcripts}
