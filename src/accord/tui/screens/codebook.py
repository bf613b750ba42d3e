"""Browse and search the codebook; add a code or edit a definition.

Edits go through the same validation as a YAML file and are stored as a new codebook
version, so the history of definitions is kept and codings keep their codes. An edit the
store cannot save (another program holding the file) is kept, shown as NOT SAVED and retried,
so a definition typed in is never lost.
"""

from __future__ import annotations

import copy

import yaml
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from rich.text import Text
from textual.widgets import Footer, Input, Static, Tree

from ... import blind
from ...codebook import codebook_to_dict, parse_codebook
from ...errors import InputError
from ...model import Code, Codebook
from ...store import Project
from ..palette import CodeLook, color_mode
from ..saving import NOT_SAVED_STYLE, SavesActions, not_saved
from ..widgets.code_panel import code_details, code_label
from .modals import Choose, MemoEditor, TextPrompt


class CodebookScreen(SavesActions, Screen):
    BINDINGS = [
        Binding("slash", "search", "Search", id="codebook.search"),
        Binding("n", "new_code", "New code", id="codebook.new"),
        Binding("e", "edit_definition", "Edit definition", id="codebook.edit"),
        Binding("escape,q", "back", "Back", id="app.back"),
    ]

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.book: Codebook | None = project.codebook()
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search codes, definitions and examples", id="codebook-search")
        with Horizontal(id="codebook-body"):
            tree: Tree[str] = Tree("Codes", id="codebook-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            with VerticalScroll(id="codebook-detail-box"):
                yield Static("", id="codebook-detail")
        yield Static("", id="codebook-status")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one(Tree).focus()

    def _matches(self, code: Code) -> bool:
        q = self.query_text.lower()
        if not q:
            return True
        hay = " ".join([code.name, code.definition, code.when_to_use, code.when_not_to_use, *code.examples]).lower()
        return q in hay

    def rebuild(self) -> None:
        tree = self.query_one(Tree)
        tree.clear()
        if not self.book:
            self.query_one("#codebook-detail", Static).update("No codebook yet: accord codebook load FILE")
            return
        counts = {}
        for c in blind.visible_codings(self.project, getattr(self.app, "coder", None)):  # blind: yours only
            counts[c.code] = counts.get(c.code, 0) + 1
        keep = {c.name for c in self.book.codes if self._matches(c)}
        for name in list(keep):  # keep the ancestors of matches so the tree still reads
            keep.update(self.book.path(name))

        look = CodeLook(self.book, color_mode(self.app))

        def add(node, parent):
            for code in self.book.children(parent):
                if code.name in keep:
                    label = code_label(code, counts.get(code.name), look)
                    if any(c.name in keep for c in self.book.children(code.name)):
                        add(node.add(label, data=code.name, expand=True), code.name)
                    else:  # a leaf: no expand arrow, nothing to open
                        node.add_leaf(label, data=code.name)

        add(tree.root, None)
        tree.root.expand_all()
        self.call_after_refresh(self._show_highlighted)

    def _show_highlighted(self) -> None:
        """Show the definition of the code under the cursor at once, without waiting for a move."""
        tree = self.query_one(Tree)
        node = tree.cursor_node
        if node is None and tree.root.children:
            tree.move_cursor(tree.root.children[0])
            node = tree.cursor_node
        if node is not None and node.data:
            self._show(node.data)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(Tree).focus()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data:
            self._show(event.node.data)

    def _show(self, name: str) -> None:
        code = self.book.by_name().get(name) if self.book else None
        if code:
            self.query_one("#codebook-detail", Static).update(code_details(code))
            self.current = code.name

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def _store(self, book: Codebook, what: str) -> None:
        """Validate the edited codebook as if it were a file, then store it as a new version."""
        try:
            checked = parse_codebook(yaml.safe_dump(codebook_to_dict(book), allow_unicode=True), "edited codebook")
        except InputError as e:
            self.notify(f"Not saved: {e.message}", severity="error", timeout=8)
            return
        checked.source = self.book.source if self.book else None

        def saved(change: dict) -> None:
            self.book = self.project.codebook()
            self.rebuild()
            self.notify(f"{what}: saved as codebook version {change['version']}")

        self._save(what, lambda: self.project.load_codebook(checked), saved)

    def _show_unsaved(self) -> None:
        status = Text()
        if self.unsaved:
            status.append(not_saved(self.unsaved[0], self.unsaved[3]), style=NOT_SAVED_STYLE)
        bar = self.query_one("#codebook-status", Static)
        bar.update(status)
        bar.display = bool(self.unsaved)  # takes no row while everything is saved

    def action_new_code(self) -> None:
        if not self.book:
            self.book = Codebook(name="Codebook", codes=[])

        def with_name(name: str | None) -> None:
            if not name:
                return
            parents = [("", "(top level)")] + [(c.name, " > ".join(self.book.path(c.name))) for c in self.book.codes]

            def with_parent(parent: str | None) -> None:
                if parent is None:
                    return

                def with_definition(definition: str | None) -> None:
                    book = copy.deepcopy(self.book)
                    book.codes.append(Code(name=name.strip(), parent=parent or None, definition=definition or ""))
                    self._store(book, f"Added {name}")

                self.app.push_screen(MemoEditor(f"Definition of {name}"), with_definition)

            self.app.push_screen(Choose(f"Parent of {name}", parents), with_parent)

        self.app.push_screen(TextPrompt("Name of the new code"), with_name)

    def action_edit_definition(self) -> None:
        name = getattr(self, "current", None)
        if not self.book or not name:
            return
        code = self.book.by_name()[name]

        def save(text: str | None) -> None:
            if text is not None and text != code.definition:
                book = copy.deepcopy(self.book)
                book.by_name()[name].definition = text
                self._store(book, f"Definition of {name}")

        self.app.push_screen(MemoEditor(f"Definition of {name}", code.definition), save)

    def action_back(self) -> None:
        if self.query_one(Input).has_focus and self.query_text:
            self.query_one(Input).value = ""
            return
        self._leave(self.app.pop_screen)
