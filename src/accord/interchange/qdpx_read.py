"""Read a REFI-QDA `.qdpx` project into a checked `Bundle`.

Everything is read and checked first: malformed XML, a zip that is not a qdpx, a coding of
an unknown code or a selection outside its text stop the import with the file, line and
element named. What real tools leave out or do differently (no Users, no colours, inclusive
end positions, CRLF text, `.docx`-only sources, sources or notes accord has no place for)
is tolerated and reported in `Bundle.notes`.
"""

from __future__ import annotations

import zipfile
from bisect import bisect_left, bisect_right
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..limits import MAX_UTTERANCE_CHARS
from ..model import Transcript
from ..transcripts.roles import assign_roles
from .bundle import Bundle
from .descriptions import DESCRIBED, IMPORTED_FROM
from .extras import read_extras
from .positions import STANDARD, choose_reading, covers_name, crlf_map, place
from .qdc import make_codebook, read_codes, report_categories
from .refi_xml import (
    child,
    child_text,
    children,
    describe,
    derived_guid,
    local,
    norm_guid,
    parse_datetime,
    repair_datetime,
    parse_xml,
)
from .sources import Archive, decode_text, docx_text
from .utterances import derive_utterances, extras_utterances

UNATTRIBUTED = "unattributed"  # coder for codings and notes that name no user
_KNOWN_SUFFIXES = {".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".vtt", ".srt", ".csv", ".htm", ".html"}
_OTHER_SOURCES = {"PictureSource", "PDFSource", "AudioSource", "VideoSource"}


def read_qdpx(path: str | Path, roles: dict[str, str] | None = None) -> Bundle:
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(path, f"not a .qdpx file: not a zip archive ({e})") from None
    with zf:
        archive = Archive(zf, str(path))
        qde = [n for n in archive.names.values() if n.lower().endswith(".qde")]
        if not qde:
            held = ", ".join(sorted(archive.names.values())[:5]) or "nothing"
            raise InputError(path, f"not a .qdpx file: no project.qde inside (the zip holds {held})")
        member = next((n for n in qde if PurePosixPath(n).name.lower() == "project.qde"), qde[0])
        return _Reader(archive, f"{path} ({member})", roles).read(archive.read(member), path)


class _Reader:
    def __init__(self, archive: Archive, where: str, roles: dict[str, str] | None):
        self.archive = archive
        self.where = where
        self.roles = roles
        self.notes: list[str] = []
        self.bad_dates: dict[str, list] = {"repaired": [], "replaced": []}

    def date(self, value: str | None, el) -> str | None:
        """A creation date as stored: as written when valid; a date some tool wrote in its own way
        read as what it means; else None (the import time). Both are reported."""
        if parse_datetime(value) or not value or not value.strip():
            return parse_datetime(value)
        repaired = repair_datetime(value)
        self.bad_dates["repaired" if repaired else "replaced"].append((value, el.sourceline))
        return repaired

    def report_dates(self, bundle: Bundle) -> None:
        for kind, seen in self.bad_dates.items():
            if not seen:
                continue
            value, line = seen[0]
            what = ("read as the dates they mean, in UTC" if kind == "repaired"
                    else "not readable: the import time is used instead")
            self.notes.append(f"{self.where}:{line}: {len(seen)} creation date(s) are not valid xsd:dateTime "
                              f"(first: {value!r}); {what}")
            if kind == "replaced":
                bundle.lost["creation dates"] = len(seen)

    def fail(self, el, message: str):
        raise InputError(self.where, f"{describe(el)}: {message}" if el is not None else message,
                         el.sourceline if el is not None else None)

    def read(self, data: bytes, path: Path) -> Bundle:
        root = parse_xml(data, self.where)
        if local(root) != "Project":
            hint = " (a codebook: save it as .qdc)" if local(root) == "CodeBook" else ""
            self.fail(root, f"root element is <{local(root)}>, expected <Project>{hint}")
        self.extras = read_extras(root, self.notes)
        bundle = Bundle(name=root.get("name") or path.stem, source=str(path), notes=self.notes)
        self.users = self._users(root)
        self.code_names = self._codebook(root, bundle)
        self.note_texts = self._notes(root)
        self.used_notes: set[str] = set()
        self.variable_defs = self._variables(root)
        self.raw_values: list[tuple] = []  # (variable guid, transcript | case, owner, REFI value kind, text, line)
        self.selection_at: dict[str, tuple[str, int, int]] = {}  # selection guid -> (transcript, start, end)
        self.placed: dict[str, tuple] = {}  # source guid -> (name, raw text, text, utterance starts, element)
        self.coding_at: dict[str, dict] = {}  # a Coding's guid as written (normalised) -> the coding read
        self.codings_in: dict[str, list[dict]] = {}  # a selection's guid -> the codings it holds
        self._sources(root, bundle)
        self._cases(root, bundle)
        self._links(root, bundle)
        self._finish_variables(bundle)
        self._ratings(bundle)
        self._leftovers(root, bundle)
        self.report_dates(bundle)
        working = ({c["coder"] for c in bundle.codings} | {m["coder"] for m in bundle.memos}
                   | {n["coder"] for n in bundle.project_notes} | {r["coder"] for r in bundle.ratings})
        idle = sorted(name for name in self.users.values() if name not in working)
        if idle:
            self.notes.append(f"{self.where}: user(s) {', '.join(map(repr, idle))} coded nothing and wrote no memo "
                              "in this file; not added as coders")
        bundle.coders = [(name, self.user_guids.get(guid)) for guid, name in self.users.items() if name in working]
        if any(c["coder"] == UNATTRIBUTED for c in bundle.codings) or any(m["coder"] == UNATTRIBUTED for m in bundle.memos):
            bundle.coders.append((UNATTRIBUTED, None))
            self.notes.append(f"{self.where}: codings or notes that name no user are stored for coder {UNATTRIBUTED!r}")
        return bundle

    # --- users, codes, notes ---------------------------------------------------------------------

    def _users(self, root) -> dict[str, str]:
        """Normalised guid -> coder name, unique (two users of one name are told apart by id)."""
        users, taken = {}, set()
        users_el = child(root, "Users")
        for el in children(users_el, "User") if users_el is not None else []:
            guid = norm_guid(el.get("guid"))
            if guid is None:
                self.fail(el, f"guid {el.get('guid')!r} is not a GUID")
            name = (el.get("name") or "").strip() or (el.get("id") or "").strip() or f"user {guid[:8].lower()}"
            if name in taken:
                name = f"{name} ({(el.get('id') or guid[:8]).strip()})"
            taken.add(name)
            users[guid] = name
        self.user_guids = {norm_guid(el.get("guid")): el.get("guid").strip().strip("{}")
                           for el in (children(users_el, "User") if users_el is not None else [])}
        return users

    def user(self, *candidates: str | None) -> str:
        """The coder for the first user guid given; unknown guids become coders of their own."""
        for raw in candidates:
            guid = norm_guid(raw)
            if guid is None:
                continue
            if guid not in self.users:
                self.users[guid] = f"user {guid[:8].lower()}"
                self.user_guids[guid] = raw.strip().strip("{}")
                self.notes.append(f"{self.where}: user {raw} is not listed in <Users>; called {self.users[guid]!r}")
            return self.users[guid]
        return UNATTRIBUTED

    def _codebook(self, root, bundle: Bundle) -> dict[str, str]:
        book_el = child(root, "CodeBook")
        codes_el = child(book_el, "Codes") if book_el is not None else None
        if codes_el is None or not children(codes_el, "Code"):
            return {}
        codes, guids, names = read_codes(codes_el, self.where, self.extras, self.notes)
        bundle.codebook = make_codebook(codes, self.extras, f"{bundle.name} codebook", self.where, self.notes)
        bundle.code_guids = guids
        return names

    def _notes(self, root) -> dict[str, tuple]:
        """Normalised note guid -> (text, creating user guid, created, element)."""
        out = {}
        notes_el = child(root, "Notes")
        for el in children(notes_el, "Note") if notes_el is not None else []:
            guid = norm_guid(el.get("guid"))
            if guid is None:
                self.fail(el, f"guid {el.get('guid')!r} is not a GUID")
            text = child_text(el, "PlainTextContent")
            if not text and el.get("plainTextPath"):
                member = self.archive.find(el.get("plainTextPath"))
                if member is None:
                    self.fail(el, f"its text file {el.get('plainTextPath')!r} is not in the archive")
                text = decode_text(self.archive.read(member), f"{self.archive.where} ({member})", self.notes)
            text = text.strip() or (el.get("name") or "").strip()
            out[guid] = (text, el.get("creatingUser"), self.date(el.get("creationDateTime"), el), el)
        return out

    def note_text(self, holder, *, with_selection: bool = False) -> list[tuple]:
        """(text, creating user, created) of the notes a NoteRef under `holder` points to, and
        with `with_selection` the (start, end) of the passage the note itself points at, or None
        (QualCoder's annotations are notes holding a `PlainTextSelection`)."""
        out = []
        for ref in children(holder, "NoteRef"):
            guid = norm_guid(ref.get("targetGUID"))
            if guid not in self.note_texts:
                self.fail(ref, f"points to note {ref.get('targetGUID')!r}, which is not in <Notes>")
            text, user, created, el = self.note_texts[guid]
            self.used_notes.add(guid)
            if text:
                out.append((text, user, created, _note_passage(el)) if with_selection else (text, user, created))
        return out

    # --- sources -----------------------------------------------------------------------------

    def _sources(self, root, bundle: Bundle) -> None:
        sources_el = child(root, "Sources")
        if sources_el is None:
            return
        skipped: dict[str, int] = {}
        texts = []
        for el in sources_el:
            if not isinstance(el.tag, str):
                continue
            kind = local(el)
            if kind != "TextSource":
                skipped[kind] = skipped.get(kind, 0) + 1
                continue
            text = self._source_text(el)
            if text is not None:
                texts.append((el, text))
        for kind, n in skipped.items():
            what = "pictures, PDFs, audio and video" if kind in _OTHER_SOURCES else "unknown kinds of source"
            self.notes.append(f"{self.where}: {n} <{kind}> not imported: accord codes text; {what} are left out")
        raw = [(el, text, self._selections(el)) for el, text in texts]
        reading, explained, named = choose_reading(
            [(text, s, e, _coded_words(sel)) for _, text, sels in raw for sel, s, e in sels])
        if reading != STANDARD:
            how = f"; that way {explained} of {named} selections cover exactly the words they name" if named else ""
            self.notes.append(f"{self.where}: selection positions read with {reading.describe()}{how}")
        self.reading = reading
        self.names_checked = named > 0
        self.misplaced: list[str] = []
        names: set[str] = set()
        seen_codings: set[str] = set()
        for el, text, selections in raw:
            self._source(el, text, selections, names, seen_codings, bundle)
        self._annotations(root, raw, bundle)
        if self.misplaced:
            bundle.lost["codings on other words than their selection names"] = len(self.misplaced)
            shown = "; ".join(self.misplaced[:3]) + (" ..." if len(self.misplaced) > 3 else "")
            self.notes.append(f"{self.where}: {len(self.misplaced)} selection(s) do not cover the words their name "
                              f"gives under any reading of their positions; imported where the positions say: {shown}")

    def _source_text(self, el) -> str | None:
        """The plain text of a TextSource, or None (with a note) when accord cannot read it."""
        inline = child(el, "PlainTextContent")
        if inline is not None and inline.text:
            return inline.text
        plain, rich = el.get("plainTextPath"), el.get("richTextPath")
        for ref, kind in ((plain, "plain"), (rich, "rich")):
            if not ref:
                continue
            member = self.archive.find(ref)
            if member is None:
                if kind == "plain" or not plain:
                    self.fail(el, f"its {kind} text file {ref!r} is not in the archive")
                continue
            where = f"{self.archive.where} ({member})"
            data = self.archive.read(member)
            if kind == "plain":
                return decode_text(data, where, self.notes)
            if member.lower().endswith(".docx"):
                self.notes.append(f"{where}: source {el.get('name')!r} has only a Word file; its text is read "
                                  "as paragraphs joined by line breaks, which is what positions usually count")
                return docx_text(data, where)
            if member.lower().endswith(".txt"):
                return decode_text(data, where, self.notes)
            self.notes.append(f"{self.where}:{el.sourceline}: source {el.get('name')!r} not imported: it has no "
                              f"plain text, and accord cannot read {PurePosixPath(member).suffix or 'this'} files")
            return None
        self.notes.append(f"{self.where}:{el.sourceline}: source {el.get('name')!r} not imported: it has no text")
        return None

    def _selections(self, source) -> list[tuple]:
        out = []
        for sel in children(source, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                self.fail(sel, "startPosition and endPosition must be whole numbers "
                               f"(got {sel.get('startPosition')!r}, {sel.get('endPosition')!r})")
            out.append((sel, start, end))
        return out

    def _source(self, el, raw_text: str, selections, names, seen_codings, bundle: Bundle) -> None:
        guid = norm_guid(el.get("guid"))
        if guid is None:
            self.fail(el, f"guid {el.get('guid')!r} is not a GUID")
        text, _ = crlf_map(raw_text)
        if text != raw_text:
            how = "" if self.reading.lf_counted else ", positions adjusted"
            self.notes.append(f"{self.where}:{el.sourceline}: source {el.get('name')!r} has CRLF line ends; "
                              f"stored with LF{how}")
        if not text.strip():
            self.notes.append(f"{self.where}:{el.sourceline}: source {el.get('name')!r} not imported: its text is empty")
            return
        name = self._name(el, names)
        t_extras = (self.extras.get("transcripts") or {}).get(el.get("guid"), {}) if self.extras else {}
        transcript = self._transcript(name, text, t_extras, el)
        described = (child_text(el, "Description") or "").strip()
        if described and not described.startswith(IMPORTED_FROM):  # a tool's memo on the file
            transcript.notes.append(f"{DESCRIBED}{described}")
        bundle.transcripts.append((transcript, el.get("guid").strip().strip("{}"),
                                   self.date(el.get("creationDateTime"), el)))
        starts = [u.start for u in transcript.utterances]
        for sel, start, end in selections:
            s, e = place(self.reading, raw_text, start, end)
            if s < 0 or e > len(text) or s > e:
                self.fail(sel, f"selection [{start}, {end}) is outside source {name!r}, "
                               f"which has {len(raw_text)} characters")
            if norm_guid(sel.get("guid")):
                self.selection_at[norm_guid(sel.get("guid"))] = (name, s, e)
            if s == e:
                self.notes.append(f"{self.where}:{sel.sourceline}: empty selection skipped")
                continue
            label = _coded_words(sel)
            if self.names_checked and label and not covers_name(self.reading, raw_text, text, start, end, label):
                self.misplaced.append(f"line {sel.sourceline} covers {text[s:e][:40]!r}, named {label[:40]!r}")
            self._codings(sel, name, s, e, seen_codings, bundle)
            for text_, user, created in self.note_text(sel):
                number = max(1, _utterance_at(starts, s))
                bundle.memos.append({"transcript": name, "utterance": number if transcript.utterances else None,
                                     "coder": self.user(user, sel.get("creatingUser")), "text": text_,
                                     "created_at": created})
        self.placed[guid] = (name, raw_text, text, starts, el)
        self._values(el, "transcript", name)
        whole = children(el, "Coding")
        if whole:
            bundle.lost["codings of a whole source"] = bundle.lost.get("codings of a whole source", 0) + len(whole)
            self.notes.append(f"{self.where}:{el.sourceline}: {len(whole)} coding(s) of the whole source "
                              f"{name!r} not imported: accord codes spans of text")
        described = (child_text(el, "Description") or "").strip()
        for text_, user, created, at in self.note_text(el, with_selection=True):
            number = None
            if at is not None and transcript.utterances:
                number = max(1, _utterance_at(starts, place(self.reading, raw_text, *at)[0]))
            bundle.memos.append({"transcript": name, "utterance": number, "coder": self.user(user, el.get("creatingUser")),
                                 "text": text_, "created_at": created})

    def _name(self, el, names: set[str]) -> str:
        name = (el.get("name") or "").strip()
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in _KNOWN_SUFFIXES:
            name = name[: -len(suffix)]
        name = name or f"source {el.get('guid')[:8]}"
        final, k = name, 2
        while final in names:
            final, k = f"{name} ({k})", k + 1
        if final != name:
            self.notes.append(f"{self.where}:{el.sourceline}: two sources are called {name!r}; this one is {final!r}")
        names.add(final)
        return final

    def _transcript(self, name: str, text: str, extras: dict, el) -> Transcript:
        where = f"{self.where}:{el.sourceline}: source {el.get('name')!r}"
        utterances = extras_utterances(extras.get("utterances") or [], len(text)) if extras else None
        notes = []
        if utterances is None:
            utterances, notes = derive_utterances(text, where)
            if not utterances:
                self.fail(el, "its text has no words to code")
            self.notes.extend(notes)
            notes = []
        for u in utterances:  # as for imported transcripts: a source not split into turns
            if u.end - u.start > MAX_UTTERANCE_CHARS:
                self.fail(el, f"source {el.get('name')!r}: utterance {u.number} is {u.end - u.start:,} characters "
                              f"long; accord takes at most {MAX_UTTERANCE_CHARS:,} per utterance")
        transcript = Transcript(
            name=name,
            text=text,
            utterances=utterances,
            format=str(extras.get("format") or "text"),
            source=str(extras.get("source") or f"{self.archive.where}: {el.get('name') or name}"),
            encoding=str(extras.get("encoding") or "utf-8"),
            notes=list(extras.get("notes") or []) + notes,
        )
        stored_roles = extras.get("roles") if isinstance(extras.get("roles"), dict) else None
        if stored_roles is not None and not self.roles:
            transcript.roles = {s: r for s, r in stored_roles.items() if s in transcript.speakers}
        else:
            transcript.roles, role_notes = assign_roles(transcript.speakers, self.roles)
            transcript.notes += role_notes
        return transcript

    def _codings(self, sel, transcript: str, start: int, end: int, seen: set[str], bundle: Bundle) -> None:
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            if ref is None:
                self.fail(coding, "has no <CodeRef> saying which code it applies")
            code = self.code_names.get(norm_guid(ref.get("targetGUID")))
            if code is None:
                self.fail(ref, f"points to code {ref.get('targetGUID')!r}, which is not in the <CodeBook>")
            guid = (coding.get("guid") or "").strip().strip("{}")
            if norm_guid(guid) is None or norm_guid(guid) in seen:
                guid = derived_guid(self.where, "coding", str(coding.sourceline), transcript, str(start))
                self.notes.append(f"{self.where}:{coding.sourceline}: coding has a missing or repeated guid; gave it one")
            seen.add(norm_guid(guid))
            written = norm_guid(coding.get("guid"))
            described = (child_text(sel, "Description") or "").strip()  # where QualCoder and MAXQDA put it
            texts = [text for text, _, _ in self.note_text(coding)]
            memo = "\n\n".join([described] * (bool(described) and described not in texts) + texts)
            bundle.codings.append({
                "guid": guid,
                "transcript": transcript,
                "code": code,
                "coder": self.user(coding.get("creatingUser"), sel.get("creatingUser")),
                "start": start,
                "end": end,
                "memo": memo,
                "created_at": self.date(coding.get("creationDateTime") or sel.get("creationDateTime"), coding),
            })
            if written and written not in self.coding_at:
                self.coding_at[written] = bundle.codings[-1]
            if norm_guid(sel.get("guid")):
                self.codings_in.setdefault(norm_guid(sel.get("guid")), []).append(bundle.codings[-1])

    def _annotations(self, root, raw, bundle: Bundle) -> None:
        """Notes that point at a passage but that no source refers to (how QualCoder writes most
        annotations): placed in the one source there is; with several, no source is named, so
        they are reported, not guessed."""
        empty = []
        for guid, (text, user, created, el) in self.note_texts.items():
            at = _note_passage(el)
            if guid in self.used_notes or at is None:
                continue
            self.used_notes.add(guid)
            if not text:
                empty.append(el.sourceline)
                continue
            if len(self.placed) != 1:
                bundle.lost["annotations"] = bundle.lost.get("annotations", 0) + 1
                self.notes.append(f"{self.where}:{el.sourceline}: annotation {text[:40]!r} not imported: it names no "
                                  "source and the project has several")
                continue
            name, raw_text, lf_text, starts, source_el = next(iter(self.placed.values()))
            start = place(self.reading, raw_text, *at)[0]
            number = max(1, _utterance_at(starts, start)) if starts else None
            bundle.memos.append({"transcript": name, "utterance": number,
                                 "coder": self.user(user, el.get("creatingUser")), "text": text, "created_at": created})
        if empty:
            self.notes.append(f"{self.where}:{empty[0]}: {len(empty)} empty annotation(s) skipped: they hold no text")

    # --- variables and cases ---------------------------------------------------------------------

    def _variables(self, root) -> dict[str, dict]:
        """Normalised guid -> the variable as declared (guid as written, name, REFI type, description)."""
        out, names = {}, set()
        variables_el = child(root, "Variables")
        for el in children(variables_el, "Variable") if variables_el is not None else []:
            guid = norm_guid(el.get("guid"))
            if guid is None:
                self.fail(el, f"guid {el.get('guid')!r} is not a GUID")
            name = (el.get("name") or "").strip() or f"variable {guid[:8].lower()}"
            if name in names:
                name = f"{name} ({guid[:8].lower()})"
            names.add(name)
            out[guid] = {"guid": el.get("guid").strip().strip("{}"), "name": name,
                         "refi": (el.get("typeOfVariable") or "Text").strip(),
                         "description": child_text(el, "Description").strip()}
        return out

    def _values(self, holder, kind: str, owner: str) -> None:
        """Remember the `<VariableValue>`s of a source or case, to be typed once all are read."""
        for vv in children(holder, "VariableValue"):
            ref = child(vv, "VariableRef")
            if ref is None:
                self.fail(vv, "has no <VariableRef> saying which variable it is a value of")
            guid = norm_guid(ref.get("targetGUID"))
            if guid not in self.variable_defs:
                self.fail(ref, f"points to variable {ref.get('targetGUID')!r}, which is not in <Variables>")
            value = next((c for c in vv if isinstance(c.tag, str) and local(c) != "VariableRef"), None)
            if value is not None and (value.text or "").strip():
                self.raw_values.append((guid, kind, owner, local(value), value.text.strip(), vv.sourceline))

    def _cases(self, root, bundle: Bundle) -> None:
        """Cases as accord's: a selection's case owns the turns of the one speaker it covers, a
        source's case the whole transcript. The speaker cases accord writes for speakers that
        belong to no case are left out: they are the turns themselves."""
        cases_el = child(root, "Cases")
        if cases_el is None:
            return
        accord_own = {norm_guid(g) for g in (self.extras.get("speaker_cases") or [])} if self.extras else set()
        sources = {guid: placed[0] for guid, placed in self.placed.items()}
        utterances = {t.name: (t.utterances, [u.start for u in t.utterances], [u.end for u in t.utterances])
                      for t, _, _ in bundle.transcripts}
        owner: dict[tuple[str, str | None], str] = {}
        names: set[str] = set()
        lost: dict[str, int] = {}
        for el in children(cases_el, "Case"):
            guid = norm_guid(el.get("guid"))
            if guid is None:
                self.fail(el, f"guid {el.get('guid')!r} is not a GUID")
            if guid in accord_own:
                continue
            name = (el.get("name") or "").strip() or f"case {guid[:8].lower()}"
            if name in names:
                name = f"{name} ({guid[:8].lower()})"
            names.add(name)
            self._values(el, "case", name)
            members: list[tuple[str, str | None]] = []
            for ref in children(el, "SourceRef"):
                transcript = sources.get(norm_guid(ref.get("targetGUID")))
                if transcript is None:
                    lost["case links to sources not imported"] = lost.get("case links to sources not imported", 0) + 1
                else:
                    members.append((transcript, None))
            for ref in children(el, "SelectionRef"):
                at = self.selection_at.get(norm_guid(ref.get("targetGUID")))
                if at is None:
                    lost["case links to sources not imported"] = lost.get("case links to sources not imported", 0) + 1
                    continue
                transcript, start, end = at
                turns, starts, ends = utterances[transcript]
                speakers = {u.speaker for u in turns[bisect_right(ends, start):bisect_left(starts, end)]}
                if len(speakers) == 1:
                    members.append((transcript, speakers.pop()))
                else:
                    key = "case passages that are not one speaker's turns"
                    lost[key] = lost.get(key, 0) + 1
            kept = []
            for member in dict.fromkeys(members):
                if owner.setdefault(member, name) != name:
                    key = "case turns already another case's"
                    lost[key] = lost.get(key, 0) + 1
                else:
                    kept.append(member)
            if children(el, "CodeRef"):
                lost["codes of cases"] = lost.get("codes of cases", 0) + len(children(el, "CodeRef"))
            bundle.cases.append({"guid": el.get("guid").strip().strip("{}"), "name": name,
                                 "description": child_text(el, "Description").strip(), "members": kept})
        for kind, n in lost.items():
            bundle.lost[kind] = bundle.lost.get(kind, 0) + n
            self.notes.append(f"{self.where}:{cases_el.sourceline}: {n} {kind} not imported: an accord case is a "
                              "speaker's turns in a transcript, or whole transcripts")

    def _finish_variables(self, bundle: Bundle) -> None:
        """Give each variable accord's type (from accord's extras, else from REFI's type) and the
        kind of owner its values have; a variable with values on sources and cases becomes two."""
        from ..variables import ValueProblem, canonical

        extras = {norm_guid(k): v for k, v in ((self.extras or {}).get("variables") or {}).items() if isinstance(v, dict)}
        kinds: dict[str, list[str]] = {}
        for guid, kind, *_ in self.raw_values:
            if kind not in kinds.setdefault(guid, []):
                kinds[guid].append(kind)
        made: dict[tuple[str, str], dict] = {}
        for guid, d in self.variable_defs.items():
            x = extras.get(guid, {})
            vtype = x.get("type") or _ACCORD_TYPES.get(d["refi"], "text")
            categories = list(x.get("categories") or (["false", "true"] if d["refi"] == "Boolean" else []))
            used = kinds.get(guid) or [x.get("of") if x.get("of") in ("transcript", "case") else "case"]
            for i, kind in enumerate(used):
                name = d["name"] if len(used) == 1 else f"{d['name']} ({kind}s)"
                variable = {"guid": d["guid"] if i == 0 else derived_guid("variable", d["guid"], kind), "name": name,
                            "type": vtype, "categories": categories, "of": kind, "description": d["description"]}
                made[(guid, kind)] = variable
                bundle.variables.append(variable)
            if len(used) > 1:
                self.notes.append(f"{self.where}: variable {d['name']!r} has values on sources and on cases; "
                                  f"kept as {', '.join(repr(made[(guid, k)]['name']) for k in used)}")
        bad = []
        for guid, kind, owner, refi, text, line in self.raw_values:
            variable = made[(guid, kind)]
            if refi == "BooleanValue":
                text = {"1": "true", "0": "false"}.get(text, text.lower())
            if variable["type"] == "category" and text.casefold() not in {c.casefold() for c in variable["categories"]}:
                variable["categories"].append(text)  # a category some tool added
            try:
                value = canonical(variable["type"], text, variable["categories"])
            except ValueProblem as e:
                bad.append((line, e))
                continue
            bundle.variable_values.append((variable["name"], owner, value))
        if bad:
            bundle.lost["variable values"] = len(bad)
            self.notes.append(f"{self.where}:{bad[0][0]}: {len(bad)} variable value(s) not imported, not of their "
                              f"variable's type (first: {bad[0][1]})")

    def _ratings(self, bundle: Bundle) -> None:
        """Ratings from accord's extras (REFI has no place for them), on the sources read here,
        each coder found by user guid as codings are; an entry that does not read is noted."""
        raw = (self.extras or {}).get("ratings")
        damaged = 0
        for entry in raw if isinstance(raw, list) else []:
            try:
                tguid, scale, segment, user, value, created, updated = entry
                ok = (isinstance(scale, str) and scale.strip() and all(
                      isinstance(n, int) and not isinstance(n, bool) for n in (segment, value)) and segment >= 1)
            except (TypeError, ValueError):
                ok = False
            if not ok or not isinstance(tguid, str) or not isinstance(user, str) or None in (norm_guid(tguid),
                                                                                             norm_guid(user)):
                damaged += 1
                continue
            placed = self.placed.get(norm_guid(tguid))
            if placed is None:
                bundle.lost["ratings of sources not imported"] = bundle.lost.get("ratings of sources not imported", 0) + 1
                continue
            bundle.ratings.append({"transcript": placed[0], "scale": scale, "segment": segment, "coder": self.user(user),
                                   "value": value, "created_at": created if isinstance(created, str) else None,
                                   "updated_at": updated if isinstance(updated, str) else None})
        if damaged:
            bundle.lost["damaged ratings"] = damaged
            self.notes.append(f"{self.where}: {damaged} rating(s) in accord's extras are damaged; not imported")

    def _leftovers(self, root, bundle: Bundle) -> None:
        loose = [g for g in self.note_texts if g not in self.used_notes and self.note_texts[g][0]]
        for guid in loose:  # attached to nothing: a note on the project as a whole (QualCoder's journal)
            text, user, created, el = self.note_texts[guid]
            bundle.project_notes.append({"guid": el.get("guid").strip().strip("{}"), "title": (el.get("name") or "").strip(),
                                         "text": text, "coder": self.user(user) if user else None, "created_at": created})
        if loose:
            self.notes.append(f"{self.where}: {len(loose)} note(s) attached to nothing kept as journal entries "
                              "(`accord journal`)")
        bundle.description = (child_text(root, "Description") or "").strip()
        report_categories(root, self.where, bundle)
        for kind in ("Sets", "Graphs"):
            el = child(root, kind)
            if el is not None and len(el):
                bundle.lost[kind.lower()] = len(el)
                self.notes.append(f"{self.where}:{el.sourceline}: <{kind}> not imported (accord has no {kind.lower()})")


    def _links(self, root, bundle: Bundle) -> None:
        """`<Link>`s from one coding to another of the same coder in one source: a link to a
        selection holding one coding is to that coding. A link's `name` is its relation
        ("linked" when it has none); its direction is read as origin to target. Links between
        anything else (codes, sources, notes) are counted and left out."""
        links = child(root, "Links")
        if links is None:
            return
        left_out, first = 0, None
        for el in children(links, "Link"):
            ends = [self._linked_coding(el.get(key)) for key in ("originGUID", "targetGUID")]
            source, target = ends
            if (source is None or target is None or source is target or source["coder"] != target["coder"]
                    or source["transcript"] != target["transcript"]):
                left_out += 1
                first = first or el.sourceline
                continue
            guid = norm_guid(el.get("guid"))
            bundle.links.append({"guid": (el.get("guid") or "").strip().strip("{}") if guid else None,
                                 "relation": " ".join((el.get("name") or "").split()) or "linked",
                                 "source": source["guid"], "target": target["guid"]})
        if left_out:
            bundle.lost["links"] = left_out
            self.notes.append(f"{self.where}:{first}: {left_out} link(s) not imported: accord links two codings of "
                              "one coder in one source")

    def _linked_coding(self, guid: str | None) -> dict | None:
        key = norm_guid(guid)
        if key is None:
            return None
        if key in self.coding_at:
            return self.coding_at[key]
        held = self.codings_in.get(key, [])
        return held[0] if len(held) == 1 else None


# accord's type for a REFI variable type; DateTime stays text, so its time of day is kept
_ACCORD_TYPES = {"Text": "text", "Integer": "number", "Float": "number", "Date": "date", "Boolean": "category",
                 "DateTime": "text"}


def _coded_words(sel) -> str | None:
    """The words a selection that holds codings says it covers (its `name`), or None. Selections
    that only carry a note are named by tools in other ways ("Utterance 3")."""
    name = (sel.get("name") or "").strip()
    return name if name and children(sel, "Coding") else None


def _note_passage(note) -> tuple[int, int] | None:
    """(start, end) of the `PlainTextSelection` inside a note, if it has a readable one."""
    sel = child(note, "PlainTextSelection")
    try:
        return (int(sel.get("startPosition")), int(sel.get("endPosition"))) if sel is not None else None
    except (TypeError, ValueError):
        return None


def _utterance_at(starts: list[int], offset: int) -> int:
    """1-based number of the utterance a selection starting at `offset` falls in."""
    return bisect_right(starts, offset)
