"""Finding and reading a REFI text source's plain text inside a `.qdpx`.

Tools refer to source files as `internal://GUID.txt` (the spec), as paths relative to the
archive or as absolute paths on the author's machine; some ship only the rich `.docx`.
Selections count characters of the plain text, so the text is decoded exactly, never
cleaned up, except for CRLF line ends, which `positions.crlf_map` accounts for.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from ..errors import InputError
from ..limits import ArchiveBudget


class Archive:
    """A `.qdpx` zip, with members found by the loose references tools write."""

    def __init__(self, zf: zipfile.ZipFile, where: str):
        self.zf = zf
        self.where = where
        self.budget = ArchiveBudget(zf, where)
        self.names = {n.lower(): n for n in zf.namelist() if not n.endswith("/")}

    def find(self, ref: str) -> str | None:
        ref = ref.strip()
        if ref.lower().startswith("internal://"):
            ref = "sources/" + ref[len("internal://"):]
        elif ref.lower().startswith("file://"):
            ref = ref[len("file://"):]
        ref = ref.replace("\\", "/").lstrip("/")
        base = PureWindowsPath(ref).name if "\\" in ref else PurePosixPath(ref).name
        for candidate in (ref, f"sources/{ref}", f"sources/{base}", base):
            if candidate.lower() in self.names:
                return self.names[candidate.lower()]
        return None

    def read(self, member: str) -> bytes:
        """The member's bytes, within `accord.limits` (declared and actual size, ratio, total)."""
        try:
            return self.budget.read(member)
        except InputError:
            raise
        except Exception as e:  # anything else a damaged archive raises
            raise InputError(f"{self.where} ({member})", f"damaged archive member: {e}") from None


def decode_text(data: bytes, where: str, notes: list[str]) -> str:
    """Plain text as the authoring tool counted it: BOM dropped, nothing else changed."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as e:
                raise InputError(where, f"not valid {encoding} text at byte {e.start + len(bom)}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if b"\x00" in data:
            raise InputError(where, "not a text file (contains NUL bytes)") from None
        notes.append(f"{where}: not valid UTF-8 (byte {e.start}); read as Windows-1252")
        return data.decode("cp1252", errors="replace")


def docx_text(data: bytes, where: str) -> str:
    """The plain text of a Word source as tools derive it: paragraphs joined by line breaks."""
    import docx  # python-docx

    from ..transcripts.word import open_zip_checked

    open_zip_checked(data, where)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # a damaged .docx raises zip, KeyError or lxml errors
        raise InputError(where, f"not a readable .docx ({type(e).__name__}: {e})") from None
    return "\n".join(p.text for p in document.paragraphs)
