"""REFI-QDA interchange: `.qdc` codebooks and `.qdpx` projects, read and written.

REFI-QDA 1.0 is how NVivo, ATLAS.ti, MAXQDA and QualCoder exchange projects. accord writes
files that validate against the REFI schemas and reads what real tools write, tolerating
their known deviations. Everything is read and checked into a `Bundle` before a project is
touched, so a bad file changes nothing.

    from accord.interchange import read_refi, write_qdpx
    bundle = read_refi("other_tool.qdpx")      # raises InputError naming file and line
    project.import_bundle(bundle)
    write_qdpx(project, "study.qdpx")
"""

from .bundle import Bundle
from .qdc import read_qdc, write_qdc
from .qdpx_read import read_qdpx
from .qdpx_write import write_qdpx

__all__ = ["Bundle", "read_qdc", "read_qdpx", "read_refi", "write_qdc", "write_qdpx"]


def read_refi(path) -> Bundle:
    """Read a `.qdpx` or `.qdc` file, chosen by its extension."""
    from pathlib import Path

    return read_qdc(path) if Path(path).suffix.lower() == ".qdc" else read_qdpx(path)
