"""Load and validate YAML codebooks.

Errors must point a researcher at the exact line of their YAML, so the file is composed
into PyYAML nodes (which remember their position) and converted by hand rather than with
`yaml.safe_load`, which forgets where things were.

Token patterns are checked twice: first for attributes that need a tagger or parser
(POS, TAG, DEP, ...), which our pipeline deliberately lacks and which spaCy would only
reject at match time (E155); then with spaCy's own pattern schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import InputError
from .limits import MAX_CODEBOOK_BYTES, read_bounded
from .model import FAMILIES, REPAIRS, ROLES, Code, Codebook, RatingScale, Relation

CODE_KEYS = {
    "name",
    "parent",
    "color",
    "colour",
    "hotkey",
    "definition",
    "when_to_use",
    "when_not_to_use",
    "examples",
    "counter_examples",
    "patterns",
    "speakers",
    "backchannels",
    "family",
    "codable",
}
TOP_KEYS = {"name", "version", "description", "min_precision", "codes", "ratings", "relations"}
RELATION_KEYS = {"name", "description"}
MAX_RELATION_CHARS = 40
SCALE_KEYS = {"name", "description", "anchors", "segment", "without_times"}
SEGMENT_RE = re.compile(r"^\s*(\d+)\s*(minutes?|utterances?)\s*$", re.IGNORECASE)
NEEDS_TAGGER = {"POS", "TAG", "DEP", "MORPH", "ENT_TYPE", "ENT_IOB", "ENT_ID", "HEAD", "SENT_START"}
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass
class _Node:
    """A converted YAML value plus the 1-based line it started on."""

    value: object
    line: int
    items: dict = field(default_factory=dict)  # mapping key -> _Node, or list index -> _Node


def _convert(node: yaml.Node, loader: yaml.SafeLoader) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        items = {key_node.value: _convert(value_node, loader) for key_node, value_node in node.value}
        return _Node({k: v.value for k, v in items.items()}, line, items)
    if isinstance(node, yaml.SequenceNode):
        items = {i: _convert(v, loader) for i, v in enumerate(node.value)}
        return _Node([v.value for v in items.values()], line, items)
    return _Node(loader.construct_object(node), line)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook, raising InputError(file, message, line) on the first problem."""
    path = Path(path)
    try:
        raw = read_bounded(path, MAX_CODEBOOK_BYTES, "codebook")
    except OSError as e:
        raise InputError(path, f"cannot read codebook: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError(path, "codebook is not UTF-8 text", line) from None
    return parse_codebook(text, path)


class _AliasFound(Exception):
    def __init__(self, event):
        self.event = event


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first alias (`*name`, or a `<<: *name` merge).

    Codebooks have no use for anchors and aliases, and nested aliases ("billion laughs":
    a 384-byte file) expand exponentially when the node tree is walked: one ran 94 s and
    ended in MemoryError. Refusing them while composing costs nothing.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _AliasFound(self.peek_event())
        return super().compose_node(parent, index)


class _Problems:
    """Every problem found in a codebook, so one run reports them all, not one per run."""

    def __init__(self, path) -> None:
        self.path, self.found = path, []

    def __call__(self, message: str, line: int | None) -> None:
        self.found.append(InputError(self.path, message, line))

    def raise_any(self) -> None:
        """Raise the first problem (by line), carrying all of them in `problems`."""
        if self.found:
            ordered = sorted(self.found, key=lambda e: (e.line or 0))
            first = ordered[0]
            raise InputError(first.file, first.message, first.line, problems=ordered)


def parse_codebook(text: str, path: str | Path = "<codebook>") -> Codebook:
    """Parse and validate a codebook; InputError names the first problem, and its `problems`
    every problem found (a file with a YAML syntax error has only that one)."""
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasFound as e:
        raise InputError(path, f"YAML alias *{e.event.anchor} is not allowed in a codebook: write the value "
                               "out in full (aliases are refused because nested ones expand without bound)",
                         e.event.start_mark.line + 1) from None
    except yaml.YAMLError as e:
        line, problem = _yaml_error(text, e)
        raise InputError(path, f"malformed YAML: {problem}", line) from None
    if node is None:
        raise InputError(path, "codebook is empty")
    loader = yaml.SafeLoader("")
    try:
        doc = _convert(node, loader)
    finally:
        loader.dispose()
    if not isinstance(doc.value, dict):
        raise InputError(path, "a codebook is a mapping with `name` and `codes`", doc.line)
    report = _Problems(path)
    for key, sub in doc.items.items():
        if key not in TOP_KEYS:
            report(f"unknown top-level key {key!r} (expected one of {', '.join(sorted(TOP_KEYS))})", sub.line)
    codes_node = doc.items.get("codes")
    if codes_node is None or not isinstance(codes_node.value, list) or not codes_node.value:
        report("`codes` must be a non-empty list of codes", codes_node.line if codes_node else doc.line)
        report.raise_any()
    read = [(_code(report, sub), sub) for sub in codes_node.items.values()]
    read = [(code, sub) for code, sub in read if code is not None]  # a code without a name is reported, then left out
    codes, subs = [c for c, _ in read], [sub for _, sub in read]
    _check_names(report, codes, subs)
    _check_parents(report, codes, subs)
    _check_hotkeys(report, codes, subs)
    _check_families(report, codes, subs)
    min_precision = _min_precision(report, doc.items.get("min_precision"))
    ratings = _scales(report, doc.items.get("ratings"))
    relations = _relations(report, doc.items.get("relations"))
    report.raise_any()
    return Codebook(
        name=str(doc.value.get("name") or Path(str(path)).stem),
        version=str(doc.value.get("version") or "1"),
        description=str(doc.value.get("description") or "").strip(),
        codes=codes,
        source=str(path),
        min_precision=min_precision,
        ratings=ratings,
        relations=relations,
    )


def _yaml_error(text: str, error: yaml.YAMLError) -> tuple[int | None, str]:
    """The line a YAML syntax error is at, and what to say about it.

    PyYAML reports where it noticed the problem (`problem_mark`), which for an unclosed quote
    is far from the quote: the quoted scalar runs on over the following lines until the next
    quote character, and the parser fails only at what comes after it. So a quoted scalar
    that spans lines and ends just before the failure is blamed at the line its quote opened.
    An unclosed quote at the end of the file is reported by the scanner with `context_mark`
    at the quote."""
    problem_mark, context_mark = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    line = problem_mark.line + 1 if problem_mark else None
    context = getattr(error, "context", None)
    if context and context_mark and "scanning" in context:
        return context_mark.line + 1, f"{problem} on line {line} ({context} that starts here)"
    opened = _open_quote_before(text, problem_mark) if problem_mark else None
    if opened is not None:
        return opened, (f"the quote opened on line {opened} is not closed on that line, so the text runs on "
                        f"to line {line}, where the YAML parser stopped ({problem})")
    return line, problem


def _open_quote_before(text: str, mark) -> int | None:
    """The 1-based line of a quoted scalar spanning lines that ends right before `mark`."""
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                break
            last = token
    except yaml.YAMLError:
        pass
    if (isinstance(last, yaml.ScalarToken) and last.style in ('"', "'")
            and last.end_mark.line > last.start_mark.line):
        return last.start_mark.line + 1
    return None


def _min_precision(report, node: _Node | None) -> float | None:
    """`min_precision: 0.5`: suggest a code from the model only where it is at least this
    precise on held-out decisions (a codebook of rare codes, where wrong suggestions cost)."""
    if node is None or node.value is None:
        return None
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)) or not 0 < node.value < 1:
        report(f"`min_precision` must be a number between 0 and 1, such as 0.5, not {node.value!r}", node.line)
        return None
    return float(node.value)


def _scales(report, node: _Node | None) -> list[RatingScale]:
    """`ratings:` a list of rating scales, each with its anchors and what a segment is; every
    problem is reported and the scale that has it left out."""
    if node is None or node.value is None:
        return []
    if not isinstance(node.value, list):
        report("`ratings` must be a list of rating scales, each with a `name`, `anchors` and `segment`", node.line)
        return []
    scales, seen = [], {}
    for sub in node.items.values():
        scale = _scale(report, sub)
        if scale is None:
            continue
        if scale.name.casefold() in seen:
            report(f"duplicate rating scale {scale.name!r} (first defined on line {seen[scale.name.casefold()]})", sub.line)
            continue
        seen[scale.name.casefold()] = sub.line
        scales.append(scale)
    return scales


def _scale(report, node: _Node) -> RatingScale | None:
    """One rating scale, its problems reported; None when any makes it unusable."""
    if not isinstance(node.value, dict):
        report("each rating scale must be a mapping with `name`, `anchors` and `segment`", node.line)
        return None
    problems = len(report.found)
    for key, sub in node.items.items():
        if key not in SCALE_KEYS:
            report(f"unknown key {key!r} in rating scale (expected one of {sorted(SCALE_KEYS)})", sub.line)
    name = _text(report, node.items.get("name"), "`name`")
    if not name:
        report("rating scale has no `name`", node.line)
        return None
    anchors_node = node.items.get("anchors")
    usage = "a mapping from whole-number points to labels, e.g. {1: None, 3: Some, 5: Strong}"
    anchors = {}
    if anchors_node is None or not isinstance(anchors_node.value, dict) or len(anchors_node.value) < 2:
        report(f"rating scale {name!r}: `anchors` must be {usage}, with at least two points",
               anchors_node.line if anchors_node else node.line)
    else:
        for key, sub in anchors_node.items.items():  # keys are the YAML's text (see _convert)
            point = int(key) if re.fullmatch(r"-?\d+", str(key).strip()) else None
            if point is None:
                report(f"rating scale {name!r}: anchor point {key!r} is not a whole number ({usage})", sub.line)
            elif not isinstance(sub.value, (str, int, float)) or not str(sub.value).strip():
                report(f"rating scale {name!r}: anchor {point} needs a label", sub.line)
            elif point in anchors:
                report(f"rating scale {name!r}: anchor {point} is given twice", sub.line)
            else:
                anchors[point] = str(sub.value).strip()
        if len(anchors) >= 2 and max(anchors) - min(anchors) > 100:
            report(f"rating scale {name!r}: anchors run from {min(anchors)} to {max(anchors)}; "
                   "a scale has at most 101 points", anchors_node.line)
    unit, size = _segment(report, name, node.items.get("segment"), node.line, "segment")
    fallback = None
    without = node.items.get("without_times")
    if without is not None:
        if unit != "minutes":
            report(f"rating scale {name!r}: `without_times` is only for a scale with `segment: N minutes` "
                   "(what to rate in a transcript that has no times)", without.line)
        else:
            fallback_unit, fallback = _segment(report, name, without, without.line, "without_times")
            if fallback_unit == "minutes":
                report(f"rating scale {name!r}: `without_times` must be `N utterances` or `session`: "
                       "a transcript without times has no minutes", without.line)
    description = _text(report, node.items.get("description"), "`description`")
    if len(report.found) > problems:
        return None
    return RatingScale(name=name, anchors=dict(sorted(anchors.items())), unit=unit, size=size, fallback=fallback,
                       description=description)


def _relations(report, node: _Node | None) -> list[Relation]:
    """`relations:` the kinds of link a coder may draw between two codings, each a name or a
    mapping with `name` and `description`; "repairs" always exists (listing it gives it a
    description)."""
    if node is None or node.value is None:
        return []
    usage = "a list of relation names, or of mappings with `name` and `description`"
    if not isinstance(node.value, list):
        report(f"`relations` must be {usage}", node.line)
        return []
    out, seen = [], {}
    for sub in node.items.values():
        if isinstance(sub.value, dict):
            for key, item in sub.items.items():
                if key not in RELATION_KEYS:
                    report(f"unknown key {key!r} in relation (expected one of {sorted(RELATION_KEYS)})", item.line)
            name = _text(report, sub.items.get("name"), "a relation's `name`")
            description = _text(report, sub.items.get("description"), "a relation's `description`")
        elif isinstance(sub.value, str):
            name, description = sub.value.strip(), ""
        else:
            report(f"each relation must be a name or a mapping with `name` and `description`, not {sub.value!r}", sub.line)
            continue
        if not name:
            report("relation has no `name`", sub.line)
            continue
        if len(name) > MAX_RELATION_CHARS or "\n" in name:
            report(f"relation name {name[:60]!r} is too long: at most {MAX_RELATION_CHARS} characters on one line",
                   sub.line)
            continue
        if name.casefold() in seen:
            report(f"duplicate relation {name!r} (first defined on line {seen[name.casefold()]})", sub.line)
            continue
        seen[name.casefold()] = sub.line
        out.append(Relation(REPAIRS if name.casefold() == REPAIRS else name, description))
    return out


def _segment(report, name: str, node: _Node | None, line: int, key: str) -> tuple[str | None, int | None]:
    """`session`, `5 minutes` or `20 utterances` (None, None after reporting anything else)."""
    usage = "`session` (the whole transcript), `N minutes` (windows from the utterance times) or `N utterances`"
    if node is None or node.value is None:
        report(f"rating scale {name!r}: `{key}` is missing; say what is rated: {usage}", line)
        return None, None
    text = str(node.value).strip().lower() if isinstance(node.value, str) else None
    if text == "session":
        return "session", None
    match = SEGMENT_RE.match(text or "")
    if match is None or int(match.group(1)) < 1:
        report(f"rating scale {name!r}: `{key}` must be {usage}, not {node.value!r}", node.line)
        return None, None
    unit = "minutes" if match.group(2).startswith("minute") else "utterances"
    return unit, int(match.group(1))


def _text(report, node: _Node | None, what: str) -> str:
    if node is None or node.value is None:
        return ""
    if not isinstance(node.value, (str, int, float)):
        report(f"{what} must be text", node.line)
        return ""
    return str(node.value).strip()


def _strings(report, node: _Node | None, what: str) -> list[str]:
    if node is None or node.value is None:
        return []
    if not isinstance(node.value, list):
        report(f"{what} must be a list of phrases", node.line)
        return []
    out = []
    for sub in node.items.values():
        if not isinstance(sub.value, str) or not sub.value.strip():
            report(f"each entry of {what} must be a non-empty phrase", sub.line)
            continue
        out.append(sub.value.strip())
    return out


def _code(report, node: _Node) -> Code | None:
    """One code, its problems reported; None when it has no name to go by."""
    if not isinstance(node.value, dict):
        report("each code must be a mapping with at least a `name`", node.line)
        return None
    for key, sub in node.items.items():
        if key not in CODE_KEYS:
            report(f"unknown key {key!r} in code (expected one of {', '.join(sorted(CODE_KEYS - {'colour'}))})", sub.line)
    name = _text(report, node.items.get("name"), "`name`")
    if not name:
        report("code has no `name`", node.line)
        return None
    color_node = node.items.get("color") or node.items.get("colour")
    color = _text(report, color_node, "`color`") or None
    if color and not COLOR_RE.match(color):
        report(f"code {name!r}: colour {color!r} is not #RRGGBB or #RGB", color_node.line)
        color = None
    hotkey_node = node.items.get("hotkey")
    hotkey = None if hotkey_node is None or hotkey_node.value is None else str(hotkey_node.value)
    if hotkey is not None and (len(hotkey) != 1 or hotkey.isspace()):
        report(f"code {name!r}: hotkey {hotkey!r} must be a single character", hotkey_node.line)
        hotkey = None
    return Code(
        name=name,
        parent=_text(report, node.items.get("parent"), "`parent`") or None,
        color=color,
        hotkey=hotkey,
        definition=_text(report, node.items.get("definition"), "`definition`"),
        when_to_use=_text(report, node.items.get("when_to_use"), "`when_to_use`"),
        when_not_to_use=_text(report, node.items.get("when_not_to_use"), "`when_not_to_use`"),
        examples=_strings(report, node.items.get("examples"), "`examples`"),
        counter_examples=_strings(report, node.items.get("counter_examples"), "`counter_examples`"),
        patterns=_patterns(report, name, node.items.get("patterns")),
        speakers=_speakers(report, name, node.items.get("speakers")),
        backchannels=_flag(report, name, node.items.get("backchannels"), "backchannels"),
        family=_family(report, name, node.items.get("family")),
        codable=_codable(report, name, node),
    )


def _codable(report, name: str, node: _Node) -> bool:
    """`codable: false`: a category that only groups codes (REFI's `isCodable="false"`), so
    nothing applies it: no hotkey, no patterns."""
    codable = _flag(report, name, node.items.get("codable"), "codable")
    if codable is False:
        for key in ("hotkey", "patterns"):
            if key in node.items and node.items[key].value:
                report(f"code {name!r} is a category (`codable: false`) and cannot have `{key}`: "
                       "nothing applies a category", node.items[key].line)
    return codable is not False


def _family(report, name: str, node: _Node | None) -> str | None:
    """`family: rupture` or `family: repair` on a root code: what `accord sequences` pairs."""
    if node is None or node.value is None:
        return None
    family = node.value.strip().lower() if isinstance(node.value, str) else None
    if family not in FAMILIES:
        report(f"code {name!r}: `family` must be one of {', '.join(FAMILIES)}, not {node.value!r}", node.line)
        return None
    return family


def _flag(report, name: str, node: _Node | None, key: str) -> bool | None:
    if node is None or node.value is None:
        return None
    if not isinstance(node.value, bool):
        report(f"code {name!r}: `{key}` must be true or false, not {node.value!r}", node.line)
        return None
    return node.value


def _speakers(report, name: str, node: _Node | None) -> list[str]:
    """`speakers: [client]`: the roles a code applies to (leave it out for every role)."""
    if node is None or node.value is None:
        return []
    usage = f"a list of speaker roles, e.g. [client] (roles: {', '.join(ROLES)})"
    if not isinstance(node.value, list):
        report(f"code {name!r}: `speakers` must be {usage}", node.line)
        return []
    if not node.value:
        report(f"code {name!r}: `speakers` is empty; leave it out for a code that applies to every role", node.line)
        return []
    out = []
    for sub in node.items.values():
        role = sub.value.strip().lower() if isinstance(sub.value, str) else None
        if role not in ROLES:
            report(f"code {name!r}: unknown speaker role {sub.value!r} in `speakers` (roles: {', '.join(ROLES)})",
                   sub.line)
        elif role not in out:
            out.append(role)
    return out


def _patterns(report, name: str, node: _Node | None) -> list[list[dict]]:
    if node is None or node.value is None:
        return []
    if not isinstance(node.value, list):
        report(f"code {name!r}: `patterns` must be a list of token patterns", node.line)
        return []
    out = []
    for sub in node.items.values():
        pattern = sub.value
        if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
            report(f"code {name!r}: a pattern is a list of token mappings like [{{LOWER: \"you\"}}]", sub.line)
            continue
        bad = NEEDS_TAGGER & {k.upper() for token in pattern for k in token}
        if bad:
            report(f"code {name!r}: pattern uses {', '.join(sorted(bad))}, which needs a tagger or parser; "
                   "accord's pipeline has none (use LOWER, LEMMA, TEXT, IN, REGEX, OP)", sub.line)
            continue
        problems = _spacy_pattern_errors(pattern)
        if problems:
            report(f"code {name!r}: malformed pattern: {problems[0]}", sub.line)
            continue
        out.append(pattern)
    return out


def _spacy_pattern_errors(pattern: list[dict]) -> list[str]:
    from spacy.schemas import validate_token_pattern  # spaCy import is slow; only when needed

    return validate_token_pattern(pattern)


def _check_names(report, codes: list[Code], subs: list[_Node]) -> None:
    seen: dict[str, int] = {}
    for code, sub in zip(codes, subs):
        key = code.name.casefold()
        if key in seen:
            report(f"duplicate code name {code.name!r} (first defined on line {seen[key]})", sub.line)
        else:
            seen[key] = sub.line


def _check_parents(report, codes: list[Code], subs: list[_Node]) -> None:
    by_name = {c.name: c for c in codes}
    for code, sub in zip(codes, subs):
        if code.parent is None:
            continue
        line = sub.items["parent"].line
        if code.parent not in by_name:
            report(f"code {code.name!r}: unknown parent {code.parent!r}", line)
            continue
        seen = {code.name}
        parent = code.parent
        while parent:
            if parent in seen:
                report(f"code {code.name!r}: parents form a cycle through {parent!r}", line)
                break
            seen.add(parent)
            parent = by_name[parent].parent if parent in by_name else None


def _check_hotkeys(report, codes: list[Code], subs: list[_Node]) -> None:
    owner: dict[str, tuple[str, int]] = {}
    for code, sub in zip(codes, subs):
        if code.hotkey is None:
            continue
        if code.hotkey in owner:
            other, line = owner[code.hotkey]
            report(f"hotkey {code.hotkey!r} of code {code.name!r} is already used by {other!r} (line {line})",
                   sub.items["hotkey"].line)
        else:
            owner[code.hotkey] = (code.name, sub.line)


def _check_families(report, codes: list[Code], subs: list[_Node]) -> None:
    """A family is declared on a root code (its children inherit it)."""
    for code, sub in zip(codes, subs):
        if code.family is not None and code.parent is not None:
            report(f"code {code.name!r}: `family` goes on a root code (one without a parent); "
                   f"its children belong to the family of their root, here that of {code.parent!r}'s root",
                   sub.items["family"].line)


def codebook_to_dict(codebook: Codebook) -> dict:
    """The YAML shape, for storing a version snapshot and writing a codebook back out."""
    codes = []
    for c in codebook.codes:
        d = {"name": c.name, "parent": c.parent, "color": c.color, "hotkey": c.hotkey}
        for key in ("definition", "when_to_use", "when_not_to_use"):
            if getattr(c, key):
                d[key] = getattr(c, key)
        for key in ("examples", "counter_examples", "patterns", "speakers"):
            if getattr(c, key):
                d[key] = getattr(c, key)
        if c.backchannels is not None:
            d["backchannels"] = c.backchannels
        if c.family is not None:
            d["family"] = c.family
        if not c.codable:
            d["codable"] = False
        codes.append(d)
    head = {"name": codebook.name, "version": codebook.version, "description": codebook.description}
    if codebook.min_precision is not None:
        head["min_precision"] = codebook.min_precision
    out = dict(head, codes=codes)
    if codebook.ratings:  # only when there are some, so an older codebook's snapshot is unchanged
        out["ratings"] = [scale_to_dict(s) for s in codebook.ratings]
    if codebook.relations:  # likewise
        out["relations"] = [{"name": r.name, **({"description": r.description} if r.description else {})}
                            for r in codebook.relations]
    return out


def relation_from_dict(d: dict | str) -> Relation:
    """A relation from a stored snapshot or accord's REFI extras."""
    if isinstance(d, str):
        return Relation(d)
    return Relation(str(d["name"]), str(d.get("description") or ""))


def scale_to_dict(scale: RatingScale) -> dict:
    d = {"name": scale.name, "segment": scale.segment_text, "anchors": dict(scale.anchors)}
    if scale.unit == "minutes" and scale.fallback is not None:
        d["without_times"] = f"{scale.fallback} utterances"
    if scale.description:
        d["description"] = scale.description
    return d


def scale_from_dict(d: dict) -> RatingScale:
    """A scale from a stored snapshot (JSON keeps the anchor points as strings)."""
    unit, size = ("session", None) if d["segment"] == "session" else (d["segment"].split()[1], int(d["segment"].split()[0]))
    fallback = int(d["without_times"].split()[0]) if d.get("without_times") else None
    return RatingScale(name=d["name"], anchors={int(k): v for k, v in d["anchors"].items()}, unit=unit, size=size,
                       fallback=fallback, description=d.get("description", ""))
