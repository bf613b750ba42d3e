"""A fast matcher for the plain token patterns codebooks are made of.

spaCy's Matcher evaluates `IN` sets and other extra predicates as Python callbacks for every
pattern at every token, so 180 such patterns run at about 12k words/s (measured). Almost all
codebook patterns are plain: literal or `IN` values of LOWER, NORM, ORTH or TEXT, boolean
flags, and optional (`OP: "?"`) tokens. For those, this matcher indexes patterns by the
values their first token can take, so each token position only tries the few patterns that
could start there. It returns what spaCy's Matcher returns (every match, with and without
each optional token); `tests/test_suggest_token_patterns.py` checks that against spaCy on
real transcripts. Patterns it cannot take (REGEX, LEMMA, `+`, `*`, `!`, ...) stay with spaCy.
"""

from __future__ import annotations

from spacy.attrs import IS_ALPHA, IS_DIGIT, IS_PUNCT, IS_SPACE, IS_STOP, LIKE_NUM, LOWER, NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

VALUE_ATTRS = {"LOWER": LOWER, "NORM": NORM, "ORTH": ORTH, "TEXT": ORTH}
FLAG_ATTRS = {"IS_ALPHA": IS_ALPHA, "IS_DIGIT": IS_DIGIT, "IS_PUNCT": IS_PUNCT, "IS_SPACE": IS_SPACE,
              "IS_STOP": IS_STOP, "LIKE_NUM": LIKE_NUM}
COLUMNS = [LOWER, NORM, ORTH, *FLAG_ATTRS.values()]
COLUMN = {attr: i for i, attr in enumerate(COLUMNS)}


def compile_token(token: dict, strings) -> tuple[bool, list] | None:
    """(optional, tests) for one token spec, or None if this matcher cannot take it.

    Each test is (column, kind, value): kind "eq" (a hash), "in"/"not_in" (a frozenset of
    hashes) or "flag" (a bool).
    """
    optional = False
    tests = []
    for key, value in token.items():
        key = key.upper()
        if key == "OP":
            if value != "?":
                return None
            optional = True
        elif key in VALUE_ATTRS:
            column = COLUMN[VALUE_ATTRS[key]]
            lower = key == "LOWER"

            def h(s: str) -> int:
                return strings.add(s.lower() if lower else s)

            if isinstance(value, str):
                tests.append((column, "eq", h(value)))
            elif isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}:
                (op, items), = value.items()
                if not all(isinstance(v, str) for v in items):
                    return None
                tests.append((column, op.lower(), frozenset(h(v) for v in items)))
            else:
                return None
        elif key in FLAG_ATTRS and isinstance(value, bool):
            tests.append((COLUMN[FLAG_ATTRS[key]], "flag", value))
        else:
            return None
    return optional, tests


def _passes(row: tuple, tests: list) -> bool:
    for column, kind, value in tests:
        v = row[column]
        if kind == "eq":
            if v != value:
                return False
        elif kind == "in":
            if v not in value:
                return False
        elif kind == "not_in":
            if v in value:
                return False
        elif bool(v) != value:
            return False
    return True


def _values(tests: list) -> frozenset | None:
    """The literal LOWER/NORM/ORTH values a token must take, if its tests pin them down."""
    for column, kind, value in tests:
        if column <= COLUMN[ORTH] and kind in ("eq", "in"):
            return value if kind == "in" else frozenset((value,))
    return None


def _flag(tests: list) -> int | None:
    """A flag column that must be true, for tokens pinned only by a flag (IS_PUNCT...)."""
    return next((column for column, kind, value in tests if kind == "flag" and value), None)


class TokenPatterns:
    """Compiled plain patterns: `add` returns False for a pattern it cannot take.

    Patterns whose first two tokens are required literals are indexed by the pair of values,
    so a frequent first word ("i", "you") only tries the patterns that also fit the next
    word; the rest are indexed by their possible first values or flags.
    """

    def __init__(self, vocab):
        self.vocab = vocab
        self.patterns: list[tuple[str, str, list]] = []  # (label, id, [(optional, tests)])
        self.by_pair: dict[tuple[int, int], set[int]] = {}
        self.by_value: dict[int, set[int]] = {}
        self.by_flag: dict[int, set[int]] = {}
        self.anywhere: set[int] = set()  # patterns whose start cannot be indexed

    def add(self, label: str, pattern: list[dict], pattern_id: str) -> bool:
        compiled = [compile_token(t, self.vocab.strings) for t in pattern]
        if not compiled or any(c is None for c in compiled) or all(opt for opt, _ in compiled):
            return False
        index = len(self.patterns)
        self.patterns.append((label, pattern_id, compiled))
        if len(compiled) >= 2 and not compiled[0][0] and not compiled[1][0]:
            first, second = _values(compiled[0][1]), _values(compiled[1][1])
            if first and second:
                for a in first:
                    for b in second:
                        self.by_pair.setdefault((a, b), set()).add(index)
                return True
        for optional, tests in compiled:  # every token up to the first required one may start a match
            values, flag = _values(tests), _flag(tests)
            if values:
                for v in values:
                    self.by_value.setdefault(v, set()).add(index)
            elif flag is not None:
                self.by_flag.setdefault(flag, set()).add(index)
            else:
                self.anywhere.add(index)
            if not optional:
                break
        return True

    def _ends(self, rows: list, start: int, tokens: list) -> list[int]:
        """Every end position where `tokens` match from `start` (optional tokens both ways)."""
        positions = {start}
        for optional, tests in tokens:
            nxt = {p + 1 for p in positions if p < len(rows) and _passes(rows[p], tests)}
            positions = nxt | positions if optional else nxt
            if not positions:
                return []
        return sorted(p for p in positions if p > start)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(pattern index, start, end) of every match, like spaCy's Matcher."""
        if not self.patterns or not len(doc):
            return []
        rows = [tuple(r) for r in doc.to_array(COLUMNS).tolist()]
        # The distinct LOWER, NORM, ORTH values of each token (usually just one or two).
        words = [(r[0],) if r[0] == r[1] == r[2] else tuple({r[0], r[1], r[2]}) for r in rows]
        out = []
        by_pair, by_value, by_flag, anywhere = self.by_pair, self.by_value, self.by_flag, self.anywhere
        last = len(rows) - 1
        for i, row in enumerate(rows):
            found = [anywhere] if anywhere else []
            after = words[i + 1] if i < last else ()
            for v in words[i]:
                hit = by_value.get(v)
                if hit:
                    found.append(hit)
                for w in after:
                    hit = by_pair.get((v, w))
                    if hit:
                        found.append(hit)
            for column, hit in by_flag.items():
                if row[column]:
                    found.append(hit)
            if not found:
                continue
            for index in set().union(*found) if len(found) > 1 else found[0]:
                for end in self._ends(rows, i, self.patterns[index][2]):
                    out.append((index, i, end))
        return out


@Language.factory("accord_token_patterns", default_config={"spans_key": "accord"})
def make_token_patterns(nlp: Language, name: str, spans_key: str):
    return TokenPatternRuler(nlp, name, spans_key)


class TokenPatternRuler:
    """A pipeline component adding matches as spans, labelled and id'd as the SpanRuler does."""

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.name, self.spans_key = name, spans_key
        self.matcher = TokenPatterns(nlp.vocab)
        self.source: list[dict] = []

    def add_patterns(self, patterns: list[dict]) -> list[dict]:
        """Take the patterns this matcher can; return the rest (for spaCy's SpanRuler)."""
        rest = []
        for p in patterns:
            if isinstance(p["pattern"], list) and self.matcher.add(p["label"], p["pattern"], p["id"]):
                self.source.append(p)
            else:
                rest.append(p)
        return rest

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        seen = set()
        for index, start, end in self.matcher(doc):
            label, pattern_id, _ = self.matcher.patterns[index]
            key = (start, end, label, pattern_id)
            if key not in seen:
                seen.add(key)
                spans.append(Span(doc, start, end, label=label, span_id=pattern_id))
        doc.spans[self.spans_key] = spans
        return doc

    def to_bytes(self, *, exclude=()) -> bytes:
        import srsly

        return srsly.msgpack_dumps({"patterns": self.source})

    def from_bytes(self, data: bytes, *, exclude=()):
        import srsly

        self.matcher = TokenPatterns(self.matcher.vocab)
        self.source = []
        self.add_patterns(srsly.msgpack_loads(data)["patterns"])
        return self

    def to_disk(self, path, *, exclude=()):
        path.write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=()):
        return self.from_bytes(path.read_bytes())
