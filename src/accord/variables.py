"""Session and participant variables: their types and the one written form of each value.

Values are stored as text in a canonical form, so the same value always compares equal,
sorts sensibly and survives a round trip through CSV and REFI-QDA unchanged:
- number: as Python writes it (`12`, not `12.0`; `2.5`), from `12`, `12.0`, `1e1`, ` 3 `;
- date: ISO `YYYY-MM-DD` (the only form accepted: `03/04/2025` is ambiguous);
- category: one of the variable's categories, as the category is spelled;
- text: as given, surrounding spaces removed.
No I/O here: the store and the CLI call these to check a value before anything is written.
"""

from __future__ import annotations

import math
import re
from datetime import date

TYPES = ("text", "number", "date", "category")
KINDS = ("transcript", "case")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ValueProblem(ValueError):
    """A value that does not fit its variable's type; the message says what was expected."""


def canonical(kind: str, value: str, categories: list[str] | None = None) -> str:
    """The stored form of `value` for a variable of type `kind`, or ValueProblem."""
    text = str(value).strip()
    if kind == "text":
        return text
    if kind == "number":
        try:
            if "_" in text:  # float() takes 1_000; a cell in a table should not mean that
                raise ValueError
            number = float(text)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a number (write 12 or 2.5, with a point for decimals)") from None
        if not math.isfinite(number):
            raise ValueProblem(f"{text!r} is not a finite number")
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    if kind == "date":
        if not _DATE.fullmatch(text):
            raise ValueProblem(f"{text!r} is not a date written YYYY-MM-DD (e.g. 2025-03-14)")
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueProblem(f"{text!r} is not a real date") from None
    if kind == "category":
        known = categories or []
        match = next((c for c in known if c.casefold() == text.casefold()), None)
        if match is None:
            raise ValueProblem(f"{text!r} is not one of the categories ({', '.join(known) or 'none defined'})")
        return match
    raise ValueProblem(f"unknown variable type {kind!r}; choose {', '.join(TYPES)}")


def sort_key(kind: str, value: str, categories: list[str] | None = None):
    """Order of values in tables: numbers by size, categories as defined, others as text."""
    if kind == "number":
        return (0, float(value), "")
    if kind == "category" and categories and value in categories:
        return (0, float(categories.index(value)), "")
    return (1, 0.0, value)


def infer_type(values: list[str]) -> str:
    """The type a column of values new to the project reads as: number when every filled cell
    is a number, date when every one is YYYY-MM-DD, else text (categories are declared)."""
    filled = [v.strip() for v in values if v.strip()]
    for kind in ("number", "date"):
        try:
            for v in filled:
                canonical(kind, v)
        except ValueProblem:
            continue
        if filled:
            return kind
    return "text"
