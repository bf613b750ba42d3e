"""XML details shared by the REFI-QDA readers and writers: namespaces, guids, safe parsing.

Elements are matched by local name, ignoring namespaces, because files from real tools do
not all use the REFI namespace (or any); every message names the element and its line.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from lxml import etree

from ..errors import InputError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_RE = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")
_ACCORD_GUIDS = uuid.UUID("6f1f0c0e-4a59-4d0e-9a43-6163636f7264")  # namespace for derived guids


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse untrusted XML: no entity expansion, no network, line numbers kept."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise InputError(where, f"malformed XML: {e.msg}", e.lineno or None) from None
    if root is None:
        raise InputError(where, "malformed XML: no root element")
    return root


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def children(el, name: str) -> list:
    return [c for c in el if isinstance(c.tag, str) and local(c) == name]


def child(el, name: str):
    for c in el:
        if isinstance(c.tag, str) and local(c) == name:
            return c
    return None


def child_text(el, name: str) -> str:
    c = child(el, name)
    return (c.text or "") if c is not None else ""


def describe(el) -> str:
    """`<PlainTextSelection name="u3" guid="...">` for messages."""
    attrs = " ".join(f'{k}="{el.get(k)}"' for k in ("name", "guid") if el.get(k))
    return f"<{local(el)}{' ' + attrs if attrs else ''}>"


def norm_guid(value: str | None) -> str | None:
    """The guid without braces, upper case, for matching references; None if malformed."""
    m = GUID_RE.fullmatch((value or "").strip())
    return m.group(1).upper() if m else None


def derived_guid(*parts: str) -> str:
    """A guid that is the same every time for the same parts, so re-exports are stable."""
    return str(uuid.uuid5(_ACCORD_GUIDS, "\x1f".join(parts))).upper()


def parse_datetime(value: str | None) -> str | None:
    """The xsd:dateTime text as written, or None when missing or unreadable."""
    if not value or not value.strip():
        return None
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.strip()


def repair_datetime(value: str) -> str | None:
    """A date some tools write that is not an xsd:dateTime, read as one and written in UTC as
    `YYYY-MM-DDTHH:MM:SSZ`, or None. QualCoder writes `2026-12-05 17:05:45.941+00:00Z`: a
    space for the `T` and a `Z` after an offset."""
    text = value.strip()
    if text.endswith("Z") and re.search(r"[+-]\d\d:\d\d Z$".replace(" ", ""), text):
        text = text[:-1]
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_datetime(value: str | None) -> str | None:
    """A stored date written as REFI wants it: `YYYY-MM-DDTHH:MM:SSZ`, or None."""
    return repair_datetime(value) if value else None


def sub(parent, ns: str, tag: str, **attrs) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            el.set(key, str(value))
    return el


def xml_text(value: str) -> str:
    """Text XML can hold: control characters other than tab and newline are dropped."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", value)
