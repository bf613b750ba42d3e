"""Rules match through stutters, restarts, repetitions and fillers, and a suggestion still
quotes the original characters."""

import pytest
import spacy

from accord.codebook import parse_codebook
from accord.model import Transcript, Utterance
from accord.suggest.analysis import analyze
from accord.suggest.disfluency import kept_tokens
from accord.suggest.pipeline import Pipeline, build_pipeline
from accord.suggest.suggester import suggest_transcript

BOOK = """
name: disfluent
codes:
  - name: Not knowing
    patterns:
      - [{LOWER: "i"}, {LOWER: "do"}, {LOWER: "n't"}, {LOWER: "know"}]
  - name: Agreeing
    examples: ["you know what, fine"]
  - name: Hedging
    examples: ["I tried to stop"]
    counter_examples: ["I tried to stop him"]
  - name: Doubling
    patterns:
      - [{LOWER: "so"}, {LOWER: "-"}, {LOWER: "so"}]
      - [{LOWER: "very"}, {LOWER: "very"}]
  - name: Regex
    patterns:
      - [{LOWER: "i"}, {LOWER: {REGEX: "^(really|truly)$"}}, {LOWER: "want"}]
"""


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline(parse_codebook(BOOK))


def transcript(*lines: str) -> Transcript:
    """One utterance per line, alternately therapist and client, labels in the text."""
    text, utts = "", []
    for n, line in enumerate(lines, start=1):
        label = "T" if n % 2 else "C"
        start = len(text) + 3
        text += f"{label}: {line}\n"
        utts.append(Utterance(n, label, start, start + len(line)))
    return Transcript("x", text, utts, "text", roles={"T": "therapist", "C": "client"})


def found(pipeline, t):
    return {(i.code, t.text[i.start:i.end]) for i in suggest_transcript(pipeline, t)}


def test_the_view_leaves_out_stutters_restarts_repetitions_and_fillers():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    def view(text):
        doc = nlp(text)
        kept = kept_tokens(doc)
        return None if kept is None else " ".join(doc[i].text for i in kept)

    assert view("I-I-I don't, I- I don't know.") == "I do n't know ."
    assert view("I don't- I don't know") == "I do n't know"
    assert view("I, uh, don't know, um, you know, you know") == "I do n't know you know"
    assert view("wh- what th-th-the er thing") == "what the thing"
    assert view("Uh-huh. Mm-hmm.") is None  # backchannels joined by a hyphen are words, not fillers
    assert view("I know what you mean.") is None


def test_a_token_pattern_matches_through_stutters_and_restarts(pipeline):
    line = "Well. I-I-I don't, I- I don't know. Maybe."
    t = transcript("What happened then?", line)
    hits = [i for i in suggest_transcript(pipeline, t) if i.code == "Not knowing"]
    assert [t.text[i.start:i.end] for i in hits] == ["I-I-I don't, I- I don't know."]
    assert 'matched "I-I-I don\'t, I- I don\'t know"' in hits[0].explanation


@pytest.mark.parametrize("line, quote", [
    ("I don't- I don't know, to be honest.", "I don't- I don't know, to be honest."),
    ("I, uh, don't know.", "I, uh, don't know."),
    ("I don't, um, know. Really.", "I don't, um, know."),
    ("I don't know.", "I don't know."),  # fluent speech matches as before
])
def test_restarts_and_fillers_do_not_break_a_pattern(pipeline, line, quote):
    t = transcript("And then?", line)
    assert ("Not knowing", quote) in found(pipeline, t)


def test_phrases_lemmas_and_exclusions_also_see_the_tidied_view(pipeline):
    t = transcript("Shall we?", "You know, you know what, fine.", "So?", "I, um, I tries to- tries to stop.",
                   "And him?", "I tried to, uh, stop him, yes.")
    got = found(pipeline, t)
    assert ("Agreeing", "You know, you know what, fine.") in got
    assert ("Hedging", "I, um, I tries to- tries to stop.") in got
    assert not any(quote.startswith("I tried to, uh, stop him") for code, quote in got)  # the near miss still cancels


def test_matches_on_the_original_words_are_kept(pipeline):
    t = transcript("How was it?", "So-so. It was very very hard.", "And?", "I- I really want to go.")
    got = found(pipeline, t)
    assert ("Doubling", "So-so.") in got
    assert ("Doubling", "It was very very hard.") in got
    assert ("Regex", "I- I really want to go.") in got  # patterns spaCy's own Matcher runs too


def test_a_match_never_joins_sentences_that_were_apart(pipeline):
    # Only "I, uh, don't." and "Know, um, what." are re-matched; they must not be joined.
    t = transcript("Right?", "I, uh, don't. Something else here. Know, um, what.")
    assert not [c for c, _ in found(pipeline, t) if c == "Not knowing"]


def test_long_transcripts_match_as_utterances_do(pipeline):
    """Over 1,000 tokens the token patterns run vectorised: the same suggestions."""
    lines = ["What do you make of that?", "I-I-I don't, I- I don't know.", "Okay.", "I, uh, don't know, you know, you know.",
             "Mm-hmm.", "So-so, really. I- I really want to, um, go."]
    short = [found(pipeline, transcript(*lines[i:i + 2])) for i in range(0, len(lines), 2)]
    long_t = transcript(*(lines * 60))
    assert len(spacy.blank("en")(long_t.text)) > 1000
    long_found = {(i.code, long_t.text[i.start:i.end]) for i in suggest_transcript(pipeline, long_t)}
    assert long_found == set().union(*short)
    per_utterance = [len(a.hits) for a in analyze(pipeline.nlp, long_t)]
    assert per_utterance[:6] * 60 == per_utterance


def test_a_pipeline_saved_before_keeps_working_and_gains_the_view(pipeline):
    old = Pipeline.from_bytes(pipeline.to_bytes())
    old.nlp.remove_pipe("accord_disfluency")
    loaded = Pipeline.from_bytes(old.to_bytes())
    assert "accord_disfluency" in loaded.nlp.pipe_names
    assert loaded.nlp.pipe_names.index("accord_disfluency") < loaded.nlp.pipe_names.index("accord_classifier")
    t = transcript("So?", "I-I-I don't, I- I don't know.")
    assert found(loaded, t) == found(pipeline, t)


def test_overlapping_matches_of_one_code_make_one_suggestion():
    """A pattern that can start on punctuation matches the words as said (", you need") and the
    tidied view (". you need", the filler left out): one suggestion, which names its rule once."""
    book = parse_codebook("""
name: overlap
codes:
  - name: Directive
    patterns:
      - [{LOWER: {NOT_IN: ["if", "feel", "think", "what", "when"]}}, {LOWER: "you"}, {LOWER: "need"}]
""")
    pipeline = build_pipeline(book)
    t = transcript("Any trouble?", "Well- well, not really. Uh, you need to self-certify, that's all.")
    items = [i for i in suggest_transcript(pipeline, t) if i.code == "Directive"]
    assert len(items) == 1
    assert items[0].explanation.count("pattern [") == 1
    assert "not if|feel|think|what|..." in items[0].explanation  # a long NOT_IN list reads short
    assert "NOT_IN" not in items[0].explanation
