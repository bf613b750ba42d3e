"""Which reader a file needs, from its extension and content.

Content wins for `.txt` and unknown extensions (a `.txt` can hold VTT or Otter text);
the extension wins for `.vtt`, `.srt`, `.csv`/`.tsv` and `.docx`, so a damaged file gets
that format's error instead of "unknown format".
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .labels import is_metadata, match_label
from .otter import count_headers
from .table import CANDIDATES

FORMATS = ("text", "otter", "docx", "vtt", "srt", "csv")
ALIASES = {"txt": "text", "plain": "text", "tsv": "csv", "word": "docx", "webvtt": "vtt"}

_BY_EXTENSION = {".vtt": "vtt", ".srt": "srt", ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".docx": "docx"}
_TEXT_EXTENSIONS = {"", ".txt", ".text", ".md", ".transcript"}
_READS = ".txt, .docx, .vtt, .srt, .csv or .tsv"
_UNSUPPORTED = {
    ".pdf": "PDF", ".doc": "old Word .doc", ".rtf": "RTF", ".odt": "OpenDocument", ".pages": "Pages",
    ".xlsx": "Excel", ".xls": "Excel", ".ods": "OpenDocument spreadsheet", ".json": "JSON",
    ".mp3": "audio", ".wav": "audio", ".m4a": "audio", ".mp4": "video", ".mov": "video", ".zip": "zip",
}
_MAGIC = ((b"%PDF", "PDF"), (b"{\\rtf", "RTF"), (b"\xd0\xcf\x11\xe0", "old Word .doc (or a password-protected document)"))
_SRT_START = re.compile(r"\s*\d+\s*\n[^\n]*-->")


def unsupported(path: Path, what: str) -> InputError:
    return InputError(path, f"unsupported file type ({what}): accord reads {_READS}; "
                            "export the transcript to one of these")


def normalise(fmt: str, path: Path) -> str:
    name = ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise InputError(path, f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return name


def detect_binary(path: Path, head: bytes) -> str | None:
    """'docx' for a Word file, None for anything to be decoded as text; raises for the rest."""
    suffix = path.suffix.lower()
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise unsupported(path, what)
    if suffix == ".docx" or (head.startswith(b"PK\x03\x04") and b"word/" in head[:4096]):
        return "docx"
    if suffix in _UNSUPPORTED:
        raise unsupported(path, _UNSUPPORTED[suffix])
    if head.startswith(b"PK\x03\x04"):
        raise unsupported(path, "a zip archive that is not a Word document")
    return None


def _looks_like_table(first_line: str) -> bool:
    cells = [c.strip().strip('"').lower() for c in re.split(r"[,\t;]", first_line)]
    return len(cells) >= 2 and any(c in CANDIDATES["text"] for c in cells)


def _count_labels(lines: list[str]) -> int:
    n = 0
    for line in lines:
        try:
            found = match_label(line)
        except ValueError:
            continue
        n += found is not None and not is_metadata(found.speaker)
    return n


def detect_format(path, text_or_none: str | None) -> str:
    """One of FORMATS for `path`; `text_or_none` is its decoded text (None: look at bytes)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if text_or_none is None:
        with open(path, "rb") as f:
            head = f.read(4096)
        fmt = detect_binary(path, head)
        if fmt is not None or suffix in _BY_EXTENSION:
            return fmt or _BY_EXTENSION[suffix]
        from ..limits import read_bounded
        from .encoding import decode

        text_or_none = decode(read_bounded(path), path)[0]
    if suffix in _UNSUPPORTED:
        raise unsupported(path, _UNSUPPORTED[suffix])
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    text = text_or_none.lstrip()
    if text.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(text[:500]):
        return "srt"
    if _looks_like_table(text.split("\n", 1)[0]):
        return "csv"
    lines = text.split("\n", 200)[:200]  # enough to decide; parsing reads the rest
    otter = count_headers(lines)
    if not otter and suffix in _TEXT_EXTENSIONS:
        return "text"  # the plain-text reader says so clearly if there are no turns
    labels = _count_labels(lines)
    if otter and otter >= labels:
        return "otter"
    if labels or suffix in _TEXT_EXTENSIONS:
        return "text"  # a .txt without turns gets the plain-text reader's clear error
    raise InputError(path, f"unknown format: no speaker turns, captions or table found; accord reads {_READS}")
