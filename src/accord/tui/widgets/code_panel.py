"""The codebook as an indented list with each code's mark, and the highlighted code's definition.

A list rather than a tree: a tree row cannot wrap, so in a 38-column panel long names were
cut ("Self-criticism and hope"); here each name wraps under itself at spaces.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...model import Codebook, Code
from ..palette import CodeLook, color_mode
from .transcript_view import wrap_words


def code_label(code: Code, count: int | None = None, look: CodeLook | None = None) -> Text:
    """One line for a code: its mark on its colour, its name, and how often it is used."""
    label = Text()
    if look is not None:
        badge, style = look.badge(code.name)
        label.append(badge, style=style)
        label.append(" ")
    else:
        label.append("■ ", style=code.color or "#888888")
        label.append(f"[{code.hotkey}] " if code.hotkey else "    ", style="bold")
    label.append(code.name)
    if count:
        label.append(f"  {count}", style="grey50")
    return label


def wrapped_code_label(code: Code, depth: int, width: int, look: CodeLook) -> Text:
    """A code's mark and name indented by depth, the name wrapped at spaces under itself."""
    indent = "  " * depth
    badge, style = look.badge(code.name)
    room = max(4, width - len(indent) - len(badge) - 1)
    label = Text()
    for n, part in enumerate(wrap_words(code.name, room)):
        if n:
            label.append("\n" + indent + " " * (len(badge) + 1))
        else:
            label.append(indent)
            label.append(badge, style=style)
            label.append(" ")
        label.append(part, style="bold" if code.parent is None else "")
    return label


def code_details(code: Code) -> Text:
    text = Text()
    text.append(code.name + "\n", style=f"bold {code.color or ''}")
    for title, body in (("Definition", code.definition), ("Use when", code.when_to_use), ("Not when", code.when_not_to_use)):
        if body:
            text.append(f"{title}: ", style="bold")
            text.append(body + "\n")
    if code.examples:
        text.append("Examples: ", style="bold")
        text.append("; ".join(f"“{e}”" for e in code.examples[:4]) + "\n")
    return text


class CodePanel(Vertical):
    """Posts `CodeChosen` when a code is picked with Enter in the list."""

    class CodeChosen(Message):
        def __init__(self, code: str) -> None:
            self.code = code
            super().__init__()

    def __init__(self, codebook: Codebook | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.codebook = codebook
        self._built_for = -1

    def compose(self) -> ComposeResult:
        yield OptionList(id="code-tree")
        with VerticalScroll(id="code-detail-box"):  # a long definition scrolls, never cut
            yield Static("", id="code-detail")

    def on_mount(self) -> None:
        if not self.codebook:
            self.query_one("#code-detail", Static).update("No codebook loaded: accord codebook load FILE")

    def on_resize(self) -> None:
        width = self.query_one(OptionList).scrollable_content_region.width
        if width > 0 and width != self._built_for:
            self.rebuild(width)

    def rebuild(self, width: int) -> None:
        """List the codes wrapped to `width` columns, keeping the highlighted one."""
        self._built_for = width
        options = self.query_one(OptionList)
        if not self.codebook:
            return
        look = CodeLook(self.codebook, color_mode(self.app))
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([
            Option(wrapped_code_label(code, depth, width, look), id=code.name) for code, depth in self._walk(None, 0)
        ])
        options.highlighted = highlighted if highlighted is not None else 0

    def _walk(self, parent: str | None, depth: int):
        for code in self.codebook.children(parent):
            yield code, depth
            yield from self._walk(code.name, depth + 1)

    def show(self, code_name: str) -> None:
        code = self.codebook.by_name().get(code_name) if self.codebook else None
        if code:
            self.query_one("#code-detail", Static).update(code_details(code))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.show(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            event.stop()
            self.post_message(self.CodeChosen(event.option.id))
