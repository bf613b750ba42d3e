"""accord as users install it: the sdist and wheel build, and the installed wheel runs the demo,
the commands and the coding UI from a folder with no repository beside it."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["tui/accord.tcss", "data/codebooks/alliance.yaml", "data/codebooks/mi.yaml",
           "data/sample_transcripts/session02_fees_rupture.docx", "data/sample_transcripts/reference_coding_1-3.csv"]

# Run with the installed interpreter: opens the coding screen on the demo project, codes one
# utterance with a codebook hotkey, and reports what the file then holds.
PILOT_SMOKE = """
import asyncio, json, sys
from accord.store import Project
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen

async def until(pilot, condition, what):
    deadline = asyncio.get_running_loop().time() + 60  # only a deadline for a hung app
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            sys.exit(f"timed out waiting for {what}; the screen is {pilot.app.screen!r}")
        await pilot.pause(0.05)

async def main(path):
    app = AccordApp(path, coder="smoke", transcript="session04_withdrawal_repair", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.is_mounted, "the coding screen")
        await pilot.press("2")
        await until(pilot, lambda: "applied" in app.screen.last_saved, "the hotkey's coding to be saved")
    with Project.open(path) as p:
        print(json.dumps([c.code for c in p.codings(coder="smoke")]))

asyncio.run(main(sys.argv[1]))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sdist and the wheel, built by `python -m build` (the wheel from the sdist, so a file
    missing from the sdist is missing from the wheel too) from a clean copy of the sources:
    a build/ folder or egg-info left in the checkout would mask what is missing."""
    out = tmp_path_factory.mktemp("dist")
    source = out / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                   check=True, timeout=300, capture_output=True)
    return out


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository with the wheel installed in it; returns
    its bin/ folder. The wheel goes in with --no-deps, and a .pth line then makes this test
    environment's site-packages visible behind the new one, so spaCy and Textual are not
    downloaded again. That line adds the folder only: the editable accord's own .pth is not run,
    and the tests below check that accord is imported from the new environment."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    [wheel] = built.glob("accord-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, timeout=300, capture_output=True)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "_accord_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def run_installed(bin_dir: Path, *args, cwd: Path) -> str:
    """Run a program of the installed environment from `cwd`, with nothing pointing at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CONFIG_HOME"] = str(cwd / "config")  # remembered coders stay in the test's folder
    result = subprocess.run([str(bin_dir / args[0]), *map(str, args[1:])], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_sdist_and_the_wheel_hold_the_data_the_tool_reads(built):
    """Without the stylesheet an installed accord's coding UI stopped at start-up ("unable to
    read CSS file"); without the data, `accord demo` failed."""
    [wheel] = built.glob("accord-*.whl")
    [sdist] = built.glob("accord-*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    in_sdist = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    for name in SHIPPED + ["suggest/background.py"]:
        assert f"accord/{name}" in in_wheel
        assert f"src/accord/{name}" in in_sdist


def test_the_installed_wheel_runs_demo_status_and_the_coding_screen(installed, tmp_path):
    """From a folder outside the repository: the demo is built from the shipped data, `status`
    reads it, and the coding screen opens and codes with a hotkey."""
    started = time.monotonic()
    where = run_installed(installed, "python", "-c", "import accord; print(accord.__file__)", cwd=tmp_path)
    assert Path(where).is_relative_to(installed.parent), f"accord imported from {where}, not the installed wheel"
    assert "Created demo project" in run_installed(installed, "accord", "demo", "-p", "X.db", cwd=tmp_path)
    status = run_installed(installed, "accord", "status", "-p", "X.db", cwd=tmp_path)
    assert "Transcripts 6 " in status and "Codings     227" in status, status
    script = tmp_path / "smoke.py"
    script.write_text(PILOT_SMOKE)
    codes = json.loads(run_installed(installed, "python", script, "X.db", cwd=tmp_path))
    assert codes == ["Minimal response"]
    print(f"installed wheel: demo, status and Pilot smoke in {time.monotonic() - started:.1f} s")


def test_the_installed_wheel_meets_its_own_requirements(installed, tmp_path):
    """The dependencies the tests run against are inside the bounds the wheel declares, so the
    bounds say what was tested (see the comments in pyproject.toml)."""
    check = ("from importlib.metadata import requires, version\n"
             "from packaging.requirements import Requirement\n"
             "for line in requires('accord'):\n"
             "    r = Requirement(line)\n"
             "    if r.marker is None:\n"
             "        assert version(r.name) in r.specifier, (r.name, version(r.name), str(r.specifier))\n"
             "        print(r.name)\n")
    checked = run_installed(installed, "python", "-c", check, cwd=tmp_path).split()
    assert "textual" in checked and "spacy" in checked


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
