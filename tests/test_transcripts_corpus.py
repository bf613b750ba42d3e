"""Real AnnoMI sessions: every corpus file imports, offsets match the expert annotations, and
session 23 reads the same in every format (speaker roles and words, turn by turn)."""

import csv

import pytest

from accord.transcripts import guess_roles, read_transcript


def _turns(t):
    roles = guess_roles(t.speakers)
    return [(roles.get(u.speaker), t.utterance_text(u).split()) for u in t.utterances]


def _corpus_files(corpus_dir):
    return sorted(
        p for folder in ("transcripts", "transcripts_timestamped", "formats")
        for p in (corpus_dir / folder).iterdir() if p.is_file()
    )


def test_every_corpus_file_imports(corpus_dir):
    files = _corpus_files(corpus_dir)
    assert len(files) >= 15
    for path in files:
        t = read_transcript(path)
        assert len(t.utterances) >= 20, path
        assert set(t.roles.values()) == {"therapist", "client"}, path
        for u in t.utterances:
            said = t.text[u.start : u.end]
            assert said and said == said.strip(), (path, u)
        assert [u.number for u in t.utterances] == list(range(1, len(t.utterances) + 1))


def test_plain_text_is_stored_as_is_and_lines_are_utterances(corpus_dir):
    for path in sorted((corpus_dir / "transcripts").glob("*.txt")):
        t = read_transcript(path)
        assert t.text == path.read_text(encoding="utf-8")
        lines = [line for line in t.text.split("\n") if line]
        assert len(t.utterances) == len(lines)
        for u, line in zip(t.utterances, lines):
            assert f"{u.speaker}: {t.utterance_text(u)}" == line


def test_annotation_offsets_match_our_utterances(corpus_dir):
    rows = list(csv.DictReader(open(corpus_dir / "annotations.csv", encoding="utf-8")))
    assert len(rows) > 1000
    cache = {}
    for row in rows:
        tid = int(row["transcript_id"])
        if tid not in cache:
            cache[tid] = read_transcript(corpus_dir / "transcripts" / f"annomi_{tid:03d}.txt")
        u = cache[tid].utterances[int(row["utterance_id"])]  # utterance number utterance_id + 1
        assert u.number == int(row["utterance_id"]) + 1
        assert (u.start, u.end) == (int(row["text_start"]), int(row["text_end"])), row
        assert u.speaker == row["speaker"]


def test_timestamped_files_have_the_same_turns_and_times(corpus_dir):
    for path in sorted((corpus_dir / "transcripts_timestamped").glob("*.txt")):
        plain = read_transcript(corpus_dir / "transcripts" / path.name)
        stamped = read_transcript(path)
        assert [plain.utterance_text(u) for u in plain.utterances] == [
            stamped.utterance_text(u) for u in stamped.utterances
        ]
        times = [u.time_start for u in stamped.utterances]
        assert None not in times and times == sorted(times)


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("annomi_023.docx", "docx"),
        ("annomi_023_zoom.vtt", "vtt"),
        ("annomi_023_teams.vtt", "vtt"),
        ("annomi_023.srt", "srt"),
        ("annomi_023_otter_style.txt", "otter"),
    ],
)
def test_session_23_reads_the_same_in_every_format(corpus_dir, name, fmt):
    reference = read_transcript(corpus_dir / "transcripts" / "annomi_023.txt")
    t = read_transcript(corpus_dir / "formats" / name)
    assert t.format == fmt
    assert _turns(t) == _turns(reference)
    assert t.words == reference.words
    stamped = read_transcript(corpus_dir / "transcripts_timestamped" / "annomi_023.txt")
    # Subtitle files move a turn starting in the same second as the previous one by 0.5 s.
    for u, v in zip(t.utterances, stamped.utterances):
        assert abs(u.time_start - v.time_start) <= 0.5, (u, v)
    if fmt == "docx":
        assert any("skipped as title/metadata" in n for n in t.notes)
    if fmt in ("vtt", "srt"):
        assert all(u.time_end is not None and u.time_end >= u.time_start for u in t.utterances)
