"""Rating scales applied to transcripts: which segments a transcript is cut into, and tables
of ratings read from CSV.

A segment is numbered from 1 within its transcript and scale, and the number is stable: under
a `5 minutes` scale segment 3 is always 10:00-15:00, whatever the utterances in it, so two
coders' ratings of segment 3 rate the same stretch of the session. An utterance belongs to
the window its start time falls in; one without a time goes with the utterance before it. A
window nobody spoke in has no segment (nothing to rate). A transcript without any times is cut
by the scale's `without_times` (N utterances, or the whole session).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .table_input import read_table_text
from .model import RatingScale, Transcript, Utterance

RATING_COLUMNS = ("transcript", "segment", "scale", "coder", "value")


@dataclass(frozen=True)
class Segment:
    """One stretch of a transcript that gets one rating per coder: utterances first..last
    (1-based, inclusive); `start`/`end` the window in seconds for a timed scale."""

    number: int
    first: int
    last: int
    start: float | None = None
    end: float | None = None

    @property
    def label(self) -> str:
        if self.start is not None:
            return f"{_clock(self.start)}-{_clock(self.end)}"
        return f"utterances {self.first}-{self.last}"


def how_cut(transcript: Transcript, scale: RatingScale) -> tuple[str, int | None]:
    """The unit actually used for this transcript: a `minutes` scale on a transcript without
    times falls back to the scale's `without_times`."""
    if scale.unit == "minutes" and not any(u.time_start is not None for u in transcript.utterances):
        return ("utterances", scale.fallback) if scale.fallback else ("session", None)
    return scale.unit, scale.size


def segments(transcript: Transcript, scale: RatingScale) -> list[Segment]:
    """The segments `scale` cuts `transcript` into, in order (none for a transcript without utterances)."""
    utts = transcript.utterances
    if not utts:
        return []
    unit, size = how_cut(transcript, scale)
    if unit == "session":
        return [Segment(1, utts[0].number, utts[-1].number)]
    if unit == "utterances":
        return [Segment(i // size + 1, utts[i].number, utts[min(i + size, len(utts)) - 1].number)
                for i in range(0, len(utts), size)]
    seconds = size * 60
    out: list[Segment] = []
    window = 0
    for u in utts:
        if u.time_start is not None:
            window = int(u.time_start // seconds)
        if out and out[-1].number == window + 1:
            out[-1] = Segment(out[-1].number, out[-1].first, u.number, out[-1].start, out[-1].end)
        else:
            out.append(Segment(window + 1, u.number, u.number, float(window * seconds), float((window + 1) * seconds)))
    return out


def segment_at(transcript: Transcript, scale: RatingScale, utterance: Utterance | int) -> Segment | None:
    """The segment holding an utterance (by number), or None."""
    number = utterance.number if isinstance(utterance, Utterance) else utterance
    return next((s for s in segments(transcript, scale) if s.first <= number <= s.last), None)


def check_value(scale: RatingScale, value) -> int:
    """A rating as a whole number on the scale, or ValueError saying what the scale allows."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not scale.low <= number <= scale.high:
        raise ValueError(f"{value!r} is not a point of scale {scale.name!r} (a whole number from {scale.low} to {scale.high})")
    return number


def read_rating_table(path: str | Path, transcripts: dict[str, Transcript], scales: list[RatingScale]) -> list[dict]:
    """Rows of a ratings CSV (transcript, segment, scale, coder, value) as dicts with the
    scale's own name and whole numbers; every problem names the file and its line."""
    path = Path(path)
    text, dialect = read_table_text(path, "ratings table")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect, strict=True)
        columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    except csv.Error as e:
        raise InputError(path, f"malformed CSV: {e}", 1) from None
    if not set(RATING_COLUMNS) <= columns:
        raise InputError(path, f"expected columns {', '.join(RATING_COLUMNS)}; "
                               f"missing {', '.join(c for c in RATING_COLUMNS if c not in columns)}", 1)
    by_fold = {s.name.casefold(): s for s in scales}
    cut: dict[tuple[str, str], dict[int, Segment]] = {}
    rows, seen = [], {}
    line = 1
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                raise InputError(path, "more cells than columns on this row", line)
            if not any((v or "").strip() for v in raw.values()):
                continue
            if any(raw.get(c) is None for c in reader.fieldnames or []):
                raise InputError(path, f"fewer cells than columns on this row (expected {', '.join(RATING_COLUMNS)})", line)
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            name = row["transcript"]
            if name not in transcripts:
                raise InputError(path, f"no transcript named {name!r} in the project", line)
            scale = by_fold.get(row["scale"].casefold())
            if scale is None:
                known = ", ".join(s.name for s in scales) or "none: add `ratings:` to the codebook"
                raise InputError(path, f"no rating scale named {row['scale']!r} in the codebook (scales: {known})", line)
            if not row["coder"]:
                raise InputError(path, "no coder on this row", line)
            segs = cut.setdefault((name, scale.name), {s.number: s for s in segments(transcripts[name], scale)})
            try:
                number = int(row["segment"])
            except ValueError:
                number = None
            if number not in segs:
                raise InputError(path, f"segment {row['segment']!r} does not exist in {name!r} under scale {scale.name!r} "
                                       f"(segments: {_ranges(sorted(segs))})", line)
            try:
                value = check_value(scale, row["value"])
            except ValueError as e:
                raise InputError(path, str(e), line) from None
            key = (name, number, scale.name, row["coder"])
            if key in seen:
                raise InputError(path, f"{row['coder']} rates segment {number} of {name!r} on {scale.name!r} twice "
                                       f"(first on line {seen[key]})", line)
            seen[key] = line
            rows.append({"transcript": name, "segment": number, "scale": scale.name, "coder": row["coder"], "value": value})
    except csv.Error as e:  # reported where the row it could not read begins (an unclosed quote, say)
        raise InputError(path, f"malformed CSV: {e} in the row starting on this line", line + 1) from None
    return rows


def _ranges(numbers: list[int]) -> str:
    parts: list[list[int]] = []
    for n in numbers:
        if parts and parts[-1][1] == n - 1:
            parts[-1][1] = n
        else:
            parts.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in parts) or "none"


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"
