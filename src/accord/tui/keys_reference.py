"""The keys reference (docs/keys.md), generated from the screens' bindings.

Why generated: the keys are defined once, in each screen's BINDINGS, with an id a person can
remap in the `keymap` section of the preferences file. `python -m accord.tui.keys_reference`
rewrites docs/keys.md; a test fails when the file and the bindings differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .screens.help import key_names

HEADER = """# accord keys

Generated from the screens' bindings by `python -m accord.tui.keys_reference`; do not edit by
hand (a test compares this file with the code). Every key can be changed: put its id in the
`keymap` section of `~/.config/accord/prefs.json`, e.g. `"keymap": {"move.down": "j,down,ctrl+n"}`.
In the app, `?` shows the keys in effect. Codebook hotkeys (one character per code) apply that
code to the selection; `ctrl+p` opens the command palette anywhere.
"""


def screens() -> list[tuple[str, type]]:
    from .screens.agreement import AgreementScreen, PickCodes, ReconcileScreen
    from .screens.codebook import CodebookScreen
    from .screens.coding import CodingScreen
    from .screens.home import HomeScreen
    from .screens.modals import Choose, Confirm, MemoEditor, TextPrompt
    from .screens.rating import RatingDialog
    from .screens.retrieval import RetrievalScreen

    return [("Home", HomeScreen), ("Coding", CodingScreen), ("Codebook", CodebookScreen),
            ("Retrieval", RetrievalScreen), ("Agreement table", AgreementScreen), ("Reconciling by unit", ReconcileScreen),
            ("Choosing codes to reconcile", PickCodes), ("Rating a segment", RatingDialog),
            ("Code picker", Choose), ("Memo editor", MemoEditor), ("Text prompt", TextPrompt),
            ("Confirmation", Confirm)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    parts = [HEADER]
    for title, screen in screens():
        rows = [b for b in screen.BINDINGS if getattr(b, "id", None)]
        if not rows:
            continue
        parts += [f"## {title}\n", "| keys | what it does | keymap id |", "|---|---|---|"]
        parts += [f"| {_cell(key_names(b.key))} | {_cell(b.description or b.action)} | `{b.id}` |" for b in rows]
        parts.append("")
    return "\n".join(parts)


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/keys.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(reference(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
