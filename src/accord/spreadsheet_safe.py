"""Cells a spreadsheet would run as formulas, made inert: for every CSV accord writes.

Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return (a quote such as
"=HYPERLINK(...)", a coder called "=evil") runs as a formula when the CSV is opened in Excel
or LibreOffice. A single quote in front makes it text, as OWASP recommends against CSV
injection. Numbers, and text that is just a number ("-2"), are left alone.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value):
    """`value`, with a `'` in front if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
