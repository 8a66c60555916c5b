"""The delivery manager: claims due recipients, groups them by route, delivers over a
bounded number of reused connections, and records every outcome.

Never runs inside an SMTP dialog; database calls go to a thread so the event loop
keeps serving clients.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mailhub.delivery.deliverer import MAX_RCPT_PER_TRANSACTION, Connection, Deliverer, Outcome
from mailhub.delivery.routing import LOCAL_ROUTE, Route, RouteError, Router
from mailhub.queue.core import DeliveryJob, FailedDelivery, Queue, RecipientJob, RecipientResult
from mailhub.store.models import BOUNCED, DEFERRED

log = logging.getLogger("mailhub.delivery")

FailureHandler = Callable[[DeliveryJob, list[FailedDelivery]], Awaitable[None]]
LocalStage = Callable[[DeliveryJob, tuple[RecipientJob, ...]], None]  # reads and records in one transaction
MailFrom = Callable[[DeliveryJob], str]
CLAIM_GATHER_SECONDS = 0.01  # the pause after a claim that found work (and had room for more)
IN_FLIGHT_BYTES = 32 * 1024 * 1024  # message content held by claims in flight before the next claim waits
RESULT_SECONDS = 1.0  # a connection's outcomes wait at most this long (while it is busy) to be written


@dataclass(frozen=True)
class WorkItem:
    job: DeliveryJob
    recipients: tuple[RecipientJob, ...]


class _Pass:
    """One claim's work. When its last recipient's outcome is committed, the DSNs it owes are sent."""

    def __init__(self, jobs: list[DeliveryJob]) -> None:
        self.job_by_id = {job.queue_id: job for job in jobs}
        self.items = 0
        self.failures: dict[str, list[FailedDelivery]] = {}
        self.done = asyncio.Event()

    def item_done(self) -> None:
        self.items -= 1
        if self.items == 0:
            self.done.set()


@dataclass
class _Lane:
    """The work waiting for one route, and the connections (workers) serving it. Connections stay
    open while work keeps coming, and a short while after (Postfix's connection cache), so that the
    next claim's messages go out without a new connect, greeting and EHLO."""

    route: Route
    items: collections.deque[tuple[WorkItem, _Pass]] = field(default_factory=collections.deque)
    workers: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


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
        batch: int = 2000,
        in_flight: int = 10000,
        lease_seconds: int = 300,
        poll_seconds: float = 1.0,
        idle_seconds: float = 2.0,
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
        self.in_flight = in_flight  # recipients claimed and not yet recorded, at most (then claims wait)
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._claimed = 0
        self._claimed_bytes = 0
        self._passes: set[asyncio.Task[None]] = set()
        self._lanes: dict[tuple[object, ...], _Lane] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Thread-safe: called by intake after a commit."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def arrived(self) -> None:
        """``wake`` from the manager's own event loop (a message it wrote for the listeners): no hand-off."""
        self._wake.set()

    async def run(self) -> None:
        """Claim and deliver until stopped; then finish what was claimed (the caller bounds the wait)."""
        self._loop = asyncio.get_running_loop()
        try:
            while not self._stopping:
                try:
                    await self._one_pass()
                except Exception:  # the manager must outlive any one failure; the claims' lease hands work back
                    log.exception("delivery pass failed; retrying shortly")
                    await asyncio.sleep(self.poll_seconds)
            if self._passes:
                await asyncio.gather(*self._passes, return_exceptions=True)
            for lane in self._lanes.values():
                lane.arrived.set()  # idle connections close now
            if self._workers:
                await asyncio.gather(*self._workers, return_exceptions=True)
        finally:  # cancelled when the grace time is over: nothing goes on sending what is handed back
            for lane in self._lanes.values():
                lane.items.clear()
            workers = list(self._workers)
            for task in workers:
                task.cancel()
            if workers:
                await asyncio.gather(*workers, return_exceptions=True)

    async def _one_pass(self) -> None:
        while (self._claimed >= self.in_flight or self._claimed_bytes >= IN_FLIGHT_BYTES) and not self._stopping:
            self._room.clear()
            await self._room.wait()
        if self._stopping:
            return
        self._wake.clear()  # before claiming, so a wake-up during the claim is not lost
        limit = min(self.batch, self.in_flight - self._claimed)
        jobs = await self.queue.claim_due_async(self.node, limit, self.lease_seconds,
                                               IN_FLIGHT_BYTES - self._claimed_bytes)
        if not jobs:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            return
        claimed, size = sum(len(job.recipients) for job in jobs), sum(len(job.content) for job in jobs)
        self._claimed += claimed
        self._claimed_bytes += size
        task = asyncio.create_task(self._deliver_claimed(jobs, claimed, size))  # the next claim goes on meanwhile
        self._passes.add(task)
        task.add_done_callback(self._passes.discard)
        if claimed < limit and not self._stopping:
            # more is arriving (the listeners wake us after every commit): let it gather for a moment, so
            # that under load one claim takes a batch instead of each commit's few messages
            await asyncio.sleep(CLAIM_GATHER_SECONDS)

    async def _deliver_claimed(self, jobs: list[DeliveryJob], claimed: int, size: int) -> None:
        try:
            await self.deliver_pass(jobs)
        except Exception:  # what was not recorded goes back to the queue when the lease ends
            log.exception("delivery of a claim failed; its recipients return when the lease ends")
        finally:
            self._claimed -= claimed
            self._claimed_bytes -= size
            self._room.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._room.set()

    async def deliver_pass(self, jobs: list[DeliveryJob]) -> None:
        """Deliver these jobs (through the lanes, beside any other pass) and return once every outcome
        is committed and the DSNs they owe are sent."""
        work = _Pass(jobs)
        remote: list[tuple[Route, WorkItem]] = []
        routes: dict[str, Route | RouteError] = {}  # one look-up per domain, however many messages go there
        for job in jobs:
            by_domain: dict[str, list[RecipientJob]] = {}
            for recipient in job.recipients:
                by_domain.setdefault(recipient.domain, []).append(recipient)
            for domain, recipients in by_domain.items():
                if domain not in routes:
                    try:
                        routes[domain] = await self.router.route(domain)
                    except RouteError as error:
                        routes[domain] = error
                route_or_error = routes[domain]
                if isinstance(route_or_error, RouteError):
                    outcome = BOUNCED if route_or_error.permanent else DEFERRED
                    code = 550 if route_or_error.permanent else None
                    results = [RecipientResult(r.id, r.address, outcome, code, str(route_or_error), f"route:{domain}")
                               for r in recipients]
                    await self._record(job, results, work.failures)
                    continue
                route = route_or_error
                if route == LOCAL_ROUTE:
                    await self._local(job, tuple(recipients), work.failures)
                    continue
                for start in range(0, len(recipients), MAX_RCPT_PER_TRANSACTION):
                    remote.append((route, WorkItem(job, tuple(recipients[start:start + MAX_RCPT_PER_TRANSACTION]))))
        if remote:
            work.items = len(remote)
            for route, item in remote:
                self._lane(route).items.append((item, work))
            for lane in {id(lane): lane for lane in (self._lane(route) for route, _ in remote)}.values():
                self._staff(lane)
            await work.done.wait()
        for queue_id, failed in work.failures.items():
            try:
                await self.on_failed(work.job_by_id[queue_id], failed)
            except Exception:  # a DSN that cannot be made must not stop delivery
                log.exception("could not send a DSN for %s", queue_id)

    def _lane(self, route: Route) -> _Lane:
        """One lane per destination: the same hosts in any order (MX hosts of equal preference come back
        from DNS in turn) are the same destination, and share its connections and its limit."""
        key = _lane_key(route)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(route)
        return lane

    def _staff(self, lane: _Lane) -> None:
        """Wake the lane's idle connections, and open more (up to the route's limit) for what waits."""
        lane.arrived.set()
        wanted = min(self.connections_per_route, len(lane.items)) - lane.workers
        for _ in range(max(wanted, 0)):
            lane.workers += 1
            task = asyncio.create_task(self._lane_worker(lane))
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    async def _local(self, job: DeliveryJob, recipients: tuple[RecipientJob, ...],
                     failures: dict[str, list[FailedDelivery]]) -> None:
        try:
            await asyncio.to_thread(self.local, job, recipients)
        except Exception as exc:  # nothing was written (one transaction): try again later, like a 4xx
            log.exception("%s: the replies stage failed; will retry", job.queue_id)
            await self._record(job, [RecipientResult(r.id, r.address, DEFERRED, None,
                                                     f"replies stage: {type(exc).__name__}", "local:replies")
                                     for r in recipients], failures)

    async def _lane_worker(self, lane: _Lane) -> None:
        route = lane.route
        connection: Connection | None = None
        buffer = _ResultBuffer(self.queue)
        try:
            async with self.connections:
                idle = False
                while True:
                    if not lane.items:
                        await buffer.flush()  # this worker's outcomes are committed before it waits
                        if self._stopping or not await self._more_work(lane):
                            break
                        idle = True
                        continue
                    item, work = lane.items.popleft()
                    try:
                        connection = await self._deliver_item(route, connection, item, work, buffer, idle)
                    except Exception as exc:  # a bug must not leave the claim's pass waiting for this item
                        log.exception("%s: delivery to %s failed", item.job.queue_id, route.name)
                        if connection is not None:
                            connection.abort()
                            connection = None
                        await buffer.add(item.job, [
                            RecipientResult(r.id, r.address, DEFERRED, None, f"delivery failed: {type(exc).__name__}",
                                            route.name) for r in item.recipients], work)
                    idle = False
        finally:
            lane.workers -= 1
            if lane.workers == 0 and not lane.items and self._lanes.get(_lane_key(route)) is lane:
                del self._lanes[_lane_key(route)]  # a destination not written to lately holds nothing
            await buffer.flush()
            if connection is not None:
                await connection.close()

    async def _deliver_item(self, route: Route, connection: Connection | None, item: WorkItem, work: _Pass,
                            buffer: _ResultBuffer, idle: bool) -> Connection | None:
        """One transaction on the lane's connection (opened, or checked after a wait, first); returns the
        connection to go on with (None when it could not be opened)."""
        if connection is not None and idle and not await connection.usable():
            connection.abort()
            connection = None
        if connection is None or not connection.alive:
            try:
                connection = await self.deliverer.connect(route)
            except (OSError, TimeoutError) as exc:
                text = f"cannot connect to {route.name}: {exc}"
                await buffer.add(item.job, [RecipientResult(r.id, r.address, DEFERRED, None, text, route.name)
                                            for r in item.recipients], work)
                return None
        try:
            outcomes = await self._send(connection, item)
        except Exception:
            connection.abort()  # the caller drops it: no socket left open behind a failure
            raise
        by_address = {o.recipient: o for o in outcomes}
        where = f"{route.kind}:{connection.host[0]}:{connection.host[1]}"
        await buffer.add(item.job, [
            RecipientResult(r.id, r.address, by_address[r.address].outcome, by_address[r.address].code,
                            by_address[r.address].text, where, connection.tls)
            for r in item.recipients], work)
        return connection

    async def _more_work(self, lane: _Lane) -> bool:
        """Wait up to ``idle_seconds`` for new work on an open connection."""
        deadline = asyncio.get_running_loop().time() + self.idle_seconds
        while not lane.items and not self._stopping:  # woken for work another connection took: wait on
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            lane.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lane.arrived.wait(), timeout=left)
        return bool(lane.items) and not self._stopping

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
        failed = await self.queue.record_many_async([(job, results)])
        if failed:
            failures.setdefault(job.queue_id, []).extend(failed)


class _ResultBuffer:
    """Outcomes written in batches, in the background: the connection goes on to its next transaction
    while the last one's outcomes are committed (the queue's writer joins the batches of every
    connection into one transaction). A batch goes once it holds ``size`` outcomes or its oldest is
    ``RESULT_SECONDS`` old. A crash re-sends at most what was not yet committed. Each item counts as
    done for its pass once its outcomes are committed."""

    def __init__(self, queue: Queue, size: int = 4 * MAX_RCPT_PER_TRANSACTION) -> None:
        self.queue = queue
        self.size = size
        self.pending: list[tuple[DeliveryJob, list[RecipientResult], _Pass]] = []
        self.count = 0
        self.since = 0.0  # when the oldest outcome not yet handed to the writer was added
        self.writing: list[asyncio.Task[None]] = []

    async def add(self, job: DeliveryJob, results: list[RecipientResult], work: _Pass) -> None:
        now = time.monotonic()
        if not self.pending:
            self.since = now
        self.pending.append((job, results, work))
        self.count += len(results)
        # by count, or by age: under a long backlog, a crash then sends again at most a second's worth
        if self.count >= self.size or now - self.since >= RESULT_SECONDS:
            self.writing = [t for t in self.writing if not t.done()]
            self.writing.append(asyncio.create_task(self._write()))

    async def _write(self) -> None:
        if not self.pending:
            return
        batch, self.pending, self.count = self.pending, [], 0
        try:
            failed = await self.queue.record_many_async([(job, results) for job, results, _ in batch])
        except Exception:  # not recorded: the lease hands these recipients back, and they are sent again
            log.exception("could not record %d delivery outcomes", sum(len(r) for _, r, _ in batch))
            failed = []
        passes = {(job.queue_id, result.address): work for job, results, work in batch for result in results}
        for failure in failed:
            work = passes[(failure.queue_id, failure.recipient)]
            work.failures.setdefault(failure.queue_id, []).append(failure)
        for _, _, work in batch:
            work.item_done()

    async def flush(self) -> None:
        """Everything added is committed when this returns."""
        self.writing.append(asyncio.create_task(self._write()))
        await asyncio.gather(*self.writing)
        self.writing = []


def _lane_key(route: Route) -> tuple[object, ...]:
    return route.kind, frozenset(route.hosts), route.tls, route.credentials
