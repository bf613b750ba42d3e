"""Benchmark: how fast, and in how much memory, hostile files are refused.

Each case runs in its own fresh interpreter that reads one file as `accord import` (or
`accord codebook load`) would; this script waits for it with `os.wait4`, which gives that
child's own resource usage (what `getrusage(RUSAGE_CHILDREN)` reports, for one child).
Printed per case: wall-clock seconds for the whole child (start-up and imports included),
seconds inside the read itself, peak RSS, and the message. Goals: refused in under 5 s
(YAML under 1 s) with peak memory under 300 MB. The files are made by
`tests/hostile_files.py`; `baseline` reads a real sample session, for scale.

    python bench/hostile.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile_files as hf  # noqa: E402

CHILD = r"""
import json, sys, time
kind, path = sys.argv[1], sys.argv[2]
if kind == "transcript":
    from accord.transcripts import read_transcript as read
elif kind == "qdpx":
    from accord.interchange.qdpx_read import read_qdpx as read
else:
    from accord.codebook import load_codebook as read
start = time.perf_counter()
try:
    read(path)
    outcome = "read"
except Exception as e:
    outcome = f"{type(e).__name__}: {e}"
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start}))
"""


def make_cases(folder: Path) -> list[tuple[str, str, Path]]:
    big_text = folder / "one_line_100mb.txt"
    laughs = folder / "laughs.yaml"
    laughs.write_text(hf.BILLION_LAUGHS, encoding="utf-8")
    return [
        ("baseline: real .docx session", "transcript", ROOT / "sample_transcripts" / "session02_fees_rupture.docx"),
        (".docx, document.xml expands to 1 GB", "transcript", hf.docx_bomb(folder / "bomb.docx", 1024)),
        (".docx, header says 2 KB, expands to 1 GB", "transcript", hf.docx_bomb(folder / "liar.docx", 1024, declared=2000)),
        (".docx, header says 60 MB, expands to 1 GB", "transcript",
         hf.docx_bomb(folder / "liar60.docx", 1024, declared=60 * hf.MB)),
        (".docx, 40 MB from 40 KB (ratio 1,000)", "transcript", hf.docx_bomb(folder / "dense.docx", 40)),
        (".qdpx, project.qde expands to 1 GB", "qdpx", hf.qdpx_bomb(folder / "bomb.qdpx", 1024)),
        (".qdpx, header says 5 KB, expands to 1 GB", "qdpx", hf.qdpx_bomb(folder / "liar.qdpx", 1024, declared=5000)),
        (".qdpx, header says 60 MB, expands to 1 GB", "qdpx",
         hf.qdpx_bomb(folder / "liar60.qdpx", 1024, declared=60 * hf.MB)),
        (".qdpx, a source .txt expands to 1 GB", "qdpx", hf.qdpx_with_source(folder / "src.qdpx", "a.txt", hf.Repeat(1024))),
        (".qdpx, a source .docx that is a 1 GB bomb", "qdpx",
         hf.qdpx_with_source(folder / "srcdocx.qdpx", "a.docx", hf.docx_bytes_bomb(1024))),
        ("YAML billion laughs (330 bytes)", "codebook", laughs),
        (".txt, 100 MB on one line", "transcript", hf.one_line_text(big_text, 100)),
        (".txt, 45 MB on one line (under the size limit)", "transcript", hf.one_line_text(folder / "one_line_45mb.txt", 45)),
        ("for scale, accepted: .txt, 45 MB of short turns", "transcript", _many_turns(folder / "turns_45mb.txt", 45)),
    ]


def _many_turns(path: Path, mb: int) -> Path:
    """A well-formed transcript as large as the size limit allows: what a file at it costs."""
    block = "".join(f"{'TC'[i % 2]}: and then I said that it was fine, really, I think so.\n" for i in range(2000))
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(mb * hf.MB // len(block)):
            f.write(block)
    return path


def run_case(kind: str, path: Path) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, kind, str(path)], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    result = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"outcome": f"exit {proc.returncode}", "seconds": wall}
    return {**result, "wall": wall, "peak_mb": usage.ru_maxrss / 1024}  # ru_maxrss is in KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="write the hostile files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases = make_cases(folder)
        print(f"{'case':48} {'file':>9} {'wall s':>7} {'read s':>7} {'peak MB':>8}  outcome")
        for label, kind, path in cases:
            r = run_case(kind, path)
            size = path.stat().st_size
            shown = f"{size / hf.MB:.1f} MB" if size >= hf.MB / 10 else f"{size} B"
            outcome = r["outcome"].replace(str(folder) + "/", "")
            print(f"{label:48} {shown:>9} {r['wall']:7.2f} {r['seconds']:7.3f} {r['peak_mb']:8.0f}  {outcome[:150]}")


if __name__ == "__main__":
    main()
