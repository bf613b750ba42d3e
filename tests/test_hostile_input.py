"""Hostile files (issue 11, part 3): zip bombs, YAML alias bombs, huge transcripts, CSV injection.

Each hostile file is made here at runtime (`hostile_files.py`). Reading one runs in a
subprocess with a cap on its address space, so a regression fails the test (MemoryError,
or too slow) instead of taking the machine down; time and peak memory are asserted with
generous margins (`bench/hostile.py` gives the precise figures). Through the CLI, each is
refused with exit status 2, a message naming the file, and the project file unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from accord.errors import InputError
from accord.limits import MAX_TRANSCRIPT_BYTES, MAX_UTTERANCE_CHARS
from accord.transcripts import read_transcript

from conftest import digest, run

import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = ROOT / "codebooks" / "alliance.yaml"

# Read one file in a fresh interpreter; print what happened, the time and the peak RSS.
CHILD = r"""
import json, resource, sys, time
kind, path, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start = time.perf_counter()
try:
    if kind == "transcript":
        from accord.transcripts import read_transcript as read
    elif kind == "qdpx":
        from accord.interchange.qdpx_read import read_qdpx as read
    else:
        from accord.codebook import load_codebook as read
    read(path)
    outcome = "read"
except Exception as e:
    outcome = f"{type(e).__name__}: {e}"
try:  # this process's own high-water mark (ru_maxrss can carry a forking parent's over exec)
    peak_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
except OSError:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start, "peak_mb": peak_kb / 1024}))
"""
ADDRESS_SPACE = 1536 * 1024**2  # virtual memory, not RSS: a regression fails with MemoryError instead of swapping


def read_in_child(kind: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), str(ADDRESS_SPACE)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_refused_quickly(result: dict, *expected: str, seconds: float = 5, peak_mb: float = 300):
    assert result["outcome"].startswith("InputError: "), result
    for text in expected:
        assert text in result["outcome"], result
    assert result["seconds"] < seconds, result
    assert result["peak_mb"] < peak_mb, result


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "study.db"
    assert run("init", "--project", path, "--codebook", ALLIANCE).exit_code == 0
    session = tmp_path / "s1.txt"
    session.write_text("T: How has the week been?\nC: Fine. I guess.\n", encoding="utf-8")
    assert run("import", session, "--project", path).exit_code == 0
    return path


def refused_by_cli(project: Path, bad: Path, *command: str) -> str:
    """Run the command on `bad`; assert exit 2, the file named and the project unchanged."""
    before = digest(project)  # no connection is open between CliRunner calls
    result = run(*command, bad, "--project", project, code=2)
    assert str(bad) in result.stderr
    assert digest(project) == before
    return result.stderr


# --- zip bombs ----------------------------------------------------------------------------------


def test_docx_bomb_is_refused_quickly_naming_file_and_member(tmp_path):
    bomb = hf.docx_bomb(tmp_path / "bomb.docx", mb=1024)  # 1 MB expanding to 1 GB
    assert bomb.stat().st_size < 2 * hf.MB
    result = read_in_child("transcript", bomb)
    assert_refused_quickly(result, str(bomb), "(word/document.xml)", "zip bomb")


def test_docx_whose_header_lies_about_the_size_is_refused(tmp_path):
    bomb = hf.docx_bomb(tmp_path / "liar.docx", mb=1024, declared=2000)
    result = read_in_child("transcript", bomb)
    assert_refused_quickly(result, str(bomb), "(word/document.xml)")


def test_docx_at_a_ratio_no_real_document_has_is_refused(tmp_path):
    bomb = hf.docx_bomb(tmp_path / "dense.docx", mb=40)  # under the size limit, but 40 MB from 40 KB
    with pytest.raises(InputError, match=r"expands \d[\d,]* times .* over the limit of 100 times"):
        read_transcript(bomb)


def test_qdpx_bombs_are_refused_quickly(tmp_path):
    for name, path in {
        "project.qde": hf.qdpx_bomb(tmp_path / "bomb.qdpx", mb=1024),
        "liar": hf.qdpx_bomb(tmp_path / "liar.qdpx", mb=1024, declared=5000),
        "(sources/a.txt)": hf.qdpx_with_source(tmp_path / "src.qdpx", "a.txt", hf.Repeat(1024)),
        "(sources/a.docx) (word/document.xml)": hf.qdpx_with_source(tmp_path / "srcdocx.qdpx", "a.docx",
                                                                    hf.docx_bytes_bomb(1024)),
    }.items():
        result = read_in_child("qdpx", path)
        assert_refused_quickly(result, str(path), name if name.startswith("(") else "(project.qde)")


def test_word_source_inside_a_qdpx_is_checked_before_python_docx_opens_it():
    from accord.interchange.sources import docx_text

    with pytest.raises(InputError, match=r"inner\.qdpx \(sources/a\.docx\) \(word/document\.xml\): .*zip bomb"):
        docx_text(hf.docx_bytes_bomb(200), "inner.qdpx (sources/a.docx)")


def test_real_word_files_are_within_the_limits():
    for path in sorted((ROOT / "sample_transcripts").glob("*.docx")):
        assert read_transcript(path).utterances


def test_cli_refuses_zip_bombs_with_exit_2_and_project_unchanged(project, tmp_path):
    stderr = refused_by_cli(project, hf.docx_bomb(tmp_path / "bomb.docx", mb=1024), "import")
    assert "zip bomb" in stderr
    stderr = refused_by_cli(project, hf.qdpx_bomb(tmp_path / "bomb.qdpx", mb=1024), "import")
    assert "zip bomb" in stderr


# --- YAML alias bombs ---------------------------------------------------------------------------


def test_billion_laughs_codebook_is_refused_at_once_naming_the_line(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(hf.BILLION_LAUGHS, encoding="utf-8")
    result = read_in_child("codebook", path)
    assert_refused_quickly(result, f"{path}:3: YAML alias *a is not allowed", seconds=1)


def test_a_single_alias_or_merge_key_is_refused_too(tmp_path):
    from accord.codebook import parse_codebook

    text = ("name: x\ncodes:\n  - name: A\n    examples: &ex [\"I guess\"]\n"
            "  - name: B\n    examples: *ex\n")
    with pytest.raises(InputError) as info:
        parse_codebook(text, "c.yaml")
    assert (info.value.line, str(info.value).startswith("c.yaml:6: YAML alias *ex")) == (6, True)
    merge = "name: x\ncodes:\n  - &a {name: A}\n  - <<: *a\n    name: B\n"
    with pytest.raises(InputError, match="alias"):
        parse_codebook(merge, "m.yaml")


def test_codebook_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from accord.codebook import load_codebook

    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(3 * hf.MB)
    with pytest.raises(InputError, match="too large for a codebook: the limit is 2.0 MB"):
        load_codebook(big)


def test_cli_refuses_alias_codebook_with_exit_2_and_project_unchanged(project, tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(hf.BILLION_LAUGHS, encoding="utf-8")
    stderr = refused_by_cli(project, path, "codebook", "load")
    assert f"{path}:3:" in stderr


# --- huge transcripts ---------------------------------------------------------------------------


def test_transcript_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:  # sparse: 100 MB on paper, nothing on disk
        f.truncate(100 * hf.MB)
    result = read_in_child("transcript", big)
    assert_refused_quickly(result, str(big), "too large", "50 MB", seconds=2, peak_mb=150)


def test_100_mb_single_line_transcript_is_refused_quickly(tmp_path):
    big = hf.one_line_text(tmp_path / "one_line.txt", 100)
    assert_refused_quickly(read_in_child("transcript", big), str(big), "too large", seconds=2, peak_mb=150)


def test_single_line_under_the_size_limit_is_refused_naming_the_line(tmp_path):
    path = hf.one_line_text(tmp_path / "one_line.txt", 45)
    result = read_in_child("transcript", path)
    assert_refused_quickly(result, f"{path}:1: line is ", "characters long", "at most 50,000")


def test_device_that_never_ends_is_refused(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(InputError, match="too large"):
        read_transcript("/dev/zero", format="text")


def test_detect_format_reads_only_within_the_size_limit(tmp_path):
    from accord.transcripts import detect_format

    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(MAX_TRANSCRIPT_BYTES + 1)
    with pytest.raises(InputError, match="too large"):
        detect_format(big, None)


def _long_turn(n: int) -> str:
    return " ".join(["so"] * (n // 3 + 1))[:n]


@pytest.mark.parametrize("fmt", ["text", "otter", "vtt", "srt", "csv", "docx"])
def test_utterance_over_the_limit_is_refused_in_every_format(tmp_path, fmt):
    """Short lines wrapped into one long turn (text) or one long cue, row or paragraph."""
    n = MAX_UTTERANCE_CHARS + 10
    words = _long_turn(n)
    wrapped = "\n".join(words[i:i + 70] for i in range(0, n, 70))
    path = tmp_path / f"long.{ {'text': 'txt', 'otter': 'txt'}.get(fmt, fmt) }"
    if fmt == "text":
        path.write_text(f"T: Hello.\nC: {wrapped}\n", encoding="utf-8")
    elif fmt == "otter":
        path.write_text(f"Therapist  0:01\nHello.\n\nClient  0:05\n{wrapped}\n", encoding="utf-8")
    elif fmt == "vtt":
        path.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nT: Hello.\n\n"
                        f"00:00:05.000 --> 00:59:00.000\nC: {wrapped}\n", encoding="utf-8")
    elif fmt == "srt":
        path.write_text(f"1\n00:00:01,000 --> 00:00:04,000\nHello.\n\n2\n00:00:05,000 --> 00:59:00,000\n{wrapped}\n",
                        encoding="utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["speaker", "text"], ["T", "Hello."], ["C", wrapped]])
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        import docx

        document = docx.Document()
        document.add_paragraph("T: Hello.")
        document.add_paragraph(f"C: {words}")
        document.save(path)
    with pytest.raises(InputError) as info:
        read_transcript(path, format=fmt)
    assert "utterance 2" in info.value.message and "at most 50,000" in info.value.message
    assert info.value.line == {"text": 2, "otter": 5}.get(fmt)  # the other formats are re-rendered
    assert str(path) in str(info.value)


def test_caption_cues_of_one_speaker_stop_joining_at_the_limit(tmp_path):
    """A whole session under one speaker name (one microphone) is not refused: it is cut."""
    cue = "and so I went back to the same place again and it was all the same as before. " * 6
    lines = ["WEBVTT", ""]
    for i in range(250):  # about 120,000 characters, all "Room"
        lines += [f"00:{i // 60:02d}:{i % 60:02d}.000 --> 00:{i // 60:02d}:{i % 60:02d}.900", f"Room: {cue}", ""]
    path = tmp_path / "room.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    transcript = read_transcript(path)
    lengths = [u.end - u.start for u in transcript.utterances]
    assert len(lengths) == 3 and max(lengths) <= MAX_UTTERANCE_CHARS
    assert {u.speaker for u in transcript.utterances} == {"Room"}


def test_qdpx_source_with_an_utterance_over_the_limit_is_refused(tmp_path):
    from accord.interchange.qdpx_read import read_qdpx

    text = b"T: Hello.\nC: " + b"so " * (MAX_UTTERANCE_CHARS // 3 + 10) + b"\n"
    path = hf.qdpx_with_source(tmp_path / "long.qdpx", "a.txt", text)
    with pytest.raises(InputError, match=r"utterance 2 is [\d,]+ characters long; accord takes at most 50,000"):
        read_qdpx(path)


def test_a_long_but_real_session_is_read(tmp_path):
    """Three hours of two-way talk, long monologues included, is far inside the limits."""
    turn = "I think what I keep coming back to is that week, and how it felt, " * 120  # ~8k characters
    path = tmp_path / "long_session.txt"
    path.write_text("".join(f"{'TC'[i % 2]}: {turn if i % 50 == 0 else 'Mm, go on.'}\n" for i in range(1500)),
                    encoding="utf-8")
    assert len(read_transcript(path).utterances) == 1500


def test_cli_refuses_huge_transcripts_with_exit_2_and_project_unchanged(project, tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(MAX_TRANSCRIPT_BYTES + 1)
    assert "too large" in refused_by_cli(project, big, "import")
    line = hf.one_line_text(tmp_path / "one_line.txt", 2)
    assert f"{line}:1: line is" in refused_by_cli(project, line, "import")


# --- CSV injection ------------------------------------------------------------------------------


def _coded_project(tmp_path) -> Path:
    path = tmp_path / "inject.db"
    assert run("init", "--project", path, "--codebook", ALLIANCE).exit_code == 0
    session = tmp_path / "formula.txt"
    session.write_text("T: =HYPERLINK(\"http://example.com\",\"click\")\nC: - yes\nT: -2\nC: @SUM(A1)\n",
                       encoding="utf-8")
    assert run("import", session, "--project", path).exit_code == 0
    table = tmp_path / "codings.csv"
    table.write_text("transcript,utterance,code,text,memo\n"
                     + "".join(f"formula,{n},Minimal response,,+memo {n}\n" for n in (1, 2, 3, 4)), encoding="utf-8")
    result = run("codings", "import", table, "--coder", "=evil", "--project", path)
    assert result.exit_code == 0, result.output
    return path


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_neutralises_formulas_and_leaves_numbers(tmp_path):
    path = _coded_project(tmp_path)
    out = run("export", "csv", "-", "--table", "segments", "--project", path).stdout
    rows = _rows(out)
    header, body = rows[0], rows[1:]
    cells = [dict(zip(header, r)) for r in body]
    assert [c["text"] for c in cells] == ["'=HYPERLINK(\"http://example.com\",\"click\")", "'- yes", "-2", "'@SUM(A1)"]
    assert {c["coder"] for c in cells} == {"'=evil"}
    assert [c["memo"] for c in cells] == [f"'+memo {n}" for n in (1, 2, 3, 4)]
    assert [c["utterance_first"] for c in cells] == ["1", "2", "3", "4"]
    assert all(c["start"].isdigit() for c in cells)
    dangerous = [v for r in body for v in r if v[:1] in ("=", "+", "@", "\t", "\r") or (v[:1] == "-" and v != "-2")]
    assert dangerous == []
    matrix = _rows(run("export", "csv", "-", "--table", "matrix", "--project", path).stdout)
    assert {r[6] for r in matrix[1:]} == {"'=evil"}


def test_csv_export_raw_writes_values_as_they_are(tmp_path):
    path = _coded_project(tmp_path)
    rows = _rows(run("export", "csv", "-", "--table", "segments", "--raw", "--project", path).stdout)
    cells = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert cells[0]["text"].startswith("=HYPERLINK(") and cells[0]["coder"] == "=evil"
    assert "--raw" in run("export", "csv", "--help").output


def test_neutralise_follows_owasp():
    from accord.export.csv import neutralise

    for value in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "- yes", "=evil"):
        assert neutralise(value) == "'" + value
    for value in ("-2", "+3.5", "-1e5", "yes", "", "a=b", 7, -7, 1.5, -0.25):
        assert neutralise(value) == value
