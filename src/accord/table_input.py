"""A table a researcher brings (codings, ratings), read within the input limits.

One place for what every such table needs before its rows are read: refused by size before
it is read, UTF-8 (a BOM allowed) or a clear message, not empty, and tab-separated when the
file says `.tsv`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .errors import InputError
from .limits import read_bounded


def read_table_text(path: Path, what: str) -> tuple[str, type[csv.Dialect]]:
    """(text, csv dialect) of a table file; InputError naming the file when it cannot be used."""
    try:
        text = read_bounded(path, what=what).decode("utf-8-sig")
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text; save the table as UTF-8 CSV") from None
    if not text.strip():
        raise InputError(path, "the file is empty")
    return text, csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
