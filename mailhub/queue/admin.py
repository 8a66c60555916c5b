"""Operator views and actions on the queue: list, show, retry, hold, release, delete, trace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, or_
from sqlmodel import Session, col, select

from mailhub.errors import MailhubError
from mailhub.store.models import (
    ACTIVE,
    DEFERRED,
    FINAL_STATES,
    QUEUED,
    DeliveryLog,
    QueuedMessage,
    QueueRecipient,
)
from mailhub.timeutil import utcnow


@dataclass(frozen=True)
class RecipientView:
    address: str
    original: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_code: int | None
    last_text: str


@dataclass(frozen=True)
class MessageView:
    queue_id: str
    message_id: str
    sender: str
    kind: str
    submitted_by: str
    size: int
    held: bool
    created_at: datetime
    expires_at: datetime
    recipients: tuple[RecipientView, ...]

    @property
    def state(self) -> str:
        if self.held:
            return "held"
        states = {r.state for r in self.recipients}
        for state in (ACTIVE, DEFERRED, QUEUED):
            if state in states:
                return state
        return "done"


@dataclass(frozen=True)
class LogView:
    at: datetime
    queue_id: str
    message_id: str
    recipient: str
    outcome: str
    route: str
    code: int | None
    text: str
    signed: str = ""  # "DKIM d=…; S/MIME" as the message was queued (while its body is kept)
    tls: str = ""  # the connection of this attempt: 'TLSv1.3, verified' …


def signed_summary(content: bytes | None) -> str:
    """What signs a queued message: its DKIM signatures' domains and whether it is S/MIME signed."""
    if not content:
        return ""
    head = content[:65536].split(b"\r\n\r\n", 1)[0]
    found = [f"DKIM d={m.group(1).decode('ascii', 'replace')}"
             for m in re.finditer(rb"(?im)^DKIM-Signature:(?:.|\r\n[ \t])*?\bd=([A-Za-z0-9.-]+)", head)]
    if re.search(rb"(?im)^Content-Type:\s*multipart/signed", head):
        found.append("S/MIME")
    return "; ".join(found) or "not signed"


class QueueAdmin:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def messages(self, *, include_done: bool = False, limit: int = 1000) -> list[MessageView]:
        with Session(self.engine) as session:
            query = select(QueuedMessage).order_by(col(QueuedMessage.id).desc()).limit(limit)
            if not include_done:
                pending = select(QueueRecipient.message_pk).where(
                    col(QueueRecipient.state).not_in(FINAL_STATES))
                query = query.where(or_(col(QueuedMessage.id).in_(pending), col(QueuedMessage.held).is_(True)))
            return [self._view(session, m) for m in session.exec(query).all()]

    def show(self, queue_id: str) -> MessageView:
        with Session(self.engine) as session:
            return self._view(session, self._message(session, queue_id))

    def hold(self, queue_id: str) -> None:
        self._set_held(queue_id, True)

    def release(self, queue_id: str) -> None:
        self._set_held(queue_id, False)

    def retry(self, queue_id: str | None = None) -> int:
        """Make deferred recipients due now (one message, or all)."""
        now = utcnow()
        with Session(self.engine) as session:
            query = select(QueueRecipient).where(col(QueueRecipient.state).in_((DEFERRED, QUEUED)))
            if queue_id:
                query = query.where(QueueRecipient.message_pk == self._message(session, queue_id).id)
            rows = session.exec(query).all()
            for row in rows:
                row.next_attempt_at = now
                session.add(row)
            session.commit()
            return len(rows)

    def delete(self, queue_id: str) -> int:
        """Remove a message; every recipient not yet delivered is logged as deleted."""
        now = utcnow()
        with Session(self.engine) as session:
            message = self._message(session, queue_id)
            rows = session.exec(select(QueueRecipient).where(QueueRecipient.message_pk == message.id)).all()
            pending = [r for r in rows if r.state not in FINAL_STATES]
            for row in pending:
                session.add(DeliveryLog(at=now, queue_id=queue_id, message_id=message.message_id,
                                        recipient=row.address, outcome="deleted", text="deleted by an operator"))
            session.execute(delete(QueueRecipient).where(col(QueueRecipient.message_pk) == message.id))
            session.delete(message)
            session.commit()
            return len(pending)

    def trace(self, needle: str) -> list[LogView]:
        """Every log row for an address, a Message-ID or a queue id, oldest first."""
        value = needle.strip()
        bare = value.strip("<>")
        with Session(self.engine) as session:
            rows = session.exec(select(DeliveryLog).where(or_(
                col(DeliveryLog.recipient) == value.lower(),
                col(DeliveryLog.queue_id) == value.upper(),
                col(DeliveryLog.message_id).in_((value, f"<{bare}>", bare)),
            )).order_by(col(DeliveryLog.id))).all()
            sent_by = session.exec(
                select(QueuedMessage.queue_id).where(col(QueuedMessage.sender) == value.lower())).all()
            if sent_by:
                rows = list(rows) + list(session.exec(select(DeliveryLog).where(
                    col(DeliveryLog.queue_id).in_(sent_by))).all())
            unique = {r.id: r for r in rows}
            queue_ids = {r.queue_id for r in unique.values()}
            signed = {queue_id: signed_summary(content) for queue_id, content in session.exec(
                select(QueuedMessage.queue_id, QueuedMessage.content).where(
                    col(QueuedMessage.queue_id).in_(queue_ids))).all()} if queue_ids else {}
            return [LogView(r.at, r.queue_id, r.message_id, r.recipient, r.outcome, r.route, r.code, r.text,
                            signed.get(r.queue_id, ""), r.tls)
                    for r in sorted(unique.values(), key=lambda r: r.id or 0)]

    def _message(self, session: Session, queue_id: str) -> QueuedMessage:
        message = session.exec(select(QueuedMessage).where(QueuedMessage.queue_id == queue_id.upper())).first()
        if message is None:
            raise MailhubError(f"no message {queue_id!r} in the queue")
        return message

    def _set_held(self, queue_id: str, held: bool) -> None:
        with Session(self.engine) as session:
            message = self._message(session, queue_id)
            message.held = held
            session.add(message)
            session.commit()

    @staticmethod
    def _view(session: Session, message: QueuedMessage) -> MessageView:
        rows = session.exec(select(QueueRecipient).where(QueueRecipient.message_pk == message.id)
                            .order_by(col(QueueRecipient.id))).all()
        return MessageView(
            queue_id=message.queue_id, message_id=message.message_id, sender=message.sender or "<>",
            kind=message.kind, submitted_by=message.submitted_by, size=message.size, held=message.held,
            created_at=message.created_at, expires_at=message.expires_at,
            recipients=tuple(RecipientView(r.address, r.original, r.state, r.attempts,
                                           r.next_attempt_at if r.state not in FINAL_STATES else None,
                                           r.last_code, r.last_text) for r in rows),
        )
