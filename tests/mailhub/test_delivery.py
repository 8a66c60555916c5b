"""Delivery outcomes, retries, DSNs in both directions, against real SMTP peers on loopback."""

from __future__ import annotations

import email
import time
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from mailhub.store.models import DeliveryLog, QueueRecipient
from tests.mailhub.conftest import World, WorldFactory, wait_until
from tests.mailhub.relay_harness import Sink, free_port
from tests.mailhub.test_relay import message


def send(world: World, sender: str, recipients: list[str], subject: str = "Thông báo") -> None:
    with world.relay.smtp() as client:
        client.sendmail(sender, recipients, message(sender, recipients[0], subject))


def states(world: World) -> dict[str, str]:
    with Session(world.app.engine) as session:
        return {r.address: r.state for r in session.exec(select(QueueRecipient)).all()}


def outcomes(world: World) -> list[tuple[str, str, int | None]]:
    with Session(world.app.engine) as session:
        return [(r.recipient, r.outcome, r.code) for r in session.exec(select(DeliveryLog).order_by(DeliveryLog.id))]


def test_temporary_failure_is_retried_until_delivered(world: World) -> None:
    attempts = {"n": 0}

    def flaky(address: str) -> str | None:
        attempts["n"] += 1
        return "451 4.3.0 Mailbox server busy" if attempts["n"] <= 2 else None

    world.sink.handler.reply_for = flaky
    send(world, "vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"])

    assert wait_until(lambda: states(world) == {"vinhnq@bacninh.gov.vn": "delivered"})
    assert [o[1:] for o in outcomes(world)] == [("deferred", 451), ("deferred", 451), ("delivered", 250)]
    assert len(world.sink.messages) == 1


def test_permanent_failure_bounces_with_one_dsn_from_the_null_sender(world: World) -> None:
    world.internet.handler.reply_for = lambda a: "550 5.1.1 No such user" if a.startswith("ghost") else None
    send(world, "vinhnq@bacninh.gov.vn", ["ghost@gmail.com", "ghost2@gmail.com", "friend@gmail.com"])

    [dsn] = world.sink.wait_for(1)
    assert dsn.mail_from in ("", "<>") and dsn.rcpt_tos == ["vinhnq@bacninh.gov.vn"]
    report = email.message_from_bytes(dsn.content)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["Auto-Submitted"] == "auto-generated"
    human = report.get_payload()[0].get_payload(decode=True).decode("utf-8")
    assert "không chuyển được thư" in human and "ghost@gmail.com" in human
    blocks = report.get_payload()[1].get_payload()
    assert [str(b["Final-Recipient"]) for b in blocks[1:]] == ["rfc822; ghost@gmail.com", "rfc822; ghost2@gmail.com"]
    assert all(str(b["Status"]) == "5.1.1" for b in blocks[1:])
    assert states(world)["friend@gmail.com"] == "delivered"
    time.sleep(1.5)
    assert len(world.sink.messages) == 1  # never a second DSN, never a bounce of the bounce


def test_upstream_down_then_up_everything_arrives(make_world: WorldFactory) -> None:
    world = make_world()
    port = world.sink.port
    world.sink.stop()
    send(world, "vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn", "huongttt@bacninh.gov.vn"])
    assert wait_until(lambda: any(o[1] == "deferred" for o in outcomes(world)))

    revived = Sink(port=port).start()
    try:
        assert wait_until(lambda: set(states(world).values()) == {"delivered"})
        assert sorted(r for m in revived.messages for r in m.rcpt_tos) == [
            "huongttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]
    finally:
        revived.stop()


def test_lifetime_expiry_bounces_and_tells_the_sender(make_world: WorldFactory) -> None:
    world = make_world(internet_port=free_port(), queue_lifetime_seconds=2)
    send(world, "vinhnq@bacninh.gov.vn", ["friend@gmail.com"])

    [dsn] = world.sink.wait_for(1, timeout=20)
    assert states(world)["friend@gmail.com"] == "bounced"
    assert b"expired" in dsn.content and b"Status: 5.4.7" in dsn.content


def test_at_most_fifty_recipients_per_transaction(world: World) -> None:
    world.internet.handler.transactions = 0
    recipients = [f"user{i}@gmail.com" for i in range(120)]
    send(world, "vinhnq@bacninh.gov.vn", recipients)

    world.internet.wait_for(3)
    assert wait_until(lambda: sum(len(m.rcpt_tos) for m in world.internet.messages) == 120)
    assert max(len(m.rcpt_tos) for m in world.internet.messages) <= 50


def test_returning_dsn_updates_the_delivery_log_and_forgeries_are_refused(world: World) -> None:
    send(world, "vanthu@bacninh.gov.vn", ["friend@gmail.com"])
    [delivered] = world.internet.wait_for(1)
    return_path = delivered.mail_from
    queue_id = return_path.split("+")[1].split(".")[0]
    dsn = (
        f"From: MAILER-DAEMON@gmail.com\r\nTo: {return_path}\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nMailbox full.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.gmail.com\r\n\r\n"
        "Final-Recipient: rfc822; friend@gmail.com\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n--b--\r\n"
    ).encode()

    with world.relay.smtp("inbound", source="127.0.0.2") as client:
        client.ehlo("mx.gmail.com")
        client.mail("")
        assert client.rcpt(return_path)[0] == 250
        assert client.data(dsn)[0] == 250
        client.mail("")
        forged = f"bounce+{queue_id}.0000000000@lich.bacninh.gov.vn"
        assert client.rcpt(forged)[0] == 550

    # read after the queue, by the replies stage: the DSN is committed first, then recorded
    assert wait_until(lambda: states(world).get("friend@gmail.com") == "bounced")
    assert states(world) == {"friend@gmail.com": "bounced", return_path.lower(): "delivered"}
    assert ("friend@gmail.com", "dsn-failed", 550) in outcomes(world)
    assert (return_path.lower(), "delivered", 250) in outcomes(world)


def test_dsn_reaches_an_office_system_the_directory_does_not_list(world: World) -> None:
    world.internet.handler.reply_for = lambda a: "550 5.1.1 No such user"
    send(world, "vanthu@bacninh.gov.vn", ["ghost@gmail.com"])
    [dsn] = world.sink.wait_for(1)
    assert dsn.rcpt_tos == ["vanthu@bacninh.gov.vn"] and dsn.mail_from in ("", "<>")


def test_a_busy_connections_outcomes_are_written_within_a_second_not_only_by_count(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a long backlog a connection may take a while to gather a full batch of outcomes; what a crash
    would send again is bounded by age too (``RESULT_SECONDS``), not only by the batch's size."""
    import asyncio

    from mailhub.delivery import manager

    written: list[int] = []

    class Queue:
        async def record_many_async(self, batch: list[tuple[object, list[object]]]) -> list[object]:
            written.append(sum(len(results) for _, results in batch))
            return []

    class Work:
        def item_done(self) -> None:
            pass

    monkeypatch.setattr(manager, "RESULT_SECONDS", 0.05)

    def job(n: int) -> SimpleNamespace:
        return SimpleNamespace(queue_id=f"Q{n}")

    def results(*addresses: str) -> list[SimpleNamespace]:
        return [SimpleNamespace(address=a) for a in addresses]

    async def run() -> None:
        buffer = manager._ResultBuffer(Queue(), size=1000)  # type: ignore[arg-type]
        await buffer.add(job(1), results("a@x.vn"), Work())  # type: ignore[arg-type]
        await asyncio.sleep(0.01)
        await buffer.add(job(2), results("b@x.vn"), Work())  # type: ignore[arg-type]
        assert written == []  # young and few: still gathering
        await asyncio.sleep(0.06)
        await buffer.add(job(3), results("c@x.vn", "d@x.vn"), Work())  # type: ignore[arg-type]
        await asyncio.gather(*buffer.writing)
        assert written == [4]

    asyncio.run(run())
