"""Files QualCoder itself wrote (../shared/refi/samples/qualcoder/), imported as its README says."""

import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from accord.demo import build_demo
from accord.store import Project
from accord.store.common import ProjectError

from conftest import digest, run

NS = {"q": "urn:QDA-XML:project:1.0"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def samples(refi_dir):
    return refi_dir / "samples" / "qualcoder"


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "study.db"
    run("init", "-p", path)
    return path


def selection_names(qdpx) -> Counter:
    """(coder, code, words named by the selection) of every coding in the file, from its XML."""
    qde = etree.fromstring(zipfile.ZipFile(qdpx).read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in qde.iterfind("q:Users/q:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in qde.iter("{*}Code")}
    return Counter((users[c.get("creatingUser")], codes[c.find("q:CodeRef", NS).get("targetGUID")],
                    " ".join(c.getparent().get("name").split()))
                   for c in qde.iterfind(".//q:PlainTextSelection/q:Coding", NS))


def coded_words(path) -> Counter:
    with Project.open(path) as p:
        texts = {}
        out = Counter()
        for r in p.coding_records():
            text = texts.setdefault(r["transcript"], p.transcript(r["transcript"]).text)
            out[(r["coder"], r["code"], " ".join(text[r["start"]:r["end"]].split()))] += 1
        return out


def import_json(qdpx, project, *extra):
    return json.loads(run("import", qdpx, "-p", project, "--json", *extra).stdout)[0]


def test_two_coders_sample_codings_memos_and_annotations(samples, project):
    qdpx = samples / "interview_p1_two_coders.qdpx"
    summary = import_json(qdpx, project)
    assert summary["codings"] == 10 and summary["coders"] == 2
    assert coded_words(project) == selection_names(qdpx)  # every coding on exactly the words it names
    with Project.open(project) as p:
        t = p.transcript("interview_p1")
        assert not t.text.startswith("\ufeff")
        assert "café" in t.text and "😬" in t.text
        memos = {(r["coder"], r["code"], r["memo"]) for r in p.coding_records() if r["memo"]}
        assert memos == {("colin", "Joy", "colin: clearly positive"),
                         ("colin", "Deadline stress", "colin: work & deadlines <both>"),
                         ("colin", "Anxiety", "after the emoji"),
                         ("dana", "Anxiety", "dana: agrees with colin"),
                         ("dana", "Consent", "dana: explicit consent")}
        annotations = {(m["coder"], m["text"]): m["utterance"] for m in p.memo_records()}
        assert set(annotations) == {("colin", "colin annotation: metaphor"), ("dana", "dana annotation: consent asked")}
        # each at the utterance holding its passage (112-125 and 371-389 in the file)
        at = {u.number: (u.start, u.end) for u in t.utterances}
        assert at[annotations[("colin", "colin annotation: metaphor")]][0] <= 112 < at[annotations[("colin", "colin annotation: metaphor")]][1]
        assert at[annotations[("dana", "dana annotation: consent asked")]][0] <= 371 < at[annotations[("dana", "dana annotation: consent asked")]][1]
        assert "description: Participant 1, first interview" in t.notes
        # the reflexive journal (a note attached to nothing) and the project's description
        assert [(n["title"], n["text"], n["coder"]) for n in p.project_notes()] == \
            [("Reflexive journal", "colin: first impressions of interview 1", "colin")]
        assert p.description == "QualCoder test project for accord interop"
    assert summary["not_imported"] == {} and summary["journal"] == 1


def test_strict_refuses_a_file_that_would_lose_something(samples, project, tmp_path):
    """The QualCoder samples import whole; a file with a coding of a whole source would not."""
    assert import_json(samples / "interview_p1_two_coders.qdpx", project, "--strict")["codings"] == 10
    qde = zipfile.ZipFile(samples / "interview_p1_two_coders.qdpx").read("project.qde").decode("utf-8")
    lossy = tmp_path / "lossy.qdpx"
    whole = qde.replace('<NoteRef targetGUID="d7027adb', '<Coding guid="aaaaaaaa-0000-4000-8000-000000000001" '
                        'creatingUser="fabf3610-730f-4532-92b1-27e76c7707f9"><CodeRef targetGUID='
                        '"6e8dee68-e818-4f57-84ff-e43a1deb5239"/></Coding>\n<NoteRef targetGUID="d7027adb')
    with zipfile.ZipFile(samples / "interview_p1_two_coders.qdpx") as src, zipfile.ZipFile(lossy, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, whole if item == "project.qde" else src.read(item))
    other = tmp_path / "other.db"
    run("init", "-p", other)
    before = digest(other)
    result = run("import", lossy, "-p", other, "--strict", code=2)
    assert "--strict: accord would leave out 1 codings of a whole source" in result.output
    assert "Nothing imported" in result.output
    assert digest(other) == before
    loose = run("import", lossy, "-p", other)
    assert "not imported: 1 codings of a whole source" in loose.output


def test_maxqda_line_endings_land_on_the_same_words(samples, project, tmp_path):
    qdpx = samples / "interview_p1_maxqda_line_endings.qdpx"
    summary = import_json(qdpx, project)
    assert summary["codings"] == 10
    assert coded_words(project) == selection_names(qdpx)
    assert any("counted as if line ends were LF" in n and "10 of 10" in n for n in summary["notes"])
    other = tmp_path / "lf.db"
    run("init", "-p", other)
    run("import", samples / "interview_p1_two_coders.qdpx", "-p", other)
    assert coded_words(project) == coded_words(other)


def test_malformed_project_is_refused_with_its_line(samples, project):
    before = digest(project)
    result = run("import", samples / "annotation_with_ampersand_malformed.qdpx", "-p", project, code=2)
    assert "annotation_with_ampersand_malformed.qdpx (project.qde):94: malformed XML" in result.output
    assert digest(project) == before


def test_codebook_sample_names_its_categories(samples, project):
    summary = import_json(samples / "interview_p1_codebook.qdc", project)
    assert summary["codes"] == 7
    with Project.open(project) as p:
        parents = {c.name: c.parent for c in p.codebook().codes}
    assert parents["Hesitant consent"] == "Consent" and parents["Deadline stress"] == "Work"
    assert parents["Work"] == "Emotions" and parents["Emotions"] is None
    assert summary["not_imported"] == {}
    with Project.open(project) as p:
        assert p.categories() == {"Emotions", "Work"}
    # a category groups codes: applying it is refused, naming its codes; its codes apply as usual
    run("import", ROOT / "sample_transcripts" / "session01_cbt_panic.txt", "-p", project)
    with Project.open(project) as p:
        p.add_coder("ann")
        with pytest.raises(ProjectError, match="'Emotions' is a category.*Joy, Anxiety, Work"):
            p.apply_code("session01_cbt_panic", "Emotions", "ann", 0, 10)
        assert p.apply_code("session01_cbt_panic", "Joy", "ann", 0, 10).code == "Joy"
    # and exported again as categories
    out = project.parent / "back.qdc"
    run("export", "qdc", out, "-p", project)
    back = etree.parse(str(out)).getroot()
    assert {c.get("name") for c in back.iter("{*}Code") if c.get("isCodable") == "false"} == {"Emotions", "Work"}


def test_accord_demo_back_from_qualcoder(samples, project, tmp_path):
    qdpx = samples / "accord_demo_reexported.qdpx"
    summary = import_json(qdpx, project)
    assert summary["codings"] == 276
    words = coded_words(project)
    assert words == selection_names(qdpx)
    assert Counter(coder for coder, _, _ in words.elements()) == {"reference": 227, "alice": 41, "bob": 8}
    with Project.open(project) as p:
        assert {c["name"] for c in p.coders()} == {"reference", "alice", "bob"}  # no empty "default"
    assert any("285 creation date(s) are not valid xsd:dateTime" in n and "read as the dates they mean" in n
               for n in summary["notes"])
    assert any("'default' coded nothing" in n for n in summary["notes"])
    # the reference coder's codings are the demo's own, on the same words
    build_demo(tmp_path / "demo.db")
    reference = Counter({k: n for k, n in words.items() if k[0] == "reference"})
    assert reference == coded_words(tmp_path / "demo.db")
