"""The code picker's matching, and the marks and colours that keep codes apart."""

from accord.codebook import load_codebook
from accord.tui.matching import match_score
from accord.tui.palette import PAIRS_256, CodeLook, code_marks

from pathlib import Path

BOOK = load_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "alliance.yaml")
LABELS = [" > ".join(BOOK.path(c.name)) for c in BOOK.codes]


def best(query: str) -> list[str]:
    scored = [(match_score(query, label), n, label) for n, label in enumerate(LABELS)]
    ranked = sorted((s for s in scored if s[0] is not None), key=lambda s: (-s[0], s[1]))
    return [label.split(" > ")[-1] for _, _, label in ranked]


def test_typed_words_find_the_code_however_they_are_typed():
    for query in ("self crit", "self crit ", "Self-Crit", "  SELF   crit", "selfcrit", "crit self"):
        assert best(query)[0] == "Self-criticism and hopelessness", query
    assert best("min resp") == ["Minimal response"]


def test_the_code_named_by_the_typed_words_comes_before_its_children():
    assert best("rupture")[0] == "Rupture"
    assert best("withdrawal")[:2] == ["Withdrawal rupture", "Denial"]  # then the codes under it


def test_nothing_matches_a_word_that_is_in_no_name():
    assert best("self zebra") == []
    assert match_score("", "Anything") == 0.0


def test_every_code_has_its_own_mark_and_hotkeys_are_their_marks():
    marks = code_marks(BOOK)
    assert len(set(marks.values())) == len(BOOK.codes)
    assert all(marks[c.name] == c.hotkey for c in BOOK.codes if c.hotkey)


def test_without_truecolor_neighbouring_codes_get_different_palette_colours():
    look = CodeLook(BOOK, "256")
    codes = [c.name for c in BOOK.codes]
    for a, b in zip(codes, codes[1:]):
        assert look.tint(a) != look.tint(b)
    assert len({look.tint(c).number for c in codes[: len(PAIRS_256)]}) == min(len(codes), len(PAIRS_256))
    true = CodeLook(BOOK, "truecolor")
    assert true.ink("Denial").get_truecolor() != true.ink("Minimal response").get_truecolor()


def test_a_hard_wrapped_utterance_flows_and_a_blank_line_still_breaks():
    from accord.tui.widgets.transcript_view import wrap_offsets

    text = "Is there anything you want to make\nsure we get to\ntoday?\n\nNew paragraph."
    shown = [text[a:b].replace("\n", " ") for a, b in wrap_offsets(text, 0, 40)]  # as the view draws them
    assert shown == ["Is there anything you want to make sure", "we get to today?", "", "New paragraph."]
