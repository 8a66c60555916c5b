"""How much large mail the listeners hold in memory at once.

A DATA section is read into memory whole (``mailhub.smtp.data``), and it stays there while the gate
checks it and the queue writes it: ten clients sending 25 MB at once would have the server hold
250 MB of mail. A client that declares a large message (``MAIL FROM:<...> SIZE=n``, RFC 1870, which
mail clients and MTAs send when the server offers SIZE) reserves that many bytes of ``budget``
before it is told to go ahead (354); while the budget is spent, the next one waits, first come first
served, up to ``wait_seconds``, and then is told to try again later (451 4.3.1), as Postfix answers
when its queue is short of room. Mail declared small, or not declared, never waits. One message
larger than the whole budget goes alone.
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
        self.wait_seconds = WAIT_SECONDS if wait_seconds is None else wait_seconds
        self.held = 0
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    async def reserve(self, declared: int) -> int | None:
        """Bytes reserved for a message declared ``declared`` bytes (0 for a small one, which never
        waits), to be given back with ``release``; None when the wait ran out."""
        if declared < LARGE_BYTES:
            return 0
        size = min(declared, self.budget)
        if not self._waiting and self.held + size <= self.budget:
            self.held += size
            return size
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, waiter)
        self._waiting.append(entry)
        try:
            await asyncio.wait_for(waiter, self.wait_seconds)
        except BaseException as exc:  # the wait ran out, or the session went away
            if waiter.done() and not waiter.cancelled():  # granted just as it gave up
                self.release(size)
            elif entry in self._waiting:
                self._waiting.remove(entry)
                self._grant()  # it may have stood in front of others that fit
            if isinstance(exc, TimeoutError):
                return None
            raise
        return size

    def release(self, size: int) -> None:
        if size:
            self.held -= size
            self._grant()

    def _grant(self) -> None:
        while self._waiting and self.held + self._waiting[0][0] <= self.budget:
            size, waiter = self._waiting.popleft()
            if not waiter.done():
                self.held += size
                waiter.set_result(None)
