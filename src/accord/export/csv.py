"""CSV tables for statistics packages (R, SPSS, Stata, pandas, Excel).

- `segments`: one row per coded segment, with where it is and what was said;
- `frequencies`: how often each code was used in each transcript, per coder;
- `matrix`: one row per utterance and coder, one 0/1 column per code (1 when one of the
  coder's spans of that code overlaps the utterance, the rule agreement uses);
- `ratings`: one row per rating on a rating scale, with the segment's window and utterances;
- `long`: the matrix with each utterance's words, case, and session and participant
  variables, one row per utterance (and coder), for multilevel models.

Times are seconds; offsets are code points, half-open, as everywhere in accord.

Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
or a carriage return: a quote such as "=HYPERLINK(...)" or a coder called "=evil") get a
single quote in front, as OWASP recommends against CSV injection; spreadsheets show the
quote-prefixed text as text. Numbers are left alone, including text that is just a number
("-2"). `raw=True` writes every value as it is, for programs that read the CSV.
"""

from __future__ import annotations

import csv
import io
import sys
from bisect import bisect_left, bisect_right
from pathlib import Path

from ..spreadsheet_safe import neutralise
from .select import Selection

TABLES = ("segments", "frequencies", "matrix", "ratings", "long")


def segments(sel: Selection) -> tuple[list[str], list[list]]:
    header = ["transcript", "code", "code_path", "coder", "start", "end", "utterance_first", "utterance_last",
              "speaker", "role", "time_start", "time_end", "text", "memo"]
    rows = []
    for e in sel.excerpts:
        t, first, last = e.transcript, e.first, e.last
        speaker = first.speaker if first else ""
        rows.append([
            t.name, e.coding["code"], " > ".join(_path(sel, e.coding["code"])), e.coding["coder"],
            e.coding["start"], e.coding["end"],
            first.number if first else "", last.number if last else "",
            sel.speaker(t, speaker) if sel.pseudonymise else speaker,
            t.roles.get(speaker, ""),
            _num(first.time_start if first else None), _num(last.time_end if last else None),
            sel.quote(t, e.text), sel.quote(t, e.coding["memo"]),
        ])
    return header, rows


def frequencies(sel: Selection) -> tuple[list[str], list[list]]:
    names = list(sel.transcripts)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for e in sel.excerpts:
        per = counts.setdefault((e.coding["code"], e.coding["coder"]), {})
        per[e.transcript.name] = per.get(e.transcript.name, 0) + 1
    header = ["code", "coder", *names, "total"]
    rows = []
    for code in sel.codes:
        for coder in sel.coders:
            per = counts.get((code.name, coder), {})
            rows.append([code.name, coder, *[per.get(n, 0) for n in names], sum(per.values())])
    return header, rows


def _marks(sel: Selection) -> dict[tuple[str, str], list[list[int]]]:
    """(transcript, coder) -> per utterance, a 0/1 flag per selected code (overlap rule)."""
    column = {c.name: i for i, c in enumerate(sel.codes)}
    marks: dict[tuple[str, str], list[list[int]]] = {}
    for t in sel.transcripts.values():
        for coder in sel.coders:
            marks[(t.name, coder)] = [[0] * len(column) for _ in t.utterances]
    ends_of = {n: [u.end for u in t.utterances] for n, t in sel.transcripts.items()}
    starts_of = {n: [u.start for u in t.utterances] for n, t in sel.transcripts.items()}
    for e in sel.excerpts:
        n = e.transcript.name
        grid = marks[(n, e.coding["coder"])]
        first = bisect_right(ends_of[n], e.coding["start"])
        last = bisect_left(starts_of[n], e.coding["end"])
        for i in range(first, last):
            grid[i][column[e.coding["code"]]] = 1
    return marks


def matrix(sel: Selection) -> tuple[list[str], list[list]]:
    codes = [c.name for c in sel.codes]
    header = ["transcript", "utterance", "speaker", "role", "time_start", "time_end", "coder", *codes]
    marks = _marks(sel)
    rows = []
    for t in sel.transcripts.values():
        for coder in sel.coders:
            grid = marks[(t.name, coder)]
            for u, flags in zip(t.utterances, grid):
                speaker = sel.speaker(t, u.speaker) if sel.pseudonymise else u.speaker
                rows.append([t.name, u.number, speaker, t.roles.get(u.speaker, ""),
                             _num(u.time_start), _num(u.time_end), coder, *flags])
    return header, rows


def long(sel: Selection) -> tuple[list[str], list[list]]:
    """For multilevel models: `matrix` with each utterance's words, case, and the session and
    participant variables (a participant's are those of the case the speaker belongs to in that
    transcript, else of the case owning the whole transcript). A variable whose name is also a
    code's gets `_var` after it. Pseudonymised, case names become `case 1`, `case 2`, ...;
    variable values are written as they are."""
    from ..crosstab import Lookup

    look = sel.lookup
    assert isinstance(look, Lookup)  # select() always sets it
    codes = [c.name for c in sel.codes]
    session = [v["name"] for v in look.variables.values() if v["applies_to"] == "transcript"]
    personal = [v["name"] for v in look.variables.values() if v["applies_to"] == "case"]
    taken = set(codes) | {"transcript", "utterance", "speaker", "role", "case", "time_start", "time_end", "words", "coder"}
    names = [f"{n}_var" if n in taken else n for n in session + personal]
    header = ["transcript", "utterance", "speaker", "role", "case", "time_start", "time_end", "words", "coder",
              *codes, *names]
    aliases = {c: f"case {i}" for i, c in enumerate(sorted(set(look.cases.values())), start=1)}
    marks = _marks(sel)
    rows = []
    for t in sel.transcripts.values():
        fixed = [look.values.get(v, {}).get(t.name, "") for v in session]
        for coder in sel.coders:
            for u, flags in zip(t.utterances, marks[(t.name, coder)]):
                case = look.case(t.name, u.speaker)
                own = [look.values.get(v, {}).get(case, "") if case else "" for v in personal]
                speaker = sel.speaker(t, u.speaker) if sel.pseudonymise else u.speaker
                rows.append([t.name, u.number, speaker, t.roles.get(u.speaker, ""),
                             (aliases[case] if sel.pseudonymise else case) if case else "",
                             _num(u.time_start), _num(u.time_end), len(t.text[u.start:u.end].split()), coder,
                             *flags, *fixed, *own])
    return header, rows


def ratings(sel: Selection) -> tuple[list[str], list[list]]:
    from ..ratings import segments as cut

    header = ["transcript", "scale", "segment", "unit", "window_start", "window_end", "utterance_first",
              "utterance_last", "coder", "value", "anchor"]
    scales = {s.name: s for s in sel.codebook.ratings}
    windows: dict[tuple[str, str], dict] = {}
    rows = []
    for r in sel.ratings:
        scale = scales.get(r["scale"])
        key = (r["transcript"], r["scale"])
        if key not in windows:
            windows[key] = {s.number: s for s in cut(sel.transcripts[r["transcript"]], scale)} if scale else {}
        seg = windows[key].get(r["segment"])
        rows.append([r["transcript"], r["scale"], r["segment"], r["unit"], _num(seg.start if seg else None),
                     _num(seg.end if seg else None), r["first"], r["last"], r["coder"], r["value"],
                     scale.anchors.get(r["value"], "") if scale else ""])
    return header, rows


def write_table(header: list[str], rows: list[list], out: str | Path, bom: bool = False, raw: bool = False) -> None:
    """Write to a file, or to standard output for `-`; text that looks like a formula is
    neutralised (see the module's docstring) unless `raw`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if raw:
        writer.writerow(header)
        writer.writerows(rows)
    else:
        writer.writerow([neutralise(v) for v in header])
        writer.writerows([neutralise(v) for v in row] for row in rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    if str(out) == "-":
        sys.stdout.write(text)
        return
    from ..interchange.qdc import write_atomically

    write_atomically(out, text.encode("utf-8"))


def export_csv(sel: Selection, out: str | Path, tables: tuple[str, ...] = TABLES, bom: bool = False,
               raw: bool = False) -> list[str]:
    """Write the tables; with several, `out` is a folder and each table is `NAME.csv` in it.

    Text that a spreadsheet would run as a formula gets a `'` in front unless `raw`."""
    builders = {"segments": segments, "frequencies": frequencies, "matrix": matrix, "ratings": ratings, "long": long}
    if len(tables) == 1:
        write_table(*builders[tables[0]](sel), out, bom, raw)
        return [str(out)]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in tables:
        path = folder / f"{name}.csv"
        write_table(*builders[name](sel), path, bom, raw)
        written.append(str(path))
    return written


def _path(sel: Selection, code: str) -> list[str]:
    parents = {c.name: c.parent for c in sel.codebook.codes}
    out = [code]
    while parent := parents.get(out[0]):
        out.insert(0, parent)
    return out


def _num(x: float | None):
    return "" if x is None else (int(x) if float(x).is_integer() else round(x, 3))
