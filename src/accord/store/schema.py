"""The project schema, as sqlite-utils migrations from the first release on.

Never edit a migration that has shipped: add a new one. Each runs in its own transaction,
recorded in `_sqlite_migrations`, so a project made by an older accord is upgraded in place
the first time a newer accord opens it.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("accord")


def known_migrations() -> list[str]:
    """Names of every schema step this accord knows, in order (all pending on an empty db)."""
    return [m.name for m in migrations.pending(Database(memory=True))]


@migrations()
def m001_initial(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["transcripts"].create(
        {
            "id": int,
            "guid": str,
            "name": str,
            "source": str,
            "format": str,
            "encoding": str,
            "sha256": str,
            "text": str,
            "roles": str,  # JSON: speaker label -> role
            "notes": str,  # JSON list of reader notes (e.g. encoding fallback)
            "words": int,
            "imported_at": str,
        },
        pk="id",
        not_null={"guid", "name", "sha256", "text", "format"},
    )
    db["transcripts"].create_index(["name"], unique=True)
    db["utterances"].create(
        {
            "transcript_id": int,
            "number": int,
            "speaker": str,
            "start": int,
            "end": int,
            "time_start": float,
            "time_end": float,
        },
        pk=("transcript_id", "number"),
        foreign_keys=[("transcript_id", "transcripts", "id")],
    )
    db["codebook_versions"].create(
        {
            "version": int,
            "name": str,
            "label": str,  # the version string written in the YAML
            "sha256": str,
            "source": str,
            "snapshot": str,  # JSON of the whole codebook as loaded
            "loaded_at": str,
        },
        pk="version",
    )
    db["codes"].create(
        {
            "id": int,
            "guid": str,
            "name": str,
            "parent": str,
            "color": str,
            "hotkey": str,
            "definition": str,
            "when_to_use": str,
            "when_not_to_use": str,
            "examples": str,
            "counter_examples": str,
            "patterns": str,
            "position": int,
            "retired": int,  # 1 when a later codebook version dropped it; codings keep pointing here
            "version": int,  # codebook version that last defined it
        },
        pk="id",
        not_null={"guid", "name"},
        defaults={"retired": 0},
    )
    db["codes"].create_index(["name"], unique=True)
    db["coders"].create({"id": int, "guid": str, "name": str, "created_at": str}, pk="id", not_null={"name"})
    db["coders"].create_index(["name"], unique=True)
    db["suggestions"].create(
        {
            "id": int,
            "transcript_id": int,
            "code_id": int,
            "start": int,
            "end": int,
            "score": float,
            "explanation": str,
            "source": str,  # rule | model | both
            "pipeline_version": str,
            "status": str,  # current | superseded (a later run no longer proposes it)
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("transcript_id", "transcripts", "id"), ("code_id", "codes", "id")],
        defaults={"status": "current"},
    )
    db["suggestions"].create_index(["transcript_id", "status"])
    db["codings"].create(
        {
            "id": int,
            "guid": str,
            "transcript_id": int,
            "code_id": int,
            "coder_id": int,
            "start": int,
            "end": int,
            "origin": str,  # manual | suggestion | import | consensus | correction
            "suggestion_id": int,
            "status": str,  # active | removed (rows are never deleted: the log refers to them)
            "memo": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[
            ("transcript_id", "transcripts", "id"),
            ("code_id", "codes", "id"),
            ("coder_id", "coders", "id"),
            ("suggestion_id", "suggestions", "id"),
        ],
        not_null={"transcript_id", "code_id", "coder_id", "start", "end"},
        defaults={"status": "active", "origin": "manual", "memo": ""},
    )
    db["codings"].create_index(["transcript_id", "coder_id", "status"])
    # Each coder decides on each suggestion independently (blind coding); no row = pending.
    db["suggestion_decisions"].create(
        {"suggestion_id": int, "coder_id": int, "decision": str, "coding_id": int, "at": str},
        pk=("suggestion_id", "coder_id"),
        foreign_keys=[("suggestion_id", "suggestions", "id"), ("coder_id", "coders", "id"), ("coding_id", "codings", "id")],
    )
    db["memos"].create(
        {
            "id": int,
            "transcript_id": int,
            "utterance": int,  # number; NULL for a memo on the whole transcript
            "coder_id": int,
            "text": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("transcript_id", "transcripts", "id"), ("coder_id", "coders", "id")],
    )
    db["events"].create(
        {
            "id": int,
            "at": str,
            "coder_id": int,
            "action": str,
            "entity": str,
            "entity_id": int,
            "data": str,  # JSON: what changed, before and after, and provenance
            "undone": int,
        },
        pk="id",
        foreign_keys=[("coder_id", "coders", "id")],
        defaults={"undone": 0},
    )
    db["events"].create_index(["coder_id", "id"])
    # The event log is append-only: rows may be marked undone, never rewritten or deleted.
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_rewrite BEFORE UPDATE OF at, coder_id, action, entity, entity_id, data ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )


@migrations()
def m002_review_progress(db: Database) -> None:
    """Which utterances each coder has reviewed, as compact JSON ranges [[first, last], ...]."""
    db["review_progress"].create(
        {"transcript_id": int, "coder_id": int, "ranges": str, "updated_at": str},
        pk=("transcript_id", "coder_id"),
        foreign_keys=[("transcript_id", "transcripts", "id"), ("coder_id", "coders", "id")],
    )


@migrations()
def m003_suggestion_models(db: Database) -> None:
    # The trained suggestion pipeline travels with the project: one row per training run.
    db["suggestion_models"].create(
        {
            "id": int,
            "version": str,  # pipeline version, as stored on the suggestions it made
            "codebook_sha256": str,
            "meta": str,  # JSON: training counts, held-out scores, thresholds, timings
            "pipeline": bytes,  # the whole spaCy pipeline (rules, lemma table, classifier)
            "created_at": str,
        },
        pk="id",
        not_null={"version", "pipeline"},
    )


@migrations()
def m004_personal_suggestions(db: Database) -> None:
    """A coder's own model and the suggestions it made (NULL: the project's shared ones).

    In blind coding a model trained on one coder's decisions must not suggest to another,
    or the suggestions would carry that coder's judgement across.
    """
    db["suggestions"].add_column("coder_id", int)
    db["suggestion_models"].add_column("coder_id", int)
    db["suggestions"].create_index(["transcript_id", "coder_id", "status"])


@migrations()
def m005_project_notes(db: Database) -> None:
    """Notes on the project as a whole (a reflexive journal, a coding diary), as QualCoder's
    journals and REFI-QDA's unattached `Note`s: kept so an exchange through those tools keeps them."""
    db["project_notes"].create(
        {"id": int, "guid": str, "title": str, "text": str, "coder_id": int, "created_at": str, "updated_at": str},
        pk="id",
        not_null={"guid", "text"},
        foreign_keys=[("coder_id", "coders", "id")],
    )
    db["project_notes"].create_index(["guid"], unique=True)


@migrations()
def m006_ratings(db: Database) -> None:
    """Ratings on a codebook's rating scales: one value per transcript, scale, segment and coder.

    The scale is kept by name (scales live in the codebook snapshot, like codes' extra keys);
    the segment's utterances and the unit it was cut by are stored with the rating, so a later
    codebook that cuts differently cannot silently move a rating to other words.
    """
    db["ratings"].create(
        {
            "transcript_id": int,
            "scale": str,
            "segment": int,  # 1-based, within the transcript under the scale's unit
            "coder_id": int,
            "value": int,
            "unit": str,  # how the transcript was cut: "session", "5 minutes", "20 utterances"
            "first": int,  # utterance numbers of the segment, inclusive
            "last": int,
            "created_at": str,
            "updated_at": str,
        },
        pk=("transcript_id", "scale", "segment", "coder_id"),
        foreign_keys=[("transcript_id", "transcripts", "id"), ("coder_id", "coders", "id")],
        not_null={"value"},
    )


@migrations()
def m007_variables(db: Database) -> None:
    """Session and participant variables, and cases (a person across sessions).

    A variable belongs to transcripts or to cases, with one type (text, number, date,
    category); values are kept as text in a canonical form (numbers as Python writes them,
    dates as YYYY-MM-DD) so they compare and round-trip exactly. A case's members are a
    speaker in a transcript (speaker NULL: the whole transcript), which is how REFI-QDA cases
    code turns in NVivo and MAXQDA. Self-contained: touches no table of an earlier step.
    """
    db["variables"].create(
        {"id": int, "guid": str, "name": str, "applies_to": str, "type": str, "categories": str,
         "description": str, "position": int, "created_at": str},
        pk="id",
        not_null={"guid", "name", "applies_to", "type"},
        defaults={"categories": "[]", "description": ""},
    )
    db["variables"].create_index(["name"], unique=True)
    db["cases"].create(
        {"id": int, "guid": str, "name": str, "description": str, "created_at": str},
        pk="id",
        not_null={"guid", "name"},
        defaults={"description": ""},
    )
    db["cases"].create_index(["name"], unique=True)
    db["case_members"].create(
        {"id": int, "case_id": int, "transcript_id": int, "speaker": str},
        pk="id",
        foreign_keys=[("case_id", "cases", "id"), ("transcript_id", "transcripts", "id")],
        not_null={"case_id", "transcript_id"},
    )
    db.execute("CREATE UNIQUE INDEX idx_case_members_turns ON case_members (transcript_id, coalesce(speaker, char(0)))")
    db["variable_values"].create(
        {"variable_id": int, "owner_id": int, "value": str, "updated_at": str},
        pk=("variable_id", "owner_id"),
        foreign_keys=[("variable_id", "variables", "id")],
        not_null={"value"},
    )


@migrations()
def m008_links(db: Database) -> None:
    """Typed links from one coding to another ("Meta-communication repairs Minimal response").

    Like codings, rows are never deleted (the event log refers to them): removing a link marks
    it `removed`. A link is shown only while both its codings are active, so removing a coding
    hides its links and undoing that brings them back, with nothing to keep in step.
    """
    db["links"].create(
        {"id": int, "guid": str, "source_id": int, "target_id": int, "relation": str, "coder_id": int,
         "status": str, "created_at": str, "updated_at": str},
        pk="id",
        foreign_keys=[("source_id", "codings", "id"), ("target_id", "codings", "id"), ("coder_id", "coders", "id")],
        not_null={"guid", "source_id", "target_id", "relation", "coder_id"},
        defaults={"status": "active"},
    )
    db["links"].create_index(["guid"], unique=True)
    db["links"].create_index(["source_id"])
    db["links"].create_index(["target_id"])
    db["links"].create_index(["coder_id", "status"])
