"""accord's indexed token-pattern matcher finds exactly what spaCy's Matcher finds."""

from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from accord.codebook import load_codebook
from accord.suggest import token_patterns
from accord.suggest.token_patterns import TokenPatterns
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]


def docs(nlp):
    out = []
    for path in sorted((ROOT / "sample_transcripts").iterdir()):
        if path.suffix in {".txt", ".docx", ".vtt"}:
            t = read_transcript(path)
            out += [nlp.make_doc(t.utterance_text(u)) for u in t.utterances]
    return out


@pytest.mark.parametrize("vectorised", [False, True])
@pytest.mark.parametrize("book", ["alliance.yaml", "mi.yaml"])
def test_same_matches_as_spacy_on_the_shipped_codebooks(book, vectorised, monkeypatch):
    if vectorised:  # utterances are short Docs: force the numpy path on them too
        monkeypatch.setattr(token_patterns, "SHORT", 0)
    nlp = spacy.blank("en")
    codebook = load_codebook(ROOT / "codebooks" / book)
    ours, theirs = TokenPatterns(nlp.vocab), Matcher(nlp.vocab)
    taken = 0
    for code in codebook.codes:
        for k, pattern in enumerate(code.patterns):
            key = f"{code.name}/{k}"
            if ours.add(code.name, pattern, key):
                taken += 1
                theirs.add(key, [pattern])
    assert taken >= 0.9 * sum(len(c.patterns) for c in codebook.codes), "nearly all codebook patterns are plain"
    total = 0
    for doc in docs(nlp):
        mine = {(ours.patterns[i][1], s, e) for i, s, e in ours(doc)}
        spacy_matches = {(nlp.vocab.strings[m], s, e) for m, s, e in theirs(doc)}
        assert mine == spacy_matches, doc.text
        total += len(mine)
    assert total > 20, "the comparison saw real matches"


@pytest.mark.parametrize("vectorised", [False, True])
def test_optional_tokens_and_flags_match_like_spacy(vectorised, monkeypatch):
    if vectorised:
        monkeypatch.setattr(token_patterns, "SHORT", 0)
    nlp = spacy.blank("en")
    patterns = [
        [{"LOWER": "i"}, {"LOWER": "guess"}, {"IS_PUNCT": True, "OP": "?"}],
        [{"LOWER": {"IN": ["sure", "fine"]}, "OP": "?"}, {"LOWER": "whatever"}],
        [{"NORM": "not"}, {"LOWER": {"NOT_IN": ["really"]}}],
        [{"ORTH": "I"}, {"IS_ALPHA": True}, {"LOWER": "you", "OP": "?"}, {"IS_PUNCT": True, "OP": "?"}],
    ]
    ours, theirs = TokenPatterns(nlp.vocab), Matcher(nlp.vocab)
    for k, p in enumerate(patterns):
        assert ours.add("x", p, str(k))
        theirs.add(str(k), [p])
    for text in ["I guess. Sure whatever, fine whatever", "I don't know, I do not really", "I told you. I told you!", "whatever"]:
        doc = nlp.make_doc(text)
        assert {(ours.patterns[i][1], s, e) for i, s, e in ours(doc)} == {
            (nlp.vocab.strings[m], s, e) for m, s, e in theirs(doc)
        }


def test_patterns_it_cannot_take_are_left_to_spacy():
    nlp = spacy.blank("en")
    ours = TokenPatterns(nlp.vocab)
    assert not ours.add("x", [{"LOWER": {"REGEX": "^wh"}}], "r")
    assert not ours.add("x", [{"LOWER": "so"}, {"IS_ALPHA": True, "OP": "*"}], "s")
    assert not ours.add("x", [{"LEMMA": "mean"}], "l")
    assert not ours.add("x", [{"LOWER": "so", "OP": "?"}], "only optional")


@pytest.mark.parametrize("book", ["alliance.yaml", "mi.yaml"])
def test_vectorised_matching_returns_what_the_token_loop_returns_in_its_order(book, monkeypatch):
    monkeypatch.setattr(token_patterns, "SHORT", 0)
    nlp = spacy.blank("en")
    codebook = load_codebook(ROOT / "codebooks" / book)
    ours = TokenPatterns(nlp.vocab)
    for code in codebook.codes:
        for k, pattern in enumerate(code.patterns):
            ours.add(code.name, pattern, f"{code.name}/{k}")
    total = 0
    for path in sorted((ROOT / "sample_transcripts").iterdir()):
        if path.suffix in {".txt", ".docx", ".vtt"}:
            doc = nlp.make_doc(read_transcript(path).text)  # a whole transcript, as accord runs it
            loop = ours.match_loop(doc)
            assert ours(doc) == loop
            total += len(loop)
    assert total > 20


def test_several_patterns_at_one_start_come_in_the_token_loops_order(monkeypatch):
    """At one start the loop tries patterns in its candidate set's order, not index order
    ({10, 3} iterates 10 first); the vectorised matcher keeps that order."""
    monkeypatch.setattr(token_patterns, "SHORT", 0)
    nlp = spacy.blank("en")
    ours = TokenPatterns(nlp.vocab)
    for k in range(11):
        pattern = [{"LOWER": f"w{k}"}, {"LOWER": "x"}]
        if k == 3:
            pattern = [{"LOWER": "i"}, {"LOWER": "know"}, {"IS_PUNCT": True, "OP": "?"}]
        if k == 10:
            pattern = [{"LOWER": "i"}, {"IS_ALPHA": True}]
        assert ours.add("x", pattern, str(k))
    doc = nlp.make_doc("I know. w3 x, i know w10 x")
    loop = ours.match_loop(doc)
    assert [m[0] for m in loop if m[1] == 0] == [10, 3, 3]
    assert ours(doc) == loop
