"""Turn a codebook into SpanRuler patterns, each with an explanation a coder can read.

A codebook is written for people, so the rules are derived from what people wrote: each
code's example phrases (matched on lower case, and on lemmas so "tried to quit" also finds
"tries to quit"), its token patterns, and exclusions: the counter-examples and the phrases
quoted in "when not to use". An exclusion that matches in the same sentence as a hit of the
same code cancels that hit, because the codebook said that wording is a near miss.

Every pattern gets an id (`p3`, `x1`, ...) that maps back to a `Rule`, so a suggestion can
say exactly which phrase or pattern fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from ..model import Codebook

QUOTED = re.compile(r"[\"“]([^\"”]{3,80})[\"”]")
EXCLUDE_PREFIX = "not:"


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    kind: str  # phrase | lemma | pattern | exclusion
    text: str  # the phrase, or the pattern shown compactly

    def explain(self, matched: str) -> str:
        if self.kind == "pattern":
            return f"pattern {self.text} of {self.code!r} matched \"{matched}\""
        if self.kind == "lemma":
            return f"\"{matched}\" matches the example \"{self.text}\" of {self.code!r} (same word roots)"
        if self.kind == "exclusion":
            return f"near miss \"{self.text}\" listed under {self.code!r}"
        return f"\"{matched}\" is an example phrase of {self.code!r}"


def exclusion_phrases(code) -> list[str]:
    """Counter-examples plus phrases quoted in "when not to use" (the codebook's near misses)."""
    quoted = [m.group(1).strip(" .,") for m in QUOTED.finditer(code.when_not_to_use or "")]
    seen, out = set(), []
    for phrase in [*code.counter_examples, *quoted]:
        key = phrase.casefold()
        if phrase and key not in seen:
            seen.add(key)
            out.append(phrase)
    return out


def _compact(pattern: list[dict]) -> str:
    parts = []
    for token in pattern:
        bits = []
        for key, value in token.items():
            if key.upper() == "OP":
                continue
            if key.upper().startswith(("IS_", "LIKE_")) and isinstance(value, bool):
                name = key.upper().split("_", 1)[1].lower()  # {IS_PUNCT: true} reads as <punct>
                bits.append(f"<{name}>" if value else f"<not {name}>")
                continue
            if isinstance(value, dict) and ("IN" in value or "NOT_IN" in value):
                words = value["IN"] if "IN" in value else value["NOT_IN"]
                value = ("" if "IN" in value else "not ") + "|".join(map(str, words[:4])) + ("|..." if len(words) > 4 else "")
            bits.append(str(value))
        parts.append("/".join(bits) + token.get("OP", ""))
    return "[" + " ".join(parts) + "]"


def rules_for(codebook: Codebook, codes: set[str] | None = None) -> list[Rule]:
    """All rules, in codebook order; `codes` limits them to those codes."""
    rules: list[Rule] = []
    for code in codebook.codes:
        if codes is not None and code.name not in codes:
            continue
        for phrase in code.examples:
            rules.append(Rule(f"p{len(rules)}", code.name, "phrase", phrase))
        for pattern in code.patterns:
            rules.append(Rule(f"t{len(rules)}", code.name, "pattern", _compact(pattern)))
        for phrase in exclusion_phrases(code):
            rules.append(Rule(f"x{len(rules)}", code.name, "exclusion", phrase))
    return rules


def ruler_patterns(codebook: Codebook, rules: list[Rule], lemmatize) -> tuple[list[dict], list[dict]]:
    """Patterns for the lower-case ruler and for the lemma ruler.

    Phrases become phrase patterns (spaCy's PhraseMatcher: a hash lookup per token, much
    faster than token patterns); codebook token patterns go to the Matcher as written.
    `lemmatize(text)` returns (lower-case words, lemmas) of a phrase; a lemma pattern is
    added only where the lemmas differ from the words, since otherwise the lower-case one
    already covers it.
    """
    patterns_of = {c.name: iter(c.patterns) for c in codebook.codes}
    lower, lemma = [], []
    for rule in rules:
        label = EXCLUDE_PREFIX + rule.code if rule.kind == "exclusion" else rule.code
        if rule.kind == "pattern":
            lower.append({"label": label, "pattern": next(patterns_of[rule.code]), "id": rule.id})
            continue
        words, lemmas = lemmatize(rule.text)
        if not words:
            continue
        lower.append({"label": label, "pattern": rule.text.lower(), "id": rule.id})
        if rule.kind == "phrase" and lemmas != words:
            lemma.append({"label": label, "pattern": rule.text, "id": rule.id + "L"})
    return lower, lemma


def check_patterns(codebook: Codebook, nlp) -> None:
    """Raise InputError naming the code and pattern when spaCy refuses one of its patterns.

    The codebook loader already checks the schema; this catches what only the Matcher
    sees (an invalid REGEX, an unknown attribute value), before anything is stored.
    """
    from spacy.matcher import Matcher

    source = codebook.source or "codebook"
    for code in codebook.codes:
        for k, pattern in enumerate(code.patterns, start=1):
            matcher = Matcher(nlp.vocab, validate=True)
            try:
                matcher.add("check", [pattern])
                matcher(nlp.make_doc("check this pattern"))
            except Exception as e:  # spaCy raises ValueError, re.error, KeyError, MatchPatternError
                detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise InputError(
                    source, f"code {code.name!r}: spaCy rejects pattern {k} {_compact(pattern)}: {detail}"
                ) from None
