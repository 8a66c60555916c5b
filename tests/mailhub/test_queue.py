"""The queue's group commit: callers share transactions, each returns after its own commit, and a
message that cannot be written fails alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from mailhub.queue.core import GroupCommit, NewMessage, NewRecipient


def make(n: int) -> NewMessage:
    return NewMessage(content=b"x", sender="a@b.vn", recipients=(NewRecipient("c@d.vn"),), queue_id=f"Q{n:04d}")


def test_concurrent_callers_share_transactions_and_a_bad_message_fails_alone() -> None:
    batches: list[list[str]] = []
    gate = threading.Event()

    @contextmanager
    def begin() -> Iterator[list[str]]:
        gate.wait(5)  # hold the first transaction so that the others pile up behind it
        transaction: list[str] = []
        yield transaction
        batches.append(transaction)  # committed: only a transaction that ended without an exception

    def write(message: NewMessage) -> Callable[[list[str]], str]:
        def run(transaction: list[str]) -> str:
            if message.queue_id == "Q0013":
                raise ValueError("cannot write Q0013")
            transaction.append(message.queue_id)
            return message.queue_id
        return run

    committer: GroupCommit[list[str]] = GroupCommit(begin)
    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(committer.submit, write(make(n))) for n in range(40)]
        gate.set()
        results = []
        for n, future in enumerate(futures):
            if n == 13:
                with pytest.raises(ValueError):
                    future.result()
            else:
                results.append(future.result())
    assert sorted(results) == sorted(f"Q{n:04d}" for n in range(40) if n != 13)
    assert len(batches) < 39  # fewer transactions than messages
    assert sorted(q for batch in batches for q in batch) == sorted(results)
