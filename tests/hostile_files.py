"""Makers of hostile input files, for tests/test_hostile_input.py and bench/hostile.py.

Zip bombs are written by hand: a member of N MB of one repeated byte is the same ~1 KB
deflate block (flushed so that it refers to nothing before it) repeated N times, so a file
expanding to 1 GB costs about 1 MB and a fraction of a second to write, with a correct CRC.
`declared` makes the zip's headers lie about a member's size.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

MB = 1024 * 1024

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
).encode()
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
).encode()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class Repeat:
    """A member of `head`, `mb` MB of `fill`, then `tail`, deflated without holding it whole."""

    def __init__(self, mb: int, head: bytes = b"", fill: bytes = b" ", tail: bytes = b""):
        self.mb, self.head, self.fill, self.tail = mb, head, fill, tail

    def deflate(self) -> tuple[bytes, int, int]:
        """(raw deflate data, crc32, size)."""
        block = (self.fill * (MB // len(self.fill) + 1))[:MB]
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = c.compress(self.head) + c.flush(zlib.Z_FULL_FLUSH)
        one = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = one.compress(block) + one.flush(zlib.Z_FULL_FLUSH)  # refers to nothing before it
        crc = zlib.crc32(self.head)
        for _ in range(self.mb):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(self.tail, crc)
        end = zlib.compressobj(9, zlib.DEFLATED, -15)
        tail = end.compress(self.tail) + end.flush(zlib.Z_FINISH)
        return head + body * self.mb + tail, crc, len(self.head) + self.mb * MB + len(self.tail)


def write_zip(path: Path, members: dict[str, bytes | Repeat], declared: dict[str, int] | None = None,
              stored: tuple[str, ...] = ()) -> Path:
    """A zip of `members`, deflated except those named in `stored`; `declared` overrides the
    size its headers give a member."""
    out, central = bytearray(), bytearray()
    for name, content in members.items():
        method = 0 if name in stored else 8
        if isinstance(content, Repeat):
            data, crc, size = content.deflate()
        elif method == 0:
            data, crc, size = content, zlib.crc32(content), len(content)
        else:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            data, crc, size = c.compress(content) + c.flush(), zlib.crc32(content), len(content)
        size = (declared or {}).get(name, size)
        raw = name.encode()
        offset = len(out)
        fields = (20, 0, method, 0, 0x21, crc, len(data), size, len(raw))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + raw
    n = len(members)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), len(out), 0)
    path.write_bytes(bytes(out))
    return path


def docx_bomb(path: Path, mb: int = 1024, declared: int | None = None) -> Path:
    """A Word file whose `word/document.xml` expands to `mb` MB (of spaces inside a paragraph)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    members = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS, "word/document.xml": Repeat(mb, head, tail=tail)}
    return write_zip(path, members, {"word/document.xml": declared} if declared is not None else None)


def qdpx_bomb(path: Path, mb: int = 1024, declared: int | None = None) -> Path:
    """A REFI-QDA project whose `project.qde` expands to `mb` MB."""
    head = b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
    members = {"project.qde": Repeat(mb, head, tail=b"</Project>")}
    return write_zip(path, members, {"project.qde": declared} if declared is not None else None)


def qdpx_with_source(path: Path, member: str, content: bytes | Repeat) -> Path:
    """A valid small project whose one text source is `member` (a .txt, or a .docx stored
    without compressing it again, as tools do)."""
    kind = "plainTextPath" if member.endswith(".txt") else "richTextPath"
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
        f'<TextSource guid="6f2e4b52-8a1c-4d3e-9f00-0123456789ab" name="s1" {kind}="internal://{member}"/>'
        "</Sources></Project>"
    ).encode()
    return write_zip(path, {"project.qde": qde, f"sources/{member}": content},
                     stored=(f"sources/{member}",) if member.endswith(".docx") else ())


def docx_bytes_bomb(mb: int) -> bytes:
    """The bytes of a docx bomb (to put inside a .qdpx)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return docx_bomb(Path(tmp) / "x.docx", mb).read_bytes()


BILLION_LAUGHS = """\
name: laughs
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
codes: *h
"""


def one_line_text(path: Path, mb: int) -> Path:
    """A `.txt` of `mb` MB: one labelled turn with no line break, written in chunks."""
    words = b"and then I said that it was fine really " * (MB // 40)
    with open(path, "wb") as f:
        f.write(b"T: ")
        for _ in range(mb):
            f.write(words[:MB])
    return path
