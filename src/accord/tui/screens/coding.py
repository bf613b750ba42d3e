"""The coding screen: the transcript, the codebook, the current suggestion, the memo.

Every key is a Binding with an id (so it can be listed in help and remapped); code
hotkeys come from the codebook and are handled in `on_key` after the screen's own keys.
Each action calls the CodingSession, which returns only after the store has committed, and
only then does the status bar say "saved". An action the store could not save (the file
locked by another program for longer than the busy timeout, a full disk) is kept, shown as
NOT SAVED and retried; nothing else is saved until it is.
"""

from __future__ import annotations

import bisect
import gc
import re
from functools import partial

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from ...coding import selection
from ...coding.retrain import AUTO_RETRAIN
from ...coding.session import CodingSession
from ...errors import AccordError
from ..keys_compat import character_to_key
from ..prefs import remember_order
from ..saving import NOT_SAVED_STYLE, SAVE_ERRORS, SavesActions, not_saved
from ..palette import CodeLook, color_mode
from ..widgets.code_panel import CodePanel
from ..widgets.key_bar import KeyBar, hints_for
from ..widgets.timeline_strip import TimelineStrip
from ..widgets.transcript_view import TranscriptView
from .modals import Choose, Confirm, MemoEditor, TextPrompt
from .rating import RatesSegments

BINDINGS = [
    Binding("j,down", "move(1)", "Next", id="move.down"),
    Binding("k,up", "move(-1)", "Previous", id="move.up", show=False),
    Binding("pagedown", "page(1)", "Page down", id="move.page_down", show=False),
    Binding("pageup", "page(-1)", "Page up", id="move.page_up", show=False),
    Binding("g,home", "jump_start", "Start", id="move.start", show=False),
    Binding("G,end", "jump_end", "End", id="move.end", show=False),
    Binding("colon", "goto", "Go to #", id="move.goto", show=False),
    Binding("right_curly_bracket", "episode(1)", "Next rupture-repair episode", id="move.next_episode", show=False),
    Binding("left_curly_bracket", "episode(-1)", "Previous rupture-repair episode", id="move.previous_episode",
            show=False),
    Binding("shift+right", "extend_end(1)", "Extend by character", id="select.char_right", show=False),
    Binding("shift+left", "extend_end(-1)", "Shrink by character", id="select.char_left", show=False),
    Binding("l,ctrl+shift+right", "extend_word(1)", "Extend by word", id="select.word_right", show=False),
    Binding("h,ctrl+shift+left", "extend_word(-1)", "Shrink by word", id="select.word_left", show=False),
    Binding("L", "trim_start(1)", "Start: next word", id="select.start_right", show=False),
    Binding("H", "trim_start(-1)", "Start: previous word", id="select.start_left", show=False),
    Binding("shift+down", "extend_utterance(1)", "Extend by utterance", id="select.utterance_down", show=False),
    Binding("shift+up", "extend_utterance(-1)", "Shrink by utterance", id="select.utterance_up", show=False),
    Binding("escape", "reset_selection", "Reset selection", id="select.reset", show=False),
    Binding("enter", "apply_by_name", "Apply code…", id="code.apply_by_name"),
    Binding("x", "remove", "Remove code", id="code.remove"),
    Binding("ampersand", "link", "Link two codings (& on each)", id="code.link", show=False),
    Binding("right_square_bracket", "suggestion(1)", "Next suggestion", id="suggest.next"),
    Binding("left_square_bracket", "suggestion(-1)", "Prev suggestion", id="suggest.previous", show=False),
    Binding("a", "accept", "Accept", id="suggest.accept"),
    Binding("r", "reject", "Reject", id="suggest.reject"),
    Binding("R", "correct", "Reject and pick the right code", id="suggest.correct", show=False),
    Binding("A", "accept_all", "Accept all of code", id="suggest.accept_all", show=False),
    Binding("T", "retrain", "Retrain suggestions", id="suggest.retrain", show=False),
    Binding("O", "toggle_order", "Suggestions: uncertain first / text order", id="suggest.order", show=False),
    Binding("m", "memo", "Memo", id="memo.utterance"),
    Binding("M", "coding_memo", "Memo on coding", id="memo.coding", show=False),
    Binding("S", "rate", "Rate segment on a scale", id="rating.rate", show=False),
    Binding("slash", "search", "Search", id="search.start"),
    Binding("n", "hit(1)", "Next hit", id="search.next", show=False),
    Binding("N", "hit(-1)", "Previous hit", id="search.previous", show=False),
    Binding("ctrl+f", "filter", "Filter", id="view.filter", show=False),
    Binding("u", "undo", "Undo", id="edit.undo"),
    Binding("ctrl+r,U", "redo", "Redo", id="edit.redo", show=False),
    Binding("tab", "focus_codes", "Codes", id="view.focus_codes", show=False),
    Binding("p", "toggle_panel", "Show or hide the side panel", id="view.panel", show=False),
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("q", "back", "Back", id="app.back"),
]

# AUTO_RETRAIN (imported above, from accord.coding.retrain) is read here at each decision, so
# a test can turn it down for this screen.

# The side panel (codebook, suggestion, memo) shows by itself from this many columns; below,
# the transcript gets the whole width and `p` shows the panel when wanted.
SIDE_PANEL_FROM = 110

# Usual heights of the side panels below the code list (with their top border); see `_update`.
PANEL_HEIGHTS = {"#suggestion-panel": 9, "#memo-panel": 7}

# The key bar's hints, most useful first: as many as fit the width are shown.
HINTS = [(("move.down", "move.up"), "move"), (("code.apply_by_name",), "apply code"),
         (("suggest.next",), "next suggestion"), (("suggest.accept", "suggest.reject"), "accept/reject"),
         (("edit.undo",), "undo"), (("code.remove",), "remove"), (("view.panel",), "panel"),
         (("search.start",), "search"), (("memo.utterance",), "memo"), (("code.link",), "link"),
         (("app.back",), "back"),
         (("app.help",), "help")]

RESERVED_KEYS = {k for b in BINDINGS for k in b.key.split(",")}


# Event-log action names as a coder would say them, for the status bar after undo and redo.
_ACTIONS = {
    "coding.apply": "applying a code", "coding.remove": "removing a code", "coding.memo": "a coding memo",
    "codings.import": "an import", "suggestion.accept": "accepting a suggestion",
    "suggestion.reject": "rejecting a suggestion", "suggestion.accept_all": "accepting all",
    "suggestion.correct": "correcting a suggestion", "memo.set": "a memo",
    "rating.set": "a rating", "ratings.import": "a ratings import",
    "link.add": "a link", "link.remove": "removing a link", "links.import": "a links import",
}


class CodingScreen(RatesSegments, SavesActions, Screen):
    BINDINGS = BINDINGS

    def __init__(self, session: CodingSession) -> None:
        super().__init__()
        self.session = session
        self.view = TranscriptView(session, id="transcript")
        self.hit_index = -1
        self.filter_label = ""
        self.last_saved = "nothing yet"
        self.link_from = None  # the coding marked with `&`, which the next `&` links to another
        # Keys of accord's own (remapped ones included) win over codebook hotkeys.
        reserved = RESERVED_KEYS | {k for keys in self.app.keymap.values() for k in keys.split(",")}
        taken = {k for k in session.hotkeys() if k in reserved or character_to_key(k) in reserved}
        self.hotkeys = {k: v for k, v in session.hotkeys().items() if k not in taken}
        self.shadowed = sorted(taken)
        self._shown: dict[str, str] = {}
        self._panel_heights: dict[str, int] = {}  # grown side panels (see `_update`)
        self._panel_choice: bool | None = None  # the coder's `p`, which overrides the width rule
        self._look: CodeLook | None = None
        self._bind_hotkeys()

    @property
    def current_suggestion(self):
        """The suggestion being decided on (the session's walk keeps it)."""
        return self.session.walk.current

    @property
    def _retraining(self) -> bool:
        return self.session.retraining.running

    @property
    def _since_retrain(self) -> int:
        return self.session.retraining.since

    @property
    def look(self) -> CodeLook:
        if self._look is None:
            self._look = CodeLook(self.session.codebook, color_mode(self.app))
        return self._look

    def compose(self) -> ComposeResult:
        with Horizontal(id="coding-body"):
            with Vertical(id="text-column"):
                yield self.view
                yield Static("", id="suggestion-strip")
                jump = hints_for(self.app, BINDINGS, [(("move.next_episode", "move.previous_episode"), "")])
                yield TimelineStrip(self.session, jump[0][0] if jump else "", id="timeline")
            with Vertical(id="side"):
                yield CodePanel(self.session.codebook, id="codes")
                yield Static("", id="suggestion-panel")
                yield Static("", id="memo-panel")
        yield Static("", id="status")
        hints = hints_for(self.app, BINDINGS, HINTS)
        yield KeyBar(hints[:-1] + [("^p", "commands"), hints[-1]], id="keys")

    def on_mount(self) -> None:
        # The transcript, codings, suggestions and widgets live as long as this screen: frozen,
        # Python's full garbage collections stop re-scanning them (~170k objects on a 5,000-
        # utterance session, a 100 ms pause every few pages, ~1.5 ms per key amortized).
        gc.freeze()
        self.view.focus()
        stopped = self.session.stopped_at  # back where the coder stopped last time
        if stopped and 1 < stopped <= len(self.session.utterances):
            self.view.move_to(stopped - 1)
        self.session.mark_reviewed(self.session.utterances[self.view.cursor].number)
        self._fit_side_panel()
        self.refresh_panels()
        if self.shadowed:
            keys = ", ".join(self.shadowed)
            self.notify(f"Codebook hotkeys {keys} are accord keys here; apply those codes with Enter.", timeout=6)
        self.set_interval(3.0, self._save_progress)
        if self.session.retraining.own_model_due(self.session.suggestions, every=AUTO_RETRAIN):
            # This transcript's suggestions come from an older or the shared model while the
            # coder has her own: suggest from hers (no training).
            self._in_background(self.session.suggest_with_own_model, self._own_suggestions_in)

    def on_unmount(self) -> None:
        self._save_progress()
        gc.unfreeze()  # so a closed session's objects can be collected

    # --- status and panels -------------------------------------------------------------------

    def on_resize(self) -> None:
        self._fit_side_panel()
        self._panel_heights.clear()
        self._shown.clear()
        self.refresh_panels()

    def _fit_side_panel(self) -> None:
        """Show the side panel when the screen is wide enough, or as the coder last chose."""
        show = self._panel_choice if self._panel_choice is not None else self.size.width >= SIDE_PANEL_FROM
        side = self.query_one("#side")
        if side.display != show:
            side.display = show

    def action_toggle_panel(self) -> None:
        self._panel_choice = not self.query_one("#side").display
        self._fit_side_panel()
        self._panel_heights.clear()
        self._shown.clear()
        self.call_after_refresh(self.refresh_panels)  # once the panels have their width

    def refresh_panels(self) -> None:
        """Bring the status bar and side panels up to date.

        Called several times for one key (by the action, then by the view's messages), so each
        panel's text is rebuilt and repainted only when what it shows has changed.
        """
        s, v = self.session, self.view
        u = s.utterances[v.cursor] if s.utterances else None
        number = u.number if u else 0
        unsaved = (self.unsaved[0], self.unsaved[3]) if self.unsaved else None
        self._update("#status", self._status_text, number, f"{s.progress:.0%}", len(s.codings),
                     len(s.suggestions), self.filter_label, self.last_saved, unsaved, self.size.width,
                     s.shown_coders(), self._linking_text())
        sg = self.current_suggestion
        if sg:
            self._update("#suggestion-panel", self._suggestion_text, sg.code, sg.score, sg.explanation, sg.start, sg.end,
                         s.order)
        else:
            self._update("#suggestion-panel", self._no_suggestion_text, len(s.suggestions), s.order)
        # Without the side panel, the suggestion being decided shows under the text instead.
        strip = self.query_one("#suggestion-strip", Static)
        show_strip = sg is not None and not self.query_one("#side").display
        if show_strip:
            self._update("#suggestion-strip", self._suggestion_text, sg.code, sg.score, sg.explanation, sg.start,
                         sg.end, s.order)
        if strip.display != show_strip:
            strip.display = show_strip
        here = tuple(s.coders_here(v.cursor))
        links = tuple((k.relation, k.source.code, k.target.code, a, b, k.coder) for k, a, b in s.links_here(v.cursor))
        self._update("#memo-panel", self._memo_text, here, s.memos.get(number), links)
        self.query_one("#timeline", TimelineStrip).show(v.cursor)

    def _show_unsaved(self) -> None:
        self.refresh_panels()

    def _update(self, selector: str, build, *shown) -> None:
        """Repaint a panel only when what it shows changed. A side panel grows past its usual
        height when its text needs more lines (a long explanation is never cut) and keeps that
        height until the terminal is resized: only a growth lays the screen out again, which
        on every key cost more than the rest of the key."""
        key = (build, shown)
        if self._shown.get(selector) != key:
            self._shown[selector] = key
            panel = self.query_one(selector, Static)
            text = build(*shown)
            if selector in PANEL_HEIGHTS and panel.display and panel.content_size.width > 0:
                needed = len(text.wrap(self.app.console, panel.content_size.width)) + 1  # + the border
                height = max(self._panel_heights.get(selector, PANEL_HEIGHTS[selector]),
                              min(needed, self.size.height // 2))
                if height != self._panel_heights.get(selector):
                    self._panel_heights[selector] = height
                    panel.styles.height = height
            panel.update(text, layout=selector == "#suggestion-strip")  # only shown when narrow

    def _status_text(self, number, progress, codings, suggestions, filter_label, last_saved, unsaved,
                     width, shown=(), linking="") -> Text:
        """The status line, fitted to `width`: what matters most is kept whole (an unsaved
        action, what was just saved, where the cursor is, who is coding) and the rest is left
        out when there is no room, so no piece is ever shown cut."""
        s = self.session
        pieces = []  # (importance: lower is kept first, text, style)
        if unsaved:  # first, so no terminal is too narrow to show it
            what, error = unsaved
            pieces.append((0, not_saved(what, error), NOT_SAVED_STYLE))
        pieces.append((3, f" {s.coder} ", "bold reverse"))
        pieces.append((6, f"  {s.name}", ""))
        pieces.append((2, f"  utterance {number}/{len(s.utterances)}", ""))
        pieces.append((5, f"  reviewed {progress}", ""))
        pieces.append((7, f"  {codings} codings", ""))
        if len(shown) > 1:  # reconciliation mode: everyone's codings are on screen
            pieces.append((4, f"  codes of {', '.join(shown)}", "cyan"))
        pieces.append((8, f"  {suggestions} suggestions", ""))
        if filter_label:
            pieces.append((4, f"  filter: {filter_label}", "yellow"))
        if linking:  # what is being linked is kept; how to finish goes first when room is short
            what, _, how = linking.partition(": ")
            pieces.append((1, f"  {what}", "bold magenta"))  # a mode the coder is in: as important as saving
            if how:
                pieces.append((4, f": {how}", "magenta"))
        if not unsaved:
            pieces.append((1, f"  unsaved: none ✓ {last_saved}", "green"))
        room, keep = width, set()
        for i in sorted(range(len(pieces)), key=lambda i: pieces[i][0]):  # by importance, each piece alone
            if len(pieces[i][1]) <= room:
                keep.add(i)
                room -= len(pieces[i][1])
        status = Text()
        for i, (_, text, style) in enumerate(pieces):
            if i in keep:
                status.append(text, style=style)
        if not keep:  # narrower than the most important piece: cut it, visibly
            status.append(pieces[0][1][: max(0, width - 1)] + "…", style=pieces[0][2])
        return status

    def _suggestion_text(self, code, score, explanation, start, end, order) -> Text:
        s = self.session
        panel = Text()
        panel.append("Suggestion: ", style="bold")
        badge, badge_style = self.look.badge(code)
        panel.append(badge, style=badge_style)
        panel.append(f" {code}\n", style=Style(bold=True, color=self.look.ink(code)))
        panel.append(f"score {score:.2f}  ·  {explanation}\n")
        panel.append("“" + s.transcript.text[start:end][:160] + "”\n", style="italic")
        panel.append("a accept · r reject · R the right code instead · A all · ] next"
                     + (" (uncertain first)" if order == "uncertain" else ""), style="grey50")
        return panel

    def _no_suggestion_text(self, pending: int, order: str) -> Text:
        panel = Text()
        way = "uncertain first" if order == "uncertain" else "in text order"
        panel.append(f"{pending} pending suggestions. ] for the next one, {way} (O switches).", style="grey50")
        return panel

    def _memo_text(self, here: tuple[tuple[str, tuple[str, ...]], ...], memo: str | None, links=()) -> Text:
        text = Text()
        if here:
            text.append("Codes here:\n", style="bold")
            for code, whose in sorted(here, key=lambda pair: self.look.sort_key(pair[0])):
                badge, style = self.look.badge(code)
                text.append(badge, style=style)
                text.append(f" {code}" + (f" ({', '.join(whose)})" if whose else "") + "\n")
        if links:
            text.append("Links:\n", style="bold")
            shared = len(self.session.shown_coders()) > 1  # reconciliation mode: say whose
            for relation, source, target, a, b, whose in links:
                text.append(f" {a} {source} ")
                text.append(f"{relation}", style="bold magenta")
                text.append(f" {b} {target}" + (f" ({whose})" if shared else "") + "\n")
        if memo is not None:
            text.append("Memo: ", style="bold yellow")
            text.append(memo)
        return text

    def saved(self, what: str) -> None:
        self.last_saved = what
        self.refresh_panels()

    def on_transcript_view_cursor_moved(self, message: TranscriptView.CursorMoved) -> None:
        self._after_move()

    def _after_move(self) -> None:
        """Update progress and panels for the cursor utterance.

        Called straight from the movement actions, so the panels change in the same frame as
        the pane; the view's CursorMoved message (from mouse clicks too) calls it again, and
        then nothing has changed, so nothing repaints.
        """
        index = self.view.cursor
        u = self.session.utterances[index]
        self.session.mark_reviewed(u.number)
        if self.session.walk.left_behind(u):
            self._set_current_suggestion(None)
        self.refresh_panels()

    def on_transcript_view_selection_changed(self, message: TranscriptView.SelectionChanged) -> None:
        self.refresh_panels()

    # --- moving -----------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.view.move_by(delta)
        self._after_move()

    def action_page(self, direction: int) -> None:
        """A page down or up shows every utterance it passes: they count as read, as if the
        coder had stepped through them (what training and agreement take as read)."""
        before = self.view.cursor
        self.view.page(direction)
        low, high = sorted((before, self.view.cursor))
        shown, us = self.view.shown, self.session.utterances  # shown: sorted utterance indexes
        passed = shown[bisect.bisect_left(shown, low):bisect.bisect_right(shown, high)]
        self.session.mark_read(us[i].number for i in passed)
        self._after_move()

    def action_jump_start(self) -> None:
        self.view.move_by(-len(self.session.utterances))

    def action_jump_end(self) -> None:
        self.view.move_by(len(self.session.utterances))

    def action_goto(self) -> None:
        def go(value: str | None) -> None:
            if value and value.isdigit():
                number = int(value)
                if 1 <= number <= len(self.session.utterances):
                    self.view.move_to(number - 1)
                else:
                    self.notify(f"No utterance {number} (1-{len(self.session.utterances)})", severity="warning")

        self.app.push_screen(TextPrompt("Go to utterance number", restrict=r"[0-9]*"), go)

    def action_episode(self, direction: int) -> None:
        """To the next or previous rupture-repair episode on the timeline strip, its rupture
        selected; the strip's top border says what the episode is."""
        episode, message = self.query_one("#timeline", TimelineStrip).jump(self.view.cursor, direction)
        if episode is None:
            self.notify(message, severity="warning", timeout=4)
            return
        self.view.move_to(self.session.utterance_index_at(episode.rupture.start))
        self.view.set_selection(episode.rupture.start, episode.rupture.end)
        self._after_move()

    # --- selecting ----------------------------------------------------------------------------

    def _selection(self) -> tuple[int, int] | None:
        sel = self.view.selection
        return None if sel is None else (sel.start, sel.end)

    def action_extend_end(self, delta: int) -> None:
        start, end = selection.extension_base(self.session.utterances[self.view.cursor], self._selection())
        self.view.set_selection(*selection.extend_end(self.session.transcript.text, start, end, delta))

    def action_extend_word(self, direction: int) -> None:
        start, end = selection.extension_base(self.session.utterances[self.view.cursor], self._selection())
        self.view.set_selection(*selection.extend_word(self.session.transcript.text, start, end, direction))

    def action_trim_start(self, direction: int) -> None:
        start, end = self.view.selected_span()
        self.view.set_selection(*selection.trim_start(self.session.transcript.text, start, end, direction))

    def action_extend_utterance(self, direction: int) -> None:
        self.view.set_selection(*selection.extend_utterance(self.session, *self.view.selected_span(), direction))

    def action_reset_selection(self) -> None:
        if self.link_from is not None:
            self.link_from = None
            self.refresh_panels()
            self.notify("Link cancelled.", timeout=2)
        self.view.clear_selection()
        if self.view.hits:
            self.view.set_hits([])

    # --- coding -----------------------------------------------------------------------------

    def apply(self, code: str) -> None:
        start, end = self.view.selected_span()

        def applied(coding) -> None:
            if self.session.walk.settled_by(code, coding):
                self._set_current_suggestion(None)  # applied by hand: no longer pending
            self.view.touch_range(coding.start, coding.end)
            self.saved(f"applied {code}")
            self._count_decisions(1)
            if warning := self.session.role_warning(code, coding.start, coding.end):
                self.notify(f"Applied, but {warning}.",
                            title="Another role's code", severity="warning", timeout=8)

        self._save(f"apply {code}", lambda: self.session.apply(code, start, end), applied)

    def _bind_hotkeys(self) -> None:
        """Codebook hotkeys become real bindings, so they queue in order with movement keys:
        a fast `j2` codes the next utterance, never the current one."""
        for key, code in self.hotkeys.items():
            self._bindings.bind(character_to_key(key), f"apply_hotkey({key!r})", code, show=False)

    def action_apply_hotkey(self, key: str) -> None:
        self.apply(self.hotkeys[key])

    def on_code_panel_code_chosen(self, message: CodePanel.CodeChosen) -> None:
        self.apply(message.code)
        self.view.focus()

    def action_apply_by_name(self) -> None:
        if not self.session.codebook:
            self.notify("The project has no codebook.", severity="error")
            return
        book = self.session.codebook
        choices = [(c.name, " > ".join(book.path(c.name))) for c in book.codes if c.codable]  # not categories
        self.app.push_screen(self._code_picker("Apply which code to the selection?", choices),
                             lambda c: c and self.apply(c))

    def _code_picker(self, title: str, choices: list[tuple[str, str]]) -> Choose:
        """A code picker showing each code's mark (its hotkey), placed off the selected text."""
        badges = {name: self.look.badge(name) for name, _ in choices}
        return Choose(title, choices, badges=badges, avoid=self.view.rows_of_span(*self.view.selected_span()),
                      placeholder="type part of the name, e.g. “self crit”")

    def action_remove(self) -> None:
        start, end = self.view.selected_span()
        mine = self.session.own_codings_overlapping(start, end)
        if not mine:
            self.notify("None of your codes here to remove.", severity="warning")
            return

        def removed(coding) -> None:
            self.view.touch_range(coding.start, coding.end)
            self.saved(f"removed {coding.code}")

        def remove(coding_id: str | None) -> None:
            if coding_id:
                self._save("remove a code", lambda: self.session.remove(int(coding_id)), removed)

        if len(mine) == 1:
            remove(str(mine[0].id))
        else:
            text = self.session.transcript.text
            choices = [(str(c.id), f"{c.code}: “{text[c.start:c.end][:50]}”") for c in mine]
            self.app.push_screen(Choose("Remove which code?", choices), remove)

    # --- links between codings --------------------------------------------------------------------

    def _linking_text(self) -> str:
        c = self.link_from
        if c is None:
            return ""
        number = self.session.utterances[self.session.utterance_index_at(c.start)].number
        return f"linking from {c.code} ({number}): & on the other coding, Esc cancels"  # status splits at ": "

    def _pick_own_coding(self, title: str, codings: list, then) -> None:
        """`then(coding)` with the one coding, or the one the coder picks of several."""
        if len(codings) == 1:
            then(codings[0])
            return
        text = self.session.transcript.text
        choices = [(str(c.id), f"{c.code}: “{text[c.start:c.end][:50]}”") for c in codings]
        self.app.push_screen(Choose(title, choices),
                             lambda chosen: chosen and then(next(c for c in codings if c.id == int(chosen))))

    def action_link(self) -> None:
        """`&` on a coding marks it; `&` on another asks for the relation ("repairs" first) and
        links them, or removes a link they already have. Escape lets go of the mark."""
        start, end = self.view.selected_span()
        mine = self.session.own_codings_overlapping(start, end)
        first = self.link_from
        if first is None:
            if not mine:
                self.notify("None of your codes here to link from.", severity="warning")
                return

            def mark(coding) -> None:
                self.link_from = coding
                self.refresh_panels()

            self._pick_own_coding("Link from which coding?", mine, mark)
            return
        others = [c for c in mine if c.id != first.id]
        if not others:
            self.notify(f"Linking from {first.code}: go to another of your codings and press & there "
                        "(Escape cancels).", severity="warning")
            return
        self._pick_own_coding(f"Link {first.code} to which coding?", others, lambda second: self._link(first, second))

    def _link(self, first, second) -> None:
        s = self.session
        choices = []
        for relation in s.relations():
            source, target = s.oriented(first, second, relation.name)
            about = f" ({relation.description})" if relation.description else ""
            choices.append((f"add:{relation.name}", f"{source.code} {relation.name} {target.code}{about}"))
        existing = s.links_between(first, second)
        choices = [(f"remove:{k.id}", f"remove: {k.source.code} {k.relation} {k.target.code}") for k in existing] + choices

        def chosen(value: str | None) -> None:
            if not value:
                return
            self.link_from = None
            kind, _, what = value.partition(":")
            touched = lambda k: self.view.touch_range(min(k.source.start, k.target.start),  # noqa: E731
                                                      max(k.source.end, k.target.end))
            if kind == "remove":
                self._save("remove a link", lambda: s.unlink(int(what)),
                           lambda k: (touched(k), self.saved(f"removed link {k.relation}")))
            else:
                self._save(f"link {what}", lambda: s.link(first, second, what),
                           lambda k: (touched(k), self.saved(f"linked: {k.source.code} {k.relation} {k.target.code}")))

        self.app.push_screen(Choose("Link them how?", choices),
                             chosen)

    # --- suggestions ----------------------------------------------------------------------------

    def _set_current_suggestion(self, suggestion) -> None:
        old = self.session.walk.show(suggestion)
        self.view.current_suggestion_id = suggestion.id if suggestion else None
        for sg in (old, suggestion):
            if sg:
                self.view.touch_range(sg.start, sg.end)

    def action_suggestion(self, direction: int) -> None:
        sg = self.session.walk.step(self.view.selected_span()[0], direction)
        if sg is None:
            way = "in uncertain-first order" if self.session.order == "uncertain" else "that way"
            self.notify(f"No more pending suggestions {way}.", severity="information")
            return
        self.view.move_to(self.session.utterance_index_at(sg.start))
        self._set_current_suggestion(sg)
        self.view.set_selection(sg.start, sg.end)
        self.refresh_panels()  # now, in the same frame as the pane

    def action_accept(self) -> None:
        sg = self.current_suggestion
        if sg is None:
            self.notify("No suggestion selected: ] goes to the next one.", severity="warning")
            return
        start, end = selection.adjusted_span(sg, *self.view.selected_span())
        what = f"accepted {sg.code}" + (" (adjusted)" if start is not None else "")
        self._save(f"accept {sg.code}", lambda: self.session.accept(sg, start, end),
                   lambda coding: self._decided_on(sg, coding, what), self._stale)

    def _decided_on(self, sg, coding, what: str) -> None:
        """After accepting, rejecting or correcting `sg`: repaint, say so, count the decision and
        move on to the next suggestion in the chosen order."""
        self._set_current_suggestion(None)
        lo, hi = (sg.start, sg.end) if coding is None else (min(sg.start, coding.start), max(sg.end, coding.end))
        self.view.touch_range(lo, hi)
        self.saved(what)
        self._count_decisions(1)
        if self.session.walk.goes_on_after(sg, coding):
            self.action_suggestion(1)

    def _reload_suggestions(self) -> None:
        """Show the suggestions as they now are in the project file; the one being looked at
        stays selected if the new ones still propose it."""
        shown = self.current_suggestion
        self._set_current_suggestion(None)
        self.session.reload()
        if (same := self.session.walk.still_proposed(shown)) is not None:
            self._set_current_suggestion(same)
        self.view.touch_all()
        self.refresh_panels()

    def _stale(self, error: AccordError) -> None:
        """A suggestion changed under the coder (refreshed by `T` or by `accord suggest` in
        another process): say so and show the current ones instead of failing."""
        self._reload_suggestions()
        self.notify(f"{error}. The suggestions were refreshed meanwhile; ] goes to the next current one.",
                    severity="warning", timeout=8)

    def action_retrain(self) -> None:
        """Learn from this coder's decisions so far and refresh this transcript's suggestions,
        in a worker thread: training takes seconds and the coder can keep working meanwhile."""
        if not self.session.retraining.start():
            self.notify("Already retraining; the new suggestions will appear when it is done.")
            return
        self.saved("retraining suggestions…")
        self._save_progress()  # training reads how far the coder has read
        self._in_background(self.session.retrain_and_suggest, self._retrained)

    def _count_decisions(self, n: int) -> None:
        """Retrain quietly in the background when the session's schedule says the coder's
        decisions call for it (`T` does it at once)."""
        if self.session.retraining.count(n, every=AUTO_RETRAIN):
            self._save_progress()
            self._in_background(self.session.retrain_and_suggest, self._retrained)

    def _in_background(self, job, done) -> None:
        """Run `job()` (it waits for accord's background process, see `accord.suggest.background`:
        in this process it held up the keys) in a worker thread, then `done(result, error)` here."""
        self.run_worker(partial(self._wait_for, job, done), thread=True, exclusive=True, group="retrain")

    def _wait_for(self, job, done) -> None:
        result, error = job()
        self.app.call_from_thread(done, result, error)

    def _own_suggestions_in(self, added: int | None, error: str | None) -> None:
        self.session.retraining.finished()
        if not self.is_attached:
            return
        if error:
            self.notify(error, title="Could not suggest from your model", severity="error", timeout=10)
            return
        self._reload_suggestions()
        self.notify(f"Suggestions here now come from your own model: {len(self.session.suggestions)} pending.",
                    timeout=3)

    def _retrained(self, report: dict | None, error: str | None) -> None:
        self.session.retraining.finished()
        if not self.is_attached:
            return
        if error:
            self.saved("retraining failed")
            self.notify(error, title="Retraining failed", severity="error", timeout=10)
            return
        self._reload_suggestions()
        if self.session.retraining.quiet:
            self.notify(f"Suggestions retrained on your decisions ({report['utterances']} utterances); "
                        f"{len(self.session.suggestions)} pending here.", timeout=3)
            return
        self.saved(f"retrained: {len(self.session.suggestions)} suggestions pending")
        self.notify(f"Learned from {report['utterances']} utterances in {report['seconds']:.1f}s; "
                    f"{len(self.session.suggestions)} suggestions pending here. ] goes to the next one.",
                    title="Suggestions retrained")

    def action_reject(self) -> None:
        sg = self.current_suggestion
        if sg is None:
            self.notify("No suggestion selected: ] goes to the next one.", severity="warning")
            return
        self._save(f"reject {sg.code}", lambda: self.session.reject(sg),
                   lambda _: self._decided_on(sg, None, f"rejected {sg.code}"), self._stale)

    def action_correct(self) -> None:
        """Reject the suggestion and apply the right code in its place: one action, one undo."""
        sg = self.current_suggestion
        if sg is None:
            self.notify("No suggestion selected: ] goes to the next one.", severity="warning")
            return
        book = self.session.codebook
        parent = book.by_name()[sg.code].parent if sg.code in book.by_name() else None
        # The suggested code's siblings first: in a family of one-per-turn codes the right one is among them.
        codes = sorted((c for c in book.codes if c.name != sg.code and c.codable), key=lambda c: c.parent != parent)
        choices = [(c.name, " > ".join(book.path(c.name))) for c in codes]

        def chosen(code: str | None) -> None:
            if not code:
                return
            start, end = selection.adjusted_span(sg, *self.view.selected_span())
            self._save(f"apply {code}, not {sg.code}", lambda: self.session.correct(sg, code, start, end),
                       lambda coding: self._decided_on(sg, coding, f"applied {code}, not {sg.code}"), self._stale)

        self.app.push_screen(self._code_picker(f"Not {sg.code}: which code is right here?", choices), chosen)

    def action_toggle_order(self) -> None:
        """Switch `]` between text order and uncertain first (the order that teaches the model
        most per decision; on the AnnoMI pool, a better model after 100 or 400 decisions)."""
        order = "text" if self.session.order == "uncertain" else "uncertain"
        self.session.set_order(order)
        self.session.walk.restart()
        remember_order(self.app.project_path, order)
        if order == "uncertain":
            self.notify("] now goes through the suggestions uncertain first: where rules and model disagree, "
                        "then scores nearest the threshold, with turns for codes the model barely knows. O for text order.",
                        title="Uncertain first")
        else:
            self.notify("] now goes through the suggestions in text order. O for uncertain first.", title="Text order")
        self.refresh_panels()

    def action_accept_all(self) -> None:
        sg = self.current_suggestion
        if sg is None:
            self.notify("Go to a suggestion first (]); A accepts all of its code.", severity="warning")
            return
        n = self.session.pending_count(sg.code)

        def accepted(count: int) -> None:
            self._set_current_suggestion(None)
            self.view.touch_all()
            self.saved(f"accepted {count} × {sg.code}")
            self._count_decisions(count)

        def go(yes: bool) -> None:
            if yes:
                self._save(f"accept all {sg.code}", lambda: self.session.accept_all(sg.code), accepted)

        self.app.push_screen(Confirm(f"Accept all {n} pending “{sg.code}” suggestions in this transcript?"), go)

    # --- memos, search, filter ---------------------------------------------------------------

    def action_memo(self) -> None:
        u = self.session.utterances[self.view.cursor]

        index = self.view.cursor

        def save(text: str | None) -> None:
            if text is None:
                return

            def saved(_) -> None:
                self.view.touch(index)
                self.saved("memo" if text else "memo deleted")

            self._save(f"memo on utterance {u.number}", lambda: self.session.set_utterance_memo(u.number, text), saved)

        self.app.push_screen(MemoEditor(f"Memo on utterance {u.number}", self.session.memos.get(u.number, "")), save)

    def action_coding_memo(self) -> None:
        start, end = self.view.selected_span()
        mine = self.session.own_codings_overlapping(start, end)
        if not mine:
            self.notify("None of your codes here to write a memo on.", severity="warning")
            return

        def edit(coding_id: str | None) -> None:
            if not coding_id:
                return
            coding = next(c for c in mine if c.id == int(coding_id))

            def save(text: str | None) -> None:
                if text is not None:
                    self._save(f"memo on {coding.code}", lambda: self.session.set_coding_memo(coding.id, text),
                               lambda _: self.saved(f"memo on {coding.code}"))

            self.app.push_screen(MemoEditor(f"Memo on {coding.code}", coding.memo), save)

        if len(mine) == 1:
            edit(str(mine[0].id))
        else:
            self.app.push_screen(Choose("Memo on which coding?", [(str(c.id), c.code) for c in mine]), edit)

    def action_search(self) -> None:
        def go(pattern: str | None) -> None:
            if not pattern:
                return
            try:
                hits = self.session.search(pattern)
            except re.error as e:
                self.notify(f"Not a valid regular expression: {e}", severity="error")
                return
            self.view.set_hits(hits)
            self.hit_index = -1
            self.notify(f"{len(hits)} match(es) for /{pattern}/")
            if hits:
                self.action_hit(1)

        self.app.push_screen(TextPrompt("Search (regular expression, case-insensitive)"), go)

    def action_hit(self, direction: int) -> None:
        hits = self.view.hits
        if not hits:
            return
        self.hit_index = (self.hit_index + direction) % len(hits)
        start, end = hits[self.hit_index]
        self.view.move_to(self.session.utterance_index_at(start))
        self.view.set_selection(start, end)
        self._after_move()

    def action_filter(self) -> None:
        s = self.session
        choices = [("all", "Show everything")]
        choices += [(f"speaker:{sp}", f"Speaker: {sp}") for sp in s.transcript.speakers]
        if s.codebook:
            choices += [(f"code:{c.name}", f"Code: {c.name}") for c in s.codebook.codes]

        def go(choice: str | None) -> None:
            if not choice:
                return
            kind, _, value = choice.partition(":")
            indexes = s.filter(speaker=value if kind == "speaker" else None, code=value if kind == "code" else None)
            if kind != "all" and not indexes:
                self.notify("Nothing matches that filter.", severity="warning")
                return
            self.filter_label = "" if kind == "all" else value
            self.view.set_filter(indexes if kind != "all" else list(range(len(s.utterances))))
            self.refresh_panels()

        self.app.push_screen(Choose("Show only…", choices), go)

    # --- undo, help, leaving -------------------------------------------------------------------

    def action_undo(self) -> None:
        def undone(event) -> None:
            self.view.touch_all()
            self._show_change(event)
            self.saved(f"undid {_ACTIONS.get(event['action'], event['action'])}" if event else "nothing to undo")

        self._save("undo", self.session.undo, undone)

    def action_redo(self) -> None:
        def redone(event) -> None:
            self.view.touch_all()
            self._show_change(event)
            self.saved(f"redid {_ACTIONS.get(event['action'], event['action'])}" if event else "nothing to redo")

        self._save("redo", self.session.redo, redone)

    def _show_change(self, event: dict | None) -> None:
        """Move the cursor to what undo or redo changed, so the coder sees what happened."""
        index = self.session.place_of(event) if event else None
        if index is not None and index != self.view.cursor:
            self.view.move_to(index)
            self._after_move()

    def action_focus_codes(self) -> None:
        tree = self.query_one("#code-tree")
        (self.view if tree.has_focus else tree).focus()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(BINDINGS, self.session.hotkeys()))

    def _save_progress(self) -> None:
        """How far the coder has read, saved every few seconds; a failed save is simply tried
        again next time (the session keeps what is unsaved)."""
        try:
            self.session.save_progress()
        except SAVE_ERRORS:
            pass

    def action_back(self) -> None:
        def go() -> None:
            self._save_progress()
            if len(self.app.screen_stack) > 2:
                self.app.pop_screen()
            else:
                self.app.exit()

        self._leave(go)
