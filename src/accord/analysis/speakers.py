"""Who talked how much: turns, words and talk time per session, by speaker or role.

- A turn is an utterance; words are whitespace-separated tokens, as everywhere in accord.
- Talk time comes from the transcript's times: an utterance lasts from its start to its end,
  or to the next utterance's start when the transcript gives starts only (VTT and SRT give
  both; timestamped text and Word give starts). The last utterance without an end has no
  known length and is left out of talk time. A session without times has no talk time.
- A session lasts from its first utterance's start to its last utterance's end (or start).
- Shares are of the session's turns, words and timed talk.
- The practitioner:client word ratio is the words of practitioner roles (therapist,
  interviewer) over those of client roles (client, participant); None when either is absent
  (give speakers their roles with `accord import --speakers` or the speakers screen).

Rows for every session come first, then `all` (every session together).
"""

from __future__ import annotations

from typing import Any

from ..model import Transcript, Utterance

GROUPINGS = ("role", "speaker", "session")
PRACTITIONER = ("therapist", "interviewer")
CLIENT = ("client", "participant")
ALL = "all"


def durations(utterances: list[Utterance]) -> list[float | None]:
    """Each utterance's length in seconds, or None where the times do not tell it."""
    out: list[float | None] = []
    for i, u in enumerate(utterances):
        d = None
        if u.time_start is not None:
            if u.time_end is not None and u.time_end >= u.time_start:
                d = u.time_end - u.time_start
            elif i + 1 < len(utterances) and (after := utterances[i + 1].time_start) is not None \
                    and after >= u.time_start:
                d = after - u.time_start
        out.append(d)
    return out


def session_seconds(utterances: list[Utterance]) -> float | None:
    """From the first start to the last end (or start); None without times."""
    starts = [u.time_start for u in utterances if u.time_start is not None]
    if not starts:
        return None
    ends = [u.time_end for u in utterances if u.time_end is not None]
    return max(starts + ends) - min(starts)


def group_of(transcript: Transcript, u: Utterance, by: str) -> str:
    if by == "speaker":
        return u.speaker or "(no speaker)"
    if by == "role":
        return transcript.roles.get(u.speaker) or "unknown"
    return ALL


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if a and b else None


def _share(part, whole) -> float | None:
    return None if part is None or not whole else round(part / whole, 4)


def talk(transcripts: dict[str, Transcript], by: str = "role") -> dict:
    """{"sessions": a row per session and `all`, "groups": a row per session and group
    (speaker, role, or the whole session) and per group over `all` sessions}."""
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}")
    sessions, groups = [], []
    totals: dict[str, dict] = {}
    overall: dict[str, Any] = {"session": ALL, "utterances": 0, "words": 0, "seconds": None, "practitioner_words": 0,
               "client_words": 0}
    for name, t in transcripts.items():
        lengths = durations(t.utterances)
        per: dict[str, dict] = {}
        practitioner = client = 0
        for u, d in zip(t.utterances, lengths):
            words = len(t.text[u.start:u.end].split())
            g = per.setdefault(group_of(t, u, by), {"turns": 0, "words": 0, "seconds": None, "roles": set()})
            g["turns"] += 1
            g["words"] += words
            g["roles"].add(t.roles.get(u.speaker) or "unknown")
            if d is not None:
                g["seconds"] = (g["seconds"] or 0.0) + d
            role = t.roles.get(u.speaker)
            practitioner += words if role in PRACTITIONER else 0
            client += words if role in CLIENT else 0
        turns = sum(g["turns"] for g in per.values())
        words = sum(g["words"] for g in per.values())
        timed = [g["seconds"] for g in per.values() if g["seconds"] is not None]
        talked = sum(timed) if timed else None
        seconds = session_seconds(t.utterances)
        sessions.append({"session": name, "utterances": turns, "words": words,
                         "seconds": None if seconds is None else round(seconds, 3),
                         "talk_seconds": None if talked is None else round(talked, 3),
                         "practitioner_words": practitioner, "client_words": client,
                         "practitioner_client_ratio": _ratio(practitioner, client)})
        for key in ("utterances", "words", "practitioner_words", "client_words"):
            overall[key] += sessions[-1][key]
        if seconds is not None:
            overall["seconds"] = (overall["seconds"] or 0.0) + seconds
        for group, g in per.items():
            groups.append(_group_row(name, group, g, turns, words, talked, by))
            tot = totals.setdefault(group, {"turns": 0, "words": 0, "seconds": None, "roles": set(), "sessions": 0})
            tot["turns"] += g["turns"]
            tot["words"] += g["words"]
            tot["roles"] |= g["roles"]
            tot["sessions"] += 1
            if g["seconds"] is not None:
                tot["seconds"] = (tot["seconds"] or 0.0) + g["seconds"]
    all_talk = [g["seconds"] for g in totals.values() if g["seconds"] is not None]
    talked_all = sum(all_talk) if all_talk else None
    for group, g in totals.items():
        groups.append(_group_row(ALL, group, g, overall["utterances"], overall["words"], talked_all, by))
    overall["seconds"] = None if overall["seconds"] is None else round(overall["seconds"], 3)
    overall["talk_seconds"] = None if talked_all is None else round(talked_all, 3)
    overall["practitioner_client_ratio"] = _ratio(overall["practitioner_words"], overall["client_words"])
    sessions.append(overall)
    return {"by": by, "sessions": sessions, "groups": groups}


def _group_row(session: str, group: str, g: dict, turns: int, words: int, talked: float | None, by: str) -> dict:
    row: dict[str, Any] = {"session": session, "group": group}
    if by == "speaker":
        row["role"] = "/".join(sorted(g["roles"]))
    row.update({"turns": g["turns"], "words": g["words"],
                "talk_seconds": None if g["seconds"] is None else round(g["seconds"], 3),
                "share_turns": _share(g["turns"], turns), "share_words": _share(g["words"], words),
                "share_talk": _share(g["seconds"], talked)})
    return row
