"""The DSNs mailhub owes senders: they go out through the same intake as any other mail. (What
comes back to the return paths is read by the replies stage, ``mailhub.replies``.)"""

from __future__ import annotations

import asyncio
import logging

from mailhub.delivery.dsn import build_failure_dsn
from mailhub.queue.core import Clock, DeliveryJob, FailedDelivery
from mailhub.relay.intake import LOCAL, Intake, Submission
from mailhub.relay.refusals import Refused

log = logging.getLogger("mailhub.delivery.bounces")


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
        except Refused as refusal:
            log.warning("DSN for %s to %s refused: %s", job.queue_id, job.sender, refusal.reply)
