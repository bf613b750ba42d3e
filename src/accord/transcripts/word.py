"""Word .docx transcripts: one paragraph per turn (`Name: text`, label often bold), or a table.

Named `word` so it does not shadow python-docx's `docx` package. Title and metadata
paragraphs before the first turn are skipped and reported in the notes. Tables may be
`speaker | text` or `time | speaker | text`, with or without a header row.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import InputError
from ..limits import verify_archive
from .encoding import decode
from .labels import Label, is_metadata, match_label
from .render import Turn
from .timecodes import parse_timecode

_HEADER_WORDS = frozenset(
    "speaker name role who participant text utterance content transcript line speech "
    "said time timestamp start begin".split()
)


def open_zip_checked(data: bytes, where: Path | str) -> None:
    """Refuse a Word file whose zip members expand beyond `accord.limits`, before python-docx,
    which reads every member whole, opens it."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise InputError(where, f"not a readable .docx (damaged or truncated file: {e})") from None
    with zf:
        verify_archive(zf, str(where))


def _open(data: bytes, file: Path | str):
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputError(file, "old Word 97-2003 .doc or password-protected document: "
                               "open it in Word and save it as .docx")
    if not data.startswith(b"PK") and _looks_like_text(data):
        raise InputError(file, "named .docx but plain text, not a Word file: import it with --format text "
                               "(or rename it to .txt)")
    open_zip_checked(data, file)
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, EOFError, OSError) as e:
        raise InputError(file, f"not a readable .docx (damaged or truncated file: {e})") from None
    except Exception as e:  # lxml errors from a corrupt part
        raise InputError(file, f"not a readable .docx ({type(e).__name__}: {e})") from None


def _looks_like_text(data: bytes) -> bool:
    """Whether the start of a file decodes as a text transcript would (`encoding.decode`): a
    transcript saved under a .docx name, the usual cause of a "Word file" that is no zip."""
    if not data[:4096].strip():
        return False
    try:
        decode(data[:4096], "")
    except InputError:
        return False
    return True


def _label_is_bold(paragraph, offset: int) -> bool:
    """Whether the run holding character `offset` of the paragraph text is bold."""
    seen = 0
    for run in paragraph.runs:
        seen += len(run.text)
        if seen > offset:
            return bool(run.bold or (run.style is not None and run.style.font.bold))
    return False


def _is_time(cell: str) -> bool:
    try:
        parse_timecode(cell.strip("[]()"))
        return True
    except ValueError:
        return False


def _table_turns(table, file, notes: list[str]) -> list[tuple[Label | None, str]]:
    """Turns from a `speaker | text` or `time | speaker | text` table (header row optional)."""
    rows = []
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:  # a merged cell repeats: keep it once
            if not any(cell._tc is tc for tc in seen):
                seen.append(cell._tc)
                cells.append(cell.text.strip())
        if any(cells):
            rows.append(cells)
    if not rows:
        return []
    if all(c.lower().rstrip(":") in _HEADER_WORDS for c in rows[0] if c):
        rows = rows[1:]
    width = max(len(r) for r in rows) if rows else 0
    order = (0, 1)
    if width == 3:
        times = [c for c in (0, 2) if all(_is_time(r[c]) for r in rows if len(r) == 3 and r[c])]
        if not times:
            raise InputError(file, "a 3-column table needs a time column: expected time | speaker | text")
        order = (1, 2) if times[0] == 0 else (0, 1)
    elif width != 2:
        notes.append(f"a table with {width} columns was skipped (expected speaker | text "
                     "or time | speaker | text)")
        return []
    out = []
    for cells in rows:
        if len(cells) != width:
            continue
        seconds = None
        if width == 3:
            stamp = cells[2 if order == (0, 1) else 0]
            seconds = parse_timecode(stamp.strip("[]()")) if stamp else None
        speaker, text = (cells[i] for i in order)
        speaker = " ".join(speaker.rstrip(":").split())
        out.append((Label(speaker, 0, len(text), seconds), text))
    return out


def parse(data: bytes, file: Path | str) -> tuple[list[Turn], list[str]]:
    """Turns of a Word transcript, and notes for the user."""
    from docx.table import Table

    doc = _open(data, file)
    notes: list[str] = []
    items: list[tuple[Label | None, str, bool]] = []  # (label, paragraph text, bold label)
    try:
        for block in doc.iter_inner_content():
            if isinstance(block, Table):
                items += [(lab, text, True) for lab, text in _table_turns(block, file, notes)]
                continue
            text = block.text.replace("\n", " ").replace("\v", " ")
            if not text.strip():
                continue
            try:
                found = match_label(text)
            except ValueError as e:
                raise InputError(file, f"bad timestamp in paragraph {text[:40]!r}: {e}") from None
            bold = found is not None and _label_is_bold(block, found.label_start)
            items.append((found, text, bold))
    except InputError:
        raise
    except Exception as e:
        raise InputError(file, f"not a readable .docx ({type(e).__name__}: {e})") from None

    labelled = [bold for found, _, bold in items if found is not None]
    uses_bold = bool(labelled) and sum(labelled) >= 0.8 * len(labelled)  # bold labels, as a rule
    turns: list[Turn] = []
    skipped: list[str] = []
    for found, text, bold in items:
        if not turns and (found is None or not found.speaker or is_metadata(found.speaker)
                          or (uses_bold and not bold)):
            skipped.append(text.strip())
        elif found is not None and found.speaker:
            said = text[found.text_start : found.text_end]
            turns.append(Turn(found.speaker, said, found.time))
        else:
            turns.append(Turn(turns[-1].speaker, text.strip(), found.time if found else None))
    if not turns:
        raise InputError(file, "no speaker turns found: expected paragraphs like 'Therapist: text' "
                               "or a table of speaker | text")
    if skipped:
        shown = "; ".join(repr(s[:50] + ("..." if len(s) > 50 else "")) for s in skipped[:3])
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        notes.append(f"{len(skipped)} paragraph(s) before the first turn skipped as title/metadata: {shown}{more}")
    return turns, notes
