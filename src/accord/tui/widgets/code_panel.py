"""The codebook as a tree with colours and hotkeys, and the highlighted code's definition."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, Tree

from ...model import Codebook, Code


def code_label(code: Code, count: int | None = None) -> Text:
    label = Text()
    label.append("■ ", style=code.color or "#888888")
    label.append(f"[{code.hotkey}] " if code.hotkey else "    ", style="bold")
    label.append(code.name)
    if count:
        label.append(f"  {count}", style="grey50")
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
    """Posts `CodeChosen` when a code is picked with Enter in the tree."""

    class CodeChosen(Message):
        def __init__(self, code: str) -> None:
            self.code = code
            super().__init__()

    def __init__(self, codebook: Codebook | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.codebook = codebook

    def compose(self) -> ComposeResult:
        tree: Tree[str] = Tree("Codes", id="code-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield Static("", id="code-detail")

    def on_mount(self) -> None:
        self.rebuild()

    def rebuild(self, counts: dict[str, int] | None = None) -> None:
        tree = self.query_one(Tree)
        tree.clear()
        if not self.codebook:
            self.query_one("#code-detail", Static).update("No codebook loaded: accord codebook load FILE")
            return

        def add(node, parent: str | None) -> None:
            for code in self.codebook.children(parent):
                child = node.add(code_label(code, (counts or {}).get(code.name)), data=code.name, expand=True)
                if not self.codebook.children(code.name):
                    child.allow_expand = False
                add(child, code.name)

        add(tree.root, None)
        tree.root.expand_all()

    def show(self, code_name: str) -> None:
        code = self.codebook.by_name().get(code_name) if self.codebook else None
        if code:
            self.query_one("#code-detail", Static).update(code_details(code))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data:
            self.show(event.node.data)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            event.stop()
            self.post_message(self.CodeChosen(event.node.data))
