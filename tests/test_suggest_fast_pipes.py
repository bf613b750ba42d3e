"""The vectorised sentencizer and lookup lemmatizer give exactly what spaCy's own give."""

from pathlib import Path

import pytest
import spacy
from spacy.attrs import LEMMA

from accord.codebook import load_codebook
from accord.suggest import fast_pipes
from accord.suggest.pipeline import Pipeline, build_pipeline
from accord.suggest.suggester import suggest_transcript
from accord.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[1]
ODD = [
    "", " ", "...", "Hello!!! Is it? Yes. . . no\n\nT: What?! (Really.) \"Quoted.\" Done",
    "I'm SAYING it's Mr. Smith's 3.5 kg; U.S.A. WAS there... running, ran, runs, better, Geese",
    "¿Qué? ¡Sí! 。 end。next",
]


def texts():
    out = []
    for path in sorted((ROOT / "sample_transcripts").iterdir()):
        if path.suffix in {".txt", ".docx", ".vtt"}:
            t = read_transcript(path)
            out.append(t.text)  # whole transcripts, as accord runs them
            out += [t.utterance_text(u) for u in t.utterances[:40]]
    return out + ODD


def pair(factory_spacy, factory_ours, **config):
    theirs, ours = spacy.blank("en"), spacy.blank("en")
    theirs.add_pipe(factory_spacy, config=config)
    ours.add_pipe(factory_ours, config={k: v for k, v in config.items() if k != "mode"})
    theirs.initialize()
    ours.initialize()
    return theirs, ours


@pytest.fixture(params=["as shipped", "numpy on every Doc"])
def short(request, monkeypatch):
    """Short Docs run spaCy's own loop; also force the numpy path on them."""
    if request.param != "as shipped":
        monkeypatch.setattr(fast_pipes, "SHORT_SENTENCIZE", 1)
        monkeypatch.setattr(fast_pipes, "SHORT_LEMMATIZE", 1)


def with_brackets_opening(doc) -> list[bool]:
    """spaCy's sentence starts, each moved back over the opening brackets before it."""
    starts = [bool(t.is_sent_start) for t in doc]
    for i in range(len(doc)):
        if starts[i] and i > 1 and doc[i - 1].text in ("(", "[", "{"):
            j = i
            while j > 1 and doc[j - 1].text in ("(", "[", "{"):
                j -= 1
            starts[i], starts[j] = False, True
    return starts


def test_sentencizer_same_sentences_as_spacy_but_brackets_open_theirs(short):
    theirs, ours = pair("sentencizer", "accord_sentencizer")
    moved = 0
    for text in texts():
        a, b = theirs(text), ours(text)
        expected = with_brackets_opening(a)
        assert [bool(t.is_sent_start) for t in b] == expected, text
        moved += expected != [bool(t.is_sent_start) for t in a]
    assert moved >= 2, "the texts include brackets after a sentence's end, or this proves nothing"


def test_a_bracketed_pause_after_a_full_stop_starts_the_next_sentence(short):
    _, ours = pair("sentencizer", "accord_sentencizer")
    doc = ours("Hello, Sam. Come through. (pause) It's good to see you. [laughs] [[sic]] OK? (Really.) Done")
    assert [s.text for s in doc.sents] == ["Hello, Sam.", "Come through.", "(pause) It's good to see you.",
                                           "[laughs] [[sic]] OK?", "(Really.)", "Done"]


def test_lemmatizer_same_lemmas_as_spacy(short):
    theirs, ours = pair("lemmatizer", "accord_lemmatizer", mode="lookup")
    n = 0
    for text in texts():
        a, b = theirs(text), ours(text)
        assert [t.lemma_ for t in a] == [t.lemma_ for t in b], text
        assert a.to_array([LEMMA]).tolist() == b.to_array([LEMMA]).tolist()
        n += sum(t.lemma_ != t.text for t in a)
    assert n > 500, "the comparison saw real lemmatisation"
    # Its own table is saved and loaded, as spaCy's lemmatizer does.
    again = spacy.blank("en")
    again.add_pipe("accord_lemmatizer")
    again.from_bytes(ours.to_bytes())
    doc = again("She tries to quit; he tried to quit")
    assert [t.lemma_ for t in doc] == ["She", "try", "to", "quit", ";", "he", "try", "to", "quit"]


def test_pipeline_saved_with_spacy_components_loads_with_the_fast_ones():
    """A pipeline saved by an older accord (spaCy's sentencizer and lemmatizer) still loads,
    runs the vectorised components and suggests exactly what it did."""
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    new = build_pipeline(book)
    old = build_pipeline(book)
    lookups = old.nlp.get_pipe("lemmatizer").lookups
    old.nlp.replace_pipe("sentencizer", "sentencizer")
    old.nlp.replace_pipe("lemmatizer", "lemmatizer", config={"mode": "lookup"}).lookups = lookups
    assert [old.nlp.get_pipe_meta(n).factory for n in ("sentencizer", "lemmatizer")] == ["sentencizer", "lemmatizer"]
    loaded = Pipeline.from_bytes(old.to_bytes())
    assert isinstance(loaded.nlp.get_pipe("sentencizer"), fast_pipes.FastSentencizer)
    assert isinstance(loaded.nlp.get_pipe("lemmatizer"), fast_pipes.FastLookupLemmatizer)
    t = read_transcript(ROOT / "sample_transcripts" / "session01_cbt_panic.txt")
    expected = suggest_transcript(old, t)
    assert expected and suggest_transcript(loaded, t) == expected == suggest_transcript(new, t)
