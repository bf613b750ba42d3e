"""Opening the app straight on a mistyped transcript says so and writes nothing: not the coder
into the project, not the coder into the preferences (issue 11, part 5)."""

import hashlib

from accord.store import Project
from accord.tui import prefs
from accord.tui.app import AccordApp
from accord.tui.screens.modals import Message

from .conftest import wait_for


async def test_a_mistyped_transcript_leaves_project_and_preferences_alone(project_path, tmp_path):
    before = hashlib.sha256(project_path.read_bytes()).hexdigest()
    app = AccordApp(project_path, coder="carol", transcript="sesion04", offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, Message))
        assert "sesion04" in app.screen.body
    assert prefs.remembered_coder(project_path) is None
    assert not (tmp_path / "config" / "accord" / "prefs.json").exists()
    with Project.open(project_path) as p:
        assert "carol" not in [c["name"] for c in p.coders()]
    assert hashlib.sha256(project_path.read_bytes()).hexdigest() == before
