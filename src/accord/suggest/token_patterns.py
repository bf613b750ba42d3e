"""A fast matcher for the plain token patterns codebooks are made of.

spaCy's Matcher evaluates `IN` sets and other extra predicates as Python callbacks for every
pattern at every token, so 180 such patterns run at about 12k words/s (measured). Almost all
codebook patterns are plain: literal or `IN` values of LOWER, NORM, ORTH or TEXT, boolean
flags, and optional (`OP: "?"`) tokens. For those, this matcher runs each pattern over the
whole Doc at once in numpy: every test is a boolean table indexed by the token's value (its
rank among the values the patterns name), the possible starts are where the first token
passes, and each further token filters the surviving (start, position) pairs. It returns
what spaCy's Matcher returns (every match, with and without each optional token);
`tests/test_suggest_token_patterns.py` checks that against spaCy on real transcripts.
Patterns it cannot take (REGEX, LEMMA, `+`, `*`, `!`, ...) stay with spaCy.

`match_loop` is the earlier token-by-token form, kept as the reference for the order of
matches (which orders the rule hits a suggestion explains): it indexes patterns by the values
their first token can take and tries, at each token, the few that could start there.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IS_ALPHA, IS_DIGIT, IS_PUNCT, IS_SPACE, IS_STOP, LIKE_NUM, LOWER, NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

VALUE_ATTRS = {"LOWER": LOWER, "NORM": NORM, "ORTH": ORTH, "TEXT": ORTH}
FLAG_ATTRS = {"IS_ALPHA": IS_ALPHA, "IS_DIGIT": IS_DIGIT, "IS_PUNCT": IS_PUNCT, "IS_SPACE": IS_SPACE,
              "IS_STOP": IS_STOP, "LIKE_NUM": LIKE_NUM}
COLUMNS = [LOWER, NORM, ORTH, *FLAG_ATTRS.values()]
COLUMN = {attr: i for i, attr in enumerate(COLUMNS)}
# Below this many tokens (a phrase, one utterance) the token loop is faster: numpy's per-call
# overhead, a few microseconds per pattern, outweighs the work (measured crossover ~1,000).
SHORT = 1000


def compile_token(token: dict, strings) -> tuple[bool, list] | None:
    """(optional, tests) for one token spec, or None if this matcher cannot take it.

    Each test is (column, kind, value): kind "eq" (a hash), "in"/"not_in" (a frozenset of
    hashes) or "flag" (a bool).
    """
    optional = False
    tests: list[tuple[int, str, int | bool | frozenset[int]]] = []
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
        tokens = [compile_token(t, self.vocab.strings) for t in pattern]
        compiled = [c for c in tokens if c is not None]
        if not compiled or len(compiled) < len(tokens) or all(opt for opt, _ in compiled):
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

    def _candidates(self, row: tuple, here: tuple, after: tuple):
        """The patterns the index offers at a token (its row of COLUMNS, its words and the next
        token's words), in the order the token loop tries them: a set's own order."""
        found = [self.anywhere] if self.anywhere else []
        for v in here:
            hit = self.by_value.get(v)
            if hit:
                found.append(hit)
            for w in after:
                hit = self.by_pair.get((v, w))
                if hit:
                    found.append(hit)
        for column, hit in self.by_flag.items():
            if row[column]:
                found.append(hit)
        if not found:
            return ()
        return set().union(*found) if len(found) > 1 else found[0]

    def match_loop(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The plain Python form of `__call__` (token by token), kept as its reference."""
        if not self.patterns or not len(doc):
            return []
        rows = [tuple(r) for r in doc.to_array(COLUMNS).tolist()]
        words = [_words(r) for r in rows] + [()]
        out = []
        for i in range(len(rows)):
            for index in self._candidates(rows[i], words[i], words[i + 1]):
                for end in self._ends(rows, i, self.patterns[index][2]):
                    out.append((index, i, end))
        return out

    def _compile(self) -> None:
        """Every test as a boolean table indexed by a per-token id of its column: for LOWER,
        NORM and ORTH the rank of the token's value among the values the patterns name (one
        more slot for any other value), for a flag 0 or 1. The last slot of every table is
        False: it stands for the position past the end of the Doc."""
        vocab: dict[int, set] = {}
        for _, _, tokens in self.patterns:
            for _, tests in tokens:
                for column, kind, value in tests:
                    if kind != "flag":
                        vocab.setdefault(column, set()).update(value if kind != "eq" else (value,))
        self._vocab = {c: np.array(sorted(v), dtype=np.uint64) for c, v in vocab.items()}
        self._flags = sorted({c for _, _, tokens in self.patterns for _, tests in tokens
                              for c, kind, _ in tests if kind == "flag"})
        self._attrs = [COLUMNS[c] for c in sorted({0, 1, 2, *self._vocab, *self._flags})]
        self._where = {COLUMN[a]: i for i, a in enumerate(self._attrs)}  # column -> index in the array
        tables: dict[tuple, tuple] = {}
        self._steps = []
        for _, _, tokens in self.patterns:
            steps = []
            for optional, tests in tokens:
                for test in tests:
                    if test not in tables:
                        tables[test] = (len(tables), test[0], self._table(*test))
                steps.append((optional, tuple(tables[t] for t in tests)))  # (id, column, table) each
            self._steps.append(steps)
        self._compiled = len(self.patterns)

    def _table(self, column: int, kind: str, value) -> np.ndarray:
        if kind == "flag":
            return np.array([not value, value, False])
        keys = self._vocab[column]
        table = np.zeros(len(keys) + 2, dtype=bool)
        named = np.searchsorted(keys, np.array(sorted(value) if kind != "eq" else [value], dtype=np.uint64))
        if kind == "not_in":
            table[: len(keys) + 1] = True
        table[named] = kind != "not_in"
        return table

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(pattern index, start, end) of every match, like spaCy's Matcher.

        On a long Doc each pattern runs over all its possible starts at once with numpy; the
        result is what the token loop (`match_loop`, used for short Docs) returns, in the same
        order.
        """
        if not self.patterns or not len(doc):
            return []
        if len(doc) < SHORT:
            return self.match_loop(doc)
        if getattr(self, "_compiled", None) != len(self.patterns):
            self._compile()
        arr = doc.to_array(self._attrs)
        n = len(arr)
        ids = {}
        for column, keys in self._vocab.items():
            values = arr[:, self._where[column]]
            pos = np.searchsorted(keys, values)
            pos[pos == len(keys)] = 0
            ids[column] = np.append(np.where(keys[pos] == values, pos, len(keys)), len(keys) + 1)
        for column in self._flags:
            ids[column] = np.append(arr[:, self._where[column]] != 0, 2).astype(np.intp)

        def passes(tests, at):
            ok = None
            for _, column, table in tests:
                r = table[ids[column][at]]
                ok = r if ok is None else ok & r
            return ok

        everywhere = np.arange(n)
        token_cache: dict[tuple, np.ndarray] = {}  # test ids -> where a token passes them
        start_cache: dict[tuple, np.ndarray] = {}  # test ids of the heads -> possible starts
        found_s, found_e, found_p = [], [], []
        for index, steps in enumerate(self._steps):
            heads = []  # every token up to the first required one may start a match
            for optional, tests in steps:
                heads.append(tests)
                if not optional:
                    break
            key = tuple(tuple(t[0] for t in tests) for tests in heads)
            starts = start_cache.get(key)
            if starts is None:
                for tests, k in zip(heads, key):
                    if k not in token_cache:
                        token_cache[k] = passes(tests, everywhere) if tests else np.ones(n, dtype=bool)
                mask = token_cache[key[0]]
                for k in key[1:]:
                    mask = mask | token_cache[k]
                starts = start_cache[key] = np.flatnonzero(mask)
            if not len(starts):
                continue
            if len(heads) == 1:  # the first token is required and passes exactly at the starts
                s, p, rest = starts, starts + 1, steps[1:]
            else:
                s, p, rest = starts, starts, steps
            branched = False
            for optional, tests in rest:
                ok = passes(tests, p) if tests else p < n
                if optional:
                    s, p = np.concatenate((s[ok], s)), np.concatenate((p[ok] + 1, p))
                    branched = True
                else:
                    s, p = s[ok], p[ok] + 1
                    if not len(s):
                        break
            keep = p > s
            s, p = s[keep], p[keep]
            if not len(s):
                continue
            if branched:  # the same match can be reached with and without an optional token
                pairs = np.unique(s * (n + 1) + p)
                s, p = pairs // (n + 1), pairs % (n + 1)
            found_s.append(s)
            found_e.append(p)
            found_p.append(np.full(len(s), index))
        if not found_s:
            return []
        s, e, pattern = np.concatenate(found_s), np.concatenate(found_e), np.concatenate(found_p)
        order = np.lexsort((e, pattern, s))
        s, e, pattern = s[order], e[order], pattern[order]
        # The loop's order: by start; at one start, patterns in the order its candidate set
        # iterates (rebuilt only where several patterns match at one start); then by end.
        multi = np.flatnonzero((s[1:] == s[:-1]) & (pattern[1:] != pattern[:-1]))
        if len(multi):
            rank = np.zeros(len(s), dtype=np.int64)
            rows = doc.to_array(COLUMNS)
            for i in np.unique(s[multi]).tolist():
                row = tuple(rows[i].tolist())
                after = _words(tuple(rows[i + 1].tolist())) if i + 1 < n else ()
                tried = {index: k for k, index in enumerate(self._candidates(row, _words(row), after))}
                at = s == i
                rank[at] = [tried[x] for x in pattern[at].tolist()]
            order = np.lexsort((e, rank, s))
            s, e, pattern = s[order], e[order], pattern[order]
        return list(zip(pattern.tolist(), s.tolist(), e.tolist()))


def _words(row: tuple) -> tuple:
    """The distinct LOWER, NORM, ORTH values of a token (usually just one or two)."""
    return (row[0],) if row[0] == row[1] == row[2] else tuple({row[0], row[1], row[2]})


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
