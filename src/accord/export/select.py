"""The codings an export covers, with the transcript context each one needs.

Filters mean the same in every export: `codes` (a code includes its sub-codes), `coders`
(or the consensus coder), `transcripts`, and `speakers` (a speaker label or a role, matched
on the utterance where the coding starts). Unknown names are refused with the known ones
listed, rather than giving an empty report.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from ..names import name_list, no_such_code
from ..model import Code, Codebook, Transcript, Utterance
from ..store.common import ProjectError
from ..crosstab import Lookup
from .pseudonyms import Scrubber, aliases

CONSENSUS_CODER = "consensus"


@dataclass
class Excerpt:
    """One coding with the utterances it touches (`first` is None for text outside any turn)."""

    coding: dict
    transcript: Transcript
    index: tuple[int, int]  # utterance indexes first..last (inclusive), or (-1, -1)

    @property
    def first(self) -> Utterance | None:
        return self.transcript.utterances[self.index[0]] if self.index[0] >= 0 else None

    @property
    def last(self) -> Utterance | None:
        return self.transcript.utterances[self.index[1]] if self.index[1] >= 0 else None

    @property
    def text(self) -> str:
        return self.transcript.text[self.coding["start"] : self.coding["end"]]


@dataclass
class Selection:
    project_name: str
    codebook: Codebook
    codes: list[Code]  # in hierarchy order, filtered
    coders: list[str]
    transcripts: dict[str, Transcript]
    excerpts: list[Excerpt]
    filters: dict = field(default_factory=dict)
    pseudonymise: bool = False
    lookup: object = None  # crosstab.Lookup: variable values and cases, for the long table
    _aliases: dict = field(default_factory=dict)
    ratings: list[dict] = field(default_factory=list)  # the selected coders' ratings of the selected transcripts

    def speaker(self, transcript: Transcript, label: str) -> str:
        """How a speaker is shown: the label (with its role), or its alias when pseudonymised."""
        if not label:
            return ""
        if self.pseudonymise:
            return self.aliases(transcript)[0].get(label, label)
        role = transcript.roles.get(label)
        return f"{label} ({role})" if role and role.lower() != label.lower() else label

    def aliases(self, transcript: Transcript) -> tuple[dict[str, str], Scrubber]:
        if transcript.name not in self._aliases:
            names = aliases(transcript)
            self._aliases[transcript.name] = (names, Scrubber(names))
        return self._aliases[transcript.name]

    def quote(self, transcript: Transcript, text: str) -> str:
        return self.aliases(transcript)[1](text) if self.pseudonymise else text

    def by_code(self) -> dict[str, list[Excerpt]]:
        out: dict[str, list[Excerpt]] = {c.name: [] for c in self.codes}
        for e in self.excerpts:
            out.setdefault(e.coding["code"], []).append(e)
        return out

    def depth(self, code: Code) -> int:
        """Depth within the selected codes (a selected code whose parent is not shown is a root)."""
        shown = {c.name: c for c in self.codes}
        d, parent = 0, code.parent
        while parent in shown:
            d, parent = d + 1, shown[parent].parent
        return d


def select(project, *, codes=None, coders=None, consensus: bool = False, transcripts=None, speakers=None,
           pseudonymise: bool = False) -> Selection:
    book = project.codebook() or Codebook(name="(no codebook)", codes=[])
    retired = [Code(name=n) for n in project.retired_codes_in_use()]
    all_codes = book.codes + retired
    codes, coders = name_list(codes, "codes"), name_list(coders, "coders")
    transcripts, speakers = name_list(transcripts, "transcripts"), name_list(speakers, "speakers")
    if consensus:
        if coders:
            raise ProjectError("give --coders or --consensus, not both")
        coders = [CONSENSUS_CODER]
    known_coders = [c["name"] for c in project.coders()]
    for c in coders or []:
        if c not in known_coders:
            hint = " (reconcile disagreements first: consensus codings are made there)" if c == CONSENSUS_CODER else ""
            raise ProjectError(f"no coder named {c!r}{hint}; coders: {', '.join(known_coders) or 'none yet'}")
    shown = _codes(all_codes, codes)
    names = [t["name"] for t in project.transcripts()]
    for t in transcripts or []:
        if t not in names:
            raise ProjectError(f"no transcript named {t!r}; transcripts: {', '.join(names[:10])}"
                               f"{', ...' if len(names) > 10 else ''}")
    wanted = set(transcripts) if transcripts else set(names)
    shown_names = {c.name for c in shown}
    records = [r for r in project.coding_records(coders)
               if r["transcript"] in wanted and r["code"] in shown_names]
    loaded = {n: project.transcript(n) for n in names if n in wanted}
    excerpts = []
    spans = {n: ([u.start for u in t.utterances], [u.end for u in t.utterances]) for n, t in loaded.items()}
    match = {s.casefold() for s in speakers} if speakers else None
    for r in records:
        t = loaded[r["transcript"]]
        starts, ends = spans[t.name]
        first, last = bisect_right(ends, r["start"]), bisect_left(starts, r["end"]) - 1
        index = (first, last) if first <= last else (-1, -1)
        if match is not None:
            label = t.utterances[first].speaker if index[0] >= 0 else ""
            if label.casefold() not in match and t.roles.get(label, "").casefold() not in match:
                continue
        excerpts.append(Excerpt(r, t, index))
    used_coders = coders or [c for c in known_coders if any(e.coding["coder"] == c for e in excerpts)]
    return Selection(
        project_name=project.path.stem if hasattr(project.path, "stem") else str(project.path),
        codebook=book,
        codes=shown,
        coders=used_coders,
        transcripts=loaded,
        excerpts=excerpts,
        filters={k: v for k, v in (("codes", codes), ("coders", coders), ("transcripts", transcripts),
                                   ("speakers", speakers)) if v},
        pseudonymise=pseudonymise,
        ratings=[r for r in project.ratings(coders=coders) if r["transcript"] in wanted],
        lookup=Lookup(project),
    )


def _codes(all_codes: list[Code], names: list[str] | None) -> list[Code]:
    """Codes in hierarchy order; with `names`, those codes and their sub-codes."""
    ordered: list[Code] = []

    def walk(parent: str | None) -> None:
        for c in all_codes:
            if c.parent == parent:
                ordered.append(c)
                walk(c.name)

    walk(None)
    ordered += [c for c in all_codes if c not in ordered]  # retired codes whose parent is gone
    if not names:
        return ordered
    by_fold = {c.name.casefold(): c.name for c in all_codes}
    chosen = set()
    for n in names:
        if n.casefold() not in by_fold:
            raise ProjectError(no_such_code(n, by_fold.values()))
        chosen.add(by_fold[n.casefold()])
    parents = {c.name: c.parent for c in all_codes}

    def inside(name: str | None) -> bool:
        while name is not None:
            if name in chosen:
                return True
            name = parents.get(name)
        return False

    return [c for c in ordered if inside(c.name)]
