"""Read a table of codings (CSV) into spans the store can apply.

A person writing or checking a reference coding by hand thinks in turns and quotes, not
code-point offsets, so each row names a transcript, a 1-based utterance number, a code and
optionally the exact words coded (`text`; empty means the whole utterance). Rows may give
`start`/`end` offsets instead, as a program exporting codings would. An optional `coder`
column lets one table hold several coders' codings (for example a multi-annotator corpus).

    transcript,utterance,code,text,memo
    session01_cbt_panic,14,Minimal response,I guess,"short, flat answer"
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import InputError
from .table_input import read_table_text
from .model import Transcript


def is_coding_table(columns) -> bool:
    """Whether a table's header names the columns of a coding table (transcript, code, and
    utterance or start and end), so a transcript importer can tell one apart."""
    names = {c.strip().lower() for c in columns}
    return {"transcript", "code"} <= names and ("utterance" in names or {"start", "end"} <= names)


def read_coding_table(
    path: str | Path, transcripts: dict[str, Transcript], codes: set[str], default_coder: str | None = None
) -> list[dict]:
    """Rows as dicts with transcript, code, start, end, memo, line (the file's line number; and
    coder, when the table has a coder column); every problem names its line."""
    path = Path(path)
    text, dialect = read_table_text(path, "coding table")
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not is_coding_table(columns):
        raise InputError(
            path,
            "expected columns transcript, code and either utterance (with optional text) or start and end; "
            f"found {', '.join(sorted(columns)) or 'none'}",
            1,
        )
    lower = {c.lower(): c for c in codes}
    rows = []
    for line_no, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else v for k, v in raw.items()}
        if not any(row.values()):
            continue
        name = row.get("transcript", "")
        if name not in transcripts:
            raise InputError(path, f"no transcript named {name!r} in the project", reader.line_num)
        code = lower.get(row.get("code", "").lower())
        if code is None:
            raise InputError(path, f"code {row.get('code')!r} is not in the project's codebook", reader.line_num)
        start, end = _span(path, reader.line_num, row, transcripts[name])
        rows.append({"transcript": name, "code": code, "start": start, "end": end, "memo": row.get("memo") or "",
                     "line": reader.line_num})
        if "coder" in columns:  # several coders in one table; an empty cell means `default_coder`
            coder = row.get("coder") or default_coder
            if not coder:
                raise InputError(
                    path, "no coder on this row: fill in the coder column (or give --coder NAME for such rows)", reader.line_num
                )
            rows[-1]["coder"] = coder
    return rows


def _span(path: Path, line: int, row: dict, transcript: Transcript) -> tuple[int, int]:
    if row.get("utterance"):
        try:
            number = int(row["utterance"])
            u = transcript.utterances[number - 1]
            if number < 1:
                raise IndexError
        except (ValueError, IndexError):
            raise InputError(
                path,
                f"utterance {row['utterance']!r} does not exist in {transcript.name!r} "
                f"(1..{len(transcript.utterances)})",
                line,
            ) from None
        quote = row.get("text") or ""
        if not quote:
            return u.start, u.end
        at = transcript.text.find(quote, u.start, u.end)
        if at < 0:
            raise InputError(path, f"text {quote!r} is not in utterance {number} of {transcript.name!r}", line)
        return at, at + len(quote)
    try:
        start, end = int(row["start"]), int(row["end"])
    except (KeyError, ValueError):
        raise InputError(path, "start and end must be whole numbers", line) from None
    if not 0 <= start < end <= len(transcript.text):
        raise InputError(path, f"span [{start}, {end}) is outside {transcript.name!r} (0..{len(transcript.text)})", line)
    return start, end
