"""A code the codebook gives to some roles, imported on another role's turn: the coder's table
is imported as it is, with a warning per row (file line, transcript, utterance, code, role) by
the same rule the coding screen warns with; REFI-QDA imports warn too; `accord sequences`
counts such a rupture as coded and says so."""

from __future__ import annotations

import json

import pytest

from accord.coding.session import CodingSession
from accord.store import Project
from conftest import run

SESSION = "session01_cbt_panic"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    run("demo", "--project", path)
    return path


def _turns(project, role):
    t = project.transcript(SESSION)
    return [u.number for u in t.utterances if t.roles.get(u.speaker) == role]


@pytest.fixture()
def table(demo, tmp_path):
    """A copy of the demo and a coder's table: a client-only code on a therapist's turn (line 3),
    the same code on a client's turn (line 2), a code for every role on a therapist's turn (line 4)."""
    project = tmp_path / "p.db"
    project.write_bytes(demo.read_bytes())
    with Project.open(project) as p:
        therapist, client = _turns(p, "therapist")[0], _turns(p, "client")[0]
    csv = tmp_path / "ben.csv"
    csv.write_text("transcript,utterance,code\n"
                   f"{SESSION},{client},Defending self\n"
                   f"{SESSION},{therapist},Defending self\n"
                   f"{SESSION},{therapist},Genuineness\n", encoding="utf-8")
    return project, csv, therapist


def test_import_keeps_the_row_and_warns_naming_it_by_the_coding_screens_rule(table):
    project, csv, therapist = table
    result = run("codings", "import", csv, "--coder", "ben", "-p", project)
    assert "Imported 3 codings for coder 'ben'" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: {csv} line 3: {SESSION} utterance {therapist}: 'Defending self' "
                                  "is a code for the client and participant's turns")
    assert "is the therapist's" in warnings[0] and warnings[0].endswith("imported as coded")
    with Project.open(project) as p:
        ben = p.codings(coder="ben")
        assert len(ben) == 3
        off = next(c for c in ben if c.code == "Defending self"
                   and p.transcript(SESSION).utterances[therapist - 1].start == c.start)
        screen = CodingSession(p, SESSION, "ben").role_warning(off.code, off.start, off.end)
    assert screen and warnings[0].split(f"utterance {therapist}: ", 1)[1] == f"{screen}; imported as coded"


def test_import_json_carries_the_warnings(table):
    project, csv, therapist = table
    out = json.loads(run("codings", "import", csv, "--coder", "ben", "--json", "-p", project).stdout)
    assert out["imported"] == {"ben": 3}
    [w] = out["role_warnings"]
    assert (w["line"], w["transcript"], w["utterance"], w["code"], w["role"], w["roles"], w["coder"]) == (
        3, SESSION, therapist, "Defending self", "therapist", ["client", "participant"], "ben")


def test_refi_import_warns_too(table, tmp_path):
    project, csv, therapist = table
    run("codings", "import", csv, "--coder", "ben", "-p", project)
    run("export", "qdpx", tmp_path / "ben.qdpx", "--coders", "ben", "-p", project)
    fresh = tmp_path / "fresh.db"
    run("init", "-p", fresh)
    result = run("import", tmp_path / "ben.qdpx", "-p", fresh)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and f"{SESSION} utterance {therapist} (ben): 'Defending self'" in warnings[0]
    again = tmp_path / "again.db"
    run("init", "-p", again)
    [summary] = json.loads(run("import", tmp_path / "ben.qdpx", "--json", "-p", again).stdout)
    assert [(w["utterance"], w["code"], w["role"]) for w in summary["role_warnings"]] == [
        (therapist, "Defending self", "therapist")]
    assert "new_coding_ids" not in summary


def test_sequences_count_an_off_role_rupture_and_flag_it(table):
    project, csv, therapist = table
    csv.write_text(csv.read_text().splitlines()[0] + "\n" + csv.read_text().splitlines()[2] + "\n")
    run("codings", "import", csv, "--coder", "ben", "-p", project)
    data = json.loads(run("sequences", "--coder", "ben", "--episodes", "--json", "-p", project).stdout)
    assert data["overall"]["ruptures"] == 1 and data["overall"]["ruptures_off_role"] == 1
    [episode] = data["episodes"]
    assert episode["rupture"]["first"] == therapist and "client and participant's turns" in episode["rupture"]["off_role"]
    text = run("sequences", "--coder", "ben", "--episodes", "-p", project).stdout
    assert "warning: counted as coded: 1 rupture(s) and 0 repair(s)" in text
    import csv as csv_module

    [row] = csv_module.DictReader(run("sequences", "--coder", "ben", "--episodes", "--csv", "-p",
                                      project).stdout.splitlines())
    assert row["rupture_off_role"] == episode["rupture"]["off_role"] and row["repair_off_role"] == ""
    assert f"{therapist}: Defending self [Confrontation rupture] by Therapist (therapist) !role" in text


def test_a_fitting_rupture_is_not_flagged(demo):
    data = json.loads(run("sequences", SESSION, "--coder", "reference", "--episodes", "--json", "-p", demo).stdout)
    assert data["overall"]["ruptures_off_role"] == 0
    assert all(e["rupture"]["off_role"] is None for e in data["episodes"])
    assert "warning: counted as coded" not in run("sequences", SESSION, "--coder", "reference", "-p", demo).stdout
