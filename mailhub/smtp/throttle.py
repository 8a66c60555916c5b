"""Per-client-address limits: concurrent connections and failed AUTH attempts."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class ConnectionLimiter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active: dict[str, int] = defaultdict(int)

    def acquire(self, address: str) -> bool:
        if self.active[address] >= self.limit:
            return False
        self.active[address] += 1
        return True

    def release(self, address: str) -> None:
        self.active[address] -= 1
        if self.active[address] <= 0:
            del self.active[address]


class AuthThrottle:
    """After ``limit`` failures within ``window`` seconds, an address is refused until they age out."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, address: str) -> deque[float]:
        entries = self.failures[address]
        cutoff = time.monotonic() - self.window
        while entries and entries[0] < cutoff:
            entries.popleft()
        return entries

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.limit

    def failed(self, address: str) -> None:
        self._recent(address).append(time.monotonic())

    def succeeded(self, address: str) -> None:
        self.failures.pop(address, None)
