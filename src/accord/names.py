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


def no_such_code(name: str, known: Iterable[str]) -> str:
    """The message for a code name the codebook lacks, with the nearest names it has (a typo
    such as "agenda contrl" is the usual cause)."""
    import difflib

    folded = {k.casefold(): k for k in known}
    near = [folded[m] for m in difflib.get_close_matches(name.strip().casefold(), list(folded), n=3, cutoff=0.6)]
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    return f"no code named {name!r} in the codebook{hint} (see `accord codebook show`)"
