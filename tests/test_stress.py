"""The stress bench in short: 20 seconds of the real coding app coding at random while a
second coder's process and `accord import` / `suggest` / `train` write to the same project.
Nothing the app or the second coder confirmed may be missing from the file, and no error may
be shown. (`bench/stress.py --runs 10` is the full version; its figures are in the README.)"""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "stress.py"


def test_twenty_seconds_of_coding_beside_other_writers_loses_nothing(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--seconds", "20", "--json"],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.stdout.strip(), result.stderr[-3000:]
    run = json.loads(result.stdout.strip().splitlines()[-1])
    assert run["app_confirmed"] >= 10 and run["second_coder_confirmed"] >= 10 and run["commands"] >= 2, run
    assert run["alice_events_in_file"] == run["app_confirmed"], run
    assert (run["lost"], run["phantom"], run["errors_shown"]) == (0, 0, 0), run["error_messages"]
    assert run["integrity"] == "ok"
    assert result.returncode == 0
