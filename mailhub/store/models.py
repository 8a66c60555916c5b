"""Service tables: the queue, the append-only delivery log, activity and audit events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from mailhub.timeutil import utcnow

# Recipient states (Postfix's vocabulary): queued -> active -> delivered | deferred | bounced; held.
QUEUED, ACTIVE, DELIVERED, DEFERRED, BOUNCED = "queued", "active", "delivered", "deferred", "bounced"
PENDING_STATES = (QUEUED, DEFERRED)
FINAL_STATES = (DELIVERED, BOUNCED)


class QueuedMessage(SQLModel, table=True):
    """One accepted message, stored exactly as it will be sent (with our Received header)."""

    __tablename__ = "queue_message"

    id: int | None = Field(default=None, primary_key=True)
    queue_id: str = Field(max_length=32, unique=True, index=True)
    message_id: str = Field(default="", max_length=998, index=True)
    sender: str = Field(default="", max_length=320)  # envelope sender; "" is the null sender
    kind: str = Field(default="relay", max_length=16)  # relay, dsn, composed, forward
    submitted_by: str = Field(default="", max_length=320)  # login, "trusted", "inbound" or "local"
    client_address: str = Field(default="", max_length=64)
    size: int = 0
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    held: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime


class QueueRecipient(SQLModel, table=True):
    __tablename__ = "queue_recipient"

    id: int | None = Field(default=None, primary_key=True)
    message_pk: int = Field(foreign_key="queue_message.id", index=True)
    address: str = Field(max_length=320, index=True)
    original: str = Field(default="", max_length=320)  # what the client wrote, e.g. a group address
    domain: str = Field(max_length=253)
    state: str = Field(default=QUEUED, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    last_code: int | None = None
    last_text: str = Field(default="", max_length=1000)
    dsn_sent: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow)


class DeliveryLog(SQLModel, table=True):
    """Append-only: one row per recipient per attempt, and one per returning DSN."""

    __tablename__ = "delivery_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    queue_id: str = Field(max_length=32, index=True)
    message_id: str = Field(default="", max_length=998, index=True)
    recipient: str = Field(max_length=320, index=True)
    outcome: str = Field(max_length=16)  # delivered, deferred, bounced, dsn-*
    route: str = Field(default="", max_length=300)
    code: int | None = None
    text: str = Field(default="", max_length=1000)
    tls: str = Field(default="", max_length=64)  # 'TLSv1.3, verified', 'TLSv1.3, not verified', 'no TLS'


class ActivityEvent(SQLModel, table=True):
    """A sign of an official using email: submission, invitation reply, read receipt, mailbox login."""

    __tablename__ = "activity_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    address: str = Field(max_length=320, index=True)
    kind: str = Field(max_length=32)
    detail: str = Field(default="", max_length=1000)
    # Imported lines only: a hash of the line's source, time and text, so a re-import stores nothing twice.
    source_key: str | None = Field(default=None, max_length=64, unique=True, index=True)


class AuditEvent(SQLModel, table=True):
    """Refusals worth auditing. Never holds message content: metadata and a hash only."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(max_length=32)
    sender: str = Field(default="", max_length=320)
    recipients: str = Field(default="", max_length=4000)
    client_address: str = Field(default="", max_length=64)
    sha256: str = Field(default="", max_length=64)
    rule: str = Field(default="", max_length=64)
    location: str = Field(default="", max_length=500)
    detail: str = Field(default="", max_length=1000)


class ServiceSecret(SQLModel, table=True):
    """Secrets shared by every node (e.g. the key that signs return paths)."""

    __tablename__ = "service_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)


class ActivityDaily(SQLModel, table=True):
    """Activity events counted per day, address and kind: what usage statistics read."""

    __tablename__ = "activity_daily"

    day: date = Field(primary_key=True)
    address: str = Field(primary_key=True, max_length=320)
    kind: str = Field(primary_key=True, max_length=32)
    count: int = 0
