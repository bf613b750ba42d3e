"""Drive the real app in its own process: move down and apply a code, over and over.

Prints the id of each coding once the UI shows it as saved, so the parent test can kill
this process at any moment and check that everything the UI confirmed is in the file.
Usage: python drive.py PROJECT CODER TRANSCRIPT [COUNT]
"""

import asyncio
import sys

from accord.tui.app import AccordApp
from accord.tui.screens.coding import CodingScreen


async def main(path: str, coder: str, transcript: str, count: int) -> None:
    app = AccordApp(path, coder=coder, transcript=transcript, offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, CodingScreen):
            await pilot.pause(0.02)
        screen = app.screen
        done = 0
        while count < 0 or done < count:
            screen.last_saved = ""
            await pilot.press("j", "1")
            while "applied" not in screen.last_saved:
                await pilot.pause(0.005)
            print(screen.session.codings[-1].id, flush=True)
            done += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else -1))
