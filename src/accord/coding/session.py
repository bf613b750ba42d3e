"""One coder working through one transcript: what they may see and what they can do.

The coding screen is a thin view over this class, so everything a coder can do is
testable without a terminal, and blind coding is enforced by what the store hands out
(`visible_codings`, pending suggestions for this coder only). Every action goes straight
to the store, which commits before returning: when a method here returns, the work is saved.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

from ..model import REPAIRS, Coding, Link, Relation, Suggestion
from ..speaker_roles import role_mismatch
from ..store import Project
from . import retrain
from .retrain import RetrainSchedule
from .walk import SuggestionWalk


class CodingSession:
    def __init__(self, project: Project, transcript: str, coder: str):
        self.project = project
        self.coder = coder
        self.transcript = project.transcript(transcript)
        self.name = self.transcript.name
        self.utterances = self.transcript.utterances
        self._starts = [u.start for u in self.utterances]
        self.codebook = project.codebook()
        self.codes = self.codebook.by_name() if self.codebook else {}
        self.reviewed: set[int] = project.reviewed(self.name, coder)
        self._reviewed_saved = set(self.reviewed)
        self.stopped_at: int | None = project.position(self.name, coder)  # utterance number
        self._position_saved = self.stopped_at
        self.order = "text"  # or "uncertain": the order `next_suggestion` walks the suggestions in
        self._rank: dict[int, int] = {}  # suggestion id -> place in the uncertain-first order
        self.walk = SuggestionWalk(self)  # the suggestion being decided on, and where `]` goes next
        self.retraining = RetrainSchedule(project, coder)  # when decisions retrain the suggestions
        self.reload()

    # --- what the coder sees -------------------------------------------------------------

    def reload(self) -> None:
        """Re-read codings, suggestions and memos (after undo/redo or another coder's merge)."""
        self.codings: list[Coding] = self.project.visible_codings(self.coder, self.name)
        self.suggestions: list[Suggestion] = self._pending_suggestions()
        self.memos: dict[int, str] = self.project.utterance_memos(self.name, self.coder)
        self.links: list[Link] = self.project.visible_links(self.coder, self.name)
        self._index()
        self._rerank()

    def _pending_suggestions(self) -> list[Suggestion]:
        # Uncertain first (the order that teaches the model) also asks about the model's
        # review-only candidates, which a codebook's min_precision keeps out of text order.
        pending = self.project.suggestions(transcript=self.name, coder=self.coder, probes=self.order == "uncertain")
        self._probes: set[int] = set()
        if self.order == "uncertain" and pending:
            sources = self.project.suggestion_sources([s.id for s in pending])
            self._probes = {i for i, src in sources.items() if src == "probe"}
        return pending

    def is_probe(self, suggestion: Suggestion) -> bool:
        """A review-only candidate: shown in uncertain-first order only, never accepted in bulk."""
        return suggestion.id in self._probes

    def _index(self) -> None:
        self.codings_by_utterance: dict[int, list[Coding]] = defaultdict(list)
        for c in self.codings:
            for i in self.utterances_overlapping(c.start, c.end):
                self.codings_by_utterance[i].append(c)
        self.suggestions_by_utterance: dict[int, list[Suggestion]] = defaultdict(list)
        for s in self.suggestions:
            for i in self.utterances_overlapping(s.start, s.end):
                self.suggestions_by_utterance[i].append(s)

    def shown_coders(self) -> tuple[str, ...]:
        """Whose codings the screen shows: the coder's own while blind; in reconciliation mode
        everyone's who coded this transcript (the status bar says so)."""
        return tuple(sorted({c.coder for c in self.codings} | {self.coder}))

    def coders_here(self, index: int) -> list[tuple[str, tuple[str, ...]]]:
        """(code, whose) for each code on utterance `index`, by code name; `whose` is empty when
        every coding shown is the coder's own (blind mode), else the coders who applied it."""
        by_code: dict[str, set[str]] = defaultdict(set)
        for c in self.codings_by_utterance.get(index, ()):
            by_code[c.code].add(c.coder)
        own = all(coders == {self.coder} for coders in by_code.values())
        return [(code, () if own else tuple(sorted(coders))) for code, coders in sorted(by_code.items())]

    def codes_here(self, index: int) -> tuple[str, ...]:
        """The codes on utterance `index`, for "Codes here". In reconciliation mode the screen
        shows every coder's codings, so each code is named with whose it is: "Denial (alice, bob)"."""
        return tuple(f"{code} ({', '.join(whose)})" if whose else code for code, whose in self.coders_here(index))

    def utterance_index_at(self, offset: int) -> int:
        """Index of the utterance containing (or nearest before) a text offset."""
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def utterances_overlapping(self, start: int, end: int) -> range:
        first = self.utterance_index_at(start)
        if self.utterances and start < self.utterances[first].end and end <= self.utterances[first].end:
            return range(first, first + 1)  # the common case: a span inside one utterance
        if self.utterances and self.utterances[first].end <= start:
            first += 1
        last = max(first, bisect.bisect_left(self._starts, end))
        return range(first, min(last, len(self.utterances)))

    def hotkeys(self) -> dict[str, str]:
        return {c.hotkey: c.name for c in self.codebook.codes if c.hotkey} if self.codebook else {}

    def color(self, code: str) -> str:
        c = self.codes.get(code)
        return (c.color if c and c.color else None) or "#888888"

    # --- actions (each committed before it returns) ---------------------------------------

    def apply(self, code: str, start: int, end: int) -> Coding:
        """Apply a code; pending suggestions of that code which it overlaps stop being pending,
        as the store no longer hands them out."""
        coding = self.project.apply_code(self.name, code, self.coder, start, end)
        self._add(coding)
        return coding

    def role_warning(self, code: str, start: int, end: int) -> str | None:
        """Why `code` should not go on `[start, end)`: the codebook gives it to some speaker
        roles (`speakers`) and an utterance there is another role's (`speaker_roles`, the rule
        imports and `accord sequences` use too). None when it fits, or when the speaker's role
        is unknown. The coder decides: applying is not refused."""
        if not self.codebook or code not in self.codes:
            return None
        found = role_mismatch(self.codebook, self.transcript, code,
                              (self.utterances[i] for i in self.utterances_overlapping(start, end)))
        return found.message() if found else None

    def _add(self, coding: Coding) -> None:
        """A new coding of this coder's; pending suggestions of its code that it overlaps are settled."""
        self.codings.append(coding)
        for i in self.utterances_overlapping(coding.start, coding.end):
            self.codings_by_utterance[i].append(coding)
            for s in list(self.suggestions_by_utterance.get(i, ())):
                if s.code == coding.code and s.start < coding.end and s.end > coding.start:
                    self._drop_suggestion(s)

    def own_codings_overlapping(self, start: int, end: int) -> list[Coding]:
        return [c for c in self.codings if c.coder == self.coder and c.start < end and c.end > start]

    def remove(self, coding_id: int) -> Coding:
        coding = self.project.remove_coding(coding_id, self.coder)
        self.codings = [c for c in self.codings if c.id != coding_id]
        self.links = [k for k in self.links if coding_id not in (k.source.id, k.target.id)]  # hidden with it
        for i in self.utterances_overlapping(coding.start, coding.end):
            self.codings_by_utterance[i] = [c for c in self.codings_by_utterance[i] if c.id != coding_id]
        # A suggestion of that code which this coding covered is pending again.
        before = len(self.suggestions)
        self.suggestions = self._pending_suggestions()
        if len(self.suggestions) != before:
            self._index()
            self._rerank()
        return coding

    # --- links between codings ------------------------------------------------------------

    def relations(self) -> list[Relation]:
        """The relations a link may have, "repairs" first."""
        return self.project.relations()

    def oriented(self, first: Coding, second: Coding, relation: str) -> tuple[Coding, Coding]:
        """(source, target) of a link between two codings marked in this order: as marked,
        except that "repairs" always goes from the repair to the rupture, whichever the coder
        marked first (the codebook's families say which is which)."""
        book = self.codebook
        if relation != REPAIRS or book is None:
            return first, second
        family = {c.id: book.family_of(c.code)[0] if c.code in self.codes else None for c in (first, second)}
        return (second, first) if (family[first.id], family[second.id]) == ("rupture", "repair") else (first, second)

    def links_between(self, a: Coding, b: Coding) -> list[Link]:
        return [k for k in self.links if {k.source.id, k.target.id} == {a.id, b.id} and k.coder == self.coder]

    def link(self, first: Coding, second: Coding, relation: str) -> Link:
        source, target = self.oriented(first, second, relation)
        link = self.project.add_link(source.id, target.id, relation, self.coder)
        self.links.append(link)
        return link

    def unlink(self, link_id: int) -> Link:
        link = self.project.remove_link(link_id, self.coder)
        self.links = [k for k in self.links if k.id != link_id]
        return link

    def links_here(self, index: int) -> list[tuple[Link, int, int]]:
        """Links with a coding on utterance `index`, each with its source's and target's
        utterance numbers, in text order."""
        ids = {c.id for c in self.codings_by_utterance.get(index, ())}
        here = [k for k in self.links if k.source.id in ids or k.target.id in ids]
        number = lambda c: self.utterances[self.utterance_index_at(c.start)].number  # noqa: E731
        return sorted(((k, number(k.source), number(k.target)) for k in here), key=lambda t: (t[1], t[2], t[0].id))

    def set_coding_memo(self, coding_id: int, text: str) -> None:
        self.project.set_coding_memo(coding_id, text, self.coder)
        self.reload()

    def set_utterance_memo(self, number: int, text: str) -> None:
        self.project.set_utterance_memo(self.name, number, self.coder, text)
        if text:
            self.memos[number] = text
        else:
            self.memos.pop(number, None)

    def accept(self, suggestion: Suggestion, start: int | None = None, end: int | None = None) -> Coding:
        coding = self.project.accept_suggestion(suggestion.id, self.coder, start, end, expected=suggestion)
        self._drop_suggestion(suggestion)
        self._add(coding)
        return coding

    def correct(self, suggestion: Suggestion, code: str, start: int | None = None, end: int | None = None) -> Coding:
        """Reject the suggestion and apply `code` there instead (one undoable action)."""
        coding = self.project.correct_suggestion(suggestion.id, self.coder, code, start, end, expected=suggestion)
        self._drop_suggestion(suggestion)
        self._add(coding)
        return coding

    def reject(self, suggestion: Suggestion) -> None:
        self.project.reject_suggestion(suggestion.id, self.coder, expected=suggestion)
        self._drop_suggestion(suggestion)

    def _drop_suggestion(self, suggestion: Suggestion) -> None:
        self.suggestions = [s for s in self.suggestions if s.id != suggestion.id]
        for i in self.utterances_overlapping(suggestion.start, suggestion.end):
            self.suggestions_by_utterance[i] = [s for s in self.suggestions_by_utterance[i] if s.id != suggestion.id]

    def pending_count(self, code: str) -> int:
        return sum(1 for s in self.suggestions if s.code == code and s.id not in self._probes)

    def accept_all(self, code: str) -> int:
        count = self.project.accept_all(self.name, code, self.coder)
        self.reload()
        return count

    def undo(self) -> dict | None:
        event = self.project.undo(self.coder)
        self.reload()
        return event

    def redo(self) -> dict | None:
        event = self.project.redo(self.coder)
        self.reload()
        return event

    def place_of(self, event: dict) -> int | None:
        """Index of the utterance an undone or redone action changed, if it is in this transcript."""
        place = self.project.event_place(event)
        if place is None or place[0] != self.name:
            return None
        return self.utterance_index_at(place[1])

    # --- background jobs (run in a worker thread: they read no state but names) -------------

    def retrain_and_suggest(self) -> tuple[dict | None, str | None]:
        """Retrain on this coder's decisions and refresh this transcript's suggestions in
        accord's background process; waits for it. (report, error message)."""
        return retrain.retrain_and_suggest(self.project.path, self.coder, self.name)

    def suggest_with_own_model(self) -> tuple[int | None, str | None]:
        """Suggest here from this coder's own newest model, no training; waits. (added, error)."""
        return retrain.suggest_with_own_model(self.project.path, self.coder, self.name)

    # --- moving around ----------------------------------------------------------------------

    def set_order(self, order: str) -> None:
        """Walk the suggestions in text order, or uncertain first: the order in which a
        decision teaches the model most (see `accord.suggest.review`)."""
        if order not in ("text", "uncertain"):
            raise ValueError(f"unknown order {order!r}")
        self.order = order
        self.suggestions = self._pending_suggestions()
        self._index()
        self._rerank()

    def _rerank(self) -> None:
        self._rank = {}
        if self.order == "uncertain" and self.suggestions:
            from ..suggest.review import review_order

            ranked = review_order(self.project, self.suggestions, "uncertain", coder=self.coder)
            self._rank = {s.id: i for i, s in enumerate(ranked)}

    def ranked(self) -> list[Suggestion]:
        """The pending suggestions in the current order."""
        if self.order == "text":
            return list(self.suggestions)
        return sorted(self.suggestions, key=self._place)

    def _place(self, s: Suggestion) -> int:
        return self._rank.get(s.id, len(self._rank))  # suggestions come after the ranked ones

    def next_suggestion(self, offset: int, backwards: bool = False, after: Suggestion | None = None) -> Suggestion | None:
        """The first pending suggestion starting after `offset` (or before it, backwards); in
        uncertain-first order, the next pending one after `after` in that order (the first
        without it), whatever its place in the text."""
        if self.order == "uncertain":
            ranked = self.ranked()
            if after is None:
                return (ranked[-1] if backwards else ranked[0]) if ranked else None
            place = self._rank.get(after.id, -1)
            if backwards:
                earlier = [s for s in ranked if self._place(s) < place]
                return earlier[-1] if earlier else None
            return next((s for s in ranked if self._place(s) > place), None)
        # Text order is by start, then id: two suggestions starting at one place are both
        # reached, one after the other, when walking from the one shown (`after`).
        here = (offset, after.id) if after is not None and after.start == offset else None
        keyed = sorted(self.suggestions, key=lambda s: (s.start, s.id))
        if backwards:
            earlier = [s for s in keyed if ((s.start, s.id) < here if here else s.start < offset)]
            return earlier[-1] if earlier else None
        return next((s for s in keyed if ((s.start, s.id) > here if here else s.start > offset)), None)

    def search(self, pattern: str) -> list[tuple[int, int]]:
        """Regex hits inside spoken text (never in labels or timestamps); re.error on a bad pattern."""
        regex = re.compile(pattern, re.IGNORECASE)
        hits = []
        for u in self.utterances:
            for m in regex.finditer(self.transcript.text, u.start, u.end):
                if m.end() > m.start():
                    hits.append((m.start(), m.end()))
        return hits

    def filter(self, speaker: str | None = None, code: str | None = None) -> list[int]:
        """Indexes of the utterances to show: all, one speaker's, or those carrying a code."""
        keep = []
        for i, u in enumerate(self.utterances):
            if speaker is not None and u.speaker != speaker:
                continue
            if code is not None and not any(c.code == code for c in self.codings_by_utterance.get(i, ())):
                continue
            keep.append(i)
        return keep

    # --- progress -----------------------------------------------------------------------------

    def mark_reviewed(self, number: int) -> None:
        """The coder is at utterance `number`: it counts as read, and is where they stopped."""
        self.reviewed.add(number)
        self.stopped_at = number

    def mark_read(self, numbers) -> None:
        """Utterances a page move scrolled past: they were on screen, so they count as read.

        Paging is how a coder reads a transcript through; without this a coder who paged to the
        end had read a few utterances per page, and agreement took their session for unread.
        """
        self.reviewed.update(numbers)

    def save_progress(self) -> None:
        """Store what the coder has read and where they stopped (only what changed)."""
        if self.reviewed != self._reviewed_saved:
            self.project.save_reviewed(self.name, self.coder, self.reviewed)
            self._reviewed_saved = set(self.reviewed)
        if self.stopped_at is not None and self.stopped_at != self._position_saved:
            self.project.save_position(self.name, self.coder, self.stopped_at)
            self._position_saved = self.stopped_at

    @property
    def progress(self) -> float:
        return len(self.reviewed) / len(self.utterances) if self.utterances else 0.0
