"""Group commit: one writer thread per process runs whatever database work is waiting in one
transaction, then wakes each caller with its own result."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

C = TypeVar("C")
R = TypeVar("R")


class GroupCommit(Generic[C]):
    """One writer thread that runs whatever work is waiting in one transaction, then wakes each caller
    with its own result: queue writes and delivery outcomes of twenty sessions cost one fsync, and on
    SQLite no two of this process's writers ever wait on each other's lock. A batch that fails is
    retried one piece of work at a time, so one bad message fails alone."""

    def __init__(self, begin: Callable[[], AbstractContextManager[C]], max_batch: int = 100, *,
                 release: Callable[[], None] = lambda: None) -> None:
        self._begin = begin
        self._release = release  # called when the writer thread goes idle (``db.HeldConnection.close``)
        self._max_batch = max_batch
        self._pending: queue.SimpleQueue[tuple[Callable[[C], Any], Future[Any], bool]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, work: Callable[[C], R]) -> R:
        """Run ``work`` in the next transaction; its result once that has committed."""
        return self.submit_soon(work).result()

    def submit_soon(self, work: Callable[[C], R], *, first: bool = False) -> Future[R]:
        """The same, without waiting: the future resolves once the transaction has committed (an event
        loop awaits it with ``asyncio.wrap_future``, and no thread of its own waits in between).
        ``first``: work someone waits on (a client, for its 250) is committed in a transaction of its
        own ahead of the rest taken at the same time (claims, outcomes: bigger, and no one waits)."""
        done: Future[R] = Future()
        self._pending.put((work, done, first))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mailhub-group-commit", daemon=True)
                self._thread.start()
        return done

    def _run(self) -> None:
        while True:
            try:
                batch = [self._pending.get(timeout=5)]
            except queue.Empty:
                self._release()  # idle: this thread alone uses the connection (reopened if work came meanwhile)
                with self._lock:
                    if self._pending.empty():
                        self._thread = None
                        return
                continue
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._pending.get_nowait())
                except queue.Empty:
                    break
            # work whose caller has gone (an SMTP session that dropped while it waited: its future was
            # cancelled, no 250 was sent) is not done; the rest can no longer be cancelled
            batch = [item for item in batch if item[1].set_running_or_notify_cancel()]
            for wanted in (True, False):
                part = [(work, done) for work, done, first in batch if first is wanted]
                if part:
                    self._commit(part)

    def _commit(self, batch: list[tuple[Callable[[C], Any], Future[Any]]], again: bool = False) -> None:
        try:
            with self._begin() as connection:
                results = [work(connection) for work, _ in batch]
        except Exception as exc:
            if len(batch) == 1 and not again:  # once more, on a new connection if the old one had died
                self._commit(batch, again=True)
                return
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for item in batch:  # each alone, on the new connection the failed batch left: no second retry
                self._commit([item], again=True)
            return
        for (_, done), result in zip(batch, results, strict=True):
            done.set_result(result)

