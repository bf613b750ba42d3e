"""The wheel carries what the installed tool needs at run time, not only the Python modules."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_the_coding_screens_stylesheet(tmp_path):
    """Without it an installed accord's coding UI stopped at start-up ("unable to read CSS file")."""
    source = tmp_path / "source"  # a clean copy: a build/ folder left in the checkout would mask what is missing
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(tmp_path)],
                   check=True, timeout=300, capture_output=True)
    [wheel] = tmp_path.glob("accord-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "accord/tui/accord.tcss" in names
    assert "accord/suggest/background.py" in names


@pytest.mark.parametrize("folder", ["codebooks", "sample_transcripts"])
def test_the_top_level_copies_match_the_shipped_data(folder):
    """accord reads src/accord/data/ (it is what a wheel carries); codebooks/ and
    sample_transcripts/ at the top are what people browsing the repository open, and the
    README's commands name. An edit to one copy alone fails here, naming the file."""
    shipped, top = ROOT / "src" / "accord" / "data" / folder, ROOT / folder
    names = sorted(p.name for p in shipped.iterdir())
    assert names == sorted(p.name for p in top.iterdir()), f"{folder}/ and {shipped} list different files"
    for name in names:
        assert (top / name).read_bytes() == (shipped / name).read_bytes(), (
            f"{folder}/{name} differs from src/accord/data/{folder}/{name}: copy the edited one over the other")
