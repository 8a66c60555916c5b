"""Rows written through the driver (``mailhub.store.bulk``) read back exactly, types processed as the ORM
would, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mailhub import db
from mailhub.store import bulk
from mailhub.store.models import QueuedMessage, QueueRecipient


@pytest.mark.parametrize("count", [1, 999, 2501])
def test_many_rows_read_back_exactly(database_url: str, count: int) -> None:
    engine = db.make_engine(database_url)
    now = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    with engine.begin() as connection:
        message = bulk.insert_one(connection, QueuedMessage, dict(
            queue_id="Q1", message_id="<m@x>", sender="a@bacninh.gov.vn", kind="relay", submitted_by="",
            client_address="", size=1, content=b"\x00\xff", held=False, created_at=now, expires_at=now))
        rows = [(message, f"u{n}@bacninh.gov.vn", f"Người {n} <u{n}@x>" if n % 2 else "", "bacninh.gov.vn")
                for n in range(count)]
        bulk.insert_rows(connection, QueueRecipient, ("message_pk", "address", "original", "domain"), rows,
                         dict(state="queued", attempts=0, next_attempt_at=now, last_text="", dsn_sent=False,
                              updated_at=now))
    with engine.connect() as connection:
        stored = connection.execute(select(
            QueueRecipient.message_pk, QueueRecipient.address, QueueRecipient.original, QueueRecipient.domain,
            QueueRecipient.next_attempt_at, QueueRecipient.dsn_sent).order_by(QueueRecipient.id)).all()
        content = connection.execute(select(QueuedMessage.content)).scalar_one()
    engine.dispose()
    assert [tuple(r[:4]) for r in stored] == rows
    assert {(r.next_attempt_at.replace(tzinfo=UTC) if r.next_attempt_at.tzinfo is None else r.next_attempt_at,
             r.dsn_sent) for r in stored} == {(now, False)}
    assert bytes(content) == b"\x00\xff"


@pytest.mark.parametrize("size", [0, 5_000, 3 * 1024 * 1024 + 17])
def test_a_message_is_stored_as_its_stamps_then_its_content(database_url: str, size: int) -> None:
    """Large messages go into SQLite piece by piece (``write_blob``), small ones and PostgreSQL's in one
    value: either way the queue hands delivery the stamps, then the content, byte for byte."""
    from mailhub.queue.core import NewMessage, NewRecipient, Queue, RetryPolicy

    engine = db.make_engine(database_url)
    queue = Queue(engine, RetryPolicy())
    content = bytes(range(256)) * (size // 256) + b"\r\n.\x00" * (size % 256 // 4)
    stamps = b"Received: from vm ([127.0.0.1])\r\n\tby mailhub (mailhub) with ESMTP id Q\r\n"
    queue.enqueue(NewMessage(content=content, stamps=stamps, sender="a@bacninh.gov.vn",
                             recipients=(NewRecipient("b@bacninh.gov.vn"),)))
    [job] = queue.claim_due("node", 10)
    with engine.connect() as connection:
        stored_size = connection.execute(select(QueuedMessage.size)).scalar_one()
    engine.dispose()
    assert bytes(job.content) == stamps + content
    assert stored_size == len(stamps) + len(content)
