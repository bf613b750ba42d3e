"""`accord export sequences`: the Word report read back with python-docx (headings, tables,
pictures and their pixel sizes), its figures looked at as images, and its figures compared
with those `accord sequences` prints."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx
import numpy as np
import pytest
from docx.shared import Emu
from PIL import Image

from accord.export.timeline_figure import DPI, JOIN_COLOR, OTHER_COLORS, REPAIR_COLOR, RUPTURE_COLOR, timeline_figure
from accord.sequences.timeline import project_timelines, timeline_rows
from accord.store import Project

from conftest import digest, run

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = ["session01_cbt_panic", "session02_fees_rupture", "session03_medication_review",
            "session04_withdrawal_repair", "session05_interview_consent", "session06_ending"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seqdemo") / "demo.db"
    run("demo", "--project", path)
    return path


@pytest.fixture(scope="module")
def report(demo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seqreport") / "episodes.docx"
    result = run("export", "sequences", out, "--coder", "reference", "-p", demo)
    assert result.output.strip() == f"Wrote {out}: 6 sessions, 72 ruptures, 6 figures, 8 tables"
    one = run("export", "sequences", out.with_name("one.docx"), "session06_ending", "--coder", "reference", "-p", demo)
    assert "1 session, 7 ruptures, 1 figure, " in one.output
    return out


def _text(cell) -> str:
    return cell.text.replace("\u200b", "")  # session names may break after their underscores


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _near(pixels: np.ndarray, x: int, y: int, color: str, radius: int = 3, tolerance: float = 40) -> bool:
    """Whether some pixel within `radius` of (x, y) has `color` (give or take anti-aliasing)."""
    box = pixels[max(0, y - radius): y + radius + 1, max(0, x - radius): x + radius + 1, :3].astype(float)
    return bool((np.abs(box - _rgb(color)).max(axis=2) <= tolerance).any())


def test_headings_tables_and_a_figure_per_session(report, demo):
    document = docx.Document(report)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Method", "Episodes per session", *SESSIONS, "Lag-sequential analysis", "References"]
    captions = [p.text for p in document.paragraphs if p.text.startswith(("Table ", "Figure ")) and len(p.text) < 10]
    assert captions == ["Table 1"] + [x for i in range(1, 7) for x in (f"Figure {i}", f"Table {i + 1}")] + ["Table 8"]

    summary = json.loads(run("sequences", "--coder", "reference", "--json", "-p", demo).output)
    table = document.tables[1]  # after the title page's facts
    assert [c.text for c in table.rows[0].cells][:4] == ["Session", "Utterances", "Ruptures", "Resolved, n (%)"]
    rows = {_text(r.cells[0]): [c.text for c in r.cells] for r in table.rows[1:]}
    assert list(rows) == SESSIONS + ["Overall"]
    for name in SESSIONS:
        s = summary["sessions"][name]
        assert rows[name][2] == str(s["ruptures"])
        assert rows[name][3] == f"{s['resolved']} ({100 * s['share_resolved']:.0f}%)"
    assert rows["Overall"][2:4] == ["72", "32 (44%)"]
    assert rows["session01_cbt_panic"][4:6] == ["1 [1\u20133]", "32 [13\u201339]"]  # as `accord sequences` prints
    assert rows["session04_withdrawal_repair"][5] == "\u2013"  # no timestamps


def test_the_episode_table_lists_every_episode_as_the_command_line_does(report, demo):
    document = docx.Document(report)
    episodes = json.loads(run("sequences", "session06_ending", "--coder", "reference", "--episodes", "--json",
                              "-p", demo).output)["episodes"]
    table = document.tables[7]  # facts, summary, then one per session: session06 is the seventh
    assert [c.text for c in table.rows[0].cells] == ["Utt.", "Rupture (marker type)", "By", "Repair", "Utt.", "By",
                                                     "Latency, utt."]  # session06 has no times
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(body) == len(episodes) == 7
    for row, e in zip(body, episodes):
        r, p = e["rupture"], e["repair"]
        assert row[0] == str(r["first"]) and row[1] == f"{r['code']} ({r['marker']})" and row[2] == "client"
        assert row[3:6] == [p["code"], str(p["first"]), "therapist"] and row[6] == str(e["latency_utterances"])
    timed = document.tables[2]  # session01 has times: latency in seconds in brackets
    assert timed.rows[0].cells[-1].text == "Latency, utt. (s)"
    assert "5 (43)" in [r.cells[-1].text for r in timed.rows[1:]]


def test_the_lag_table_carries_the_adjusted_residuals_and_yules_q(report, demo):
    from statsmodels.stats.contingency_tables import Table

    lag = json.loads(run("sequences", "--coder", "reference", "--lag", "1", "--json", "-p", demo).output)["lag"][0]
    table = docx.Document(report).tables[-1]
    cats = lag["categories"]
    assert [r.cells[0].text for r in table.rows[1:]] == [f"{i + 1}. {c}" for i, c in enumerate(cats)]
    z = Table(np.array(lag["counts"], dtype=float), shift_zeros=False).standardized_resids  # independent
    i, j = cats.index("Real relationship"), cats.index("Real relationship")
    assert table.rows[1 + i].cells[1 + j].text == f"{z[i, j]:.2f}* (.84)" == "6.18* (.84)"
    i, j = cats.index("Power dynamics"), cats.index("Repair")
    assert table.rows[1 + i].cells[1 + j].text == f"\u2212{abs(z[i, j]):.2f} (\u2212.26)"  # not significant: no star
    note = next(p.text for p in docx.Document(report).paragraphs if p.text.startswith("Note. N = "))
    assert note.startswith(f"Note. N = {lag['total']} pairs of utterances 1 apart")


def test_pictures_are_inline_at_text_width_and_of_the_expected_pixel_size(report):
    document = docx.Document(report)
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    shapes = document.inline_shapes
    assert len(shapes) == 6
    for shape in shapes:
        assert abs(shape.width - text_width) < Emu(12700)  # within a point of the text width
        blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        image = Image.open(io.BytesIO(blob))
        assert image.format == "PNG"
        width_in = text_width / 914400
        assert image.size[0] == round(width_in * DPI)
        assert image.size[1] in (round(1.15 * DPI + 5 * 0.3 * DPI), round(1.45 * DPI + 5 * 0.3 * DPI))  # 5 rows
        assert abs(shape.height / shape.width - image.size[1] / image.size[0]) < 0.01  # not stretched


def test_the_methods_paragraph_states_the_parameters_used(demo, tmp_path):
    out = tmp_path / "s.docx"
    run("export", "sequences", out, "session01_cbt_panic", "session06_ending", "--coder", "reference",
        "--within", "3", "--lag", "2", "-p", demo)
    document = docx.Document(out)
    method = document.paragraphs[[p.text for p in document.paragraphs].index("Method") + 1].text
    data = json.loads(run("sequences", "session01_cbt_panic", "session06_ending", "--coder", "reference",
                          "--within", "3", "--lag", "2", "--json", "-p", demo).output)
    o = data["overall"]
    assert "one coder (reference) in 2 sessions (214 utterances)" in method
    assert "no more than 3 utterances after the rupture's last utterance" in method
    assert f"Of the {o['ruptures']} ruptures, {o['resolved']} ({100 * o['share_resolved']:.0f}%) were resolved" in method
    assert f"(lag 1: {data['lag'][0]['total']:,}, lag 2: {data['lag'][1]['total']:,} pairs)" in method
    facts = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert facts["Repair window"] == "3 utterances" and facts["Lag tables"] == "1, 2" and facts["Sessions"] == "2"
    assert len(document.inline_shapes) == 2


def test_the_figure_shows_each_episode_where_it_happened(demo, tmp_path):
    with Project.open(demo) as p:
        timelines = project_timelines(p, "reference")
        rows = timeline_rows(p.codebook(), list(timelines.values()))
    assert [r for r, _ in rows] == ["Withdrawal rupture", "Confrontation rupture", "Repair", "Power dynamics",
                                    "Real relationship"]
    t = timelines["session06_ending"]
    figure = timeline_figure(t, rows)
    image = Image.open(io.BytesIO(figure.png)).convert("RGB")
    assert image.size == (figure.width_px, figure.height_px) == (1300, round((1.15 + 5 * 0.3) * DPI))
    pixels = np.asarray(image)
    assert t.episodes and all(e.resolved for e in t.episodes)  # session06: every rupture repaired
    for e in t.episodes:
        x, y = figure.pixel(e.rupture.first, e.rupture.marker)
        assert _near(pixels, x, y, RUPTURE_COLOR, radius=2), e.rupture
        x, y = figure.pixel(e.repair.first, "Repair")
        assert _near(pixels, x, y, REPAIR_COLOR, radius=2), e.repair
    first = t.episodes[0]  # Minimal response at 26, repaired at 31: the line between passes the middle row
    (x0, y0), (x1, y1) = figure.pixel(first.rupture.first, "Withdrawal rupture"), figure.pixel(first.repair.first, "Repair")
    assert _near(pixels, (x0 + x1) // 2, (y0 + y1) // 2, JOIN_COLOR, radius=2, tolerance=60)
    ruptures = {m.first for m in t.marks if m.family == "rupture"}
    empty = [n for n in range(1, t.utterances + 1) if all(abs(n - r) > 3 for r in ruptures)]
    for row in ("Withdrawal rupture", "Confrontation rupture"):  # nothing red where no rupture is
        assert not any(_near(pixels, *figure.pixel(n, row), RUPTURE_COLOR, radius=2) for n in empty)
    power = [m.first for m in t.marks if m.row == "Power dynamics"]
    assert power and all(_near(pixels, *figure.pixel(n, "Power dynamics"), OTHER_COLORS[0], radius=2) for n in power)


def test_an_unrepaired_rupture_is_hollow_and_a_timed_session_has_minutes(demo):
    with Project.open(demo) as p:
        timelines = project_timelines(p, "reference")
        rows = timeline_rows(p.codebook(), list(timelines.values()))
    t = timelines["session01_cbt_panic"]
    assert t.timed
    figure = timeline_figure(t, rows)
    pixels = np.asarray(Image.open(io.BytesIO(figure.png)).convert("RGB"))
    assert pixels.shape[:2] == (round((1.45 + 5 * 0.3) * DPI), 1300)  # the minutes axis takes 0.3 in more
    lone = next(e for e in t.episodes if not e.resolved and all(
        abs(m.first - e.rupture.first) > 1 for m in t.marks if m.coding_id != e.rupture.coding_id and m.row == e.rupture.marker))
    x, y = figure.pixel(lone.rupture.first, lone.rupture.marker)
    assert _near(pixels, x, y, "#ffffff", radius=0, tolerance=20)  # white inside
    assert _near(pixels, x, y, RUPTURE_COLOR, radius=6)  # a coloured edge around


def test_bad_requests_leave_the_project_as_it_was(demo, tmp_path):
    before = digest(demo)
    refused = run("export", "sequences", tmp_path / "x.docx", "nosuch", "--coder", "reference", "-p", demo, code=None)
    assert refused.exit_code == 1 and "no transcript named 'nosuch'" in refused.output
    refused = run("export", "sequences", tmp_path / "nope" / "x.docx", "--coder", "reference", "-p", demo, code=None)
    assert refused.exit_code == 2 and "does not exist" in refused.output
    refused = run("export", "sequences", demo, "--coder", "reference", "-p", demo, code=None)
    assert refused.exit_code == 2 and "is the project file" in refused.output
    assert run("export", "sequences", tmp_path / "x.docx", "-p", demo, code=None).exit_code == 2  # no --coder
    assert digest(demo) == before and not (tmp_path / "x.docx").exists()


def test_a_codebook_without_families_is_refused_with_what_to_add(tmp_path):
    path = tmp_path / "mi.db"
    run("init", "--project", path, "--codebook", ROOT / "codebooks" / "mi.yaml")
    run("coders", "add", "alice", "-p", path)
    refused = run("export", "sequences", tmp_path / "x.docx", "--coder", "alice", "-p", path, code=None)
    assert refused.exit_code == 1 and "family: rupture" in refused.output


def test_matplotlib_is_loaded_only_when_a_figure_is_drawn():
    code = ("import sys, accord.cli, accord.cli.export, accord.export.sequences_report, accord.sequences.timeline; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
