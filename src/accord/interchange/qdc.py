"""REFI-QDA codebooks: the `<Codes>` tree, and `.qdc` files holding only a codebook.

The same `<Codes>` element sits inside a `.qdpx` project, so reading and writing it lives
here for both. accord codes are all codable (`isCodable="true"`); hierarchy is nesting.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lxml import etree

from .. import __version__
from ..codebook import COLOR_RE, relation_from_dict, scale_from_dict, scale_to_dict
from ..errors import InputError
from ..model import FAMILIES, ROLES, Code, Codebook, RatingScale
from .bundle import Bundle
from .descriptions import code_description, parse_description
from .extras import add_extras, read_extras
from .refi_xml import (
    CODEBOOK_NS,
    child,
    child_text,
    children,
    derived_guid,
    describe,
    local,
    norm_guid,
    parse_xml,
    sub,
    xml_text,
)

_FIELDS = ("definition", "when_to_use", "when_not_to_use", "examples", "counter_examples")


# --- writing -----------------------------------------------------------------------------------


def codes_element(parent, ns: str, book: Codebook, guids: dict[str, str], extra_codes: list[Code] = ()) -> None:
    """Append `<Codes>` with the hierarchy of `book` (and `extra_codes` at the root)."""
    codes_el = sub(parent, ns, "Codes")

    def add(where, code: Code) -> None:
        el = sub(where, ns, "Code", guid=guids[code.name], name=xml_text(code.name),
                 isCodable="true" if code.codable else "false", color=code.color or None)
        description = code_description(code)
        if description:
            sub(el, ns, "Description").text = xml_text(description)
        for c in book.children(code.name):
            add(el, c)

    for code in book.children(None):
        add(codes_el, code)
    for code in extra_codes:
        add(codes_el, code)


def codebook_extras(book: Codebook, guids: dict[str, str]) -> dict:
    """What REFI cannot say about a codebook: its name and version, hotkeys, patterns, speaker
    roles, backchannels, rupture/repair families, the relations links may have and the rating
    scales (written as in the codebook YAML)."""
    return {
        "codebook": {"name": book.name, "version": book.version, "description": book.description,
                     "min_precision": book.min_precision,
                     "relations": [{"name": r.name, "description": r.description} for r in book.relations],
                     "ratings": [scale_to_dict(s) for s in book.ratings]},
        "codes": {
            guids[c.name]: {
                "hotkey": c.hotkey,
                "patterns": c.patterns,
                "speakers": c.speakers,
                "backchannels": c.backchannels,
                "family": c.family,
                **{f: getattr(c, f) for f in _FIELDS},
            }
            for c in book.codes
        },
    }


def write_qdc(book: Codebook, guids: dict[str, str], path: str | Path) -> None:
    """Write a `.qdc` codebook file (atomically: a crash never leaves half a file)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", f"accord {__version__}")
    codes_element(root, CODEBOOK_NS, book, guids)
    add_extras(root, codebook_extras(book, guids))
    write_atomically(path, etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", pretty_print=True))


def write_atomically(path: str | Path, data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- reading -----------------------------------------------------------------------------------


def read_codes(codes_el, where: str, extras: dict, notes: list[str]) -> tuple[list[Code], dict[str, str], dict[str, str]]:
    """Codes in hierarchy order, name -> guid, and normalised guid -> name.

    Tolerated, with a note: a missing or malformed guid (a new one is made), a missing name,
    a colour that is not #RGB/#RRGGBB (dropped), and names used twice (made unique, since
    accord names codes uniquely).
    """
    code_extras = {norm_guid(k): v for k, v in (extras.get("codes") or {}).items()} if extras else {}
    codes: list[Code] = []
    guid_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    taken: set[str] = set()

    def unique(name: str, parent: str | None) -> str:
        if name.casefold() not in taken:
            return name
        candidate = f"{name} ({parent})" if parent else f"{name} (2)"
        k = 2
        while candidate.casefold() in taken:
            k += 1
            candidate = f"{name} ({k})"
        return candidate

    def walk(el, parent: str | None) -> None:
        line = el.sourceline
        raw_guid = el.get("guid")
        guid = norm_guid(raw_guid)
        if guid is None:
            guid = derived_guid(where, "code", str(line), el.get("name") or "")
            notes.append(f"{where}:{line}: {describe(el)} has no valid guid; gave it one")
        if guid in name_of:
            raise InputError(where, f"{describe(el)}: guid {raw_guid} is used by code {name_of[guid]!r} too", line)
        name = (el.get("name") or "").strip()
        if not name:
            name = f"Unnamed code {len(codes) + 1}"
            notes.append(f"{where}:{line}: a code has no name; called it {name!r}")
        final = unique(name, parent)
        if final != name:
            notes.append(f"{where}:{line}: code name {name!r} is used twice; this one is called {final!r}")
        taken.add(final.casefold())
        color = (el.get("color") or "").strip() or None
        if color and not COLOR_RE.match(color):
            notes.append(f"{where}:{line}: code {final!r}: colour {color!r} is not #RRGGBB; left out")
            color = None
        fields = parse_description(child_text(el, "Description"))
        extra = code_extras.get(guid) or {}
        for key in _FIELDS:
            if key in extra:
                fields[key] = extra[key]
        codable = (el.get("isCodable") or "true").strip().lower() != "false"
        code = Code(
            name=final,
            parent=parent,
            color=color,
            hotkey=extra.get("hotkey") if isinstance(extra.get("hotkey"), str) and codable else None,
            patterns=extra.get("patterns") if isinstance(extra.get("patterns"), list) and codable else [],
            codable=codable,
            speakers=[r for r in extra.get("speakers") or [] if r in ROLES] if isinstance(extra.get("speakers"), list) else [],
            backchannels=extra.get("backchannels") if isinstance(extra.get("backchannels"), bool) else None,
            family=extra.get("family") if extra.get("family") in FAMILIES and parent is None else None,
            **{k: v for k, v in fields.items() if k in _FIELDS},
        )
        codes.append(code)
        guid_of[final] = raw_guid.strip().strip("{}") if norm_guid(raw_guid) else guid
        name_of[guid] = final
        for c in children(el, "Code"):
            walk(c, final)

    for el in children(codes_el, "Code"):
        walk(el, None)
    _drop_clashing_hotkeys(codes, notes, where)
    return codes, guid_of, name_of


def _drop_clashing_hotkeys(codes: list[Code], notes: list[str], where: str) -> None:
    owner: dict[str, str] = {}
    for c in codes:
        if c.hotkey is None:
            continue
        if len(c.hotkey) != 1 or c.hotkey in owner:
            notes.append(f"{where}: hotkey {c.hotkey!r} of code {c.name!r} dropped (invalid or already used)")
            c.hotkey = None
        else:
            owner[c.hotkey] = c.name


def make_codebook(codes: list[Code], extras: dict, default_name: str, where: str,
                  notes: list[str] | None = None) -> Codebook:
    info = extras.get("codebook") if isinstance(extras.get("codebook"), dict) else {}
    return Codebook(
        name=str(info.get("name") or default_name),
        version=str(info.get("version") or "1"),
        description=str(info.get("description") or ""),
        codes=codes,
        source=where,
        min_precision=mp if isinstance(mp := info.get("min_precision"), float) and 0 < mp < 1 else None,
        relations=[relation_from_dict(r) for r in info.get("relations") or []
                   if isinstance(r, dict) and isinstance(r.get("name"), str) and r["name"].strip()],
        ratings=_scales(info.get("ratings"), where, notes if notes is not None else []),
    )


def _scales(raw, where: str, notes: list[str]) -> list[RatingScale]:
    """The rating scales in accord's extras; one that does not read as a scale is left out
    with a note (the extras are accord's own, so that means a damaged or edited file)."""
    scales: list[RatingScale] = []
    for d in raw if isinstance(raw, list) else []:
        try:
            scale = scale_from_dict(d)
            if len(scale.anchors) < 2 or (scale.unit != "session" and not scale.size):
                raise ValueError
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            notes.append(f"{where}: a rating scale in accord's extras is damaged; left out")
            continue
        if scale.name.casefold() in {s.name.casefold() for s in scales}:
            notes.append(f"{where}: rating scale {scale.name!r} is given twice in accord's extras; the first kept")
            continue
        scales.append(scale)
    return scales


def read_qdc(path: str | Path) -> Bundle:
    """A `.qdc` file as a bundle holding only a codebook."""
    path = Path(path)
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    root = parse_xml(data, where)
    if local(root) != "CodeBook":
        hint = " (a project: save it as .qdpx)" if local(root) == "Project" else ""
        raise InputError(where, f"root element is <{local(root)}>, expected <CodeBook>{hint}", root.sourceline)
    notes: list[str] = []
    extras = read_extras(root, notes)
    codes_el = child(root, "Codes")
    if codes_el is None or not children(codes_el, "Code"):
        raise InputError(where, "the codebook has no <Codes> with at least one <Code>", root.sourceline)
    codes, guids, _ = read_codes(codes_el, where, extras, notes)
    book = make_codebook(codes, extras, path.stem, where, notes)
    bundle = Bundle(name=book.name, source=where, codebook=book, code_guids=guids, notes=notes)
    report_categories(root, where, bundle)
    return bundle


def report_categories(root, where: str, bundle: Bundle) -> None:
    """Codes a tool marks as not to be applied (`isCodable="false"`, NVivo's and QualCoder's
    categories) become accord categories (`codable: false`); the summary says which."""
    names = [el.get("name") for el in root.iter("{*}Code") if (el.get("isCodable") or "").strip().lower() == "false"]
    if names:
        bundle.notes.append(f"{where}: {len(names)} categories ({', '.join(map(repr, names[:4]))}) kept as categories: "
                            "they group codes and are not applied themselves")
