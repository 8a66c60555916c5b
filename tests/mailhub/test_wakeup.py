"""A command that queues mail wakes the delivery of a `serve` on the same home at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mailhub.delivery.wakeup import WakeListener, poke


def test_a_poke_wakes_the_server_and_without_a_server_goes_nowhere(tmp_path: Path) -> None:
    home = tmp_path / "h"
    poke(home)  # nobody listens (not even a folder yet): nothing happens, nothing fails

    async def run() -> int:
        woken = asyncio.Event()
        count = 0

        def wake() -> None:
            nonlocal count
            count += 1
            woken.set()

        loop = asyncio.get_running_loop()
        listener = WakeListener(home, wake)
        listener.start(loop)
        poke(home)
        poke(home)
        await asyncio.wait_for(woken.wait(), 5)
        listener.close(loop)
        poke(home)  # after the server stopped: nothing happens
        return count

    assert asyncio.run(run()) >= 1
    assert not (home / "delivery.wake").exists()
