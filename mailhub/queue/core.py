"""The durable queue: enqueue / claim_due / record / hold / release.

``enqueue`` writes the message, its recipients and their activity in ONE
transaction; the SMTP 250 is sent only after it commits. Claims carry a lease so
that a node that dies hands its work back (PostgreSQL: FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mailhub.db import HeldConnection
from mailhub.errors import MailhubError
from mailhub.queue import outcomes
from mailhub.queue.group_commit import GroupCommit
from mailhub.store.bulk import insert_one, insert_rows, write_blob
from mailhub.store.models import (
    ACTIVE,
    BOUNCED,
    DEFERRED,
    DELIVERED,
    QUEUED,
    ActivityEvent,
    DeliveryLog,
    QueuedMessage,
    QueueRecipient,
)
from mailhub.timeutil import utcnow

log = logging.getLogger("mailhub.queue.core")

Clock = Callable[[], datetime]
STREAMED_BYTES = 1024 * 1024  # on SQLite, a larger message is written into its row piece by piece


def _require_recipients(message: NewMessage) -> None:
    if not message.recipients:
        raise MailhubError("a message needs at least one recipient")


def new_queue_id() -> str:
    """Twelve upper-case hex digits, like a Postfix queue id: short enough to read out on the phone."""
    return secrets.token_hex(6).upper()


@dataclass(frozen=True)
class Activity:
    address: str
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class NewRecipient:
    address: str
    original: str = ""


@dataclass(frozen=True)
class NewMessage:
    """A message to queue. What is stored (and sent) is ``stamps`` (the header fields mailhub puts in
    front: DKIM-Signature, Received...) followed by ``content``; kept apart so that a large message is
    never copied whole just to put a few lines in front of it."""

    content: bytes
    sender: str
    recipients: tuple[NewRecipient, ...]
    message_id: str = ""
    kind: str = "relay"
    submitted_by: str = ""
    client_address: str = ""
    activity: tuple[Activity, ...] = ()
    queue_id: str = field(default_factory=lambda: new_queue_id())
    stamps: bytes = b""

    @property
    def size(self) -> int:
        return len(self.stamps) + len(self.content)


@dataclass(frozen=True)
class RecipientJob:
    id: int
    address: str
    domain: str
    attempts: int


@dataclass(frozen=True)
class DeliveryJob:
    """One message and the recipients of it that are due now."""

    message_pk: int
    queue_id: str
    message_id: str
    sender: str
    kind: str
    content: bytes
    created_at: datetime
    expires_at: datetime
    recipients: tuple[RecipientJob, ...]
    submitted_by: str = ""  # who vouches for the sender: a login, "trusted", "mail-server", or a listener


@dataclass(frozen=True)
class RecipientResult:
    recipient_id: int
    address: str
    outcome: str  # delivered, deferred, bounced
    code: int | None
    text: str
    route: str
    tls: str = ""  # what TLS the connection had (delivery/tls_policy.describe)


@dataclass(frozen=True)
class RetryPolicy:
    min_seconds: int = 300
    max_seconds: int = 4000
    lifetime_seconds: int = 432000

    def delay_after(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.min_seconds * 2 ** max(attempts - 1, 0), self.max_seconds))


@dataclass(frozen=True)
class FailedDelivery:
    """A recipient that has bounced or expired and whose sender is owed a DSN."""

    queue_id: str
    recipient: str
    code: int | None
    text: str
    route: str


LINK_BYTES = 256 * 1024  # larger messages are written by the listener itself (streamed into their row)


class LinkLost(MailhubError):
    """The other end of a ``QueueWriter`` went away (or stalled) before it answered: the message may or
    may not be queued there."""


class QueueWriter(Protocol):
    """Another process that writes messages into this queue (``mailhub.queue.link``)."""

    @property
    def usable(self) -> bool: ...

    async def enqueue(self, message: NewMessage) -> str: ...


class Queue:
    def __init__(self, engine: Engine, retry: RetryPolicy, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.retry = retry
        self.clock = clock
        held = HeldConnection(engine)  # the writer's own connection, kept between its transactions
        self._committer: GroupCommit[Connection] = GroupCommit(held.begin, release=held.close)
        self.link: QueueWriter | None = None  # the delivery process's end, when it writes for the listeners
        self._link_up = True

    # -- writing ---------------------------------------------------------------------------

    def enqueue(self, message: NewMessage) -> str:
        """Commit the message, its recipients and their activity; return only once it is durable.

        Concurrent callers share one transaction (group commit): the writer thread takes every
        message waiting, writes them together and commits once, so twenty SMTP sessions cost one
        fsync instead of twenty. Each caller still returns only after its own row is committed.
        """
        return self.enqueue_soon(message).result()

    def enqueue_soon(self, message: NewMessage) -> Future[str]:
        """``enqueue`` without waiting: the future resolves (to the queue id) once the message is durable."""
        _require_recipients(message)

        def write(connection: Connection) -> str:
            self._write_rows(connection, [message])
            return message.queue_id

        return self._committer.submit_soon(write, first=True)

    async def enqueue_async(self, message: NewMessage) -> bool:
        """``enqueue`` on an event loop, with no thread waiting: through ``link`` (the delivery process
        writes it, ``mailhub.queue.link``) when that is up and the message small, else by this process's
        own writer. True when it went through the link (the delivery process knows of it already)."""
        _require_recipients(message)
        link, lost = self.link, False
        usable = link is not None and link.usable
        if link is not None and usable != self._link_up:  # said once each time it goes down or comes back
            self._link_up = usable
            log.log(logging.INFO if usable else logging.WARNING, "the listeners' messages are queued %s",
                    "by the delivery process again" if usable else "by the listeners themselves for now")
        if link is not None and usable and message.size <= LINK_BYTES:
            try:
                await link.enqueue(message)
                return True
            except LinkLost as error:  # written here instead
                log.warning("%s: %s; queued here", message.queue_id, error)
                lost = True
        try:
            await asyncio.wrap_future(self.enqueue_soon(message))
        except IntegrityError:  # after a lost link, its queue id may be there: the other end committed it, then died
            if not (lost and await asyncio.to_thread(self._queued, message.queue_id)):
                raise
        return False

    def _queued(self, queue_id: str) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(QueuedMessage.id).where(col(QueuedMessage.queue_id) == queue_id)
                                      ).first() is not None

    def enqueue_in(self, session: Session, message: NewMessage) -> None:
        """Write the message in the caller's transaction: it is durable when the caller commits,
        together with whatever else the caller wrote (a meeting and its invitation, say)."""
        _require_recipients(message)
        self._write_rows(session.connection(), [message])

    def _write_rows(self, connection: Connection, messages: list[NewMessage]) -> None:
        now = self.clock()
        for message in messages:
            streamed = message.size > STREAMED_BYTES and connection.dialect.name == "sqlite"
            content = b"" if streamed else message.stamps + message.content  # b"" + content is content itself
            message_pk = insert_one(connection, QueuedMessage, dict(
                queue_id=message.queue_id, message_id=message.message_id[:998], sender=message.sender,
                kind=message.kind, submitted_by=message.submitted_by, client_address=message.client_address,
                size=message.size, content=content, held=False, created_at=now,
                expires_at=now + timedelta(seconds=self.retry.lifetime_seconds)))
            if streamed:  # written in pieces into its place: no copy of the whole in SQLite's memory either
                write_blob(connection, QueuedMessage, "content", message_pk, (message.stamps, message.content))
            insert_rows(connection, QueueRecipient, ("message_pk", "address", "original", "domain"),
                        [(message_pk, r.address, r.original, r.address.rpartition("@")[2])
                         for r in message.recipients],
                        dict(state=QUEUED, attempts=0, next_attempt_at=now, last_text="", dsn_sent=False,
                             updated_at=now))
            if message.activity:
                connection.execute(insert(ActivityEvent), [
                    dict(at=now, address=e.address, kind=e.kind, detail=e.detail) for e in message.activity])

    def claim_due(self, node: str, limit: int = 500, lease_seconds: int = 300,
                  max_bytes: int = outcomes.CLAIM_BYTES) -> list[DeliveryJob]:
        """Mark due recipients active for ``node`` and return them grouped by message."""
        return self._jobs(*self._claim_soon(node, limit, lease_seconds, max_bytes).result())

    async def claim_due_async(self, node: str, limit: int = 500, lease_seconds: int = 300,
                              max_bytes: int = outcomes.CLAIM_BYTES) -> list[DeliveryJob]:
        """``claim_due`` on an event loop, with no thread waiting for the writer."""
        return self._jobs(*await asyncio.wrap_future(self._claim_soon(node, limit, lease_seconds, max_bytes)))

    def _claim_soon(self, node: str, limit: int, lease_seconds: int,
                    max_bytes: int) -> Future[tuple[list[outcomes.Claimed], dict[int, Any]]]:
        now = self.clock()

        def claim(connection: Connection) -> tuple[list[outcomes.Claimed], dict[int, Any]]:
            rows = outcomes.claim(connection, node, now, limit, timedelta(seconds=lease_seconds), max(max_bytes, 1))
            return rows, (outcomes.messages(connection, {r.message_pk for r in rows}) if rows else {})

        # through the one writer: a claim never waits on this process's own outcome writes for SQLite's lock
        return self._committer.submit_soon(claim)

    @staticmethod
    def _jobs(rows: list[outcomes.Claimed], messages: dict[int, Any]) -> list[DeliveryJob]:
        jobs: dict[int, list[outcomes.Claimed]] = {}
        for row in rows:
            jobs.setdefault(row.message_pk, []).append(row)
        return [
            DeliveryJob(
                message_pk=pk, queue_id=messages[pk].queue_id, message_id=messages[pk].message_id,
                sender=messages[pk].sender, kind=messages[pk].kind, content=messages[pk].content or b"",
                created_at=messages[pk].created_at, expires_at=messages[pk].expires_at,
                recipients=tuple(RecipientJob(r.id, r.address, r.domain, r.attempts) for r in recipients),
                submitted_by=messages[pk].submitted_by,
            )
            for pk, recipients in jobs.items()
        ]

    def record(self, job: DeliveryJob, results: Iterable[RecipientResult]) -> list[FailedDelivery]:
        """Log every attempt, move each recipient on, and say which senders are owed a DSN."""
        return self.record_many([(job, list(results))])

    def record_many(self, batch: list[tuple[DeliveryJob, list[RecipientResult]]]) -> list[FailedDelivery]:
        """``record`` for several messages; callers at the same moment share one transaction (one
        fsync for a whole burst of deliveries, and one writer instead of twenty waiting on a lock).
        The writer thread only runs the statements; the rows are made, and the log lines written,
        in the caller's thread."""
        return self._recorded(*self._record_soon(batch).result())

    async def record_many_async(self, batch: list[tuple[DeliveryJob, list[RecipientResult]]]) -> list[FailedDelivery]:
        """``record_many`` on an event loop, with no thread waiting for the writer."""
        return self._recorded(*await asyncio.wrap_future(self._record_soon(batch)))

    def _record_soon(self, batch: list[tuple[DeliveryJob, list[RecipientResult]]]
                     ) -> Future[tuple[list[outcomes.Outcome], list[outcomes.Outcome]]]:
        now = self.clock()
        prepared = self._outcomes(batch, now)
        return self._committer.submit_soon(lambda connection: outcomes.write(connection, prepared, now))

    @staticmethod
    def _recorded(written: list[outcomes.Outcome], owed: list[outcomes.Outcome]) -> list[FailedDelivery]:
        outcomes.log_written(written)
        return [FailedDelivery(o.queue_id, o.address, o.code, o.text, o.route) for o in owed]

    def record_in(self, session: Session, job: DeliveryJob, result: RecipientResult) -> None:
        """``record`` of one outcome inside the caller's transaction (the replies stage writes what a
        message said and that its recipient is done in one commit)."""
        now = self.clock()
        written, _ = outcomes.write(session.connection(), self._outcomes([(job, [result])], now), now)
        outcomes.log_written(written)

    def _outcomes(self, batch: list[tuple[DeliveryJob, list[RecipientResult]]],
                  now: datetime) -> list[outcomes.Outcome]:
        attempts = {r.id: r.attempts for job, _ in batch for r in job.recipients}
        return [self._outcome(job, result, attempts.get(result.recipient_id, 0), now)
                for job, results in batch for result in results]

    def _outcome(self, job: DeliveryJob, result: RecipientResult, attempts_before: int,
                 now: datetime) -> outcomes.Outcome:
        attempts = attempts_before + 1
        state, text, next_attempt_at = result.outcome, result.text, None
        if state == DEFERRED:
            if now >= job.expires_at:
                state = BOUNCED
                text = f"delivery time expired after {attempts} attempts; last error: {text}"
            else:
                next_attempt_at = min(now + self.retry.delay_after(attempts), job.expires_at)
        return outcomes.Outcome(result.recipient_id, result.address, state, result.code, text, result.route,
                                next_attempt_at, job.queue_id, job.message_id,
                                owes_dsn=bool(job.sender) and job.kind != "dsn", tls=result.tls)

    def release_claims(self, node: str | None = None) -> int:
        """Hand active recipients back (graceful stop; or all of them on a single-node start)."""
        with Session(self.engine, expire_on_commit=False) as session:
            statement = update(QueueRecipient).where(col(QueueRecipient.state) == ACTIVE)
            if node is not None:
                statement = statement.where(col(QueueRecipient.claimed_by) == node)
            result = session.execute(statement.values(state=DEFERRED, claimed_by=None, claimed_until=None))
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    def log_returning_dsn(self, session: Session, queue_id: str, recipient: str, action: str, status: str,
                          text: str) -> bool:
        """A DSN that came back for one of our messages: log it and update the recipient, in the
        caller's transaction (the replies stage's)."""
        now = self.clock()
        message = session.exec(select(QueuedMessage).where(QueuedMessage.queue_id == queue_id)).first()
        if message is None:
            return False
        row = session.exec(select(QueueRecipient).where(
            QueueRecipient.message_pk == message.id, QueueRecipient.address == recipient.lower())).first()
        session.add(DeliveryLog(at=now, queue_id=queue_id, message_id=message.message_id,
                                recipient=recipient.lower(), outcome=f"dsn-{action}", route="inbound DSN",
                                code=_code_of(status), text=f"{status} {text}"[:1000]))
        if row is not None:
            if action == "failed":
                row.state = BOUNCED
            elif action == "delivered" and row.state != BOUNCED:
                row.state = DELIVERED
            row.last_text = f"DSN {action}: {status} {text}"[:1000]
            row.updated_at = now
            session.add(row)
        return row is not None


def _code_of(status: str) -> int | None:
    first = status.strip()[:1]
    return {"2": 250, "4": 450, "5": 550}.get(first)


__all__ = ["BOUNCED", "DEFERRED", "DELIVERED", "QUEUED", "Activity", "DeliveryJob", "FailedDelivery", "LinkLost",
           "NewMessage", "NewRecipient", "Queue", "RecipientJob", "RecipientResult", "RetryPolicy"]
