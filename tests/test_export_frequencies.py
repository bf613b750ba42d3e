"""The codebook report's frequency tables, against counts made here from the project directly."""

from bisect import bisect_right
from collections import Counter

import docx

from accord.demo import build_demo
from accord.store import Project

from conftest import run


def test_codes_by_role_and_sessions_by_top_level_code(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path)
    out = tmp_path / "codebook.docx"
    run("export", "codebook", out, "-p", path, "--coders", "reference")
    by_role, by_session = Counter(), Counter()
    with Project.open(path) as p:
        book = p.codebook()
        parents = {c.name: c.parent for c in book.codes}
        for r in p.coding_records(["reference"]):
            t = p.transcript(r["transcript"])
            k = bisect_right([u.start for u in t.utterances], r["start"]) - 1
            u = t.utterances[k] if k >= 0 and r["start"] < t.utterances[k].end else None
            role = "outside any turn" if u is None else (t.roles.get(u.speaker) or "unknown")
            by_role[(r["code"], role.capitalize())] += 1
            top = r["code"]
            while parents.get(top):
                top = parents[top]
            by_session[(r["transcript"], top)] += 1
    tables = docx.Document(out).tables
    roles_table = next(t for t in tables if t.rows[0].cells[0].text == "Code" and "Total" in t.rows[0].cells[-1].text
                       and "Client" in [c.text for c in t.rows[0].cells])
    head = [c.text for c in roles_table.rows[0].cells]
    seen = Counter()
    for row in roles_table.rows[1:]:
        cells = [c.text for c in row.cells]
        for role, n in zip(head[1:-1], cells[1:-1]):
            seen[(cells[0], role)] += int(n)
        assert int(cells[-1]) == sum(int(n) for n in cells[1:-1])
    assert +seen == by_role
    sessions = next(t for t in tables if t.rows[0].cells[0].text == "Session")
    head = [c.text for c in sessions.rows[0].cells]
    seen = Counter()
    for row in sessions.rows[1:]:
        cells = [c.text for c in row.cells]
        for top, n in zip(head[1:-1], cells[1:-1]):
            seen[(cells[0], top)] += int(n)
    assert +seen == by_session and sum(by_session.values()) == 227
    notes = [p.text for p in docx.Document(out).paragraphs if p.text.startswith("Note. Codings by reference (N = 227)")]
    assert len(notes) == 2
