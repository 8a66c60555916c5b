"""Per-client limits: concurrent connections per address, and failed AUTH per account and address."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass

from mailhub.smtp.data_memory import DEFAULT_BUDGET, DataMemory


class ConnectionLimiter:
    """Concurrent connections, per address and in all, the ceiling on one DATA phase, and the large mail
    held in memory at once (``data_memory``)."""

    def __init__(self, limit: int, total: int = 500, data_seconds: float = 600.0,
                 data_memory: DataMemory | None = None) -> None:
        self.limit = limit
        self.total = total
        self.data_seconds = data_seconds
        self.data_memory = data_memory or DataMemory(DEFAULT_BUDGET)
        self.active: dict[str, int] = defaultdict(int)
        self.count = 0

    def acquire(self, address: str) -> bool:
        if self.active[address] >= self.limit or self.count >= self.total:
            if not self.active[address]:
                del self.active[address]
            return False
        self.active[address] += 1
        self.count += 1
        return True

    def release(self, address: str) -> None:
        self.active[address] -= 1
        self.count -= 1
        if self.active[address] <= 0:
            del self.active[address]


@dataclass(frozen=True)
class AuthDecision:
    allowed: bool
    delay: float  # seconds to wait before checking the password


class AuthThrottle:
    """Failed AUTH, counted per account *and* client address together (like Dovecot's auth penalty):
    guesses at one account from one address are slowed after ``free`` attempts (attempts still in
    flight count too, so parallel guesses gain nothing) and refused once ``limit`` fail within
    ``window`` seconds; a colleague's correct password from the same address (an office behind NAT)
    is not touched. Many failures across accounts from one address slow that address down too."""

    def __init__(self, limit: int = 5, window: float = 300.0, free: int = 2, max_delay: float = 15.0,
                 address_limit: int = 30) -> None:
        self.limit, self.window, self.free, self.max_delay, self.address_limit = limit, window, free, max_delay, \
            address_limit
        self.failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.by_address: dict[str, deque[float]] = defaultdict(deque)
        self.in_flight: dict[tuple[str, str], int] = defaultdict(int)

    def _recent(self, entries: deque[float]) -> deque[float]:
        cutoff = time.monotonic() - self.window
        while entries and entries[0] < cutoff:
            entries.popleft()
        return entries

    def begin(self, login: str, address: str) -> AuthDecision:
        """Call before checking a password; pair with ``end``."""
        key = (login.lower(), address)
        attempts = len(self._recent(self.failures[key])) + self.in_flight[key]
        if attempts >= self.limit:
            return AuthDecision(False, 0.0)
        self.in_flight[key] += 1
        delay = 0.0 if attempts < self.free else min(0.5 * 2 ** (attempts - self.free), self.max_delay)
        if len(self._recent(self.by_address[address])) >= self.address_limit:
            delay = max(delay, 2.0)
        return AuthDecision(True, delay)

    def end(self, login: str, address: str, *, success: bool) -> bool:
        """Record the outcome; True when this failure locks the account out from this address."""
        key = (login.lower(), address)
        self.in_flight[key] = max(self.in_flight[key] - 1, 0)
        if not self.in_flight[key]:
            del self.in_flight[key]
        if success:
            self.failures.pop(key, None)
            return False
        now = time.monotonic()
        self._recent(self.failures[key]).append(now)
        self._recent(self.by_address[address]).append(now)
        return len(self.failures[key]) == self.limit
