from pathlib import Path

import pytest


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
