"""The coding screen's suggestion jobs, run in a process of their own.

Retraining and suggesting are CPU-bound Python (spaCy, the classifier). In a thread of the
UI's process they held the interpreter for long stretches: with a retrain running, a key
waited up to 3 s (bench/stress.py). Each job runs as `python -m accord.suggest.background`
instead, on the machine's other core; it opens its own connection to the project file, as
any other program would, writes its result as JSON on stdout, and nothing to the terminal
(the UI draws there).
"""

from __future__ import annotations

import json
import subprocess
import sys

JOBS = ("retrain_and_suggest", "suggest_with_own_model")


def run(job: str, path, coder: str, names: list[str]):
    """Run `accord.suggest.service.<job>(path, coder, names)` in a new process and wait for
    it (call this from a thread, not the UI's event loop). Returns (result, error message)."""
    if job not in JOBS:
        raise ValueError(f"unknown background job {job!r}")
    request = json.dumps({"job": job, "path": str(path), "coder": coder, "names": list(names)})
    done = subprocess.run([sys.executable, "-m", __name__], input=request, capture_output=True, text=True)
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])  # the last line: the answer
    except (json.JSONDecodeError, IndexError):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"the background job stopped (exit {done.returncode}): {last}"
    return answer["result"], answer["error"]


def _main() -> None:
    from ..errors import AccordError
    from . import service

    request = json.loads(sys.stdin.read())
    try:
        result, error = getattr(service, request["job"])(request["path"], request["coder"], request["names"]), None
    except AccordError as e:
        result, error = None, str(e)
    except Exception as e:  # the UI shows a message, never a traceback
        result, error = None, f"{type(e).__name__}: {e}"
    print(json.dumps({"result": result, "error": error}, default=str))


if __name__ == "__main__":
    _main()
