"""Per-user preferences: which coder name this person used for each project, the order
they walk suggestions in, and their own keys (`keymap`).

Kept outside the project file on purpose: two coders may share one project file, and each
of their machines should remember its own coder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def _prefs_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "accord" / "prefs.json"


def _load() -> dict:
    try:
        return json.loads(_prefs_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def keymap() -> dict[str, str]:
    """The person's own keys: binding id -> keys, e.g. {"move.down": "j,down,ctrl+n"}, from the
    `keymap` section of prefs.json (the help screen lists every binding's id). Anything that is
    not a name and a non-empty string of keys is ignored, so a typo never stops the app."""
    section = _load().get("keymap")
    if not isinstance(section, dict):
        return {}
    return {k: v.replace(" ", "") for k, v in section.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}


def remembered_coder(project: Path) -> str | None:
    return _load().get("coders", {}).get(str(Path(project).resolve()))


def remember_coder(project: Path, coder: str) -> None:
    _remember("coders", project, coder)


def remembered_order(project: Path) -> str:
    """How this person last walked suggestions in this project: "text" or "uncertain"."""
    order = _load().get("orders", {}).get(str(Path(project).resolve()))
    return order if order in ("text", "uncertain") else "text"


def remember_order(project: Path, order: str) -> None:
    _remember("orders", project, order)


def _remember(kind: str, project: Path, value: str) -> None:
    prefs = _load()
    prefs.setdefault(kind, {})[str(Path(project).resolve())] = value
    path = _prefs_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(prefs, indent=2), encoding="utf-8")
    except OSError:
        pass  # a read-only home only costs the user one question next time
