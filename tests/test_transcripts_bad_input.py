"""Every file in tests/bad_input is refused with an InputError naming the file (and line)."""

from pathlib import Path

import pytest

from accord.errors import InputError
from accord.transcripts import read_transcript

BAD = Path(__file__).parent / "bad_input"

CASES = {
    "binary.txt": (None, "not a text transcript (NUL byte"),
    "empty.txt": (None, "file is empty"),
    "whitespace_only.txt": (None, "file is empty (only whitespace)"),
    "no_turns.txt": (None, "no speaker turns found"),
    "unknown.pdf": (None, "unsupported file type (PDF)"),
    "unknown_format.dat": (None, "unknown format"),
    "truncated.docx": (None, "not a readable .docx"),
    "text_named.docx": (None, "named .docx but plain text, not a Word file: import it with --format text"),
    "malformed.vtt": (8, "bad VTT cue timing '00:00:04.000 --> 00:00:0x.500'"),
    "missing_header.vtt": (1, "not a WebVTT file"),
    "malformed.srt": (10, "bad SRT cue timing '00:00:09;000 --> 00:00:12,000'"),
    "missing_text_column.csv": (1, "no text column"),
    "bad_timestamp.txt": (3, "'00:99:07' is not a valid time"),
    "coding_table.csv": (1, "this is a table of codings (columns transcript, utterance, code, text), not a transcript: "
                            "import it with `accord codings import coding_table.csv --coder NAME`"),
}


def test_every_bad_file_has_a_case_and_is_in_the_readme():
    files = {p.name for p in BAD.iterdir() if p.is_file() and p.name != "README.md"}
    assert files == set(CASES)
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_raises_input_error_naming_file_and_line(name):
    line, expected = CASES[name]
    path = BAD / name
    with pytest.raises(InputError) as info:
        read_transcript(path)
    err = info.value
    assert err.file == str(path)
    assert name in str(err)
    assert expected in err.message
    assert err.line == line
    if line is not None:
        assert f"{name}:{line}: " in str(err)


def test_missing_text_column_lists_the_available_columns():
    with pytest.raises(InputError) as info:
        read_transcript(BAD / "missing_text_column.csv")
    assert "'speaker', 'start', 'end'" in info.value.message


@pytest.mark.parametrize("name, fmt", [("no_turns.txt", "vtt"), ("no_turns.txt", "csv"), ("binary.txt", "docx")])
def test_forcing_the_wrong_format_still_gives_input_error(name, fmt):
    with pytest.raises(InputError) as info:
        read_transcript(BAD / name, format=fmt)
    assert name in str(info.value)
