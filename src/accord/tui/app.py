"""The accord terminal app: opens a project, asks who is coding, and shows the screens.

Anything that goes wrong while opening (no project, a file that is not a project, an
unknown transcript) is shown in the UI as a message, never as a traceback.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.widgets import Static

from .. import blind
from ..coding import CodingSession
from ..errors import AccordError
from ..store import Project
from . import prefs
from .screens.modals import Choose, Confirm, Message, TextPrompt


class AccordCommands(Provider):
    """accord's commands in Textual's command palette (Ctrl+P)."""

    async def search(self, query: str) -> Hits:
        app: AccordApp = self.app  # type: ignore[assignment]
        if app.project is None:
            return
        matcher = self.matcher(query)
        commands = [
            ("Home: transcripts and progress", app.show_home),
            ("Codebook: browse, search, edit", app.open_codebook),
            ("Agreement: compare coders and reconcile", app.open_agreement),
            ("Retrieve: all segments of a code…", app.open_retrieval),
            ("Retrieve with a query (a code --and/--not/--followed-by …)…", app.retrieve_query),
            (f"Switch coder (now {app.coder})", app.switch_coder),
            ("Rename a code…", app.rename_code),
            ("Merge a code into another…", app.merge_code),
            ("Delete a code…", app.delete_code),
            ("Rename a transcript…", app.rename_transcript),
            ("Delete a transcript…", app.delete_transcript),
            ("Undo my last action (a code, a rename, a merge, a deletion…)", app.undo_last),
            ("Help: all keys", app.show_help),
        ]
        for t in app.project.transcripts():
            commands.append((f"Open transcript {t['name']}", partial(app.open_transcript, t["name"])))
        screen = self.screen  # the screen the palette was opened from
        if hasattr(screen, "apply") and getattr(screen, "session", None) and screen.session.codebook:
            for code in screen.session.codebook.codes:
                commands.append((f"Apply code {code.name}", partial(screen.apply, code.name)))
        if hasattr(screen, "action_retrain"):
            commands.append(("Retrain suggestions on my decisions (T)", screen.action_retrain))
        if hasattr(screen, "action_toggle_order"):
            commands.append(("Suggestions: switch uncertain first / text order (O)", screen.action_toggle_order))
        for text, callback in commands:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=None)


def coder_choices(project: Project) -> tuple[list[str], list[str]]:
    """The coders to offer: (people, the rest). The demo's reference coding and the consensus
    are coders too, but offering one first invites coding as it by accident, so they come
    after "someone else"."""
    from ..agreement.reconcile import CONSENSUS

    names = [c["name"] for c in project.coders()]
    last = ("reference", CONSENSUS)
    return [n for n in names if n not in last], [n for n in names if n in last]


class AccordApp(App):
    CSS_PATH = "accord.tcss"
    TITLE = "accord"
    COMMANDS = App.COMMANDS | {AccordCommands}
    # Ctrl+C quits as it does in any terminal program (Textual's default only says to press
    # Ctrl+Q), except in a text box, where it copies; both go through `action_quit`, which
    # never drops an unsaved action unasked.
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, id="app.interrupt")]

    def __init__(self, project_path: str | Path = "accord.db", coder: str | None = None,
                 transcript: str | None = None, offer_demo: bool = True) -> None:
        super().__init__()
        self.project_path = Path(project_path)
        self.coder = coder
        self.start_transcript = transcript
        self.offer_demo = offer_demo
        self.project: Project | None = None
        self.keymap = prefs.keymap()  # binding id -> the person's own keys

    async def action_quit(self) -> None:
        """Quit, but first let a screen holding an action it could not save try once more and,
        if it still cannot, ask (`SavesActions._leave`), as leaving the screen does."""
        screen = self.screen
        if getattr(screen, "unsaved", None) and hasattr(screen, "_leave"):
            screen._leave(self.exit)
            return
        self.exit()

    def keys_for(self, binding) -> str:
        """The keys in effect for a binding: the person's own, else accord's."""
        return self.keymap.get(binding.id, binding.key) if binding.id else binding.key

    def compose(self):
        yield Static("Opening…", id="splash")

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        if not self.project_path.exists() and self.offer_demo:
            self.push_screen(
                Confirm(
                    f"There is no accord project at {self.project_path}.\n"
                    "Create the demo project here (six sample sessions, the alliance codebook "
                    "and a reference coding) and open it?",
                    yes="Create demo",
                    no="Quit",
                ),
                self._demo_answer,
            )
            return
        self._open()

    def _demo_answer(self, yes: bool) -> None:
        if not yes:
            self.exit()
            return
        self.notify("Building the demo project and its first suggestions…", timeout=4)
        self._build_demo()

    @work(thread=True, exclusive=True, group="demo")
    def _build_demo(self) -> None:
        """In a worker thread: suggesting loads spaCy and takes a few seconds."""
        from ..demo import build_demo

        try:
            build_demo(self.project_path, suggestions=True)
        except AccordError as e:
            self.call_from_thread(self.fail, "Could not create the demo project", str(e))
            return
        self.call_from_thread(self._open)

    def fail(self, title: str, body: str) -> None:
        self.push_screen(Message(title, body), lambda _: self.exit(return_code=1))

    def _open(self) -> None:
        try:
            self.project = Project.open(self.project_path)
        except AccordError as e:
            self.fail("Cannot open the project", str(e))
            return
        if self.coder:
            self._with_coder(self.coder)
            return
        remembered = prefs.remembered_coder(self.project_path)
        known = [c["name"] for c in self.project.coders()]
        if remembered and remembered in known:
            self._with_coder(remembered)
        else:
            self._ask_coder()

    def _ask_coder(self) -> None:
        """Who is coding: the project's coders (people first), someone new, or a typed name."""
        people, rest = coder_choices(self.project)
        if people or rest:
            choices = ([(name, name) for name in people] + [("\0new", "Someone else (add a coder)…")]
                       + [(name, name) for name in rest])  # plain names: a typed name should not match them
            self.push_screen(Choose("Who is coding? (or type a new name)", choices, allow_new=True), self._chosen_coder)
        else:
            self.push_screen(TextPrompt("Who is coding? (your name or initials)"), self._with_coder)

    def switch_coder(self) -> None:
        """Hand the keyboard to another coder without restarting: back to the home screen as them."""
        self.start_transcript = None  # the transcript named at start-up was the first coder's
        self._ask_coder()

    def _chosen_coder(self, choice: str | None) -> None:
        if choice and choice.startswith(Choose.NEW):
            self._with_coder(choice[len(Choose.NEW):])
        elif choice == "\0new":
            self.push_screen(TextPrompt("Name of the new coder"), self._with_coder)
        else:
            self._with_coder(choice)

    def _with_coder(self, name: str | None) -> None:
        if not name or not name.strip():
            if self.coder is None:  # asked at start-up: no coder, nothing to do
                self.exit()
            return  # switching coder, cancelled: carry on as before
        if self.start_transcript:  # check before anything is written: a failed open changes nothing
            try:
                self.project.transcript_id(self.start_transcript)
            except AccordError as e:
                self.fail("Cannot open the transcript", str(e))
                return
        self.coder = name.strip()
        self.project.ensure_coder(self.coder)
        prefs.remember_coder(self.project_path, self.coder)
        if self.start_transcript:
            self.open_transcript(self.start_transcript)  # q on the coding screen then quits
        else:
            self.show_home()

    # --- navigation used by screens and the command palette ---------------------------------

    def show_home(self) -> None:
        from .screens.home import HomeScreen

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(HomeScreen(self.project, self.coder))

    def open_transcript(self, name: str, at: int | None = None) -> None:
        """The coding screen on `name`, at utterance number `at` (default: where the coder
        stopped last time)."""
        from .screens.coding import CodingScreen

        try:
            session = CodingSession(self.project, name, self.coder)
        except AccordError as e:
            self.push_screen(Message("Cannot open the transcript", str(e)))
            return
        if not session.utterances:
            self.push_screen(Message("Cannot open the transcript", f"{name} has no utterances"))
            return
        session.set_order(prefs.remembered_order(self.project_path))
        if at is not None:
            session.stopped_at = at
        self.push_screen(CodingScreen(session))

    def open_codebook(self) -> None:
        from .screens.codebook import CodebookScreen

        self.push_screen(CodebookScreen(self.project))

    def open_retrieval(self, code: str | None = None) -> None:
        """Every segment of a code across the transcripts (the code picked from the codebook)."""
        from ..analysis import Query
        from .screens.retrieval import RetrievalScreen

        if code:
            self.push_screen(RetrievalScreen(self.project, self.coder, Query(code)))
            return
        book = self.project.codebook()
        if not book:
            self.push_screen(Message("No codebook yet", "Load one first: accord codebook load FILE"))
            return
        choices = [(c.name, "  " * (len(book.path(c.name)) - 1) + c.name) for c in book.codes]
        self.push_screen(Choose("Retrieve the segments of which code? (its sub-codes too)", choices),
                         lambda name: self.open_retrieval(name) if name else None)

    def retrieve_query(self) -> None:
        """Retrieval by a typed query, as `accord retrieve` takes it (no quotes needed)."""
        from ..analysis import parse_query
        from ..analysis.load import Hierarchy
        from .screens.retrieval import RetrievalScreen

        def typed(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                query = parse_query(text)
                query.resolved(Hierarchy(self.project.codebook()))  # an unknown code is said here
            except AccordError as e:
                self.notify(str(e), severity="error", timeout=8)
                return
            self.push_screen(RetrievalScreen(self.project, self.coder, query))

        self.push_screen(TextPrompt("Retrieve: a code, then --and, --not, --followed-by CODE --within N, --speaker ROLE",
                                    placeholder="Rupture --followed-by Repair --within 2"), typed)

    def open_agreement(self) -> None:
        """Compare coders; the project must first leave blind mode, which the coder confirms."""
        from .screens.agreement import AgreementScreen, comparable_coders

        coders = comparable_coders(self.project)
        if len(coders) < 2:
            self.push_screen(Message("Nothing to compare yet", "Agreement needs at least two coders with codings."))
            return

        def with_coders(names: str | None) -> None:
            chosen = [n.strip() for n in (names or "").split(",") if n.strip()]
            if len(chosen) >= 2:
                self.push_screen(AgreementScreen(self.project, chosen))

        def go(yes: bool = True) -> None:
            if not yes:
                return
            if self.project.mode != "reconciliation":  # logged as a reveal by this coder
                blind.leave_blind(self.project, self.coder, "agreement screen (terminal UI)")
            if len(coders) == 2:
                self.push_screen(AgreementScreen(self.project, coders))
            else:
                self.push_screen(TextPrompt("Compare which coders? (comma-separated)", value=", ".join(coders)), with_coders)

        def typed(word: str | None) -> None:
            if word is None:
                return
            if word.strip().lower() != "reconciliation":
                self.notify("Still blind: type the word reconciliation to switch.", severity="warning")
                return
            go()

        if self.project.mode == "reconciliation":
            go()
        else:  # typed, not a keypress: a stray y must not end blind coding for everyone
            self.push_screen(TextPrompt(
                "The project is in blind mode. Every coder will see everyone's codings once it is switched "
                "to reconciliation, and the switch is logged. Type reconciliation to switch, Escape to stay blind.",
                placeholder="reconciliation"), typed)

    # --- renaming, merging and deleting codes and transcripts (command palette) --------------
    # The store does the work, logged as this coder's action, so their undo takes it back.

    def _pick_code(self, title: str, then, leave_out: str | None = None) -> None:
        book = self.project.codebook()
        names = [c.name for c in book.codes if c.name != leave_out] if book else []
        self.push_screen(Choose(title, [(n, n) for n in names]), lambda name: then(name) if name else None)

    def _pick_transcript(self, title: str, then) -> None:
        names = [t["name"] for t in self.project.transcripts()]
        self.push_screen(Choose(title, [(n, n) for n in names]), lambda name: then(name) if name else None)

    def _edit(self, do, done: str) -> None:
        """Run one edit; say what happened and how to take it back, or why it was not done."""
        try:
            do()
        except AccordError as e:
            self.notify(str(e), severity="error", timeout=10)
            return
        except (sqlite3.Error, OSError) as e:  # never shown as done unless the store committed it
            self.notify(f"Not saved ({e}); nothing was changed.", severity="error", timeout=10)
            return
        self.notify(f"{done}. Undo it with “Undo my last action” (Ctrl+P) or u on the coding screen.", timeout=8)
        self.show_home()

    def rename_code(self) -> None:
        def named(old: str) -> None:
            self.push_screen(TextPrompt(f"New name for the code {old}", value=old),
                             lambda new: self._edit(lambda: self.project.rename_code(old, new, self.coder),
                                                    f"Renamed code {old} to {new}") if new and new != old else None)
        self._pick_code("Rename which code?", named)

    def merge_code(self) -> None:
        def source(code: str) -> None:
            self._pick_code(f"Merge {code} into which code? (its codings become that code's)",
                            lambda into: self._edit(lambda: self.project.merge_codes(code, into, self.coder),
                                                    f"Merged {code} into {into}"), leave_out=code)
        self._pick_code("Merge which code into another?", source)

    def delete_code(self) -> None:
        def chosen(code: str) -> None:
            self.push_screen(Confirm(f"Delete the code {code}, removing every coder's codings of it?",
                                     yes="Delete", no="Keep"),
                             lambda yes: self._edit(lambda: self.project.delete_code(code, self.coder),
                                                    f"Deleted code {code}") if yes else None)
        self._pick_code("Delete which code?", chosen)

    def rename_transcript(self) -> None:
        def named(old: str) -> None:
            self.push_screen(TextPrompt(f"New name for the transcript {old}", value=old),
                             lambda new: self._edit(lambda: self.project.rename_transcript(old, new, self.coder),
                                                    f"Renamed transcript {old} to {new}") if new and new != old else None)
        self._pick_transcript("Rename which transcript?", named)

    def delete_transcript(self) -> None:
        def chosen(name: str) -> None:
            self.push_screen(Confirm(f"Delete the transcript {name}? (Only one nobody has worked on can be.)",
                                     yes="Delete", no="Keep"),
                             lambda yes: self._edit(lambda: self.project.delete_transcript(name, self.coder),
                                                    f"Deleted transcript {name}") if yes else None)
        self._pick_transcript("Delete which transcript?", chosen)

    def undo_last(self) -> None:
        try:
            event = self.project.undo(self.coder)
        except (AccordError, sqlite3.Error, OSError) as e:
            self.notify(f"Not undone: {e}", severity="error", timeout=10)
            return
        self.notify(f"Undid {event['action']}." if event else "Nothing to undo.", timeout=5)
        if event:
            self.show_home()

    def show_help(self) -> None:
        screen = self.screen
        if hasattr(screen, "action_help"):
            screen.action_help()

    def on_unmount(self) -> None:
        if self.project is not None:
            self.project.close()
