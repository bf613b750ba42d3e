"""Limits on input files, so that a hostile or broken file is refused quickly and cheaply.

Transcripts, codebooks and REFI-QDA files come from other people's machines. Without limits
a 2.4 MB Word file whose `word/document.xml` expands to 1 GB (a "zip bomb") ran for minutes
at 2.7 GB, and a 100 MB text file without line breaks became one 20.9-million-word
utterance. Each limit below is far above anything a real session produces, and each refusal
is an `InputError` naming the file (and archive member or line), so the CLI exits with
status 2 and the project is not touched.

The values, and why they are generous:

- `MAX_TRANSCRIPT_BYTES`, 50 MB, for a transcript file of any format, checked with `stat`
  before reading (and again while reading, for files that grow or are not regular files).
  A 3-hour session is about 27,000 words: about 0.2 MB of UTF-8 text, 0.5 MB as UTF-16,
  1 MB as VTT with its cue timings, well under 1 MB as Word. 50 MB is a hundred times that
  and still bounds what one import holds in memory.
- `MAX_UTTERANCE_CHARS`, 50,000 characters for one utterance (and one line of a text-based
  file): about 8,000 words, nearly an hour of one person talking at 150 words a minute
  without a single interjection, which no therapy session or interview has. A file that
  exceeds it is not split into turns (no line breaks, or one speaker label at the top).
  Caption cues of one speaker are joined into one turn only up to this length.
- `MAX_CODEBOOK_BYTES`, 2 MB for a YAML codebook: the shipped alliance codebook, 23 codes
  with definitions, examples and patterns, is 73 KB. (YAML aliases are refused in
  `accord.codebook`: nested ones expand without bound.)
- Zip archives (`.docx`, and `.qdpx` with the Word files it may hold) are checked member by
  member, first against the sizes the zip directory declares and then against the bytes
  actually decompressed, since a crafted header can lie: at most `MAX_MEMBER_BYTES`
  (64 MB) per member and `MAX_ARCHIVE_BYTES` (256 MB) for all members read from one archive,
  and a member over 1 MB may not expand more than `MAX_RATIO` (100) times its compressed
  size. Word's own XML compresses 5-30 times (its 350 KB styles part about 30); deflate
  cannot exceed about 1,030, which is what bombs use. A real transcript's
  `word/document.xml` is 2-5 MB; a `.qdpx`'s `project.qde` a few MB per thousand codings.
  Only members accord reads count: a `.qdpx` may carry large videos it never opens.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
import zlib
from pathlib import Path

from .errors import InputError

MB = 1024 * 1024
MAX_TRANSCRIPT_BYTES = 50 * MB
MAX_UTTERANCE_CHARS = 50_000
MAX_CODEBOOK_BYTES = 2 * MB
MAX_MEMBER_BYTES = 64 * MB
MAX_ARCHIVE_BYTES = 256 * MB
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB  # small members (Word's styles part) may compress better than MAX_RATIO

_CHUNK = 1 * MB


def _mb(n: int) -> str:
    if n < MB // 10:
        return f"{n / 1024:.1f} KB"
    return f"{n / MB:.1f} MB" if n < 10 * MB else f"{n // MB:,} MB"


def read_bounded(path: Path, limit: int = MAX_TRANSCRIPT_BYTES, what: str = "transcript") -> bytes:
    """The bytes of `path`, refused with InputError if it is larger than `limit`.

    The size is checked with `stat` before anything is read, then reading stops at
    `limit` + 1 bytes, so a growing file or a device (`/dev/zero`) is refused too.
    """
    path = Path(path)
    too_big = f"file is too large for a {what}: the limit is {_mb(limit)} (see 'Limits on input' in docs/reliability.md)"
    info = path.stat()  # OSError (not found, a folder...) is the caller's to word
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if info.st_size > limit:
        raise InputError(path, f"{too_big}; it has {_mb(info.st_size)}")
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputError(path, too_big)
    return data


def check_line_lengths(text: str, file, limit: int = MAX_UTTERANCE_CHARS) -> None:
    """Refuse text with a line longer than `limit` characters, naming the line."""
    if len(text) <= limit:
        return
    start, lineno, n = 0, 1, len(text)
    find = text.find
    while start < n:
        end = find("\n", start)
        if end < 0:
            end = n
        if end - start > limit:
            raise InputError(file, f"line is {end - start:,} characters long; accord takes at most {limit:,} "
                                   "characters per line or utterance: is the file split into speaker turns?",
                             line=lineno)
        start, lineno = end + 1, lineno + 1


# --- zip archives -------------------------------------------------------------------------------


def _member_where(where: str, name: str) -> str:
    return f"{where} ({name})"


def check_member(info: zipfile.ZipInfo, where: str) -> None:
    """Refuse a member whose declared size or compression ratio is beyond the limits."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(_member_where(where, info.filename),
                         f"archive member expands to {_mb(info.file_size)}, over the limit of "
                         f"{_mb(MAX_MEMBER_BYTES)} per member: refused as a possible zip bomb")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise InputError(_member_where(where, info.filename),
                         f"archive member expands {ratio:,.0f} times ({_mb(info.compress_size)} to "
                         f"{_mb(info.file_size)}), over the limit of {MAX_RATIO} times: refused as a "
                         "possible zip bomb")


def check_archive(zf: zipfile.ZipFile, where: str) -> None:
    """Check every member's declared size, and their total, before anything is decompressed."""
    total = 0
    for info in zf.infolist():
        check_member(info, where)
        total += info.file_size
    if total > MAX_ARCHIVE_BYTES:
        raise InputError(where, f"archive members expand to {_mb(total)} in all, over the limit of "
                                f"{_mb(MAX_ARCHIVE_BYTES)}: refused as a possible zip bomb")


class ArchiveBudget:
    """Reads members of one zip within the limits; every read counts against one total."""

    def __init__(self, zf: zipfile.ZipFile, where: str, total: int = MAX_ARCHIVE_BYTES):
        self.zf = zf
        self.where = where
        self.left = total

    def read(self, name: str | zipfile.ZipInfo, keep: bool = True) -> bytes:
        """The member's bytes, decompressed in chunks and refused as soon as a limit is passed.

        The declared size is checked first, then the bytes actually decompressed, since a
        header may lie (zipfile itself stops at the declared size and reports a bad CRC).
        With `keep=False` the bytes are only counted, not kept.
        """
        info = name if isinstance(name, zipfile.ZipInfo) else self.zf.getinfo(name)
        here = _member_where(self.where, info.filename)
        check_member(info, self.where)
        if info.file_size > self.left:
            raise InputError(here, f"archive members read expand to over {_mb(MAX_ARCHIVE_BYTES)} in all: "
                                   "refused as a possible zip bomb")
        limit = min(info.file_size, self.left, max(RATIO_FLOOR, MAX_RATIO * max(info.compress_size, 1)))
        parts, size = [], 0
        try:
            with self.zf.open(info) as f:
                while chunk := f.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise InputError(here, f"archive member expands to more than its header says "
                                               f"({_mb(info.file_size)}): refused as a possible zip bomb")
                    if keep:
                        parts.append(chunk)
        except InputError:
            raise
        except zipfile.BadZipFile as e:  # a bad CRC: what zipfile found is not what the header says
            raise InputError(here, f"damaged archive member, its data does not match its header ({e}): "
                                   "a damaged or crafted file") from None
        except (zipfile.LargeZipFile, OSError, RuntimeError, EOFError, NotImplementedError, zlib.error) as e:
            raise InputError(here, f"damaged archive member: {e}") from None
        self.left -= size
        return b"".join(parts)


def verify_archive(zf: zipfile.ZipFile, where: str) -> None:
    """`check_archive`, then decompress every member (and discard it) within the limits.

    For readers that open the zip themselves (python-docx): once this passes, no member
    expands beyond what was checked, whatever its header says.
    """
    check_archive(zf, where)
    budget = ArchiveBudget(zf, where)
    for info in zf.infolist():
        if not info.is_dir():
            budget.read(info, keep=False)
