"""The delivery manager: claims due recipients, groups them by route, delivers over a
bounded number of reused connections, and records every outcome.

Never runs inside an SMTP dialog; database calls go to a thread so the event loop
keeps serving clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mailhub.delivery.deliverer import MAX_RCPT_PER_TRANSACTION, Connection, Deliverer, Outcome
from mailhub.delivery.routing import LOCAL_ROUTE, Route, RouteError, Router
from mailhub.queue.core import DeliveryJob, FailedDelivery, Queue, RecipientJob, RecipientResult
from mailhub.store.models import BOUNCED, DEFERRED

log = logging.getLogger("mailhub.delivery")

FailureHandler = Callable[[DeliveryJob, list[FailedDelivery]], Awaitable[None]]
LocalStage = Callable[[DeliveryJob, tuple[RecipientJob, ...]], None]  # reads and records in one transaction
MailFrom = Callable[[DeliveryJob], str]


@dataclass(frozen=True)
class WorkItem:
    job: DeliveryJob
    recipients: tuple[RecipientJob, ...]


class DeliveryManager:
    def __init__(
        self,
        *,
        queue: Queue,
        router: Router,
        deliverer: Deliverer,
        mail_from: MailFrom,
        on_failed: FailureHandler,
        local: LocalStage,
        node: str,
        concurrency: int = 100,
        connections_per_route: int = 20,
        batch: int = 10000,
        lease_seconds: int = 300,
        poll_seconds: float = 1.0,
    ) -> None:
        self.queue = queue
        self.router = router
        self.deliverer = deliverer
        self.mail_from = mail_from
        self.on_failed = on_failed
        self.local = local
        self.node = node
        self.connections = asyncio.Semaphore(concurrency)
        self.connections_per_route = connections_per_route
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Thread-safe: called by intake after a commit."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            try:
                await self._one_pass()
            except Exception:  # the manager must outlive any one failure; the claims' lease hands work back
                log.exception("delivery pass failed; retrying shortly")
                await asyncio.sleep(self.poll_seconds)

    async def _one_pass(self) -> None:
        self._wake.clear()  # before claiming, so a wake-up during the claim is not lost
        jobs = await asyncio.to_thread(self.queue.claim_due, self.node, self.batch, self.lease_seconds)
        if not jobs:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            return
        await self.deliver_pass(jobs)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def deliver_pass(self, jobs: list[DeliveryJob]) -> None:
        by_route: dict[Route, list[WorkItem]] = {}
        failures: dict[str, list[FailedDelivery]] = {}
        job_by_id = {job.queue_id: job for job in jobs}
        for job in jobs:
            by_domain: dict[str, list[RecipientJob]] = {}
            for recipient in job.recipients:
                by_domain.setdefault(recipient.domain, []).append(recipient)
            for domain, recipients in by_domain.items():
                try:
                    route = await self.router.route(domain)
                except RouteError as exc:
                    outcome = BOUNCED if exc.permanent else DEFERRED
                    code = 550 if exc.permanent else None
                    results = [RecipientResult(r.id, r.address, outcome, code, str(exc), f"route:{domain}")
                               for r in recipients]
                    await self._record(job, results, failures)
                    continue
                if route == LOCAL_ROUTE:
                    await self._local(job, tuple(recipients), failures)
                    continue
                for start in range(0, len(recipients), MAX_RCPT_PER_TRANSACTION):
                    chunk = tuple(recipients[start:start + MAX_RCPT_PER_TRANSACTION])
                    by_route.setdefault(route, []).append(WorkItem(job, chunk))
        await asyncio.gather(*(self._deliver_route(route, items, failures) for route, items in by_route.items()))
        for queue_id, failed in failures.items():
            try:
                await self.on_failed(job_by_id[queue_id], failed)
            except Exception:  # a DSN that cannot be made must not stop delivery
                log.exception("could not send a DSN for %s", queue_id)

    async def _local(self, job: DeliveryJob, recipients: tuple[RecipientJob, ...],
                     failures: dict[str, list[FailedDelivery]]) -> None:
        try:
            await asyncio.to_thread(self.local, job, recipients)
        except Exception as exc:  # nothing was written (one transaction): try again later, like a 4xx
            log.exception("%s: the replies stage failed; will retry", job.queue_id)
            await self._record(job, [RecipientResult(r.id, r.address, DEFERRED, None,
                                                     f"replies stage: {type(exc).__name__}", "local:replies")
                                     for r in recipients], failures)

    async def _deliver_route(self, route: Route, items: list[WorkItem],
                             failures: dict[str, list[FailedDelivery]]) -> None:
        pending: asyncio.Queue[WorkItem] = asyncio.Queue()
        for item in items:
            pending.put_nowait(item)
        workers = min(len(items), self.connections_per_route)
        await asyncio.gather(*(self._route_worker(route, pending, failures) for _ in range(workers)))

    async def _route_worker(self, route: Route, pending: asyncio.Queue[WorkItem],
                            failures: dict[str, list[FailedDelivery]]) -> None:
        async with self.connections:
            connection: Connection | None = None
            buffer = _ResultBuffer(self.queue, failures)
            try:
                while not pending.empty():
                    item = pending.get_nowait()
                    if connection is None or not connection.alive:
                        try:
                            connection = await self.deliverer.connect(route)
                        except (OSError, TimeoutError) as exc:
                            text = f"cannot connect to {route.name}: {exc}"
                            await buffer.add(item.job, [
                                RecipientResult(r.id, r.address, DEFERRED, None, text, route.name)
                                for r in item.recipients])
                            connection = None
                            continue
                    outcomes = await self._send(connection, item)
                    by_address = {o.recipient: o for o in outcomes}
                    results = [
                        RecipientResult(r.id, r.address, by_address[r.address].outcome, by_address[r.address].code,
                                        by_address[r.address].text, f"{route.kind}:{connection.host[0]}:"
                                                                     f"{connection.host[1]}", connection.tls)
                        for r in item.recipients
                    ]
                    await buffer.add(item.job, results)
            finally:
                await buffer.flush()
                if connection is not None:
                    await connection.close()

    async def _send(self, connection: Connection, item: WorkItem) -> list[Outcome]:
        recipients = [r.address for r in item.recipients]
        try:
            return await connection.send(self.mail_from(item.job), recipients, item.job.content)
        except (OSError, TimeoutError) as exc:
            connection.abort()
            text = f"{type(exc).__name__}: {exc}"
            return [Outcome(r, DEFERRED, None, text) for r in recipients]

    async def _record(self, job: DeliveryJob, results: list[RecipientResult],
                      failures: dict[str, list[FailedDelivery]]) -> None:
        failed = await asyncio.to_thread(self.queue.record, job, results)
        if failed:
            failures.setdefault(job.queue_id, []).extend(failed)


class _ResultBuffer:
    """Outcomes written in batches, in the background: the connection goes on to its next transaction
    while the last one's outcomes are committed (the queue's writer joins the batches of every
    connection into one transaction). A crash re-sends at most what was not yet committed."""

    def __init__(self, queue: Queue, failures: dict[str, list[FailedDelivery]],
                 size: int = MAX_RCPT_PER_TRANSACTION) -> None:
        self.queue = queue
        self.failures = failures
        self.size = size
        self.pending: list[tuple[DeliveryJob, list[RecipientResult]]] = []
        self.count = 0
        self.writing: list[asyncio.Task[None]] = []

    async def add(self, job: DeliveryJob, results: list[RecipientResult]) -> None:
        self.pending.append((job, results))
        self.count += len(results)
        if self.count >= self.size:
            self.writing = [t for t in self.writing if not t.done()]
            self.writing.append(asyncio.create_task(self._write()))

    async def _write(self) -> None:
        if not self.pending:
            return
        batch, self.pending, self.count = self.pending, [], 0
        for failure in await asyncio.to_thread(self.queue.record_many, batch):
            self.failures.setdefault(failure.queue_id, []).append(failure)

    async def flush(self) -> None:
        """Everything added is committed when this returns."""
        self.writing.append(asyncio.create_task(self._write()))
        await asyncio.gather(*self.writing)
        self.writing = []
