"""The saved suggestion pipeline, kept in the project file so a moved project keeps its model.

Only the latest few pipelines of each owner are kept (each is about a megabyte); suggestions
and decisions record the version that made them, which is the provenance that matters. The
owner is the project (shared, `accord train`) or one coder (a personal model, trained on that
coder's decisions alone, for blind coding).
"""

from __future__ import annotations

import json

from .base import ProjectBase
from .common import now
from .events import SuggestionsTrain

KEEP = 3


class ModelStore(ProjectBase):
    def save_pipeline(self, version: str, codebook_sha256: str, blob: bytes, meta: dict, coder: str | None = None) -> int:
        with self.transaction():
            owner = self.coder_id(coder) if coder is not None else None
            model_id = self.db["suggestion_models"].insert(
                {"version": version, "codebook_sha256": codebook_sha256, "pipeline": blob,
                 "meta": json.dumps(meta, ensure_ascii=False), "created_at": now(), "coder_id": owner}
            ).last_pk
            self.conn.execute(
                "DELETE FROM suggestion_models WHERE coder_id IS ? AND id NOT IN "
                "(SELECT id FROM suggestion_models WHERE coder_id IS ? ORDER BY id DESC LIMIT ?)",
                [owner, owner, KEEP],
            )
            self.log(SuggestionsTrain(model_id=model_id, version=version, codebook_sha256=codebook_sha256,
                                      counts=meta.get("counts"), seconds=meta.get("seconds")))
        return model_id

    def latest_pipeline(self, coder: str | None = None) -> dict | None:
        """The newest saved pipeline: id, version, codebook_sha256, meta (dict), pipeline (bytes).

        With `coder`, that coder's own newest model if they have one, else the shared one.
        """
        owners = ([self.coder_id(coder)] if coder is not None else []) + [None]
        row = None
        for owner in owners:
            row = self.conn.execute(
                "SELECT id, version, codebook_sha256, meta, pipeline, created_at FROM suggestion_models "
                "WHERE coder_id IS ? ORDER BY id DESC LIMIT 1", [owner]
            ).fetchone()
            if row is not None:
                break
        if row is None:
            return None
        return {"id": row[0], "version": row[1], "codebook_sha256": row[2], "meta": json.loads(row[3] or "{}"),
                "pipeline": row[4], "created_at": row[5]}

    def own_pipeline_version(self, coder: str) -> str | None:
        """The version of `coder`'s own newest model (not the shared one), without loading it."""
        row = self.conn.execute("SELECT version FROM suggestion_models WHERE coder_id = ? ORDER BY id DESC LIMIT 1",
                                [self.coder_id(coder)]).fetchone()
        return row[0] if row else None

    def suggestion_sources(self, ids: list[int]) -> dict[int, str]:
        """rule | model | both | probe (review-only), for ordering suggestions (rules and model disagreeing first)."""
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self.conn.execute(
                f"SELECT id, source FROM suggestions WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            out.update(dict(rows))
        return out
