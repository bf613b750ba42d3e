"""Small modal dialogs: ask for a line of text, a memo, a choice from a list, a yes/no."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..matching import match_score, words


class TextPrompt(ModalScreen[str | None]):
    """One line of input; Enter submits, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "", restrict: str | None = None) -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value, self.restrict = title, placeholder, value, restrict

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, restrict=self.restrict, id="prompt-input")
            yield Label("Enter to confirm, Escape to cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoEditor(ModalScreen[str | None]):
    """A multi-line memo; Ctrl+S saves (empty clears it), Escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="memo.save"),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            yield Label("Ctrl+S to save (empty to delete), Escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)  # typing adds to what is there, as in any editor
        area.focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def highlight(label: str, query: str) -> Text:
    """`label` with the starts of words that the typed words match in bold."""
    text = Text(label)
    tokens = words(query)
    for m in re.finditer(r"[^\s\-_/.,:;'’()>]+", label):
        word = m.group().lower()
        token = max((t for t in tokens if word.startswith(t)), key=len, default=None)
        if token:
            text.stylize("bold underline", m.start(), m.start() + len(token))
    return text


class Choose(ModalScreen[str | None]):
    """Pick one of many by typing part of it, then Enter (see `accord.tui.matching`)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choose.cancel")]

    NEW = "\0new:"

    def __init__(self, title: str, choices: list[tuple[str, str]], allow_new: bool = False,
                 badges: dict[str, tuple[str, object]] | None = None, avoid: tuple[int, int] | None = None,
                 placeholder: str = "type to filter") -> None:
        """`choices` are (value, label) pairs. With `allow_new`, Enter on typed text that
        matches nothing returns `Choose.NEW + text`, so a list never traps the user.
        `badges` put a code's mark before its label; `avoid` is the screen rows (first, last)
        of the text being coded, which the dialog must leave visible."""
        super().__init__()
        self.title_text, self.choices, self.allow_new = title, choices, allow_new
        self.badges, self.avoid, self.placeholder = badges or {}, avoid, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="choose-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="choose-filter")
            yield OptionList(*[self._option(value, label, "") for value, label in self.choices], id="choose-list")

    def _option(self, value: str, label: str, query: str) -> Option:
        prompt = Text()
        if value in self.badges:
            badge, style = self.badges[value]
            prompt.append(badge, style=style)
            prompt.append(" ")
        prompt.append_text(highlight(label, query))
        return Option(prompt, id=value)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0 if self.choices else None
        if self.avoid is not None:
            self._keep_clear(*self.avoid)

    def _keep_clear(self, first: int, last: int) -> None:
        """Put the dialog above or below the rows being coded, whichever side has more room."""
        dialog = self.query_one("#choose-dialog")
        above, below = first, self.size.height - 1 - last
        dialog.styles.max_height = max(8, max(above, below) - 1)
        self.styles.align = ("center", "top" if above >= below else "bottom")

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        query = event.value
        ranked = [(match_score(query, label), n, value, label) for n, (value, label) in enumerate(self.choices)]
        ranked = sorted((r for r in ranked if r[0] is not None), key=lambda r: (-r[0], r[1]))
        options.add_options([self._option(value, label, query) for _, _, value, label in ranked])
        options.highlighted = 0 if ranked else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)
        elif self.allow_new and event.value.strip():
            self.dismiss(self.NEW + event.value.strip())

    def on_key(self, event) -> None:
        if event.key in ("down", "up"):
            options = self.query_one(OptionList)
            if options.option_count:
                current = options.highlighted or 0
                step = 1 if event.key == "down" else -1
                options.highlighted = max(0, min(options.option_count - 1, current + step))
            event.stop()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question; y/Enter for yes, n/Escape for no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Message(ModalScreen[None]):
    """A message the user must see (an error opening a project, say); any key closes it."""

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title error")
            yield Static(self.body, classes="dialog-body")
            yield Label("Press any key", classes="dialog-hint")

    def on_key(self, event) -> None:
        event.stop()
        self.dismiss(None)
