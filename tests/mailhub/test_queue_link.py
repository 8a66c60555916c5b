"""The listeners' messages written by the delivery process (``mailhub.queue.link``): the answer comes only
after the commit, a failed write is an error for that message alone, and a link that breaks or stalls
fails what waits on it (the listener answers 451 and writes the next messages itself). Both ends run
here over a real socket pair, the writing end on a real database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from concurrent.futures import Future

import pytest
from sqlalchemy import select

from mailhub import db
from mailhub.errors import MailhubError
from mailhub.queue.core import NewMessage, NewRecipient, Queue, RetryPolicy
from mailhub.queue.link import LinkLost, QueueLink, serve_link
from mailhub.store.models import QueuedMessage


def message(queue_id: str, size: int = 5_000) -> NewMessage:
    return NewMessage(content=b"Subject: t\r\n\r\n" + b"x" * size, stamps=b"Received: by mailhub\r\n",
                      sender="vanthu@bacninh.gov.vn", recipients=(NewRecipient("vinhnq@bacninh.gov.vn"),),
                      queue_id=queue_id)


def stored(queue: Queue) -> dict[str, bytes]:
    with queue.engine.connect() as connection:
        return {row.queue_id: bytes(row.content) for row in connection.execute(
            select(QueuedMessage.queue_id, QueuedMessage.content))}


async def linked(write: Callable[[NewMessage], Future[str]], written: Callable[[], None],
                 answer_seconds: float = 60) -> tuple[QueueLink, asyncio.Task[None], socket.socket]:
    ours, theirs = socket.socketpair()
    serving = asyncio.create_task(serve_link(theirs, write, written))
    link = QueueLink(ours, answer_seconds=answer_seconds)
    await link.open()
    return link, serving, theirs


def test_a_message_is_committed_before_its_answer_and_a_failed_write_fails_alone(database_url: str) -> None:
    engine = db.make_engine(database_url)
    queue = Queue(engine, RetryPolicy())
    seen: list[list[str]] = []  # what was committed each time the writing end said "written"

    async def run() -> None:
        link, serving, _ = await linked(queue.enqueue_soon, lambda: seen.append(sorted(stored(queue))))
        assert await link.enqueue(message("QLINK1")) == "QLINK1"
        assert "QLINK1" in stored(queue)  # committed when the answer came
        with pytest.raises(MailhubError, match="IntegrityError"):  # the same queue id again: a failed write
            await link.enqueue(message("QLINK1"))
        answers = await asyncio.gather(*(link.enqueue(message(f"QLINK{n}")) for n in range(2, 30)))
        assert answers == [f"QLINK{n}" for n in range(2, 30)] and link.usable
        link.close()
        await serving

    asyncio.run(run())
    contents = stored(queue)
    engine.dispose()
    assert sorted(contents) == sorted(f"QLINK{n}" for n in range(1, 30))
    assert contents["QLINK7"] == b"Received: by mailhub\r\n" + message("QLINK7").content
    assert len(seen) == 29 and all(f"QLINK{n}" in later for n, later in zip(range(1, 30), seen, strict=False))


def test_a_delivery_process_gone_mid_write_fails_what_waits_and_the_link_is_not_used_again() -> None:
    never: Future[str] = Future()  # a write that never commits: the writing end dies first

    async def run() -> None:
        link, serving, theirs = await linked(lambda _: never, lambda: None)
        waiting = asyncio.create_task(link.enqueue(message("QGONE")))
        await asyncio.sleep(0.05)
        serving.cancel()  # the process ends: its end of the pair closes
        theirs.close()
        with pytest.raises(LinkLost):
            await asyncio.wait_for(waiting, 5)
        assert not link.usable
        with pytest.raises(LinkLost):
            await link.enqueue(message("QNEXT"))
        never.set_result("late")  # let the cancelled answer finish

    asyncio.run(run())


def test_a_delivery_process_that_does_not_answer_is_given_up_on_within_the_deadline() -> None:
    stuck: Future[str] = Future()

    async def run() -> None:
        link, serving, _ = await linked(lambda _: stuck, lambda: None, answer_seconds=0.3)
        with pytest.raises(LinkLost, match=r"did not answer within 0\.3 s"):
            await asyncio.wait_for(link.enqueue(message("QSTUCK")), 5)
        assert not link.usable  # the listeners write themselves from now on
        stuck.set_result("QSTUCK")
        await asyncio.wait_for(serving, 5)

    asyncio.run(run())


def test_the_listener_writes_itself_when_the_link_is_down_or_the_message_large(
        database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """``Queue.enqueue_async``: through the link only while it is usable and for messages up to
    LINK_BYTES; otherwise, or when the link is lost with the message, this process's own writer; either
    way the message is committed."""
    engine = db.make_engine(database_url)
    queue = Queue(engine, RetryPolicy())
    through: list[str] = []

    class Link:
        usable = True

        async def enqueue(self, new: NewMessage) -> str:
            through.append(new.queue_id)
            if new.queue_id == "QLOST":  # the delivery process died with it unanswered (and uncommitted)
                raise LinkLost("the delivery process stopped before it answered")
            queued = await asyncio.wrap_future(queue.enqueue_soon(new))
            if new.queue_id == "QDIED":  # committed, then the delivery process died before it answered
                raise LinkLost("the delivery process stopped before it answered")
            return queued

    async def run() -> list[bool]:
        queue.link = Link()
        results = [await queue.enqueue_async(message("QSMALL")),
                   await queue.enqueue_async(message("QLARGE", size=300 * 1024)),
                   await queue.enqueue_async(message("QLOST")),
                   await queue.enqueue_async(message("QDIED"))]  # not written twice, and no error
        Link.usable = False
        results.append(await queue.enqueue_async(message("QDOWN")))
        results.append(await queue.enqueue_async(message("QDOWN2")))
        return results

    assert asyncio.run(run()) == [True, False, False, False, False, False]
    contents = stored(queue)
    engine.dispose()
    assert through == ["QSMALL", "QLOST", "QDIED"]
    assert [r.message for r in caplog.records if "the listeners' messages are queued" in r.message] == [
        "the listeners' messages are queued by the listeners themselves for now"]  # once, not per message
    assert sorted(contents) == ["QDIED", "QDOWN", "QDOWN2", "QLARGE", "QLOST", "QSMALL"]
