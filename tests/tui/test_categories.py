"""A category (`codable: false`) groups codes in the coding screen but is never offered to apply."""

from accord.codebook import parse_codebook
from accord.store import Project
from accord.transcripts import read_transcript
from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen
from accord.tui.screens.modals import Choose

from .conftest import ROOT, screen_ready, wait_for

BOOK = """name: categories
codes:
  - name: Emotions
    codable: false
  - name: Joy
    parent: Emotions
    hotkey: j
  - name: Anxiety
    parent: Emotions
"""


async def test_the_code_picker_leaves_out_categories(tmp_path):
    path = tmp_path / "p.db"
    with Project.create(path) as p:
        p.load_codebook(parse_codebook(BOOK))
        p.import_transcript(read_transcript(ROOT / "sample_transcripts" / "session01_cbt_panic.txt"))
        p.add_coder("alice")
    app = AccordApp(path, coder="alice", transcript="session01_cbt_panic", offer_demo=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await screen_ready(pilot, CodingScreen)
        await pilot.press("enter")  # apply a code to the utterance under the cursor
        picker = await screen_ready(pilot, Choose)
        options = picker.query_one("#choose-list")
        await wait_for(pilot, lambda: options.option_count == 2)
        assert {options.get_option_at_index(i).id for i in range(2)} == {"Joy", "Anxiety"}
