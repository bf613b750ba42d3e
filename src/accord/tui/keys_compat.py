"""The one place accord imports a private name from Textual.

Codebook hotkeys become bindings at run time on the coding screen, under the key name Textual
gives a typed character ("2" stays "2", "/" becomes "slash"). Textual has no public function
for that name, so this module takes the private `textual.keys._character_to_key`, which any
release may rename or drop. pyproject.toml keeps Textual below 9 for that reason; the fallback
below keeps hotkeys working if a minor release moves it, and tests/tui/test_keys_compat.py
checks that the two agree. (The coding screen also binds through `Screen._bindings`, Textual's
only way to add a binding to a live screen.)
"""

from __future__ import annotations

import unicodedata

from textual import keys


def key_name(character: str) -> str:
    """Textual's key name for a typed character: letters and digits as they are, anything else
    by its Unicode name in snake case ("?" -> "question_mark"), shortened where Textual
    shortens it ("solidus" -> "slash")."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:  # no Unicode name (a control character): Textual keeps the character
        return character
    return getattr(keys, "KEY_NAME_REPLACEMENTS", {}).get(name, name)


try:
    from textual.keys import _character_to_key as character_to_key
except ImportError:  # gone from this Textual: our own reading of the same rule
    character_to_key = key_name
