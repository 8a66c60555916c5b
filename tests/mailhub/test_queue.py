"""The queue's group commit: callers share transactions, each returns after its own commit, and a
message that cannot be written fails alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from mailhub.queue.core import NewMessage, NewRecipient
from mailhub.queue.group_commit import GroupCommit


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


def held_committer() -> tuple[GroupCommit[list[str]], list[list[str]], threading.Event]:
    """A group commit whose transactions wait for the returned event, and the batches it wrote."""
    batches: list[list[str]] = []
    gate = threading.Event()

    @contextmanager
    def begin() -> Iterator[list[str]]:
        gate.wait(5)
        transaction: list[str] = []
        yield transaction
        batches.append(transaction)

    return GroupCommit(begin), batches, gate


def write(name: str) -> Callable[[list[str]], str]:
    """Work that writes ``name`` into its transaction and returns it."""
    def run(transaction: list[str]) -> str:
        transaction.append(name)
        return name
    return run


def test_work_whose_caller_has_gone_is_not_done_and_the_rest_of_its_batch_is() -> None:
    """An SMTP session that drops while its message waits for the commit cancels its future: that
    message is not written (no 250 was sent for it) and the others in the same transaction are."""
    committer, batches, gate = held_committer()
    first = committer.submit_soon(write("Q0"))  # the writer takes it and waits at the gate
    time.sleep(0.2)
    waiting = [committer.submit_soon(write(f"Q{n}")) for n in range(1, 6)]
    assert waiting[2].cancel()  # its caller went away before its transaction began
    gate.set()
    assert first.result(5) == "Q0"
    assert [f.result(5) for n, f in enumerate(waiting) if n != 2] == ["Q1", "Q2", "Q4", "Q5"]
    assert sorted(q for batch in batches for q in batch) == ["Q0", "Q1", "Q2", "Q4", "Q5"]


def test_work_a_client_waits_on_is_committed_ahead_of_claims_and_outcomes_taken_with_it() -> None:
    """A message a session waits on for its 250 does not wait for a large batch of outcomes to be
    written in the same transaction: it is committed in one of its own, first."""
    committer, batches, gate = held_committer()
    held = committer.submit_soon(write("held"))  # the writer takes it and waits at the gate
    time.sleep(0.2)
    later = [committer.submit_soon(write("outcomes-1")), committer.submit_soon(write("Q1"), first=True),
             committer.submit_soon(write("claim")), committer.submit_soon(write("Q2"), first=True)]
    gate.set()
    assert held.result(5) == "held" and [f.result(5) for f in later] == ["outcomes-1", "Q1", "claim", "Q2"]
    assert batches == [["held"], ["Q1", "Q2"], ["outcomes-1", "claim"]]


@pytest.mark.postgres
def test_a_message_after_the_database_ended_the_writers_connection_is_still_written(postgres_schema_url: str) -> None:
    """The writer keeps its connection between transactions; when PostgreSQL ends it (a restart, an
    administrator), the next message is written on a new one, not refused."""
    from sqlalchemy import func, select, text

    from mailhub import db
    from mailhub.queue.core import Queue, RetryPolicy
    from mailhub.store.models import QueuedMessage

    engine = db.make_engine(postgres_schema_url)
    try:
        queue = Queue(engine, RetryPolicy())
        assert queue.enqueue(make(1)) == "Q0001"
        with engine.connect() as connection:
            ended = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state = 'idle'")).scalar()
        assert ended
        assert queue.enqueue(make(2)) == "Q0002"
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(QueuedMessage)).scalar() == 2
    finally:
        engine.dispose()
