"""Outcomes written in bulk: a claim is two statements and a batch of results a few, whatever the
number of recipients (a notice to a province is 10,000 of them).

Recipients with the same outcome, reply and next attempt move on in one ``UPDATE ... WHERE id IN``;
the delivery-log rows go in one ``INSERT``; who is owed a DSN is decided by the database
(``dsn_sent`` flips once, ``RETURNING`` says for whom).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, or_, select
from sqlmodel import col

from mailhub.store.bulk import insert_rows, update_ids
from mailhub.store.models import (
    ACTIVE,
    BOUNCED,
    DEFERRED,
    PENDING_STATES,
    DeliveryLog,
    QueuedMessage,
    QueueRecipient,
)

log = logging.getLogger("mailhub.queue.core")

CHUNK = 500  # ids per IN (...)
CLAIM_BYTES = 64 * 1024 * 1024  # message content one claim may load: a few large messages, or many small ones


@dataclass(frozen=True)
class Claimed:
    """A recipient claimed for delivery, with its message's row id."""

    id: int
    message_pk: int
    address: str
    domain: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What one attempt at one recipient comes to, ready to write."""

    recipient_id: int
    address: str
    state: str
    code: int | None
    text: str
    route: str
    next_attempt_at: datetime | None
    queue_id: str
    message_id: str
    owes_dsn: bool  # a bounce the sender hears about (not for a DSN, not for the null sender)
    tls: str = ""


# built once: a claim runs many times a second under load, and only its parameters change
_DUE = (
    select(col(QueueRecipient.id), col(QueueRecipient.message_pk), col(QueueRecipient.address),
           col(QueueRecipient.domain), col(QueueRecipient.attempts), col(QueuedMessage.size))
    .join(QueuedMessage, col(QueuedMessage.id) == col(QueueRecipient.message_pk))
    .where(col(QueuedMessage.held).is_(False))
    .where(or_(
        col(QueueRecipient.state).in_(PENDING_STATES) & (col(QueueRecipient.next_attempt_at) <= bindparam("now")),
        (col(QueueRecipient.state) == ACTIVE) & (col(QueueRecipient.claimed_until) < bindparam("now")),
    ))
    .order_by(col(QueueRecipient.next_attempt_at))
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True, of=QueueRecipient)
)
_MESSAGES = (
    select(col(QueuedMessage.id), col(QueuedMessage.queue_id), col(QueuedMessage.message_id),
           col(QueuedMessage.sender), col(QueuedMessage.kind), col(QueuedMessage.content),
           col(QueuedMessage.created_at), col(QueuedMessage.expires_at), col(QueuedMessage.submitted_by))
    .where(col(QueuedMessage.id).in_(bindparam("pks", expanding=True)))
)


def claim(connection: Connection, node: str, now: datetime, limit: int, lease: timedelta,
          max_bytes: int = CLAIM_BYTES) -> list[Claimed]:
    """Due recipients (and expired claims of dead nodes) marked active for ``node``; SKIP LOCKED on
    PostgreSQL so that nodes never claim the same recipient. The messages of one claim add up to at
    most ``max_bytes`` (at least one message): their content is held in memory while they are sent."""
    rows: list[Claimed] = []
    messages: set[int] = set()
    total = 0
    for row in connection.execute(_DUE, {"now": now, "limit": limit}).all():
        if row[1] not in messages:
            if messages and total + row[5] > max_bytes:
                break
            messages.add(row[1])
            total += row[5]
        rows.append(Claimed(row[0] or 0, row[1], row[2], row[3], row[4]))
    for chunk in _chunks([r.id for r in rows]):
        update_ids(connection, QueueRecipient, chunk, dict(state=ACTIVE, claimed_by=node, claimed_until=now + lease))
    return rows


def messages(connection: Connection, pks: set[int]) -> dict[int, Any]:
    """The claimed recipients' messages by row id (what a DeliveryJob carries)."""
    return {m.id: m for m in connection.execute(_MESSAGES, {"pks": list(pks)})}


def write(connection: Connection, outcomes: Sequence[Outcome], now: datetime) -> tuple[list[Outcome], list[Outcome]]:
    """Move each recipient on and log the attempt. Returns (the outcomes written, the bounces whose
    sender is now owed a DSN: each recipient at most once, ever). A recipient deleted meanwhile is
    skipped, unlogged."""
    groups: dict[tuple[str, int | None, str, datetime | None], list[int]] = {}
    for outcome in outcomes:
        key = (outcome.state, outcome.code, outcome.text[:1000], outcome.next_attempt_at)
        groups.setdefault(key, []).append(outcome.recipient_id)
    present: set[int] = set()
    for (state, code, text, next_attempt_at), ids in groups.items():
        values: dict[str, Any] = dict(state=state, last_code=code, last_text=text, claimed_by=None,
                                      claimed_until=None, updated_at=now)
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        for chunk in _chunks(ids):
            present.update(update_ids(connection, QueueRecipient, chunk, values, increment=("attempts",)))
    written = [o for o in outcomes if o.recipient_id in present]
    insert_rows(connection, DeliveryLog, ("queue_id", "message_id", "recipient", "outcome", "route", "code", "text",
                                          "tls"),
                [(o.queue_id, o.message_id, o.address, o.state, o.route[:300], o.code, o.text[:1000], o.tls[:64])
                 for o in written], dict(at=now))
    owed = [o.recipient_id for o in written if o.state == BOUNCED and o.owes_dsn]
    first_time: set[int] = set()
    for chunk in _chunks(owed):
        first_time.update(update_ids(connection, QueueRecipient, chunk, dict(dsn_sent=True),
                                     only_if=dict(dsn_sent=False)))
    return written, [o for o in written if o.recipient_id in first_time]


def log_written(written: Sequence[Outcome]) -> None:
    """The mail log, after the commit and outside the writer: one line per message and reply, naming
    every recipient that reply was for (a transaction of 50 is one line, not 50; every address is
    still there to grep for)."""
    lines: dict[tuple[str, str, str, int | None, str, str], list[str]] = {}
    for o in written:
        lines.setdefault((o.queue_id, o.route, o.state, o.code, o.text[:200], o.tls), []).append(f"<{o.address}>")
    for (queue_id, route, state, code, text, tls), addresses in lines.items():
        log.info("%s: to=%s relay=%s status=%s (%s%s)%s", queue_id, ",".join(addresses), route, state,
                 f"{code} " if code else "", text, f" tls={tls}" if tls else "")


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


__all__ = ["BOUNCED", "DEFERRED", "Claimed", "Outcome", "claim", "log_written", "write"]
