"""mypy, with the settings in pyproject.toml, finds nothing in the packages listed here.

`Project` is assembled from mixins that declare what they call on the project
(store/base.py); this keeps those declarations, and the `project: Project` parameters that
rely on them, true."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["src/accord/store", "src/accord/sequences", "src/accord/analysis", "src/accord/export",
           "src/accord/agreement", "src/accord/suggest", "src/accord/coding"]


def test_mypy_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", *CHECKED],
                            cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
