"""Retrieval: every segment of a code (or of a query) across the transcripts, one row each;
Enter opens the coding screen at that place.

The query is the one `accord retrieve` takes, typed without quotes (`/`):
`Withdrawal rupture --followed-by Repair --within 2`. In blind mode the coder sees their own
segments; otherwise every coder's, with a coder column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from ...analysis import Query, parse_query
from ...analysis.retrieval import retrieve_across
from ...errors import AccordError
from ..widgets.key_bar import KeyBar, hints_for
from ..widgets.segment_list import SegmentList
from .modals import TextPrompt

if TYPE_CHECKING:
    from ...store import Project

def visible_coders(project: Project, viewer: str) -> list[str]:
    """Whose segments the screen shows: one's own while blind, else every coder's."""
    if project.mode == "blind":
        return [viewer]
    return [c["name"] for c in project.coders() if c["codings"]]


class RetrievalScreen(Screen):
    BINDINGS = [
        Binding("down,j", "move(1)", "Next segment", id="retrieval.down"),
        Binding("up,k", "move(-1)", "Previous segment", id="retrieval.up"),
        Binding("pagedown,space", "page(1)", "Page down", id="retrieval.page_down"),
        Binding("pageup", "page(-1)", "Page up", id="retrieval.page_up"),
        Binding("home,g", "first", "First segment", id="retrieval.first"),
        Binding("end,G", "last", "Last segment", id="retrieval.last"),
        Binding("enter", "open", "Open at this place", id="retrieval.open"),
        Binding("slash", "query", "New query", id="retrieval.query"),
        Binding("escape,q", "back", "Back", id="retrieval.back"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(self, project: Project, coder: str, query: Query) -> None:
        super().__init__()
        self.project, self.coder, self.query_asked = project, coder, query
        self.segments = []

    def compose(self) -> ComposeResult:
        yield Static("", id="retrieval-title")
        yield Static("", id="retrieval-header")
        yield SegmentList(id="segments")
        hints = hints_for(self.app, self.BINDINGS, [
            (("retrieval.open",), "open at this place"), (("retrieval.query",), "new query"),
            (("retrieval.back",), "back"), (("app.help",), "help")])
        yield KeyBar(hints[:-1] + [("^p", "commands"), hints[-1]], id="keys")

    def on_mount(self) -> None:
        self.query_one(SegmentList).focus()
        self.show(self.query_asked)

    def show(self, query: Query) -> bool:
        """Run `query` and fill the table; a query that cannot run is said, and the table kept."""
        try:
            coders = visible_coders(self.project, self.coder)
            found, resolved = retrieve_across(self.project, coders, query)
        except AccordError as e:
            self.notify(str(e), severity="error", timeout=8)
            return False
        self.query_asked, self.segments = resolved, found
        several = len({s.coder for s in found}) > 1
        then = resolved.followed_by is not None
        headers = ("Transcript", "Utt.", "Speaker", "Code") + (("Coder",) if several else ()) \
            + (("Followed by",) if then else ()) + ("Text",)
        rows = []
        for s in found:
            where = "" if s.first is None else str(s.first) if s.first == s.last else f"{s.first}-{s.last}"
            after = f"→ {s.followed_by['utterance']} {s.followed_by['code']}" if s.followed_by else ""
            rows.append((s.transcript, where, s.speaker, s.code) + ((s.coder,) if several else ())
                        + ((after,) if then else ()) + (" ".join(s.text.split()),))
        header = self.query_one(SegmentList).set_rows(rows, headers)
        self.query_one("#retrieval-header", Static).update(Text(header, style="bold"))
        title = Text()
        title.append(" Retrieve ", style="bold reverse")
        title.append(f"  {len(found)} segment{'s' if len(found) != 1 else ''}: {resolved.describe()}")
        if self.project.mode == "blind":
            title.append(f"  ·  {self.coder}'s codings (blind mode)", style="dim")
        self.query_one("#retrieval-title", Static).update(title)
        if not found:
            self.notify("No segments match.", timeout=4)
        return True

    def current(self):
        return self.segments[self.query_one(SegmentList).cursor] if self.segments else None

    def action_move(self, delta: int) -> None:
        self.query_one(SegmentList).move_by(delta)

    def action_page(self, direction: int) -> None:
        self.query_one(SegmentList).page(direction)

    def action_first(self) -> None:
        self.query_one(SegmentList).move_to(0)

    def action_last(self) -> None:
        self.query_one(SegmentList).move_to(len(self.segments) - 1)

    def action_open(self) -> None:
        s = self.current()
        if s is not None:
            self.app.open_transcript(s.transcript, at=s.first)

    def action_query(self) -> None:
        def typed(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                query = parse_query(text)
            except AccordError as e:
                self.notify(str(e), severity="error", timeout=8)
                return
            self.show(query)

        self.app.push_screen(TextPrompt("Retrieve: a code, then --and, --not, --followed-by CODE --within N, "
                                        "--speaker ROLE", placeholder="Rupture --followed-by Repair --within 2"), typed)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS, {}))
