"""Fixtures and helpers for every test: the shared corpora, and the accord command line.

Test modules in tests/ import the helpers with `from conftest import run, digest`.
"""

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from accord.cli import main


def run(*args, code: int | None = 0, env: dict[str, str] | None = None) -> Result:
    """`accord ARGS` in this process, through click's runner (arguments may be Paths). Checks
    the exit code unless `code` is None. An exception the CLI does not turn into a message
    propagates with its traceback: a crash is never mistaken for a refusal."""
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def digest(path: Path) -> str:
    """A file's SHA-256, to show that a refused command left the project byte for byte as it was
    (read only between commands, when no connection is open)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared AnnoMI test corpus next to the repo (never copied into it)."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus not found: corpus tests need the shared AnnoMI material")
    return path


@pytest.fixture(scope="session")
def refi_dir() -> Path:
    """The REFI-QDA schemas and sample files next to the repo (never copied into it)."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "refi"
    if not (path / "Project.xsd").is_file():
        pytest.skip("../shared/refi not found: REFI-QDA schema and sample tests need the shared files")
    return path
