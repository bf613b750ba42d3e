"""Hotkey key names: accord's fallback names every character as Textual's private helper does,
so hotkeys keep working if a Textual release drops that helper."""

import string
from pathlib import Path

from textual.keys import _character_to_key  # the private helper, imported here only to compare

from accord.codebook import load_codebook
from accord.tui.keys_compat import character_to_key, key_name

ROOT = Path(__file__).resolve().parents[2]


def test_textuals_helper_is_used_while_it_exists():
    assert character_to_key is _character_to_key


def test_the_fallback_names_every_hotkey_character_as_textual_does():
    """Codebook hotkeys are single characters other than white space (codebook.py checks)."""
    shipped = [c.hotkey for name in ("alliance.yaml", "mi.yaml")
               for c in load_codebook(ROOT / "codebooks" / name).codes if c.hotkey]
    characters = [c for c in string.printable if not c.isspace()] + list("éßÜ§°€½¿ñ") + shipped
    assert len(shipped) > 10
    assert {c: key_name(c) for c in characters} == {c: _character_to_key(c) for c in characters}
