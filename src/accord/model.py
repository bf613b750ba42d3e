"""Plain data shared by every layer: no I/O, no UI, no database.

Offsets are Unicode code points into `Transcript.text`, half-open `[start, end)`, so
`transcript.text[u.start:u.end]` is exactly what the speaker said. That is the same
convention as Python slicing and REFI-QDA's PlainTextSelection.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Utterance:
    """One speaker turn. `number` is 1-based, as coders see it."""

    number: int
    speaker: str
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


@dataclass
class Transcript:
    """A parsed transcript, ready to store.

    `notes` carries things the reader wants the user to know but that are not errors,
    such as "decoded as Windows-1252 (not valid UTF-8)".
    """

    name: str
    text: str
    utterances: list[Utterance]
    format: str
    source: str | None = None
    encoding: str = "utf-8"
    roles: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(u.speaker for u in self.utterances))

    @property
    def words(self) -> int:
        return sum(len(self.text[u.start : u.end].split()) for u in self.utterances)

    def utterance_text(self, u: Utterance) -> str:
        return self.text[u.start : u.end]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Code:
    """One code of a codebook. `patterns` are spaCy Matcher token patterns; `speakers` the
    speaker roles it applies to, as written (empty: its parent's, or every role)."""

    name: str
    parent: str | None = None
    color: str | None = None
    hotkey: str | None = None
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    examples: list[str] = field(default_factory=list)
    counter_examples: list[str] = field(default_factory=list)
    patterns: list[list[dict]] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    backchannels: bool | None = None  # False: never suggested on a backchannel turn; None: as its parent
    family: str | None = None  # on a root code: "rupture" or "repair" (rupture-repair episodes)
    codable: bool = True  # False: a category that groups codes and is never applied itself


# The families a root code may declare for rupture-repair episodes (`accord sequences`).
FAMILIES = ("rupture", "repair")

# The speaker roles accord knows (`transcripts/roles.py` guesses them from labels).
ROLES = ("therapist", "client", "interviewer", "participant")


# What a rating scale rates: the whole session, fixed windows of N minutes (from utterance
# times), or runs of N utterances.
RATING_UNITS = ("session", "minutes", "utterances")


@dataclass
class RatingScale:
    """A rating scale of a codebook: integer points from the lowest anchor to the highest,
    some or all of them labelled, given to each segment a transcript is cut into.

    `unit`/`size`: what a segment is (`minutes` 5: windows 00:00-05:00, 05:00-10:00, ... by
    utterance start times). `fallback`: N utterances per segment for a transcript with no
    times under a `minutes` scale (None: such a transcript is rated as one session)."""

    name: str
    anchors: dict[int, str]
    unit: str = "session"
    size: int | None = None
    fallback: int | None = None
    description: str = ""

    @property
    def low(self) -> int:
        return min(self.anchors)

    @property
    def high(self) -> int:
        return max(self.anchors)

    @property
    def points(self) -> list[int]:
        return list(range(self.low, self.high + 1))

    @property
    def segment_text(self) -> str:
        """The unit as written in a codebook: "session", "5 minutes", "20 utterances"."""
        return "session" if self.unit == "session" else f"{self.size} {self.unit}"


# The relation every project has: a repair coding linked to the rupture coding it resolves
# (`accord sequences` reads it before the window rule). Codebooks add their own under `relations:`.
REPAIRS = "repairs"


@dataclass(frozen=True)
class Relation:
    """A typed link a coder may draw from one coding to another ("repairs", "continues")."""

    name: str
    description: str = ""


@dataclass
class Codebook:
    name: str
    codes: list[Code]
    version: str = "1"
    description: str = ""
    source: str | None = None
    # The precision the learned model must reach on held-out decisions before it suggests a
    # code on its own (None: thresholds lean to recall). See accord.suggest.training.
    min_precision: float | None = None
    ratings: list[RatingScale] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)  # the codebook's own; "repairs" is always there

    def all_relations(self) -> list[Relation]:
        """Every relation a link may have: "repairs" first, then the codebook's own in order."""
        own = [r for r in self.relations if r.name.casefold() != REPAIRS]
        repairs = next((r for r in self.relations if r.name.casefold() == REPAIRS), None)
        return [repairs or Relation(REPAIRS, "a repair coding resolves the rupture coding it points to")] + own

    def relation(self, name: str) -> Relation | None:
        """The relation called `name` (case-insensitive), or None."""
        return next((r for r in self.all_relations() if r.name.casefold() == name.strip().casefold()), None)

    def scale(self, name: str) -> RatingScale | None:
        """The rating scale called `name` (case-insensitive), or None."""
        return next((s for s in self.ratings if s.name.casefold() == name.casefold()), None)

    def by_name(self) -> dict[str, Code]:
        return {c.name: c for c in self.codes}

    def children(self, name: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == name]

    def speakers_from(self, name: str) -> str | None:
        """The code whose `speakers` apply to `name`: itself or its nearest ancestor with some."""
        codes = self.by_name()
        code = codes.get(name)
        while code is not None:
            if code.speakers:
                return code.name
            code = codes.get(code.parent) if code.parent else None
        return None

    def speakers_of(self, name: str) -> tuple[str, ...]:
        """The roles a code applies to (inherited down the hierarchy); empty: every role."""
        owner = self.speakers_from(name)
        return tuple(self.by_name()[owner].speakers) if owner else ()

    def allows_backchannels(self, name: str) -> bool:
        """Whether a code may be suggested on a backchannel turn ("Yeah.", "Okay."): its own
        `backchannels`, else its nearest ancestor's, else yes."""
        codes = self.by_name()
        code = codes.get(name)
        while code is not None:
            if code.backchannels is not None:
                return code.backchannels
            code = codes.get(code.parent) if code.parent else None
        return True

    def family_of(self, name: str) -> tuple[str | None, str]:
        """The family ("rupture", "repair" or None) of a code, from its root, and its marker
        type: the child of the root on the way down to it (Minimal response -> Withdrawal
        rupture), or the root itself for a code applied at the root."""
        path = self.path(name)
        root = self.by_name()[path[0]]
        return root.family, path[1] if len(path) > 1 else path[0]

    def family_roots(self, family: str) -> list[str]:
        """Root codes that declare `family`."""
        return [c.name for c in self.codes if c.parent is None and c.family == family]

    def path(self, name: str) -> list[str]:
        """Names from the root down to `name`, for display as `Rupture > Withdrawal`."""
        codes = self.by_name()
        out = [name]
        while codes[out[0]].parent:
            out.insert(0, codes[out[0]].parent)
        return out


@dataclass(frozen=True)
class Coder:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Coding:
    """A code applied by a coder to `[start, end)` of a transcript."""

    id: int
    transcript: str
    code: str
    coder: str
    start: int
    end: int
    origin: str = "manual"  # manual | suggestion | import
    memo: str = ""
    suggestion_id: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A typed link from one coding to another of the same coder: `source` `relation` `target`
    ("Meta-communication repairs Minimal response")."""

    id: int
    relation: str
    coder: str
    source: Coding
    target: Coding
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A machine proposal; `explanation` says why in words a coder can read."""

    id: int
    transcript: str
    code: str
    start: int
    end: int
    score: float
    explanation: str
    pipeline_version: str
    status: str = "pending"  # pending | accepted | rejected
