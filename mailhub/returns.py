"""What comes back to mailhub's return paths: DSNs update the delivery log; the DSNs
mailhub owes senders go out through the same intake as any other mail."""

from __future__ import annotations

import asyncio
import logging

from mailhub.dsn import build_failure_dsn, parse_returned_dsn
from mailhub.intake import LOCAL, Intake, Submission
from mailhub.queue import Clock, DeliveryJob, FailedDelivery, Queue
from mailhub.smtp.replies import SmtpRefusal

log = logging.getLogger("mailhub.returns")


class ReturnedMail:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def __call__(self, queue_id: str, content: bytes) -> None:
        statuses = parse_returned_dsn(content)
        if not statuses:
            log.info("mail to the return path of %s is not a DSN; recorded nothing", queue_id)
            return
        for status in statuses:
            self.queue.log_returning_dsn(queue_id, status.recipient, status.action, status.status,
                                         status.diagnostic)


class BounceNotifier:
    """One RFC 3464 DSN per message and pass, with the null sender; never a bounce of a bounce."""

    def __init__(self, *, intake: Intake, hostname: str, service_domain: str, organisation: str,
                 clock: Clock) -> None:
        self.intake = intake
        self.hostname = hostname
        self.service_domain = service_domain
        self.organisation = organisation
        self.clock = clock

    async def __call__(self, job: DeliveryJob, failures: list[FailedDelivery]) -> None:
        if not job.sender or job.kind == "dsn" or not failures:
            return
        content = build_failure_dsn(
            sender=job.sender, original=job.content, failures=failures, hostname=self.hostname,
            service_domain=self.service_domain, organisation=self.organisation, arrival=job.created_at,
            now=self.clock(),
        )
        submission = Submission(content=content, mail_from="", rcpt_tos=(job.sender,), listener=LOCAL,
                                helo=self.hostname, kind="dsn")
        try:
            await asyncio.to_thread(self.intake.accept, submission)
        except SmtpRefusal as refusal:
            log.warning("DSN for %s to %s refused: %s", job.queue_id, job.sender, refusal.reply)
