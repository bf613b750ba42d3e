"""CSV/TSV transcripts: a header row, one row per turn, found by common column names.

Column names differ by tool (Speaker/Role/Name, Text/Utterance/Content...), so they are
matched case-insensitively from a list, and `columns` overrides the guess.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..coding_table import is_coding_table
from ..errors import InputError
from .render import Turn
from .timecodes import parse_timecode

CANDIDATES = {
    "speaker": ("speaker", "speaker_name", "speaker_label", "role", "name", "participant", "who"),
    "text": ("text", "utterance", "utterance_text", "content", "transcript", "line", "speech", "said"),
    "start": ("start", "start_time", "begin", "timestamp", "time", "start_seconds", "in"),
    "end": ("end", "end_time", "stop", "end_seconds", "out"),
}


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _delimiter(first_line: str, file: Path | str) -> str:
    if str(file).lower().endswith((".tsv", ".tab")):
        return "\t"
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _columns(header: list[str], columns: dict | None, file) -> dict[str, int]:
    keys = [_key(h) for h in header]
    available = ", ".join(repr(h) for h in header)
    found: dict[str, int] = {}
    for role, names in CANDIDATES.items():
        for name in names:
            if name in keys:
                found[role] = keys.index(name)
                break
    for role, name in (columns or {}).items():
        if role not in CANDIDATES:
            raise InputError(file, f"unknown column key {role!r}: use speaker, text, start or end")
        if _key(name) not in keys:
            raise InputError(file, f"no column {name!r} for {role} (columns: {available})", line=1)
        found[role] = keys.index(_key(name))
    if "text" not in found:
        raise InputError(
            file,
            f"no text column: expected one named {', '.join(CANDIDATES['text'])} "
            f"(columns: {available}); choose one with --columns text=NAME",
            line=1,
        )
    return found


def parse(text: str, file: Path | str, columns: dict | None = None) -> tuple[list[Turn], list[str]]:
    """Turns of a CSV/TSV transcript, and notes for the user."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0], file))
    try:
        header = next(reader)
        if columns is None and is_coding_table(header):
            raise InputError(
                file,
                f"this is a table of codings (columns {', '.join(h.strip() for h in header)}), not a transcript: "
                f"import it with `accord codings import {Path(str(file)).name} --coder NAME`",
                line=1,
            )
        at = _columns(header, columns, file)
        turns, notes = [], []
        for row in reader:
            if not any(value.strip() for value in row):
                continue
            cell = {role: row[i].strip() if i < len(row) else "" for role, i in at.items()}
            times = []
            for role in ("start", "end"):
                try:
                    times.append(parse_timecode(cell[role]) if cell.get(role) else None)
                except ValueError:
                    raise InputError(file, f"bad {role} time: {cell[role]!r} is not a time (expected h:mm:ss, m:ss or seconds)", line=reader.line_num) from None
            turns.append(Turn(cell.get("speaker", ""), cell.get("text", ""), *times))
    except csv.Error as e:
        raise InputError(file, f"malformed CSV: {e}", line=reader.line_num) from None
    if "speaker" not in at:
        notes.append(f"no speaker column (columns: {', '.join(header)}): utterances have no speaker")
    if not any(t.text for t in turns):
        raise InputError(file, "no rows with text")
    return turns, notes
