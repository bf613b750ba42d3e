"""`accord.importing`: the one path that reads transcript files and stores them, for the CLI,
the demo and scripts."""

from pathlib import Path

import pytest

from accord.importing import ImportRefused, import_files, read_files
from accord.store import Project

from conftest import digest

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"


def test_reads_every_file_and_names_each_bad_one(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    seen = []
    parsed, errors = read_files([SAMPLES / "session01_cbt_panic.txt", bad],
                                progress=lambda items, label: seen.append(label) or items)
    assert [t.name for t in parsed] == ["session01_cbt_panic"] and seen == ["Reading"]
    assert len(errors) == 1 and "bad.docx" in str(errors[0])


def test_stores_a_batch_or_refuses_all_of_it_before_touching_the_project(tmp_path):
    path = tmp_path / "p.db"
    first, errors = read_files([SAMPLES / "session01_cbt_panic.txt", SAMPLES / "session06_ending.docx"])
    assert not errors
    with Project.create(path) as p:
        results = import_files(p, first)
    assert [r.status for r in results] == ["imported", "imported"]
    changed = tmp_path / "session01_cbt_panic.txt"
    changed.write_text((SAMPLES / "session01_cbt_panic.txt").read_text(encoding="utf-8") + "\nTherapist: One more line.\n",
                       encoding="utf-8")
    again, _ = read_files([SAMPLES / "session04_withdrawal_repair.txt", changed])
    before = digest(path)
    with Project.open(path) as p, pytest.raises(ImportRefused) as refused:
        import_files(p, again)
    assert digest(path) == before  # not even the good one of the batch
    assert "session01_cbt_panic" in refused.value.problems[0] and "--" not in str(refused.value)
    with Project.open(path) as p:
        assert [r.status for r in import_files(p, again, as_new=True)] == ["imported", "imported-as-new"]
