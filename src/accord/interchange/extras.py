"""accord's own details, carried in a REFI file where other tools ignore them.

REFI has no place for utterances, speaker roles, timestamps, hotkeys or suggestion
patterns. They travel as JSON in an `<?accord-extras ...?>` processing instruction before
the root element: outside the schema's reach (files still validate), skipped by other
tools, and enough for an accord-to-accord round trip to be exact.
"""

from __future__ import annotations

import json

from lxml import etree

TARGET = "accord-extras"
VERSION = 1


def add_extras(root: etree._Element, data: dict) -> None:
    text = json.dumps(dict(data, accord_extras=VERSION), ensure_ascii=True, separators=(",", ":"))
    root.addprevious(etree.ProcessingInstruction(TARGET, text.replace(">", "\\u003e")))


def read_extras(root: etree._Element, notes: list[str]) -> dict:
    """The extras of a file written by accord, or {} (with a note if they are unreadable)."""
    pi = root.getprevious()
    while pi is not None:
        if isinstance(pi, etree._ProcessingInstruction) and pi.target == TARGET:
            try:
                data = json.loads(pi.text or "")
            except ValueError:
                notes.append("accord's extras in the file are damaged; read it as any REFI file")
                return {}
            return data if isinstance(data, dict) else {}
        pi = pi.getprevious()
    return {}
