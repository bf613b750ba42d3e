"""A code the codebook gives to some speaker roles is never suggested on another role's turn,
by rules or model; the coding session warns when a coder applies it there; `codebook show`
lists the roles."""

import json

from click.testing import CliRunner

from accord.cli import main
from accord.codebook import parse_codebook
from accord.coding_session import CodingSession
from accord.model import Transcript, Utterance
from accord.store import Project
from accord.suggest import service
from accord.suggest.pipeline import build_pipeline
from accord.suggest.suggester import suggest_transcript

BOOK = """
name: roles
codes:
  - name: Rupture
    speakers: [client]
  - name: Dismissing
    parent: Rupture
    examples: ["that won't work"]
  - name: Lecturing
    speakers: [therapist]
    examples: ["you need to"]
  - name: Humour
    examples: ["that's funny"]
"""

LINES = [
    ("T", "Honestly, that won't work, so you need to stop. That's funny."),
    ("C", "That won't work. You need to see it. That's funny."),
    ("X", "That won't work for us, you need to know."),
]


def transcript(name="s1", lines=LINES) -> Transcript:
    text, utts = "", []
    for n, (label, line) in enumerate(lines, start=1):
        start = len(text) + len(label) + 2
        text += f"{label}: {line}\n"
        utts.append(Utterance(n, label, start, start + len(line)))
    return Transcript(name, text, utts, "text", roles={"T": "therapist", "C": "client"})  # X: no role


def by_speaker(t, items):
    out = {}
    for i in items:
        u = next(u for u in t.utterances if u.start <= i.start < u.end)
        out.setdefault(u.speaker, set()).add(i.code)
    return out


def test_rules_never_suggest_a_code_on_a_role_the_codebook_excludes():
    t = transcript()
    items = suggest_transcript(build_pipeline(parse_codebook(BOOK)), t)
    assert by_speaker(t, items) == {
        "T": {"Lecturing", "Humour"},  # not Dismissing: a client code (inherited from Rupture)
        "C": {"Dismissing", "Humour"},  # not Lecturing: a therapist code
        "X": {"Dismissing", "Lecturing"},  # no role: allowed, and said so
    }
    unknown = [i for i in items if t.text[i.start:i.end].startswith("That won't work for us")]
    assert {i.code for i in unknown} == {"Dismissing", "Lecturing"}
    notes = {i.code: i.explanation for i in unknown}
    assert notes["Dismissing"].endswith("the speaker's role is unknown (the codebook gives 'Dismissing' to the client only)")
    assert "role is unknown" not in " ".join(i.explanation for i in items if i not in unknown)


def _project(tmp_path):
    p = Project.create(tmp_path / "p.db")
    p.load_codebook(parse_codebook(BOOK, "book.yaml"))
    p.add_coder("ann")
    return p


def test_a_trained_model_never_suggests_a_code_on_an_excluded_role(tmp_path):
    # The coder applies Dismissing to therapist and client turns alike, so nothing learned
    # from her decisions restricts it; the codebook still does.
    lines = [("T", "That won't work, I'm afraid."), ("C", "No, that won't work for me."),
             ("T", "Let us try another way then."), ("C", "Fine, let us try.")] * 6
    with _project(tmp_path) as p:
        for k in range(3):
            t = transcript(f"s{k}", lines)
            p.import_transcript(t)
            for u in t.utterances:
                if "won't work" in t.utterance_text(u):
                    p.apply_code(t.name, "Dismissing", "ann", u.start, u.end)
        p.import_transcript(transcript("new", lines))
        pipeline, report = service.train(p)
        assert "Dismissing" in pipeline.classifier.codes
        t = p.transcript("new")
        items = suggest_transcript(pipeline, t)
        models = [i for i in items if i.code == "Dismissing" and i.source in ("model", "both")]
        assert models, "the model does suggest the code"
        assert by_speaker(t, [i for i in items if i.code == "Dismissing"]) == {"C": {"Dismissing"}}


def test_applying_a_code_on_an_excluded_role_is_saved_with_a_clear_warning(tmp_path):
    with _project(tmp_path) as p:
        p.import_transcript(transcript())
        session = CodingSession(p, "s1", "ann")
        t, c, x = session.utterances
        assert session.role_warning("Dismissing", c.start, c.end) is None
        assert session.role_warning("Humour", t.start, t.end) is None
        assert session.role_warning("Dismissing", x.start, x.end) is None  # role unknown: no warning
        warning = session.role_warning("Dismissing", t.start, t.end)
        assert warning == ("'Dismissing' is a code for the client's turns (codebook: speakers of 'Rupture'), "
                           "but utterance 1 is the therapist's (T)")
        assert session.role_warning("Lecturing", c.start, x.end) == (
            "'Lecturing' is a code for the therapist's turns (codebook), but utterance 2 is the client's (C)")
        coding = session.apply("Dismissing", t.start, t.end)
        assert p.codings(coder="ann") == [coding]  # the coder decides: applied, with the warning shown


def test_codebook_show_lists_the_roles(tmp_path):
    with _project(tmp_path):
        pass
    runner = CliRunner()
    out = runner.invoke(main, ["codebook", "show", "-p", str(tmp_path / "p.db")])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert any(line.strip() == "Rupture  (client)" for line in lines)
    assert any(line.strip() == "Dismissing  (client, from Rupture)" for line in lines)
    assert any(line.strip() == "Lecturing  (therapist)" for line in lines)
    assert any(line.strip() == "Humour" for line in lines)
    shown = runner.invoke(main, ["codebook", "show", "--json", "-p", str(tmp_path / "p.db")])
    codes = {c["name"]: c for c in json.loads(shown.output)["codes"]}
    assert codes["Rupture"]["speakers"] == ["client"] and "speakers" not in codes["Dismissing"]
