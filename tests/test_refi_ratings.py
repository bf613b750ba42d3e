"""Ratings through REFI-QDA: carried in accord's extras, back exactly, conflicts refused."""

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from accord.demo import build_demo
from accord.interchange import read_qdc, read_qdpx, write_qdc, write_qdpx
from accord.store import Project

from conftest import digest, run


@pytest.fixture(scope="module")
def rated(tmp_path_factory) -> Path:
    """The demo (the reference coder's 40 ratings) plus bob, who rates a few segments otherwise."""
    path = tmp_path_factory.mktemp("refi-ratings") / "demo.db"
    build_demo(path)
    with Project.open(path) as p:
        p.add_coder("bob")
        for r in p.ratings(coder="reference")[:7]:
            p.set_rating(r["transcript"], r["scale"], r["segment"], "bob", 1 if r["value"] > 1 else 2)
        p.set_mode("reconciliation")
    return path


def ratings(p: Project) -> list[tuple]:
    return [(r["transcript"], r["scale"], r["segment"], r["coder"], r["value"], r["created_at"], r["updated_at"])
            for r in p.rating_records()]


def test_ratings_and_scales_round_trip_exactly_and_the_file_validates(rated, tmp_path, refi_dir):
    out = tmp_path / "rated.qdpx"
    wrote = run("export", "qdpx", out, "-p", rated).output
    assert "47 ratings" in wrote and "ratings travel in accord's extras: other tools do not read them" in wrote
    with zipfile.ZipFile(out) as zf:
        qde = etree.fromstring(zf.read("project.qde"))
    project_schema = etree.XMLSchema(etree.parse(str(refi_dir / "Project.xsd")))
    assert project_schema.validate(qde), project_schema.error_log
    run("init", "-p", tmp_path / "back.db")
    imported = run("import", out, "-p", tmp_path / "back.db").output
    assert re.search(r", 47 ratings$", imported.splitlines()[0]), imported
    with Project.open(rated) as a, Project.open(tmp_path / "back.db") as b:
        before = ratings(a)
        assert len(before) == 47 and {r[3] for r in before} == {"reference", "bob"}
        assert ratings(b) == before  # dates too, as the store keeps them
        assert b.codebook().ratings == a.codebook().ratings and b.rating_scales()
        # undo takes back a coder's imported ratings, redo puts them back
        b.undo("bob")
        assert b.ratings(coder="bob") == [] and len(b.ratings(coder="reference")) == 40
        b.redo("bob")
        assert [r[:5] for r in ratings(b)] == [r[:5] for r in before]


def test_importing_twice_adds_nothing(rated, tmp_path):
    out = tmp_path / "rated.qdpx"
    with Project.open(rated) as p:
        write_qdpx(p, out)
    bundle = read_qdpx(out)
    assert len(bundle.ratings) == 47
    with Project.create(tmp_path / "twice.db") as p:
        first = p.import_bundle(bundle)
        events = len(p.events())
        state = ratings(p)
        second = p.import_bundle(bundle)
        assert (first["ratings"], first["ratings_skipped"]) == (47, 0)
        assert (second["ratings"], second["ratings_skipped"]) == (0, 47)
        assert ratings(p) == state and len(p.events()) == events


def test_only_the_chosen_coders_ratings_are_exported_and_blind_mode_asks_as_for_codings(rated, tmp_path):
    out = tmp_path / "bob.qdpx"
    assert "7 ratings" in run("export", "qdpx", out, "-p", rated, "--coders", "bob").output
    bundle = read_qdpx(out)
    assert {r["coder"] for r in bundle.ratings} == {"bob"} and len(bundle.ratings) == 7
    assert [name for name, _ in bundle.coders] == ["bob"]
    blind = tmp_path / "blind.db"
    with Project.open(rated) as p:
        write_qdpx(p, tmp_path / "all.qdpx")
    with Project.create(blind) as p:  # a new project is blind
        p.import_bundle(read_qdpx(tmp_path / "all.qdpx"))
    refused = run("export", "qdpx", tmp_path / "refused.qdpx", "-p", blind, code=None)
    assert refused.exit_code != 0 and not (tmp_path / "refused.qdpx").exists()
    run("export", "qdpx", tmp_path / "own.qdpx", "-p", blind, "--coders", "bob")
    assert {r["coder"] for r in read_qdpx(tmp_path / "own.qdpx").ratings} == {"bob"}


def test_a_rating_held_here_with_another_value_refuses_the_import_and_changes_nothing(rated, tmp_path):
    out = tmp_path / "rated.qdpx"
    with Project.open(rated) as p:
        write_qdpx(p, out)
        first = p.ratings(coder="bob")[0]
    target = tmp_path / "here.db"
    run("init", "-p", target)
    run("import", out, "-p", target)
    other = 3 if first["value"] != 3 else 4
    run("ratings", "set", first["transcript"], first["segment"], other, "--scale", first["scale"],
        "--coder", "bob", "-p", target)
    before = digest(target)
    result = run("import", out, "-p", target, code=1)
    assert (f"bob rated segment {first['segment']} of {first['transcript']!r} on {first['scale']!r} "
            f"{first['value']} in the file and {other} in the project") in result.output
    assert "nothing imported" in result.output
    assert digest(target) == before


def test_ratings_on_a_scale_the_codebook_lacks_are_reported_not_dropped_silently(rated, tmp_path):
    out = tmp_path / "rated.qdpx"
    with Project.open(rated) as p:
        write_qdpx(p, out)
        book = p.codebook()
    target = tmp_path / "noscale.db"
    with Project.create(target) as p:
        p.load_codebook(replace(book, ratings=[]))
    result = run("import", out, "-p", target).output
    assert ", 0 ratings" in result
    assert "not imported: 47 ratings on scale 'Rupture intensity', which this project's codebook lacks" in result
    with Project.open(target) as p:
        assert p.rating_records() == [] and p.rating_scales() == []


def test_damaged_ratings_in_the_extras_are_noted(rated, tmp_path):
    out = tmp_path / "rated.qdpx"
    with Project.open(rated) as p:
        write_qdpx(p, out)
    with zipfile.ZipFile(out) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    qde = files["project.qde"].decode()
    damaged = qde.replace('"ratings":[["', '"ratings":[[7,"', 1)  # one entry with a field too many
    assert damaged != qde
    files["project.qde"] = damaged.encode()
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(broken, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    bundle = read_qdpx(broken)
    assert len(bundle.ratings) == 46 and bundle.lost == {"damaged ratings": 1}
    assert any("1 rating(s) in accord's extras are damaged" in n for n in bundle.notes)


def test_a_qdc_codebook_keeps_its_rating_scales(rated, tmp_path):
    with Project.open(rated) as p:
        book = p.codebook()
        write_qdc(book, p.guids("codes"), tmp_path / "book.qdc")
    assert book.ratings and read_qdc(tmp_path / "book.qdc").codebook.ratings == book.ratings
