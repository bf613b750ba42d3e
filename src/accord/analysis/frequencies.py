"""How often each code was used per session and speaker group, as counts and as rates.

Sessions differ in length and speakers in how much they say, so a raw count mostly measures
talk. Each coding is counted once, in the group (role, speaker, or the whole session) of the
utterance it starts in; codings outside every turn are left out. Rates:

- per 100 utterances of that group in that session (therapist reflections per 100 therapist
  turns);
- per 10 minutes of the session (first start to last end), where the session has times.

Over `all` sessions, counts and utterances are summed; the per-10-minutes rate uses the
timed sessions only (their codings over their minutes). A code counts its sub-codes' codings
unless `exact`.
"""

from __future__ import annotations

from .load import Coded
from .speakers import ALL, group_of, session_seconds


def _rate(count: int, base: float | None, per: float) -> float | None:
    return None if not base else round(per * count / base, 4)


def code_frequencies(coded: Coded, by: str = "role", *, exact: bool = False, codes: list[str] | None = None) -> list[dict]:
    """Rows (session, group, code, depth in the hierarchy, codings, utterances, minutes, per_100_utterances,
    per_10_minutes) for every code of the codebook (or `codes`) in every group, zeros too."""
    h = coded.hierarchy
    wanted = [h.resolve(c) for c in codes] if codes else h.names
    rows = []
    over: dict[tuple[str, str], int] = {}
    over_timed: dict[tuple[str, str], int] = {}
    over_utterances: dict[str, int] = {}
    timed_seconds = 0.0
    for name, t in coded.transcripts.items():
        groups = [group_of(t, u, by) for u in t.utterances]
        utterances: dict[str, int] = {}
        for g in groups:
            utterances[g] = utterances.get(g, 0) + 1
        counts: dict[tuple[str, str], int] = {}
        for p in coded.placed.get(name, []):
            if not p.inside:
                continue
            g = groups[p.first]
            for code in h.counts_as(p.coding.code, exact):
                counts[(g, code)] = counts.get((g, code), 0) + 1
        seconds = session_seconds(t.utterances)
        if seconds:
            timed_seconds += seconds
        for g, n_utt in utterances.items():
            over_utterances[g] = over_utterances.get(g, 0) + n_utt
            for code in wanted:
                n = counts.get((g, code), 0)
                over[(g, code)] = over.get((g, code), 0) + n
                if seconds:
                    over_timed[(g, code)] = over_timed.get((g, code), 0) + n
                rows.append(_row(name, g, code, h.depth(code), n, n_utt, seconds, n))
    for g, n_utt in over_utterances.items():
        for code in wanted:
            rows.append(_row(ALL, g, code, h.depth(code), over[(g, code)], n_utt, timed_seconds or None,
                             over_timed.get((g, code), 0)))
    return rows


def _row(session, group, code, depth, n, utterances, seconds, timed_n) -> dict:
    return {"session": session, "group": group, "code": code, "depth": depth, "codings": n, "utterances": utterances,
            "minutes": None if not seconds else round(seconds / 60, 3),
            "per_100_utterances": _rate(n, utterances, 100), "per_10_minutes": _rate(timed_n, seconds, 600)}
