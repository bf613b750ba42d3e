"""Who applied which code to which unit: the table every agreement figure is computed from.

Built once per report from the project: the units of the chosen transcripts laid end to end
(each transcript's offsets shifted by the lengths of the texts before it, so all units are
sorted and disjoint and one vectorised pass per coder and code finds the coded units), and a
codes x coders x units boolean array. The same shift gives the continuum for unitizing alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..names import name_list
from ..errors import AccordError
from .units import check_unit, coded_units, document_units, unit_bounds, units_of_utterances


class AgreementError(AccordError):
    """An agreement request the data cannot answer (too few coders, a coder with no codings)."""


@dataclass
class UnitTable:
    unit: str
    coders: list[str]
    codes: list[str]
    transcripts: list[str]
    lengths: np.ndarray  # text length of each transcript
    base: np.ndarray  # offset of each transcript on the continuum (len(transcripts) + 1)
    starts: np.ndarray  # unit starts on the continuum
    ends: np.ndarray
    bounds: np.ndarray  # unit index where each transcript begins (len(transcripts) + 1)
    applied: np.ndarray  # bool, codes x coders x units
    spans: list[list[np.ndarray]]  # [code][coder] -> (n, 2) spans on the continuum
    coding_ids: list[list[np.ndarray]]  # [code][coder] -> coding id of each span
    notes: list[str]

    @property
    def n_units(self) -> int:
        return int(self.starts.size)

    def transcript_slice(self, index: int) -> slice:
        return slice(int(self.bounds[index]), int(self.bounds[index + 1]))

    def unit_offsets(self, index: int) -> tuple[str, int, int]:
        """(transcript, start, end) of one unit in its transcript's own offsets."""
        t = int(np.searchsorted(self.bounds, index, side="right") - 1)
        return self.transcripts[t], int(self.starts[index] - self.base[t]), int(self.ends[index] - self.base[t])


def _names(project, coders) -> list[str]:
    names = name_list(coders, "coders") or []
    if len(names) < 2:
        raise AgreementError(f"agreement needs at least two coders; got {', '.join(names) or 'none'}")
    if len(set(names)) != len(names):
        raise AgreementError(f"a coder is named twice in {', '.join(names)}")
    for name in names:
        project.coder_id(name)  # unknown coder: a clear error naming the known ones
    return names


def _code_order(project) -> dict[str, int]:
    return {name: position for _, name, position, _ in project.code_rows()}


def _codings(project, coder: str) -> np.ndarray:
    """A coder's active codings as rows of (transcript id, code id, start, end, coding id).

    Read straight into an array: a report may load a hundred thousand codings, and building
    a `Coding` object for each would take longer than all the arithmetic.
    """
    return np.asarray(project.coding_rows(coder), dtype=np.int64).reshape(-1, 5)


def _utterances(project, transcript_ids: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Non-empty utterances of the given transcripts: id -> (starts, ends), in one query."""
    table = np.asarray(project.utterance_rows(), dtype=np.int64).reshape(-1, 3)
    firsts = np.searchsorted(table[:, 0], transcript_ids, side="left")
    lasts = np.searchsorted(table[:, 0], transcript_ids, side="right")
    return {tid: (table[a:b, 1].copy(), table[a:b, 2].copy()) for tid, a, b in zip(transcript_ids, firsts, lasts)}


def _left_out_notes(coders, partly, worked, counts) -> list[str]:
    """Why each left-out transcript is out: who has neither coded nor read it, and how far they got."""
    notes = []
    for c in coders:
        missing = [t for t in partly if t not in worked[c]]
        if missing:
            where = ", ".join(f"{t} ({counts[c][t][0]} of {counts[c][t][1]} utterances reviewed)" for t in missing)
            it = "it" if len(missing) == 1 else "them"
            notes.append(f"left out, not coded or read by {c}: {where}. To count {it}, {c} reads {it} to the "
                         f"end in the coding screen, or name {it} with --transcripts (then {c} counts as "
                         "coding nothing there)")
    return notes


def build_unit_table(project, coders, unit="utterance", transcripts=None, codes=None) -> UnitTable:
    """Load the codings of `coders` and mark, per code and coder, the units they coded.

    Transcripts default to those every coder has worked on: coded (at least one coding of any
    code) or read (their review progress covers every utterance, so coding nothing there is
    their judgement). A transcript someone has not started yet does not count as "nobody
    coded anything here"; one they read and found nothing to code in does. Codes default to those at least one of the coders used there, in codebook order.
    """
    check_unit(unit)
    coders = _names(project, coders)
    notes: list[str] = []
    codings = {c: _codings(project, c) for c in coders}
    for c in coders:
        if not codings[c].shape[0]:
            raise AgreementError(f"coder {c!r} has no codings; there is nothing to compare")
    catalogue = project.transcript_rows()
    name_of = {tid: name for tid, name, _ in catalogue}
    id_of = {name: tid for tid, name, _ in catalogue}
    coded_in = {c: {name_of[int(t)] for t in np.unique(codings[c][:, 0])} for c in coders}
    counts = {c: project.review_counts(c) for c in coders}
    read = {c: {t for t, (done, total) in counts[c].items() if total and done == total} for c in coders}
    worked = {c: coded_in[c] | read[c] for c in coders}
    if transcripts is None:
        chosen = [t for _, t, _ in catalogue if all(t in worked[c] for c in coders)]
        partly = [t for _, t, _ in catalogue if t not in chosen and any(t in worked[c] for c in coders)]
        notes.extend(_left_out_notes(coders, partly, worked, counts))
    else:
        chosen = []
        for name in name_list(transcripts, "transcripts") or []:
            project.transcript_id(name)  # unknown transcript: a clear error
            if name not in chosen:
                chosen.append(name)
        for c in coders:
            missing = [t for t in chosen if t not in worked[c]]
            if len(missing) == len(chosen):
                raise AgreementError(f"coder {c!r} has neither coded nor read {', '.join(chosen)}; there is nothing to compare")
            if missing:
                notes.append(f"{c} has neither coded nor read {', '.join(missing)}: counted as coding nothing there")
    if not chosen:
        raise AgreementError(f"no transcript has been coded or read to the end by every one of {', '.join(coders)}")

    chosen_ids = np.asarray([id_of[t] for t in chosen], dtype=np.int64)
    for c in coders:
        codings[c] = codings[c][np.isin(codings[c][:, 0], chosen_ids)]
    code_rows = project.code_rows()
    code_name = {cid: name for cid, name, _, _ in code_rows}
    if codes is None:
        order = _code_order(project)
        used = {code_name[int(k)] for c in coders for k in np.unique(codings[c][:, 1])}
        code_names = sorted(used, key=lambda n: (order.get(n, 1 << 30), n))
        unused = [name for _, name, _, retired in code_rows if not retired and name not in used]
        if unused:
            notes.append(f"{len(unused)} codebook code(s) nobody used here are left out (name them with --codes to include them)")
    else:
        code_names = []
        for name in name_list(codes, "codes") or []:
            canonical = code_name[project.code_id(name)]  # unknown code: a clear error
            if canonical not in code_names:
                code_names.append(canonical)
    if not code_names:
        raise AgreementError("no codes to compare")

    starts, ends, bounds = [], [], [0]
    length_of = {tid: length for tid, _, length in catalogue}
    lengths = [length_of[id_of[name]] for name in chosen]
    utterances = _utterances(project, [id_of[name] for name in chosen]) if unit in ("utterance", "character") else {}
    base_a = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    for k, name in enumerate(chosen):
        if unit == "sentence":
            s, e = unit_bounds(project.transcript(name), unit)
        elif unit == "document":
            s, e = document_units(lengths[k])
        else:
            s, e = units_of_utterances(*utterances[id_of[name]], unit)
        starts.append(s + base_a[k])
        ends.append(e + base_a[k])
        bounds.append(bounds[-1] + s.size)
    starts_a = np.concatenate(starts)
    ends_a = np.concatenate(ends)
    if starts_a.size == 0:
        raise AgreementError(f"the selected transcripts have no {unit} units")

    shift = np.zeros(int(chosen_ids.max()) + 1, dtype=np.int64)
    shift[chosen_ids] = base_a[:-1]
    code_index = {cid: code_names.index(name) for cid, name in code_name.items() if name in code_names}
    applied = np.zeros((len(code_names), len(coders), starts_a.size), dtype=bool)
    empty = np.zeros((0, 2), dtype=np.int64)  # replaced below for every code and coder
    spans: list[list[np.ndarray]] = [[empty] * len(coders) for _ in code_names]
    ids: list[list[np.ndarray]] = [[empty[:, 0]] * len(coders) for _ in code_names]
    for j, coder in enumerate(coders):
        rows = codings[coder]
        offsets = rows[:, 2:4] + shift[rows[:, 0]][:, None]
        for cid, i in code_index.items():
            mine = rows[:, 1] == cid
            by_start = np.argsort(offsets[mine][:, 0], kind="stable")
            spans[i][j] = offsets[mine][by_start]
            ids[i][j] = rows[mine][by_start, 4]
            applied[i, j] = coded_units(starts_a, ends_a, spans[i][j])
    return UnitTable(
        unit=unit,
        coders=coders,
        codes=code_names,
        transcripts=chosen,
        lengths=np.asarray(lengths, dtype=np.int64),
        base=base_a,
        starts=starts_a,
        ends=ends_a,
        bounds=np.asarray(bounds, dtype=np.int64),
        applied=applied,
        spans=spans,
        coding_ids=ids,
        notes=notes,
    )
