"""Read transcripts in the formats researchers bring, into `accord.model.Transcript`.

    from accord.transcripts import read_transcript
    t = read_transcript("session01.txt", roles={"T": "therapist", "C": "client"})

Plain-text and Otter-style files are stored as they are (offsets match the file);
Word, VTT, SRT and CSV are rendered one turn per line as `Speaker: text`. Every bad file
raises `accord.errors.InputError` naming the file (and line, where there is one).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..limits import MAX_UTTERANCE_CHARS, check_line_lengths, read_bounded
from ..model import Transcript
from . import otter, plaintext, subtitles, table, word
from .detect import FORMATS, detect_binary, detect_format, normalise
from .encoding import decode
from .render import render
from .roles import assign_roles, guess_roles, parse_roles

__all__ = ["FORMATS", "detect_format", "guess_roles", "parse_roles", "read_transcript"]


def read_transcript(
    path,
    *,
    format: str | None = None,
    name: str | None = None,
    roles: dict[str, str] | None = None,
    columns: dict[str, str] | None = None,
) -> Transcript:
    """Read one transcript file; `format` is detected from content and extension when None.

    `roles` maps speaker labels to roles and overrides the guesses of `guess_roles`;
    `columns` names the CSV/TSV columns (keys speaker, text, start, end).
    """
    path = Path(path)
    try:
        data = read_bounded(path)  # refused by size before it is read: see accord.limits
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a transcript file") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if not data.strip():
        raise InputError(path, "file is empty" if not data else "file is empty (only whitespace)")

    fmt = normalise(format, path) if format else detect_binary(path, data[:4096])
    encoding, notes = "utf-8", []
    if fmt == "docx":
        turns, notes = word.parse(data, path)
        text, utterances = render(turns)
    else:
        text, encoding, notes = decode(data, path)
        del data
        check_line_lengths(text, path)
        if not text.strip():
            raise InputError(path, "file is empty (only whitespace)")
        fmt = fmt or detect_format(path, text)
        if fmt in ("text", "otter"):
            utterances, more = (plaintext if fmt == "text" else otter).parse(text, path)
        else:
            if fmt == "csv":
                turns, more = table.parse(text, path, columns)
            else:
                turns, more = subtitles.parse(text, fmt, path)
            text, utterances = render(turns)
        notes = notes + more
    if not utterances:
        raise InputError(path, "no turns with text found")
    _check_utterances(path, fmt, text, utterances)

    transcript = Transcript(name=name or path.stem, text=text, utterances=utterances, format=fmt,
                            source=str(path), encoding=encoding, notes=notes)
    transcript.roles, role_notes = assign_roles(transcript.speakers, roles)
    transcript.notes += role_notes
    return transcript


def _check_utterances(path: Path, fmt: str, text: str, utterances) -> None:
    """Refuse an utterance longer than MAX_UTTERANCE_CHARS (a file not split into turns)."""
    for u in utterances:
        if u.end - u.start > MAX_UTTERANCE_CHARS:
            line = text.count("\n", 0, u.start) + 1 if fmt in ("text", "otter") else None
            who = f" ({u.speaker})" if u.speaker else ""
            raise InputError(path, f"utterance {u.number}{who} is {u.end - u.start:,} characters long; accord "
                                   f"takes at most {MAX_UTTERANCE_CHARS:,} per utterance: is the file split into "
                                   "speaker turns?", line=line)
