"""The queue's group commit: callers share transactions, each returns after its own commit, and a
message that cannot be written fails alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mailhub.queue.core import GroupCommit, NewMessage, NewRecipient


def make(n: int) -> NewMessage:
    return NewMessage(content=b"x", sender="a@b.vn", recipients=(NewRecipient("c@d.vn"),), queue_id=f"Q{n:04d}")


def test_concurrent_callers_share_transactions_and_a_bad_message_fails_alone() -> None:
    batches: list[list[str]] = []
    gate = threading.Event()

    def write(messages: list[NewMessage]) -> None:
        gate.wait(5)  # hold the first transaction so that the others pile up behind it
        if any(m.queue_id == "Q0013" for m in messages):
            raise ValueError("cannot write Q0013")
        batches.append([m.queue_id for m in messages])

    committer = GroupCommit(write)
    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(committer.submit, make(n)) for n in range(40)]
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
