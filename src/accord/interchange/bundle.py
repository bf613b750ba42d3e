"""What one REFI-QDA file holds, in accord's terms, checked and ready to store.

A plain value with no I/O, so reading a file and storing it are separate steps: everything
is checked before `Project.import_bundle` opens a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Codebook, Transcript


@dataclass
class Bundle:
    name: str
    source: str
    codebook: Codebook | None = None
    code_guids: dict[str, str] = field(default_factory=dict)  # code name -> guid
    coders: list[tuple[str, str | None]] = field(default_factory=list)  # (name, guid)
    transcripts: list[tuple[Transcript, str | None, str | None]] = field(default_factory=list)  # (t, guid, created)
    # dicts with guid, transcript, code, coder, start, end, memo, created_at
    codings: list[dict] = field(default_factory=list)
    # dicts with transcript, utterance (None: whole transcript), coder, text, created_at
    memos: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was tolerated or left out, for the user
    description: str = ""  # the project's description
    # journal entries (notes on the project as a whole): dicts with guid, title, text, coder, created_at
    project_notes: list[dict] = field(default_factory=list)
    # session and participant variables: dicts with guid, name, type, categories, of, description
    variables: list[dict] = field(default_factory=list)
    variable_values: list[tuple[str, str, str]] = field(default_factory=list)  # (variable, transcript or case, value)
    # cases: dicts with guid, name, description, members [(transcript, speaker or None)]
    cases: list[dict] = field(default_factory=list)
    # links between two codings: dicts with guid, relation, source and target (the codings' guids)
    links: list[dict] = field(default_factory=list)
    # ratings on the codebook's rating scales (from accord's extras): dicts with transcript,
    # scale, segment, coder, value, created_at, updated_at
    ratings: list[dict] = field(default_factory=list)
    # what the file holds that accord did not import, by kind -> how many (`--strict` refuses any)
    lost: dict[str, int] = field(default_factory=dict)
