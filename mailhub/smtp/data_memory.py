"""How much large mail the listeners hold in memory at once.

A DATA section is read into memory whole (``mailhub.smtp.data``), and it stays there while the gate
checks it and the queue writes it: ten clients sending 25 MB at once would have the server hold
250 MB of mail. A client that declares a large message (``MAIL FROM:<...> SIZE=n``, RFC 1870, which
mail clients and MTAs send when the server offers SIZE) reserves that many bytes of ``budget``
before it is told to go ahead (354); while the budget is spent, the next one waits, first come first
served, up to ``wait_seconds``, and then is told to try again later (451 4.3.1), as Postfix answers
when its queue is short of room. One address holds at most half the budget (its first message may be
larger and goes alone): a client that declares large mail and sends it slowly keeps the others' half
free. Mail declared small, or not declared, never waits.
"""

from __future__ import annotations

import asyncio
from collections import deque

LARGE_BYTES = 1024 * 1024  # a message declared this large or larger reserves its size
DEFAULT_BUDGET = 96 * 1024 * 1024  # MAILHUB_DATA_MEMORY_MB: ten 24 MB messages in flight, serve's peak 240 MB
WAIT_SECONDS = 60.0  # well inside the two minutes a client waits for the reply to DATA (RFC 5321 4.5.3.2)


class DataMemory:
    def __init__(self, budget: int, wait_seconds: float | None = None) -> None:
        self.budget = budget
        self.share = budget // 2  # what one address may hold: one client alone never takes it all
        self.wait_seconds = WAIT_SECONDS if wait_seconds is None else wait_seconds
        self.held = 0
        self._held_by: dict[str, int] = {}
        self._waiting: deque[tuple[int, str, asyncio.Future[None]]] = deque()

    async def reserve(self, declared: int, client: str = "") -> int | None:
        """Bytes reserved for a message declared ``declared`` bytes from ``client`` (0 for a small one,
        which never waits), to be given back with ``release``; None when the wait ran out."""
        if declared < LARGE_BYTES:
            return 0
        size = min(declared, self.budget)
        if not self._waiting and self._fits(size, client):
            self._take(size, client)
            return size
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, client, waiter)
        self._waiting.append(entry)
        self._grant()  # those ahead may all be clients that hold their share already
        try:
            async with asyncio.timeout(self.wait_seconds):  # not wait_for: it can swallow a cancel that
                await waiter  # comes with the grant (Python 3.11), and a session gone would go on
        except BaseException as exc:  # the wait ran out, or the session went away
            if waiter.done() and not waiter.cancelled():  # granted just as it gave up
                self.release(size, client)
            elif entry in self._waiting:
                self._waiting.remove(entry)
                self._grant()  # it may have stood in front of others that fit
            if isinstance(exc, TimeoutError):
                return None
            raise
        return size

    def release(self, size: int, client: str = "") -> None:
        if size:
            self.held -= size
            left = self._held_by.get(client, 0) - size
            if left > 0:
                self._held_by[client] = left
            else:
                self._held_by.pop(client, None)
            self._grant()

    def _fits(self, size: int, client: str) -> bool:
        mine = self._held_by.get(client, 0)
        return self.held + size <= self.budget and (not mine or mine + size <= self.share)

    def _take(self, size: int, client: str) -> None:
        self.held += size
        self._held_by[client] = self._held_by.get(client, 0) + size

    def _grant(self) -> None:
        """In order of arrival; a waiter whose address holds its share already is passed over (its turn
        comes when its own message ends), so that one client's queue never blocks everyone else's."""
        for entry in list(self._waiting):
            size, client, waiter = entry
            mine = self._held_by.get(client, 0)
            if waiter.done():
                self._waiting.remove(entry)
            elif mine and mine + size > self.share:
                continue  # passed over, whatever its size: it never holds up the others
            elif self.held + size > self.budget:
                return  # the first that does not fit the budget waits for it, and those behind it too
            else:
                self._waiting.remove(entry)
                self._take(size, client)
                waiter.set_result(None)
