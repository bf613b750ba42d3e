"""Suggesting and training on a project: what the CLI (and the UI) call.

Every input is checked and every computation done before the project is written, so a bad
codebook pattern, an empty project or a damaged saved model leaves the file as it was.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..errors import AccordError
from ..names import no_such_code
from .pipeline import ModelError, Pipeline, build_pipeline, codebook_sha
from .suggester import Item, suggest_transcript

if TYPE_CHECKING:
    from ..store import Project


def _codebook(project: Project):
    return project.require_codebook()


def load_pipeline(project: Project, *, rebuild: bool = False, coder: str | None = None) -> tuple[Pipeline, bool]:
    """The project's pipeline (with `coder`, that coder's own if any) and whether it still
    needs saving (new, or rebuilt for a changed codebook)."""
    book = _codebook(project)
    sha = codebook_sha(book)
    saved = None if rebuild else project.latest_pipeline(coder)
    if saved is not None:
        pipeline = Pipeline.from_bytes(saved["pipeline"])
        if saved["codebook_sha256"] == sha:
            return pipeline, False
        fresh = build_pipeline(book)
        if pipeline.classifier is not None:  # keep what was learned; codes are matched by name
            keep = {k: pipeline.meta[k] for k in ("exclusive", "roles", "version", "trained", "review_thresholds")
                    if k in pipeline.meta}
            fresh.set_model(pipeline.classifier, dict(keep, stale=True))
        return fresh, True
    return build_pipeline(book), True


def check_codes(book, codes: list[str] | None, pipeline: Pipeline) -> set[str] | None:
    """Validate --codes; a code nothing can suggest (no examples, no patterns, no model) is an error."""
    if not codes:
        return None
    names = {c.name.casefold(): c for c in book.codes}
    chosen = set()
    for name in codes:
        code = names.get(name.casefold())
        if code is None:
            raise AccordError(no_such_code(name, (c.name for c in book.codes)))
        model = pipeline.classifier
        if not code.examples and not code.patterns and not (model and code.name in model.codes):
            raise AccordError(
                f"code {code.name!r} has no example phrases or patterns in the codebook and no coder decisions yet, "
                "so nothing can suggest it: add examples to the codebook, or code a few instances by hand and run `accord train`"
            )
        chosen.add(code.name)
    return chosen


def silent_codes(book, pipeline: Pipeline) -> list[str]:
    model = pipeline.classifier
    return [c.name for c in book.codes if not c.examples and not c.patterns and not (model and c.name in model.codes)]


def save(project: Project, pipeline: Pipeline, coder: str | None = None) -> None:
    project.save_pipeline(pipeline.version, pipeline.meta["codebook_sha256"], pipeline.to_bytes(), pipeline.meta, coder)


def run_suggestions(project: Project, names: list[str], pipeline: Pipeline, *, codes=None, workers: int = 1,
                    progress=None) -> dict[str, list[Item]]:
    """Compute suggestions for transcripts (nothing is written)."""
    transcripts = [project.transcript(n) for n in names]
    if workers > 1 and len(transcripts) > 1:
        from .workers import suggest_parallel

        return suggest_parallel(pipeline, transcripts, codes=codes, workers=workers, progress=progress)
    out = {}
    for t in transcripts:
        out[t.name] = suggest_transcript(pipeline, t, codes=codes)
        if progress:
            progress(t)
    return out


def store_suggestions(project: Project, pipeline: Pipeline, results: dict[str, list[Item]], needs_save: bool,
                      coder: str | None = None) -> dict:
    with project.transaction():
        if needs_save:
            save(project, pipeline, coder)
        totals = {}
        for name, items in results.items():
            totals[name] = project.replace_suggestions(name, pipeline.version, [i.as_store_item() for i in items], coder)
    return totals


def suggest(project: Project, names: list[str], *, coder: str | None = None) -> int:
    """Suggest for `names` from the newest pipeline (with `coder`, hers if she has one) and
    store the results; returns how many suggestions were added."""
    pipeline, needs_save = load_pipeline(project, coder=coder)
    totals = store_suggestions(project, pipeline, run_suggestions(project, names, pipeline), needs_save, coder=coder)
    return sum(t["added"] for t in totals.values())


def train(project: Project, *, coders=None, codes=None, personal: str | None = None) -> tuple[Pipeline, dict]:
    """Retrain from every decision (of `coders`), save the pipeline, return it with the report.

    With `personal` (a coder), the model is that coder's own: trained on their decisions only
    and saved as theirs, so it suggests to nobody else."""
    if personal is not None:
        coders = [personal]
    from .training import train_pipeline

    book = _codebook(project)
    for coder in coders or []:
        project.coder_id(coder)  # a clear error for an unknown coder
    try:
        pipeline, _ = load_pipeline(project, coder=personal)
    except ModelError:
        pipeline = build_pipeline(book)  # a damaged model is replaced by training, not patched
    result = train_pipeline(project, pipeline, book, coders=coders, codes=codes)
    report = result["report"]
    if result["model"] is None:
        raise AccordError(
            "nothing to train on: no coder has applied, accepted or rejected any code yet "
            "(suggestions from the codebook's rules work without training: `accord suggest`)"
        )
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    pipeline.set_model(result["model"], {
        "version": f"model-{pipeline.meta['codebook_sha256'][:8]}-{stamp}",
        "trained": stamp, "exclusive": report["exclusive"], "roles": report["roles"],
        "counts": report["counts"], "scores": report["scores"], "thresholds": report["thresholds"],
        "review_thresholds": report.get("review_thresholds", {}),
        "seconds": report["seconds"], "utterances": report["utterances"], "stale": False,
    })
    save(project, pipeline, personal)
    return pipeline, report


def retrain_and_suggest(project_path, coder: str, transcripts: list[str]) -> dict:
    """Retrain on `coder`'s decisions and refresh the suggestions of `transcripts`.

    For the coding UI, which runs this in a worker thread while the coder goes on working:
    it opens its own connection (SQLite connections stay in the thread that made them). The
    model and its suggestions are the coder's own: learned from this coder only and shown to
    nobody else, so blind coding stays blind. Returns the training report.
    """
    from ..store import Project

    with Project.open(project_path) as project:
        pipeline, report = train(project, personal=coder)
        store_suggestions(project, pipeline, run_suggestions(project, transcripts, pipeline), needs_save=False, coder=coder)
    return report


def suggest_with_own_model(project_path, coder: str, transcripts: list[str]) -> int:
    """Refresh `transcripts`' suggestions for `coder` from her own newest model, without
    retraining: what she taught it on one transcript reaches the next one she opens. For the
    coding UI's worker thread (its own connection). Returns how many suggestions were added."""
    from ..store import Project

    with Project.open(project_path) as project:
        if project.own_pipeline_version(coder) is None:
            return 0
        return suggest(project, transcripts, coder=coder)
