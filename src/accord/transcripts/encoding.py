"""Turn a file's bytes into text, or say clearly why it is not a text transcript.

Transcripts arrive from Word's "save as text" (UTF-16 or Windows-1252), Excel (UTF-8 with
BOM) and old Windows tools (CRLF or CR line ends). Offsets are counted in the decoded,
LF-normalised text, so this is the one place those differences are removed.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _binary(file: Path | str, why: str) -> InputError:
    return InputError(file, f"not a text transcript ({why}); is it a binary file?")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is NUL, as in BOM-less UTF-16 text."""
    sample = data[:2000]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode(data: bytes, file: Path | str) -> tuple[str, str, list[str]]:
    """Return (text, encoding, notes). Text has no BOM and only LF line ends.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded as such; bytes that
    are not valid UTF-8 fall back to Windows-1252 with a note saying where UTF-8 failed.
    NUL bytes (outside UTF-16) or undecodable bytes raise InputError.
    """
    notes: list[str] = []
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    encoding = None
    for bom, name in boms:
        if data.startswith(bom):
            encoding, data = name, data[len(bom) :]
            break
    if encoding is None and b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise _binary(file, f"NUL byte at byte {data.index(0)}")
        notes.append(f"no byte-order mark; decoded as {encoding.upper()}")
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            raise _binary(file, f"invalid {encoding.upper()} at byte {e.start}") from None
    else:
        encoding = "utf-8"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            try:
                text = data.decode("windows-1252")
            except UnicodeDecodeError:
                raise _binary(file, f"bytes are neither UTF-8 nor Windows-1252 (line {line})") from None
            encoding = "windows-1252"
            notes.append(f"not valid UTF-8 (first bad byte at line {line}); decoded as Windows-1252")
    controls = len(_CONTROL.findall(text, 0, 100_000))
    if controls > max(2, len(text[:100_000]) // 100):
        raise _binary(file, f"{controls} control characters")
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalise_newlines(text), encoding, notes
