"""Timecodes as transcripts write them ("1:23", "01:02:03", "00:00:17.000", "00:00:17,000").

One parser for every reader, so a time means the same thing whichever format it came from.
"""

from __future__ import annotations

import re

_CLOCK = re.compile(r"\s*(?:(\d+):)?(\d+):(\d{1,2}(?:[.,]\d+)?)\s*")
_SECONDS = re.compile(r"\s*\d+(?:[.,]\d+)?\s*")


def parse_timecode(value: str) -> float:
    """Seconds from `[h:]m:ss[.fff]` (dot or comma decimals) or plain seconds ("17.5").

    Raises ValueError for anything else, so callers can name the file and line.
    """
    m = _CLOCK.fullmatch(value)
    if m:
        hours, minutes, seconds = m.groups()
        secs = float(seconds.replace(",", "."))
        if secs >= 60 or (hours is not None and int(minutes) >= 60):
            raise ValueError(f"{value.strip()!r} is not a valid time (minutes and seconds must be below 60)")
        return round(int(hours or 0) * 3600 + int(minutes) * 60 + secs, 3)
    if _SECONDS.fullmatch(value):
        return round(float(value.replace(",", ".")), 3)
    raise ValueError(f"{value.strip()!r} is not a time (expected h:mm:ss, m:ss or seconds)")
