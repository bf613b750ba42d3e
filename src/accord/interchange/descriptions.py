"""REFI `Description`s: a code's from accord's definition, when to use, examples...; a source's.

REFI codes have one free-text description. accord writes its fields into it under plain
headings, so a researcher sees them in NVivo or MAXQDA, and reads those headings back when
a file comes home without accord's extras (the definition alone, if there are none).
"""

from __future__ import annotations

import re

from ..model import Code

# A source's Description: accord writes where a transcript came from after IMPORTED_FROM, and
# keeps another tool's description among the transcript's notes after DESCRIBED (both ways).
IMPORTED_FROM = "Imported into accord from"
DESCRIBED = "description: "

_HEADINGS = {
    "When to use": "when_to_use",
    "When not to use": "when_not_to_use",
    "Examples": "examples",
    "Counter-examples": "counter_examples",
}
_SPLIT = re.compile(r"^(When to use|When not to use|Examples|Counter-examples):[ \t]*\n?", re.MULTILINE)


def code_description(code: Code) -> str:
    parts = [code.definition] if code.definition else []
    for heading, key in _HEADINGS.items():
        value = getattr(code, key)
        if not value:
            continue
        if isinstance(value, list):
            parts.append(f"{heading}:\n" + "\n".join(f"- {v}" for v in value))
        else:
            parts.append(f"{heading}: {value}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict:
    """The fields of `code_description`, from its text; unknown text is all definition."""
    text = (text or "").strip()
    pieces = _SPLIT.split(text)
    out: dict = {"definition": pieces[0].strip()}
    for heading, body in zip(pieces[1::2], pieces[2::2]):
        key = _HEADINGS[heading]
        if key in ("examples", "counter_examples"):
            out[key] = [line[2:].strip() for line in body.splitlines() if line.startswith("- ") and line[2:].strip()]
        else:
            out[key] = body.strip()
    return out
