"""Event sequences in SDIS, the Sequential Data Interchange Standard read by GSEQ (Bakeman &
Quera): a declaration naming the data type and its codes, ended by a semicolon, then each
session's events separated by spaces and ended by a slash.

SDIS codes are short identifiers, so each category gets one made of its letters and digits
(`Withdrawal rupture` -> `WithdrawalRupture`, `client:Repair` -> `ClientRepair`), returned as
a legend beside the text. Event data carry one code per event: an utterance with several
categories contributes the first in `priority` order (default: the order of `categories`), and
how many such utterances there were is returned so the choice is never silent.
"""

from __future__ import annotations

import re


def sdis_code(name: str, taken: set[str]) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", name.replace(":", " _ "))
    code = "".join(p[:1].upper() + p[1:] if p != "_" else "_" for p in parts if p) or "Code"
    code = re.sub(r"_+", "_", code.replace("__", "_"))
    if not code[0].isalpha():
        code = "C" + code
    base, n = code, 2
    while code.lower() in taken:
        code, n = f"{base}{n}", n + 1
    taken.add(code.lower())
    return code


def to_sdis(sequences: dict[str, list[tuple[str, ...]]], categories: list[str] | None = None) -> tuple[str, dict, int]:
    """(SDIS text, legend {category: SDIS code}, utterances that had more than one category)."""
    if categories is None:
        categories = sorted({c for s in sequences.values() for e in s for c in e})
    taken: set[str] = set()
    legend = {c: sdis_code(c, taken) for c in categories}
    rank = {c: i for i, c in enumerate(categories)}
    several = 0
    lines = [f"Event ({' '.join(legend[c] for c in categories)});"]
    for events in sequences.values():
        codes = []
        for e in events:
            known = [c for c in e if c in rank]
            if not known:
                continue
            several += len(known) > 1
            codes.append(legend[min(known, key=rank.__getitem__)])
        body = [" ".join(codes[i:i + 12]) for i in range(0, len(codes), 12)]
        lines.extend(body[:-1])
        lines.append((body[-1] + " /") if body else "/")
    return "\n".join(lines) + "\n", legend, several
