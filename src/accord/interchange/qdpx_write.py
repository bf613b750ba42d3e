"""Write a project as a REFI-QDA `.qdpx`: `project.qde` plus one plain-text file per transcript.

Each coder is a `<User>`; each coding is a `<PlainTextSelection>` (one per span and coder)
holding a `<Coding>` with its creating user and date. Memos are written where other tools
read them (QualCoder's importer is the reference; MAXQDA reads the same places):
- a coding memo is a `<Note>` referenced from the `<Coding>` (REFI's place) and, when the
  selection holds that one coding, also the selection's `<Description>` (QualCoder's and
  MAXQDA's place for a coding memo);
- an utterance memo is an annotation: a `<Note>` holding its text and a
  `<PlainTextSelection>` over the utterance, referenced from the source;
- memos on a whole transcript follow the source's `<Description>` (a tool's memo on the
  file), and are `<Note>`s referenced from the source;
- journal entries are named `<Note>`s with their text also in a file (where QualCoder reads a
  journal), referenced from the project, and the project's description is its `<Description>`;
- a link between two codings is a `<Link>` from the one `<Coding>` (`originGUID`) to the other
  (`targetGUID`), named by its relation ("repairs"), `OneWay`;
- session variables are `<VariableValue>`s of the source, participant variables those of a
  `<Case>`; every speaker is a case coded over their turns (a `<SelectionRef>` to a selection
  per turn), an accord case under its own name, any other speaker as "SPEAKER (transcript)",
  so per-speaker queries work in NVivo and MAXQDA. accord's types and categories, and which
  cases are only speakers, travel in the extras;
- ratings have no place in REFI: they travel in the extras only (the chosen coders', as codings).
Dates are written as `YYYY-MM-DDTHH:MM:SSZ`. Guids are the project's own, and guids accord has
to make up (selections, notes) are derived from them, so exporting twice gives the same file
apart from its modification date.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from .. import __version__
from ..model import Code, Codebook
from ..store.common import now
from .descriptions import DESCRIBED, IMPORTED_FROM
from .extras import add_extras
from .qdc import codebook_extras, codes_element, write_atomically
from .refi_xml import PROJECT_NS, derived_guid, sub, utc_datetime, xml_text

if TYPE_CHECKING:
    from ..store import Project


def write_qdpx(project: Project, path: str | Path, coders: list[str] | None = None) -> dict:
    """Export the project (or only these coders' work); returns counts of what was written."""
    path = Path(path)
    qde, sources, counts = build_project(project, coders)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("project.qde", qde)
        for guid, text in sources:
            zf.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    write_atomically(path, buffer.getvalue())
    return counts


def build_project(project: Project, coders: list[str] | None = None) -> tuple[bytes, list[tuple[str, str]], dict]:
    """(project.qde bytes, [(source guid, text)], counts)."""
    ns = PROJECT_NS
    book = project.codebook()
    code_guids = project.guids("codes")
    coder_guids = project.guids("coders")
    transcript_guids = project.guids("transcripts")
    records = project.coding_records(coders)
    ratings = project.rating_records(coders)
    memos = [m for m in project.memo_records() if coders is None or m["coder"] in coders]
    names = [c["name"] for c in project.coders() if coders is None or c["name"] in coders]
    name = Path(project.path).stem

    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns})
    root.set("name", name)
    root.set("origin", f"accord {__version__}")
    created = utc_datetime(project.meta("created_at"))
    if created:
        root.set("creationDateTime", created)
    root.set("modifiedDateTime", utc_datetime(now()))

    if names:
        users = sub(root, ns, "Users")
        for n in names:
            sub(users, ns, "User", guid=coder_guids[n], name=xml_text(n))
    retired = [Code(name=n, definition="Retired from accord's codebook; codings still use it.")
               for n in project.retired_codes_in_use()]
    if book is not None or retired:
        book = book or Codebook(name=f"{name} codebook", codes=[])
        codes_element(sub(root, ns, "CodeBook"), ns, book, code_guids, retired)
    variables = project.variables()
    values = project.variable_values()
    refi_types = {v["name"]: _refi_type(v, values[v["name"]].values()) for v in variables}
    if variables:
        variables_el = sub(root, ns, "Variables")
        for v in variables:
            el = sub(variables_el, ns, "Variable", guid=v["guid"], name=xml_text(v["name"]), typeOfVariable=refi_types[v["name"]])
            if v["description"]:
                sub(el, ns, "Description").text = xml_text(v["description"])
    cases_el = sub(root, ns, "Cases")  # filled once the sources' turn selections have guids

    def variable_values(holder, kind: str, owner: str) -> None:
        for v in variables:
            value = values[v["name"]].get(owner)
            if v["applies_to"] == kind and value is not None:
                el = sub(holder, ns, "VariableValue")
                sub(el, ns, "VariableRef", targetGUID=v["guid"])
                refi = refi_types[v["name"]]
                sub(el, ns, f"{refi}Value").text = format(Decimal(value), "f") if refi == "Float" else xml_text(value)

    note_els: list[etree._Element] = []

    def note(guid: str, text: str, user: str | None, created_at: str | None, title: str,
             passage: tuple[int, int] | None = None) -> str:
        el = etree.Element(f"{{{ns}}}Note")
        for key, value in (("guid", guid), ("name", title), ("creatingUser", user),
                           ("creationDateTime", utc_datetime(created_at))):
            if value:
                el.set(key, value)
        sub(el, ns, "PlainTextContent").text = xml_text(text)
        if passage is not None:
            sub(el, ns, "PlainTextSelection", guid=derived_guid("passage", guid),
                startPosition=passage[0], endPosition=passage[1])
        note_els.append(el)
        return guid

    by_transcript: dict[str, list[dict]] = {}
    for r in records:
        by_transcript.setdefault(r["transcript"], []).append(r)
    memos_by: dict[str, list[dict]] = {}
    for m in memos:
        memos_by.setdefault(m["transcript"], []).append(m)

    sources: list[tuple[str, str]] = []
    extras_t: dict[str, dict] = {}
    summaries = project.transcripts()
    dates = project.transcript_dates()
    selections = 0
    case_of = project.case_of()
    turns: dict[str, list[str]] = {}  # case name -> guids of the selections over its turns
    whole: dict[str, list[str]] = {}  # case name -> guids of the transcripts it owns whole
    speaker_cases: dict[str, tuple[str, str]] = {}  # "SPEAKER (transcript)" -> (transcript guid, speaker)
    if summaries:
        sources_el = sub(root, ns, "Sources")
    for s in summaries:
        t = project.transcript(s["name"])
        tguid = transcript_guids[t.name]
        whole_memos = [m for m in memos_by.get(t.name, []) if m["utterance"] is None]
        source = sub(sources_el, ns, "TextSource", guid=tguid, name=xml_text(t.name),
                     plainTextPath=f"internal://{tguid}.txt", creationDateTime=utc_datetime(dates.get(t.name)),
                     creatingUser=coder_guids[names[0]] if names else None)
        description = [f"{IMPORTED_FROM} {Path(t.source).name} ({t.format})"] if t.source else []
        description += [n[len(DESCRIBED):] for n in t.notes if n.startswith(DESCRIBED)]
        description += [f"{m['coder']}: {m['text']}" for m in whole_memos]
        if description:
            sub(source, ns, "Description").text = xml_text("\n\n".join(description))
        sources.append((tguid, t.text))
        extras_t[tguid] = {
            "format": t.format, "source": t.source, "encoding": t.encoding, "roles": t.roles, "notes": t.notes,
            "utterances": [[u.number, u.speaker, u.start, u.end, u.time_start, u.time_end] for u in t.utterances],
        }
        # One selection per span and coder; a coding with a memo gets a selection of its own, whose
        # Description can then hold that memo (QualCoder reads a selection's Description as the memo
        # of the coding in it).
        groups: dict[tuple, list[dict]] = {}
        for r in by_transcript.get(t.name, []):
            groups.setdefault((r["start"], r["end"], r["coder"], r["guid"] if r["memo"] else ""), []).append(r)
        for (start, end, coder, own), rows in groups.items():
            user = coder_guids[coder]
            sel = sub(source, ns, "PlainTextSelection",
                      guid=derived_guid("selection", tguid, str(start), str(end), user, *([own] if own else [])),
                      name=xml_text(_label(t.text[start:end])), startPosition=start, endPosition=end,
                      creatingUser=user, creationDateTime=utc_datetime(min((r["created_at"] or "" for r in rows)) or None))
            selections += 1
            if own:
                sub(sel, ns, "Description").text = xml_text(rows[0]["memo"])
            for r in rows:
                coding = sub(sel, ns, "Coding", guid=r["guid"], creatingUser=user,
                             creationDateTime=utc_datetime(r["created_at"]))
                sub(coding, ns, "CodeRef", targetGUID=code_guids[r["code"]])
                if r["memo"]:
                    ref = note(derived_guid("note", r["guid"]), r["memo"], user, r["updated_at"],
                               f"Memo on {r['code']} in {t.name}")
                    sub(coding, ns, "NoteRef", targetGUID=ref)
        for m in memos_by.get(t.name, []):
            user = coder_guids.get(m["coder"]) if m["coder"] else None
            u = t.utterances[m["utterance"] - 1] if m["utterance"] is not None else None
            ref = note(derived_guid("memo", tguid, str(m["id"])), m["text"], user, m["created_at"],
                       f"Memo on {t.name}" + (f", utterance {u.number}" if u else ""),
                       (u.start, u.end) if u else None)
            sub(source, ns, "NoteRef", targetGUID=ref)
        # every turn a selection its speaker's case refers to, after the coded selections and
        # before the source's NoteRefs (the schema's order)
        at = next((i for i, c in enumerate(source) if c.tag in (f"{{{ns}}}NoteRef", f"{{{ns}}}Coding")), len(source))
        for u in t.utterances:
            if u.end <= u.start:
                continue
            case = case_of.get((t.name, u.speaker))
            if case is None:
                case = f"{u.speaker} ({t.name})"
                speaker_cases[case] = (tguid, u.speaker)
            guid = derived_guid("turn", tguid, str(u.number))
            turn = etree.Element(f"{{{ns}}}PlainTextSelection", guid=guid, name=xml_text(f"{u.speaker}, utterance {u.number}"),
                                 startPosition=str(u.start), endPosition=str(u.end))
            source.insert(at, turn)
            at += 1
            turns.setdefault(case, []).append(guid)
        if (t.name, None) in case_of:
            whole.setdefault(case_of[(t.name, None)], []).append(tguid)
        variable_values(source, "transcript", t.name)

    for c in project.cases():
        el = sub(cases_el, ns, "Case", guid=c["guid"], name=xml_text(c["name"]))
        if c["description"]:
            sub(el, ns, "Description").text = xml_text(c["description"])
        variable_values(el, "case", c["name"])
        for guid in whole.get(c["name"], []):
            sub(el, ns, "SourceRef", targetGUID=guid)
        for guid in turns.get(c["name"], []):
            sub(el, ns, "SelectionRef", targetGUID=guid)
    for case, (tguid, speaker) in speaker_cases.items():
        el = sub(cases_el, ns, "Case", guid=derived_guid("speaker case", tguid, speaker), name=xml_text(case))
        for guid in turns[case]:
            sub(el, ns, "SelectionRef", targetGUID=guid)
    if not len(cases_el):
        root.remove(cases_el)

    journal = project.project_notes(coders)
    for entry in journal:  # QualCoder reads a journal from a named note's text file
        user = coder_guids.get(entry["coder"]) if entry["coder"] else None
        note(entry["guid"], entry["text"], user, entry["created_at"], entry["title"])
        note_els[-1].set("plainTextPath", f"internal://{entry['guid']}.txt")
        sources.append((entry["guid"], entry["text"]))
    if note_els:
        notes_el = sub(root, ns, "Notes")
        for el in note_els:
            notes_el.append(el)
    links = project.link_records(coders)
    if links:  # after the Notes, before the Description: the schema's order
        links_el = sub(root, ns, "Links")
        for k in links:
            sub(links_el, ns, "Link", guid=k["guid"], name=xml_text(k["relation"]), direction="OneWay",
                originGUID=k["source"], targetGUID=k["target"])
    if project.description:
        sub(root, ns, "Description").text = xml_text(project.description)
    for entry in journal:  # REFI's place for notes on the project as a whole
        sub(root, ns, "NoteRef", targetGUID=entry["guid"])

    extras = codebook_extras(book, code_guids) if book is not None else {}
    extras["transcripts"] = extras_t
    extras["variables"] = {v["guid"]: {"type": v["type"], "categories": v["categories"], "of": v["applies_to"]}
                           for v in variables}
    # REFI has no place for ratings: [transcript guid, scale, segment, user guid, value, created, updated]
    extras["ratings"] = [[transcript_guids[r["transcript"]], r["scale"], r["segment"], coder_guids[r["coder"]],
                          r["value"], r["created_at"], r["updated_at"]] for r in ratings]
    extras["speaker_cases"] = [derived_guid("speaker case", tguid, speaker) for tguid, speaker in speaker_cases.values()]
    add_extras(root, extras)
    qde = etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", pretty_print=True)
    counts = {"transcripts": len(summaries), "journal": len(journal), "codes": len(book.codes) if book else 0, "coders": len(names),
              "codings": len(records), "selections": selections, "notes": len(note_els), "variables": len(variables),
              "cases": len(cases_el), "links": len(links), "ratings": len(ratings)}
    return qde, sources, counts




def _refi_type(variable: dict, values) -> str:
    """REFI's type for an accord variable: numbers are Integer when every value is whole (NVivo
    and MAXQDA then offer integer comparisons), else Float; categories are Text."""
    if variable["type"] == "number":
        return "Integer" if all("." not in v and "e" not in v for v in values) else "Float"
    return "Date" if variable["type"] == "date" else "Text"


def _label(text: str) -> str:
    """A selection's name: the coded words on one line, as QualCoder and MAXQDA write it (importers
    check positions against it)."""
    return " ".join(text.split())

