"""Names given to library functions (coders, codes, transcripts, speakers) are lists.

The command line splits "alice,bob" once, in its `NAMES` parameter type (cli/common.py); the
library never splits commas, so a code whose name holds a comma is still one code. A string
passed where a list belongs is refused rather than read letter by letter.
"""

from __future__ import annotations

from collections.abc import Iterable


def name_list(value: Iterable[str] | None, what: str = "names") -> list[str] | None:
    """The stripped, non-empty names of `value` in order; None for None or no names."""
    if value is None:
        return None
    if isinstance(value, str):
        raise TypeError(f"{what} must be a list of names, not the string {value!r}")
    names = [v.strip() for v in value if v and v.strip()]
    return names or None
