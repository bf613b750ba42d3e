"""What each action writes to the event log, defined once for the writer and for undo/redo.

One frozen dataclass per action. Its fields, in order, are the keys of the event's `data`
JSON, except a field marked `id_field()`, which is the event's `entity_id` (or `entity_key`
names a data field that is also the entity id). `to_data()` gives the JSON exactly as accord
has always written it (the log is append-only, so the keys must never change); `from_event()`
reads an event back, filling the defaults of fields older versions did not write yet.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, cast

from .common import ProjectError

ACTIONS: dict[str, type["Payload"]] = {}


def id_field(**kwargs) -> Any:
    """A field that is the event's entity_id rather than a key of its data."""
    return field(metadata={"entity": True}, **kwargs)


def absent_unless_set(default=None) -> Any:
    """A key written only when set: events without it stay as they always were."""
    return field(default=default, metadata={"omit": default})


_OMIT = object()


@dataclass(frozen=True, kw_only=True)
class Payload:
    """An event's action, entity and data. Subclasses set `action` and `entity`."""

    action: ClassVar[str] = ""
    entity: ClassVar[str] = ""
    entity_key: ClassVar[str | None] = None  # a data field that is also the entity id

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("action"):
            ACTIONS[cls.action] = cls

    @property
    def entity_id(self) -> int | None:
        if self.entity_key:
            return getattr(self, self.entity_key)
        return next((getattr(self, f.name) for f in fields(self) if f.metadata.get("entity")), None)

    def to_data(self) -> dict:
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            omit = f.metadata.get("omit", _OMIT)
            if f.metadata.get("entity") or (omit is not _OMIT and value == omit):
                continue
            data[f.name] = value
        return data

    @classmethod
    def from_data(cls, data: dict, entity_id: int | None = None):
        values = {}
        for f in fields(cls):
            if not f.init:
                continue
            if f.metadata.get("entity"):
                values[f.name] = entity_id
            elif f.name in data:
                values[f.name] = data[f.name]
            elif f.default is MISSING and f.default_factory is MISSING:
                raise ProjectError(f"a {cls.action} event without {f.name!r}: accord cannot read it")
        return cls(**values)

    @classmethod
    def from_event(cls, event: dict):
        return cls.from_data(event["data"], event["entity_id"])


def payload(event: dict) -> Payload:
    """The typed payload of a logged event (data already parsed from JSON)."""
    cls = ACTIONS.get(event["action"])
    if cls is None:
        raise ProjectError(f"event {event.get('id')}: no payload type for action {event['action']!r}")
    return cls.from_event(event)


def _counted(self, items: str) -> None:
    object.__setattr__(self, "count", len(getattr(self, items)))


# --- coders, codings, undo ------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CoderAdd(Payload):
    action, entity = "coder.add", "coder"
    coder_id: int = id_field()
    name: str


@dataclass(frozen=True, kw_only=True)
class _CodingPayload(Payload):
    """What the log keeps about a coding: enough to read the audit trail without joins."""

    entity = "coding"
    coding_id: int = id_field()
    transcript: str
    code: str
    start: int
    end: int
    origin: str
    suggestion_id: int | None

    @classmethod
    def of(cls, coding):
        return cls(coding_id=coding.id, transcript=coding.transcript, code=coding.code, start=coding.start,
                   end=coding.end, origin=coding.origin, suggestion_id=coding.suggestion_id)


@dataclass(frozen=True, kw_only=True)
class CodingApply(_CodingPayload):
    action = "coding.apply"


@dataclass(frozen=True, kw_only=True)
class CodingRemove(_CodingPayload):
    action = "coding.remove"


@dataclass(frozen=True, kw_only=True)
class CodingMemo(Payload):
    action, entity = "coding.memo", "coding"
    coding_id: int = id_field()
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class CodingsImport(Payload):
    action, entity = "codings.import", "coder"
    coder_id: int = id_field()
    coding_ids: list[int]
    count: int = field(init=False)

    def __post_init__(self):
        _counted(self, "coding_ids")


@dataclass(frozen=True, kw_only=True)
class Undo(Payload):
    """`undo` and `redo` name the event they reverted and its action."""

    action, entity = "undo", "event"
    event_id: int = id_field()
    undone: str  # written as "action"

    def to_data(self) -> dict:
        return {"action": self.undone}

    @classmethod
    def from_data(cls, data: dict, entity_id: int | None = None):
        return cls(event_id=cast(int, entity_id), undone=data["action"])


@dataclass(frozen=True, kw_only=True)
class Redo(Undo):
    action = "redo"


# --- code and transcript edits ----------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CodeRename(Payload):
    action, entity = "code.rename", "code"
    code_id: int = id_field()
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class CodeMerge(Payload):
    action, entity = "code.merge", "code"
    code_id: int = id_field()
    code: str
    into: str
    added: list[int] = field(default_factory=list)  # older events: none
    removed: list[int]
    links: list[int] = field(default_factory=list)  # events from before links: none


@dataclass(frozen=True, kw_only=True)
class CodeDelete(Payload):
    action, entity = "code.delete", "code"
    code_id: int = id_field()
    code: str
    removed: list[int]


@dataclass(frozen=True, kw_only=True)
class TranscriptRename(Payload):
    action, entity = "transcript.rename", "transcript"
    transcript_id: int = id_field()
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class TranscriptDelete(Payload):
    """Keeps a copy of the transcript's rows (table -> rows) so undo puts them back."""

    action, entity = "transcript.delete", "transcript"
    transcript_id: int = id_field()
    name: str
    rows: dict[str, list[dict]]


@dataclass(frozen=True, kw_only=True)
class TranscriptImport(Payload):
    action, entity = "transcript.import", "transcript"
    transcript_id: int = id_field()
    name: str
    source: str | None
    sha256: str
    format: str | None
    merged: bool = absent_unless_set(False)  # brought in by `accord merge`


# --- memos, mode, project notes ------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class MemoSet(Payload):
    action, entity = "memo.set", "utterance"
    utterance: int = id_field()
    transcript_id: int
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class ProjectMode(Payload):
    action, entity = "project.mode", "project"
    before: str
    after: str
    by: str | None = absent_unless_set()  # the coder who switched (not written before 2026-05)
    login: str | None = absent_unless_set()  # the operating-system account that ran it


@dataclass(frozen=True, kw_only=True)
class ProjectDescription(Payload):
    action, entity = "project.description", "project"
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class JournalAdd(Payload):
    action, entity = "journal.add", "project_note"
    note_id: int = id_field()
    title: str


@dataclass(frozen=True, kw_only=True)
class BlindReveal(Payload):
    action, entity = "blind.reveal", "project"
    by: str | None
    command: str
    what: str
    coders: list[str]
    login: str | None = absent_unless_set()  # the operating-system account that ran it


# --- codebook, suggestions ---------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CodebookLoad(Payload):
    action, entity, entity_key = "codebook.load", "codebook", "version"
    version: int
    added: list[str]
    updated: list[str]
    retired: list[str]
    name: str
    source: str | None


@dataclass(frozen=True, kw_only=True)
class SuggestionsReplace(Payload):
    action, entity = "suggestions.replace", "transcript"
    transcript_id: int = id_field()
    pipeline_version: str
    added: int
    kept: int
    superseded: int
    coder: str | None


@dataclass(frozen=True, kw_only=True)
class SuggestionsTrain(Payload):
    action, entity = "suggestions.train", "suggestion_model"
    model_id: int = id_field()
    version: str
    codebook_sha256: str
    counts: Any
    seconds: Any


@dataclass(frozen=True, kw_only=True)
class SuggestionAccept(Payload):
    action, entity = "suggestion.accept", "suggestion"
    suggestion_id: int = id_field()
    coding_id: int
    code: str
    start: int | None = None  # where the coding went (None: not recorded)
    end: int | None = None
    adjusted: bool = False
    score: float | None = None
    explanation: str | None = None
    pipeline_version: str | None = None


@dataclass(frozen=True, kw_only=True)
class SuggestionReject(Payload):
    action, entity = "suggestion.reject", "suggestion"
    suggestion_id: int = id_field()
    code: str
    start: int | None = None
    end: int | None = None
    score: float | None = None
    pipeline_version: str | None = None


@dataclass(frozen=True, kw_only=True)
class SuggestionCorrect(Payload):
    action, entity = "suggestion.correct", "suggestion"
    suggestion_id: int = id_field()
    code: str
    applied: str
    coding_id: int
    start: int | None = None
    end: int | None = None
    score: float | None = None
    pipeline_version: str | None = None


@dataclass(frozen=True, kw_only=True)
class SuggestionAcceptAll(Payload):
    action, entity = "suggestion.accept_all", "transcript"
    transcript_id: int = id_field()
    code: str
    accepted: list[list[int]]  # [suggestion id, coding id] pairs


# --- ratings, variables, cases ---------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class RatingSet(Payload):
    """One rating before and after (value, unit, first, last; None: no rating)."""

    action, entity, entity_key = "rating.set", "rating", "segment"
    transcript_id: int
    transcript: str
    scale: str
    segment: int
    before: dict | None
    after: dict | None


@dataclass(frozen=True, kw_only=True)
class RatingsImport(Payload):
    action, entity = "ratings.import", "coder"
    coder_id: int = id_field()
    changes: list[dict]  # each a RatingSet's data
    count: int = field(init=False)

    def __post_init__(self):
        _counted(self, "changes")

    def ratings(self) -> list[RatingSet]:
        return [RatingSet.from_data(c) for c in self.changes]


@dataclass(frozen=True, kw_only=True)
class ValueChange:
    """One variable value before and after (None: unset), as a `variables.set` keeps it."""

    variable: str
    of: str
    before: str | None
    after: str | None
    variable_id: int
    owner_id: int

    def to_data(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class VariablesSet(Payload):
    action, entity = "variables.set", "project"
    changes: list[dict]  # each a ValueChange's data
    source: str | None

    def values(self) -> list[ValueChange]:
        return [ValueChange(**c) for c in self.changes]


@dataclass(frozen=True, kw_only=True)
class VariableDefine(Payload):
    action, entity = "variable.define", "variable"
    variable_id: int = id_field()
    name: str
    applies_to: str
    type: str
    categories: list[str]


@dataclass(frozen=True, kw_only=True)
class VariableCategories(Payload):
    action, entity = "variable.categories", "variable"
    variable_id: int = id_field()
    name: str
    added: list[str]


@dataclass(frozen=True, kw_only=True)
class CaseAdd(Payload):
    action, entity = "case.add", "case"
    case_id: int = id_field()
    name: str


@dataclass(frozen=True, kw_only=True)
class CaseMembers(Payload):
    action, entity = "case.members", "case"
    case_id: int = id_field()
    case: str
    added: list[list[str | None]]  # [transcript, speaker or None]


# --- links ---------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class _LinkPayload(Payload):
    """What the log keeps about a link: enough to read the audit trail without joins."""

    entity = "link"
    link_id: int = id_field()
    transcript: str
    relation: str
    source: int
    source_code: str
    target: int
    target_code: str

    @classmethod
    def of(cls, link):
        return cls(link_id=link.id, transcript=link.source.transcript, relation=link.relation, source=link.source.id,
                   source_code=link.source.code, target=link.target.id, target_code=link.target.code)


@dataclass(frozen=True, kw_only=True)
class LinkAdd(_LinkPayload):
    action = "link.add"


@dataclass(frozen=True, kw_only=True)
class LinkRemove(_LinkPayload):
    action = "link.remove"


@dataclass(frozen=True, kw_only=True)
class LinksImport(Payload):
    action, entity = "links.import", "coder"
    coder_id: int = id_field()
    link_ids: list[int]
    count: int = field(init=False)

    def __post_init__(self):
        _counted(self, "link_ids")


# --- imports and merges ----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class InterchangeImport(Payload):
    """A REFI-QDA or QualCoder import: the summary's counts (its keys vary), then name and source."""

    action, entity = "interchange.import", "project"
    summary: dict
    name: str | None
    source: str | None

    def to_data(self) -> dict:
        return dict(self.summary, name=self.name, source=self.source)

    @classmethod
    def from_data(cls, data: dict, entity_id: int | None = None):
        summary = {k: v for k, v in data.items() if k not in ("name", "source")}
        return cls(summary=summary, name=data.get("name"), source=data.get("source"))


@dataclass(frozen=True, kw_only=True)
class ProjectMerge(Payload):
    """`accord merge`: what another copy of the project brought, and the ids it added."""

    action, entity = "project.merge", "project"
    source: str
    source_guid: str | None
    coding_ids: list[int]
    codings_added: dict
    coders_added: list
    transcripts_added: list
    transcripts_differing: list
    codes_missing: Any
    memo_ids: list[int]
    memos_added: Any
    memo_conflicts: int
    reviewed_added: Any
    suggestion_ids: list[int]
    decisions: list
    decisions_added: Any
    decision_conflicts: Any
    ratings: list
    ratings_added: Any
    rating_conflicts: Any
    variables_added: Any
    variables_differing: Any
    value_conflicts: Any
    link_ids: list[int]
    links_added: dict
    link_relations_missing: dict


# --- reconciliation (logged by accord.agreement as the consensus coder's actions) --------------

@dataclass(frozen=True, kw_only=True)
class ReconcileDecide(Payload):
    """One decision on a code at a unit: which codings the consensus gained and lost."""

    action, entity = "reconcile.decide", "transcript"
    transcript_id: int | None = id_field(default=None)
    transcript: str
    code: str
    unit: list[int]
    decision: str
    taken_from: list[str]
    decided_by: list[str]
    coders: list[str]
    source_codings: dict[str, list[int]]
    spans: list[list[int]]
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    note: str = ""
    links: list[int] | None = absent_unless_set()  # links the consensus gained with it


@dataclass(frozen=True, kw_only=True)
class ReconcileSeed(Payload):
    action, entity = "reconcile.seed", "coder"
    coder_id: int = id_field()
    coders: list[str]
    unit: str
    added: list[int] = field(default_factory=list)
    count: int = field(init=False)
    links: list[int] | None = absent_unless_set()  # the coders' links carried over with it

    def __post_init__(self):
        _counted(self, "added")


@dataclass(frozen=True, kw_only=True)
class ReconcileUnit(Payload):
    """Every disputed code of one unit decided at once; `decisions` holds ReconcileDecide data."""

    action, entity = "reconcile.unit", "transcript"
    transcript_id: int | None = id_field(default=None)
    transcript: str
    unit: list[int]
    utterance: int | None
    choice: str
    take: str | None
    codes: list[str] | None
    decided_by: list[str]
    decisions: list[dict]
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    links: list[int] | None = absent_unless_set()  # links the consensus gained with it
