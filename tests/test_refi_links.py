"""Links between codings in REFI-QDA: written as `<Link>` between `<Coding>`s, schema-valid, read
back to the same links; what other tools link (a selection, a code) read or counted as left out."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from accord.demo import build_demo
from accord.store import Project

from conftest import digest, run

NS = {"q": "urn:QDA-XML:project:1.0"}
NAME = "session06_ending"


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> Path:
    """The demo with three of the reference coder's links and one of bob's."""
    path = tmp_path_factory.mktemp("refi_links") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        by = {(c.code, c.start): c for c in p.codings(coder="reference", transcript=NAME)}
        t = p.transcript(NAME)

        def at(code, number):
            u = t.utterances[number - 1]
            return next(c for (name, start), c in by.items() if name == code and u.start <= start < u.end)

        p.add_link(at("Meta-communication", 31).id, at("Minimal response", 26).id, "repairs", "reference")
        p.add_link(at("Validating the client's stance", 47).id, at("Complaint about the work", 46).id, "repairs",
                   "reference")
        p.add_link(at("Denial", 28).id, at("Minimal response", 26).id, "continues", "reference")
        p.add_coder("bob")
        rupture = p.apply_code(NAME, "Denial", "bob", t.utterances[27].start, t.utterances[27].end)
        repair = p.apply_code(NAME, "Meta-communication", "bob", t.utterances[30].start, t.utterances[30].end)
        p.add_link(repair.id, rupture.id, "repairs", "bob")
        p.set_mode("reconciliation")
    return path


def links_of(p: Project) -> list[tuple]:
    return sorted((r["guid"], r["relation"], r["source"], r["target"], r["coder"]) for r in p.link_records())


def test_links_are_written_as_refi_links_between_codings_and_come_back_the_same(linked, tmp_path, refi_dir):
    out = tmp_path / "demo.qdpx"
    run("export", "qdpx", out, "-p", linked)
    qde = etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    assert etree.XMLSchema(etree.parse(str(refi_dir / "Project.xsd"))).validate(qde)
    written = qde.findall("q:Links/q:Link", NS)
    codings = {c.get("guid"): c for c in qde.iterfind(".//q:Coding", NS)}
    assert len(written) == 4 and {w.get("name") for w in written} == {"repairs", "continues"}
    assert all(w.get("direction") == "OneWay" and w.get("originGUID") in codings and w.get("targetGUID") in codings
               for w in written)
    back = tmp_path / "back.db"
    run("init", "-p", back)
    summary = json.loads(run("import", out, "-p", back, "--json").output)[0]
    assert summary["links"] == 4 and summary["not_imported"] == {}
    with Project.open(linked) as a, Project.open(back) as b:
        assert links_of(b) == links_of(a)
        assert [(r.name, r.description) for r in b.relations()] == [(r.name, r.description) for r in a.relations()]
        counts = {e["coder_id"]: e["data"]["count"] for e in b.events(action="links.import")}
        assert counts == {b.coder_id("reference"): 3, b.coder_id("bob"): 1}  # one undoable event per coder
    again = json.loads(run("import", out, "-p", back, "--json").output)[0]
    assert again["links"] == 0 and again["codings"] == 0
    run("undo", "--coder", "bob", "-p", back)
    with Project.open(back) as b:
        assert {r[4] for r in links_of(b)} == {"reference"}


def test_only_one_coders_links_go_with_their_codings(linked, tmp_path):
    out = tmp_path / "bob.qdpx"
    run("export", "qdpx", out, "--coders", "bob", "-p", linked)
    qde = etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    assert len(qde.findall("q:Links/q:Link", NS)) == 1


def rewrite(src: Path, dest: Path, change) -> None:
    """Copy a .qdpx with its project.qde changed by `change(root)`."""
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(members["project.qde"])
    change(root)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    dest.write_bytes(buffer.getvalue())


def test_links_other_tools_write_to_a_selection_or_to_a_code(linked, tmp_path):
    """A link to a selection holding one coding is to that coding; a link to a code, or across two
    coders' codings, is counted and left out (and --strict refuses the file)."""
    out = tmp_path / "demo.qdpx"
    run("export", "qdpx", out, "-p", linked)

    with Project.open(linked) as p:
        ref = [r for r in p.link_records() if r["coder"] == "reference"]
        bob = [r for r in p.link_records() if r["coder"] == "bob"][0]
    qde = etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    alone = {c.get("guid") for c in qde.iterfind(".//q:Coding", NS) if len(c.getparent().findall("q:Coding", NS)) == 1}
    held = next(r for r in ref if r["source"] in alone)

    def change(root):
        links = root.find("q:Links", NS)
        for el in list(links):
            links.remove(el)
        selection = {c.get("guid"): c.getparent() for c in root.iterfind(".//q:Coding", NS)}
        code = root.find(".//q:Code", NS).get("guid")
        for i, (origin, target, name) in enumerate([
            (selection[held["source"]].get("guid"), held["target"], "Repairs"),  # by its selection, as MAXQDA might
            (code, held["target"], "about"),
            (bob["source"], held["target"], "repairs"),  # bob's repair to the reference coder's rupture
        ]):
            etree.SubElement(links, f"{{{NS['q']}}}Link", guid=f"00000000-0000-4000-8000-00000000000{i}",
                             name=name, direction="Associative", originGUID=origin, targetGUID=target)

    other = tmp_path / "other.qdpx"
    rewrite(out, other, change)
    back = tmp_path / "back.db"
    run("init", "-p", back)
    before = digest(back)
    refused = run("import", other, "--strict", "-p", back, code=2)
    assert "2 links" in refused.output and digest(back) == before
    result = run("import", other, "-p", back)
    assert "1 links between codings" in result.output and "not imported: 2 links" in result.output
    assert "link(s) not imported: accord links two codings of one coder in one source" in result.output
    with Project.open(back) as b:
        [k] = b.link_records()
        assert (k["relation"], k["coder"], k["source"], k["target"]) == ("repairs", "reference", held["source"],
                                                                          held["target"])
