"""The delivery manager when something inside mailhub fails mid-delivery (a fault injected into the
SMTP client side, not the network): the item is deferred and recorded, the claim's pass ends, and
the next claim is delivered. The queue is a real SQLite file; the peer is a real SMTP sink on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import Session, select

from mailhub import db
from mailhub.delivery.deliverer import Connection, Deliverer
from mailhub.delivery.manager import DeliveryManager
from mailhub.delivery.routing import Route
from mailhub.queue.core import DeliveryJob, FailedDelivery, NewMessage, NewRecipient, Queue, RecipientJob, RetryPolicy
from mailhub.store.models import QueueRecipient
from tests.mailhub.relay_harness import Sink


class OneRoute:
    def __init__(self, route: Route) -> None:
        self.route_to = route

    async def route(self, domain: str) -> Route:
        return self.route_to


class FailingOnce(Deliverer):
    """A real deliverer whose first connection breaks with a programming error (not an OSError)."""

    def __init__(self) -> None:
        super().__init__("mailhub.test", timeout=10)
        self.failed = False

    async def connect(self, route: Route) -> Connection:
        connection = await super().connect(route)
        if not self.failed:
            self.failed = True

            async def broken(*_: object) -> list[object]:
                raise ValueError("a bug in the client")

            connection.send = broken  # type: ignore[method-assign,assignment]
        return connection


def test_a_bug_mid_delivery_defers_that_item_and_delivery_goes_on(tmp_path: Path) -> None:
    sink = Sink().start()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    db.upgrade(engine)
    queue = Queue(engine, RetryPolicy(min_seconds=1, max_seconds=1))
    for n in range(2):
        queue.enqueue(NewMessage(content=f"Subject: {n}\r\n\r\nNội dung.\r\n".encode(), sender="",
                                 recipients=(NewRecipient(f"official{n}@bacninh.gov.vn"),)))

    async def no_dsn(job: DeliveryJob, failed: list[FailedDelivery]) -> None:
        return None

    def no_local(job: DeliveryJob, recipients: tuple[RecipientJob, ...]) -> None:
        raise AssertionError("nothing here is local")

    async def run() -> None:
        manager = DeliveryManager(queue=queue, router=OneRoute(Route("smarthost", (("127.0.0.1", sink.port),))),  # type: ignore[arg-type]
                                  deliverer=FailingOnce(), mail_from=lambda job: "", on_failed=no_dsn,
                                  local=no_local, node="test", poll_seconds=0.2, idle_seconds=0.2)
        task = asyncio.create_task(manager.run())
        for _ in range(100):
            await asyncio.sleep(0.1)
            with Session(engine) as session:
                states = {r.address: r.state for r in session.exec(select(QueueRecipient)).all()}
            if set(states.values()) == {"delivered"}:
                break
        manager.stop()
        await asyncio.wait_for(task, 10)

    try:
        asyncio.run(run())
        with Session(engine) as session:
            rows = session.exec(select(QueueRecipient)).all()
        assert {r.state for r in rows} == {"delivered"}, [(r.address, r.state, r.last_text) for r in rows]
        assert any(r.attempts == 2 for r in rows), "the item the bug hit was deferred, then delivered"
        assert len(sink.messages) == 2
    finally:
        sink.stop()
        engine.dispose()
