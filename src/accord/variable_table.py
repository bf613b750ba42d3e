"""Reading a CSV of session or participant variables, checked in full before anything is stored.

The format (docs/variables-and-ratings.md, "Variables and cross-tabs"):
- the first column is `transcript` (one row per transcript: session variables) or `case` (one
  row per case, a person across sessions: participant variables);
- every other column is a variable, headed `name` or `name:type` with type text, number,
  date (YYYY-MM-DD) or category. A new variable without a type is a number if every filled
  cell is one, a date if every one is a date, else text; a new category variable takes its
  categories from the column, in order of first appearance. A variable already in the project
  keeps its type, and its cells are checked against it;
- in a case file, `speaker` and `transcripts` (names separated by `;`) say whose turns are the
  case's: that speaker in those transcripts, or the whole transcripts when `speaker` is empty;
- an empty cell means not set (a value set before is cleared);
- cells are separated by commas, or by semicolons or tabs when the header has no comma (as
  Excel writes CSV in many European locales); empty columns at the edge are ignored.
Every problem names the file and line; nothing is stored unless the whole file is good.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .variables import TYPES, ValueProblem, canonical, infer_type

if TYPE_CHECKING:
    from .store import Project

MEMBER_COLUMNS = ("speaker", "transcripts")


@dataclass
class VariableTable:
    kind: str  # transcript | case
    new_variables: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (name, type, categories)
    new_cases: list[str] = field(default_factory=list)
    members: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)  # (case, members)
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)  # (variable, owner, value)


def read_variable_table(path: Path, project: Project) -> VariableTable:
    """Parse and check `path` against the project (read only); InputError names file and line."""
    from .transcripts.encoding import decode

    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    text = decode(data, path)[0]
    first = text.split("\n", 1)[0]
    # Excel in many European locales writes `;` between cells (and some tools a tab)
    delimiter = "," if "," in first else max(";\t", key=first.count) if (";" in first or "\t" in first) else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as e:
        raise InputError(path, f"not a readable CSV table: {e}") from None
    lines = _line_numbers(text, rows, delimiter)
    rows = _drop_empty_columns(rows)
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError(path, "empty: the first line must be a header (transcript or case, then variable names)", 1)
    header = [c.strip() for c in rows[0]]
    kind = header[0].casefold()
    if kind not in ("transcript", "case"):
        raise InputError(path, f"the first column must be headed 'transcript' (session variables) or 'case' "
                               f"(participant variables), not {header[0]!r}", 1)
    table = VariableTable(kind=kind)
    columns = _columns(path, header, kind, project)
    body = [(lines[i], r) for i, r in enumerate(rows) if i > 0 and any(c.strip() for c in r)]
    for line, r in body:
        if len(r) != len(header):
            raise InputError(path, f"{len(r)} cells, but the header has {len(header)} columns", line)
    transcripts = {t["name"]: t for t in project.transcripts()}
    seen: dict[str, int] = {}
    for line, r in body:
        owner = r[0].strip()
        if not owner:
            raise InputError(path, f"the {kind} column is empty", line)
        if owner in seen:
            raise InputError(path, f"{kind} {owner!r} appears twice (first on line {seen[owner]})", line)
        seen[owner] = line
        if kind == "transcript" and owner not in transcripts:
            known = ", ".join(list(transcripts)[:10]) + (", ..." if len(transcripts) > 10 else "")
            raise InputError(path, f"no transcript named {owner!r} in the project (transcripts: {known or 'none yet'})", line)
        if kind == "case" and not project.has_case(owner):
            table.new_cases.append(owner)
    for j, (name, vtype, categories, role) in columns.items():
        cells = [(line, r[0].strip(), r[j].strip()) for line, r in body]
        if role == "member":
            continue
        if vtype is None:  # new, untyped: read the column
            vtype = infer_type([c for _, _, c in cells])
        if vtype == "category" and categories is None:  # new category variable
            categories = list(dict.fromkeys(c for _, _, c in cells if c))
        if role == "new":
            table.new_variables.append((name, vtype, categories or []))
        for line, owner, cell in cells:
            try:
                value = canonical(vtype, cell, categories) if cell else None
            except ValueProblem as e:
                raise InputError(path, f"{name}: {e}", line) from None
            table.changes.append((name, owner, value))
    if kind == "case":
        table.members = _members(path, header, body, transcripts, project)
    return table


def _columns(path: Path, header: list[str], kind: str, project: Project) -> dict[int, tuple]:
    """Column index -> (variable name, type or None, categories or None, role: new | known | member)."""
    known = {v["name"]: v for v in project.variables()}
    out, names = {}, {}
    for j, cell in enumerate(header[1:], start=1):
        name, _, vtype = cell.partition(":")
        name, vtype = name.strip(), vtype.strip().casefold() or None
        if not name:
            raise InputError(path, f"column {j + 1} has no name", 1)
        if name in names:
            raise InputError(path, f"column {name!r} appears twice (columns {names[name] + 1} and {j + 1})", 1)
        names[name] = j
        if kind == "case" and name.casefold() in MEMBER_COLUMNS and vtype is None:
            out[j] = (name.casefold(), None, None, "member")
            continue
        if vtype is not None and vtype not in TYPES:
            raise InputError(path, f"column {cell!r}: unknown type {vtype!r}; choose {', '.join(TYPES)}", 1)
        if name in known:
            v = known[name]
            if v["applies_to"] != kind:
                raise InputError(path, f"variable {name!r} belongs to {v['applies_to']}s, not {kind}s "
                                       f"(a {kind} file holds {kind} variables)", 1)
            if vtype is not None and vtype != v["type"]:
                raise InputError(path, f"variable {name!r} is a {v['type']} variable, not {vtype}", 1)
            out[j] = (name, v["type"], v["categories"], "known")
        else:
            out[j] = (name, vtype, None, "new")
    return out


def _members(path, header, body, transcripts, project: Project) -> list[tuple[str, list[tuple[str, str | None]]]]:
    columns = {h.strip().casefold(): j for j, h in enumerate(header) if h.strip().casefold() in MEMBER_COLUMNS}
    if "transcripts" not in columns:
        if "speaker" in columns:
            raise InputError(path, "a 'speaker' column needs a 'transcripts' column saying in which transcripts", 1)
        return []
    out, taken = [], {}
    for line, r in body:
        names = [n.strip() for n in r[columns["transcripts"]].split(";") if n.strip()]
        speaker = r[columns["speaker"]].strip() or None if "speaker" in columns else None
        members = []
        for n in names:
            if n not in transcripts:
                raise InputError(path, f"no transcript named {n!r} in the project", line)
            if speaker is not None and speaker not in transcripts[n]["speakers"]:
                raise InputError(path, f"no speaker {speaker!r} in transcript {n!r} "
                                       f"(speakers: {', '.join(transcripts[n]['speakers'])})", line)
            if (n, speaker) in taken:
                raise InputError(path, f"{speaker or 'the whole transcript'} in {n!r} is already case "
                                       f"{taken[(n, speaker)][0]!r} on line {taken[(n, speaker)][1]}", line)
            taken[(n, speaker)] = (r[0].strip(), line)
            members.append((n, speaker))
        if members:
            out.append((r[0].strip(), members))
    owner_of = project.case_of()
    for case, members in out:
        for m in members:
            if owner_of.get(m) not in (None, case):
                line = taken[m][1]
                raise InputError(path, f"{m[1] or 'the whole transcript'} in {m[0]!r} already belongs to case "
                                       f"{owner_of[m]!r}", line)
    return out


def _drop_empty_columns(rows: list[list[str]]) -> list[list[str]]:
    """Without columns that have no header and no cell filled (spreadsheets leave them at the
    right-hand edge)."""
    if not rows:
        return rows
    width = max(len(r) for r in rows)
    empty = {j for j in range(width) if not any(j < len(r) and r[j].strip() for r in rows)}
    if not empty or len(empty) == width:
        return rows
    return [[c for j, c in enumerate(r) if j not in empty] for r in rows]


def _line_numbers(text: str, rows: list[list[str]], delimiter: str) -> list[int]:
    """The line each parsed row starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, line = [], 1
    for _ in rows:
        out.append(line)
        next(reader)
        line = reader.line_num + 1
    return out


def store_variable_table(project: Project, table: VariableTable, source: str, coder: str | None = None) -> int:
    """Store a checked table in one transaction; returns how many values changed. With a
    coder, their undo takes the values back (new variables and cases stay, empty)."""
    with project.transaction():
        for name, vtype, categories in table.new_variables:
            project.define_variable(name, table.kind, vtype, categories)
        for case in table.new_cases:
            project.add_case(case)
        for case, members in table.members:
            project.add_case_members(case, members)
        return project.set_values(table.changes, source=source, coder=coder)
