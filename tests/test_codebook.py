"""Codebook loading: the shipped codebooks load, and every malformed one names file and line."""

from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from accord.codebook import codebook_to_dict, load_codebook, parse_codebook
from accord.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_input" / "codebooks"

# file -> (line, words that must appear in the message)
BAD_CODEBOOKS = {
    "malformed_yaml.yaml": (4, "malformed YAML: found unexpected end of stream on line 6"),
    "unknown_parent.yaml": (5, "unknown parent 'Ruptures'"),
    "duplicate_name.yaml": (7, "duplicate code name 'repair' (first defined on line 3)"),
    "hotkey_clash.yaml": (6, "hotkey 'r' of code 'Repair' is already used by 'Rupture'"),
    "bad_colour.yaml": (4, "colour '#c0392' is not #RRGGBB"),
    "malformed_pattern.yaml": (6, "malformed pattern"),
    "tagger_pattern.yaml": (5, "needs a tagger"),
    "unknown_key.yaml": (4, "unknown key 'defintion'"),
    "parent_cycle.yaml": (4, "cycle"),
    "not_utf8.yaml": (3, "not UTF-8"),
    "empty.yaml": (None, "empty"),
    "unknown_speaker_role.yaml": (6, "code 'Lecturing': unknown speaker role 'patient' in `speakers`"),
    "backchannels_not_true_or_false.yaml": (4, "code 'Minimal response': `backchannels` must be true or false, not 'no'"),
    "family_unknown.yaml": (4, "code 'Rupture': `family` must be one of rupture, repair, not 'ruptures'"),
    "family_not_on_root.yaml": (6, "code 'Withdrawal': `family` goes on a root code"),
    "speakers_not_a_list.yaml": (5, "code 'Withdrawal': `speakers` must be a list of speaker roles, e.g. [client]"),
    # PyYAML stops at line 7, where the runaway quoted text ends; the quote opened on line 5
    "unclosed_quote_mid_file.yaml": (5, "the quote opened on line 5 is not closed on that line"),
    "several_problems.yaml": (5, "code 'Rupture': colour '#zzz' is not #RRGGBB"),  # the first of six
}


def test_every_bad_codebook_in_the_folder_is_covered():
    assert {p.name for p in BAD.glob("*.yaml")} == set(BAD_CODEBOOKS)


@pytest.mark.parametrize("name", sorted(BAD_CODEBOOKS))
def test_bad_codebook_names_file_and_line(name):
    line, words = BAD_CODEBOOKS[name]
    with pytest.raises(InputError) as info:
        load_codebook(BAD / name)
    err = info.value
    assert err.file.endswith(name)
    assert err.line == line
    assert words in err.message
    assert str(err).startswith(f"{BAD / name}:{line}:" if line else f"{BAD / name}:")


def test_every_problem_of_a_codebook_is_reported_in_one_run():
    with pytest.raises(InputError) as info:
        load_codebook(BAD / "several_problems.yaml")
    found = [(e.line, e.message) for e in info.value.problems]
    assert [line for line, _ in found] == [5, 7, 8, 9, 10, 11]
    assert "already used by 'Rupture'" in found[1][1] and "unknown parent 'Ruptures'" in found[2][1]
    assert "unknown key 'defintion'" in found[3][1] and "[" not in found[3][1]  # no Python list in the message
    assert "duplicate code name 'rupture'" in found[4][1] and "unknown speaker role 'patient'" in found[5][1]


def test_an_unclosed_quote_is_reported_where_it_opens_wherever_it_is_in_the_file():
    """Take each quoted value of the shipped codebook in turn and drop its closing quote."""
    lines = (ROOT / "codebooks" / "alliance.yaml").read_text(encoding="utf-8").split("\n")
    quoted = [i for i, line in enumerate(lines) if line.rstrip().endswith('"') and line.count('"') >= 2]
    assert len(quoted) > 100
    for i in quoted[::5]:
        broken = lines[:i] + [lines[i].rstrip()[:-1]] + lines[i + 1:]
        with pytest.raises(InputError) as info:
            parse_codebook("\n".join(broken), "alliance.yaml")
        assert info.value.line == i + 1, (lines[i], str(info.value))


@pytest.mark.parametrize("name", ["alliance.yaml", "mi.yaml"])
def test_shipped_codebooks_load_and_every_pattern_compiles(name):
    book = load_codebook(ROOT / "codebooks" / name)
    assert len(book.codes) >= 10
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab, validate=True)
    for code in book.codes:
        assert code.definition, f"{code.name} has no definition"
        for i, pattern in enumerate(code.patterns):
            matcher.add(f"{code.name}/{i}", [pattern])
    hotkeys = [c.hotkey for c in book.codes if c.hotkey]
    assert len(hotkeys) == len(set(hotkeys))


def test_alliance_codebook_has_the_hierarchy_researchers_expect():
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    roots = {c.name for c in book.children(None)}
    assert {"Rupture", "Repair", "Power dynamics", "Real relationship"} <= roots
    assert book.path("Minimal response") == ["Rupture", "Withdrawal rupture", "Minimal response"]
    assert book.path("Complaint about the therapist")[:2] == ["Rupture", "Confrontation rupture"]
    leaves = [c for c in book.codes if not book.children(c.name)]
    assert all(c.hotkey for c in leaves), "every leaf code has a hotkey"
    assert sum(len(c.examples) for c in book.codes) >= 150
    assert sum(len(c.patterns) for c in book.codes) >= 60
    assert all(c.when_to_use and c.when_not_to_use for c in book.codes)


def test_round_trip_through_dict_keeps_everything():
    import yaml

    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    again = parse_codebook(yaml.safe_dump(codebook_to_dict(book), allow_unicode=True), "again.yaml")
    assert codebook_to_dict(again) == codebook_to_dict(book)


def test_hotkey_written_as_a_number_is_a_character():
    book = parse_codebook("name: x\ncodes:\n  - name: A\n    hotkey: 1\n")
    assert book.codes[0].hotkey == "1"


def test_colour_accepts_short_hex_and_british_spelling():
    book = parse_codebook("name: x\ncodes:\n  - name: A\n    colour: '#abc'\n")
    assert book.codes[0].color == "#abc"


def test_speakers_say_which_roles_a_code_applies_to_and_children_inherit_them():
    import yaml

    book = parse_codebook(
        "name: t\ncodes:\n"
        "  - name: Rupture\n    speakers: [Client]\n"
        "  - name: Withdrawal\n    parent: Rupture\n"
        "  - name: Lecturing\n    parent: Rupture\n    speakers: [therapist, interviewer, therapist]\n"
        "  - name: Real relationship\n"
    )
    assert book.by_name()["Rupture"].speakers == ["client"]  # roles are lower case, as transcripts store them
    assert book.by_name()["Withdrawal"].speakers == []  # as written; what applies is inherited:
    assert book.speakers_of("Withdrawal") == ("client",)
    assert book.speakers_of("Lecturing") == ("therapist", "interviewer")
    assert book.speakers_of("Real relationship") == ()  # every role
    again = parse_codebook(yaml.safe_dump(codebook_to_dict(book)), "again.yaml")
    assert codebook_to_dict(again) == codebook_to_dict(book)
    assert "speakers" not in codebook_to_dict(book)["codes"][1]


def test_an_empty_speakers_list_is_refused():
    with pytest.raises(InputError, match=r"`speakers` is empty; leave it out") as info:
        parse_codebook("name: t\ncodes:\n  - name: A\n    speakers: []\n", "t.yaml")
    assert info.value.line == 4


def test_family_marks_rupture_and_repair_roots_and_the_marker_type_comes_from_the_hierarchy(tmp_path):
    book = load_codebook(ROOT / "codebooks" / "alliance.yaml")
    assert book.family_roots("rupture") == ["Rupture"] and book.family_roots("repair") == ["Repair"]
    assert book.family_of("Minimal response") == ("rupture", "Withdrawal rupture")
    assert book.family_of("Defending self") == ("rupture", "Confrontation rupture")
    assert book.family_of("Rupture") == ("rupture", "Rupture")  # coded at the root: no subtype
    assert book.family_of("Meta-communication") == ("repair", "Meta-communication")
    assert book.family_of("Coercion") == (None, "Coercion")
    assert codebook_to_dict(book)["codes"][0]["family"] == "rupture"


def test_family_survives_the_project_file(tmp_path):
    from accord.store import Project

    with Project.create(tmp_path / "p.db") as project:
        project.load_codebook(parse_codebook("codes:\n  - name: Strain\n    family: Rupture\n  - name: Mend\n    family: repair\n"))
        book = project.codebook()
        assert (book.family_roots("rupture"), book.family_roots("repair")) == (["Strain"], ["Mend"])
        # Changing only the family is a change of the code, and stored as a new version.
        change = project.load_codebook(parse_codebook("codes:\n  - name: Strain\n  - name: Mend\n    family: repair\n"))
        assert change["updated"] == ["Strain"] and project.codebook().family_roots("rupture") == []


def test_codable_false_makes_a_category_that_round_trips_and_is_kept_by_the_project(tmp_path):
    import yaml

    from accord.store import Project

    text = ("name: t\ncodes:\n  - name: Emotions\n    codable: false\n"
            "  - name: Joy\n    parent: Emotions\n    hotkey: j\n")
    book = parse_codebook(text)
    assert (book.by_name()["Emotions"].codable, book.by_name()["Joy"].codable) == (False, True)
    again = parse_codebook(yaml.safe_dump(codebook_to_dict(book)), "again.yaml")
    assert codebook_to_dict(again) == codebook_to_dict(book)
    assert "codable" not in codebook_to_dict(book)["codes"][1]  # only categories say so
    with Project.create(tmp_path / "p.db") as project:
        project.load_codebook(book)
        assert project.codebook().by_name()["Emotions"].codable is False
        assert project.categories() == {"Emotions"}
        project.load_codebook(parse_codebook(text.replace("codable: false", "codable: true"), "v2.yaml"))
        assert project.categories() == frozenset()  # a new version is read afresh


@pytest.mark.parametrize("key, value", [("hotkey", "e"), ("patterns", "[[{LOWER: feel}]]")])
def test_a_category_cannot_have_a_hotkey_or_patterns(key, value):
    with pytest.raises(InputError, match=f"is a category .* cannot have `{key}`") as info:
        parse_codebook(f"name: t\ncodes:\n  - name: Emotions\n    codable: false\n    {key}: {value}\n", "t.yaml")
    assert info.value.line == 5
