"""The replies stage: the 'local' route of the delivery manager. Each claimed recipient on the
service domain is read (a return path: the DSN it carries; an organizer address: the answers and
read receipts) and marked done, in one transaction."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlmodel import Session

from mailhub.delivery.dsn import parse_returned_dsn
from mailhub.queue.core import DELIVERED, DeliveryJob, Queue, RecipientJob, RecipientResult
from mailhub.relay.verp import ReturnPaths
from mailhub.replies.answers import ReplyProcessor

log = logging.getLogger("mailhub.replies")
ROUTE = "local:replies"


class RepliesStage:
    def __init__(self, *, engine: Engine, queue: Queue, return_paths: ReturnPaths, answers: ReplyProcessor) -> None:
        self.engine = engine
        self.queue = queue
        self.return_paths = return_paths
        self.answers = answers

    def __call__(self, job: DeliveryJob, recipients: tuple[RecipientJob, ...]) -> None:
        """Read the message once for each local recipient and mark it delivered, all in one commit."""
        with Session(self.engine, expire_on_commit=False) as session:
            for recipient in recipients:
                returned_for = self.return_paths.queue_id_of(recipient.address)
                if returned_for:
                    self._returned(session, job, returned_for)
                else:
                    self.answers.record(session, job.content, job.sender, job.queue_id, vouched=job.submitted_by)
                self.queue.record_in(session, job, RecipientResult(
                    recipient.id, recipient.address, DELIVERED, 250, "read by the replies stage", ROUTE))
            session.commit()

    def _returned(self, session: Session, job: DeliveryJob, queue_id: str) -> None:
        statuses = parse_returned_dsn(job.content)
        if not statuses:
            log.info("%s: mail to the return path of %s is not a DSN; recorded nothing", job.queue_id, queue_id)
        for status in statuses:
            self.queue.log_returning_dsn(session, queue_id, status.recipient, status.action, status.status,
                                         status.diagnostic)
            log.info("%s: DSN recorded for %s to=<%s> action=%s status=%s", job.queue_id, queue_id,
                     status.recipient, status.action, status.status)
