"""Large mail held in memory at once: a client that declares a large SIZE waits for its share before
354, first come first served, and is told to try later (451 4.3.1) when the wait runs out; small or
undeclared mail never waits. Unit tests of the budget, then the listener with real clients."""

from __future__ import annotations

import asyncio
import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

import pytest

from mailhub.app import App
from mailhub.smtp import data_memory
from mailhub.smtp.data_memory import DataMemory
from tests.mailhub.conftest import seed_province
from tests.mailhub.relay_harness import RunningRelay, Sink, StaticResolver, relay_settings

MB = 1024 * 1024
OFFICIAL, COLLEAGUE = "vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"


def test_large_mail_waits_its_turn_in_order_and_small_mail_never_waits() -> None:
    async def scenario() -> list[object]:
        memory = DataMemory(10 * MB, wait_seconds=5)
        first = await memory.reserve(6 * MB, "10.0.0.1")
        second = asyncio.ensure_future(memory.reserve(6 * MB, "10.0.0.2"))
        third = asyncio.ensure_future(memory.reserve(2 * MB, "10.0.0.3"))  # would fit, but stands behind
        await asyncio.sleep(0.01)
        waiting = (second.done(), third.done(), await memory.reserve(1000, "10.0.0.4"))
        assert first is not None
        memory.release(first, "10.0.0.1")
        granted = (await second, await third, memory.held)
        memory.release(6 * MB, "10.0.0.2")
        memory.release(2 * MB, "10.0.0.3")
        alone = await memory.reserve(50 * MB, "10.0.0.5")  # larger than the budget: it goes alone
        return [first, waiting, granted, alone, memory.held]

    assert asyncio.run(scenario()) == [6 * MB, (False, False, 0), (6 * MB, 2 * MB, 8 * MB), 10 * MB, 10 * MB]


def test_one_address_holds_half_and_its_queue_does_not_block_the_others() -> None:
    async def scenario() -> list[object]:
        memory = DataMemory(10 * MB, wait_seconds=5)
        held = await memory.reserve(4 * MB, "10.0.0.66")  # declares large mail, sends it slowly
        more = [asyncio.ensure_future(memory.reserve(4 * MB, "10.0.0.66")) for _ in range(3)]
        await asyncio.sleep(0.01)
        other = await asyncio.wait_for(memory.reserve(4 * MB, "10.0.0.7"), 1)  # passes the queue ahead
        before = [m.done() for m in more]
        assert held is not None and other is not None
        memory.release(held, "10.0.0.66")
        await asyncio.sleep(0.01)
        after = [m.done() for m in more]
        for m in more:
            m.cancel()
        return [other, before, after, memory.held]

    assert asyncio.run(scenario()) == [4 * MB, [False] * 3, [True, False, False], 8 * MB]


def test_a_client_over_its_share_waiting_for_more_than_is_free_does_not_stop_the_others() -> None:
    async def scenario() -> list[object]:
        memory = DataMemory(10 * MB, wait_seconds=5)
        held = await memory.reserve(5 * MB, "10.0.0.66")
        whole = asyncio.ensure_future(memory.reserve(12 * MB, "10.0.0.66"))  # the whole budget, queued
        await asyncio.sleep(0.01)
        other = await asyncio.wait_for(memory.reserve(MB, "10.0.0.7"), 1)  # 5 MB are free
        whole.cancel()
        assert held is not None
        return [other, memory.held]

    assert asyncio.run(scenario()) == [MB, 6 * MB]


def test_a_wait_that_runs_out_or_is_abandoned_gives_nothing_away() -> None:
    async def scenario() -> list[object]:
        memory = DataMemory(10 * MB, wait_seconds=0.05)
        held = await memory.reserve(10 * MB, "10.0.0.1")
        timed_out = await memory.reserve(5 * MB, "10.0.0.2")
        memory.wait_seconds = 5
        abandoned = asyncio.ensure_future(memory.reserve(5 * MB, "10.0.0.3"))
        behind = asyncio.ensure_future(memory.reserve(3 * MB, "10.0.0.4"))
        await asyncio.sleep(0.01)
        abandoned.cancel()  # the client went away while it waited
        await asyncio.sleep(0.01)
        assert held is not None
        memory.release(held, "10.0.0.1")
        return [timed_out, abandoned.cancelled(), await behind, memory.held]

    assert asyncio.run(scenario()) == [None, True, 3 * MB, 3 * MB]


def test_a_cancel_that_comes_with_the_grant_gives_it_back() -> None:
    async def scenario() -> list[object]:
        memory = DataMemory(10 * MB, wait_seconds=5)
        held = await memory.reserve(10 * MB, "10.0.0.1")
        waiting = asyncio.ensure_future(memory.reserve(5 * MB, "10.0.0.2"))
        await asyncio.sleep(0.01)
        assert held is not None
        memory.release(held, "10.0.0.1")  # grants the waiter...
        waiting.cancel()  # ...whose client goes away in the same turn
        await asyncio.sleep(0.01)
        return [waiting.cancelled(), memory.held]

    assert asyncio.run(scenario()) == [True, 0]


@pytest.fixture
def relay(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningRelay, Sink]]:
    monkeypatch.setattr(data_memory, "WAIT_SECONDS", 1.0)
    sink = Sink().start()
    app = App.build(relay_settings(tmp_path, sqlite_url, sink.port, data_memory_mb=2))
    seed_province(app, tmp_path)
    running = RunningRelay(app, StaticResolver({})).start()
    try:
        yield running, sink
    finally:
        running.stop()
        app.close()
        sink.stop()


def letter(subject: str, size: int) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = OFFICIAL, COLLEAGUE, subject
    message.set_content("Kính gửi các đồng chí.\n" + "Số liệu kèm theo.\n" * (size // 18))
    return message.as_bytes(policy=SMTP_POLICY)


def test_a_client_declaring_large_mail_waits_then_is_told_to_try_later_while_small_mail_goes_through(
        relay: tuple[RunningRelay, Sink]) -> None:
    running, sink = relay
    port = running.submission[1]
    big = letter("Báo cáo lớn", 2 * MB)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as holder:  # holds the budget mid-DATA
        stream = holder.makefile("rwb")

        def say(line: bytes) -> bytes:
            stream.write(line + b"\r\n")
            stream.flush()
            reply = stream.readline()
            while reply[3:4] == b"-":
                reply = stream.readline()
            return reply

        stream.readline()
        say(b"EHLO client.test")
        assert say(f"MAIL FROM:<{OFFICIAL}> SIZE={len(big)}".encode())[:3] == b"250"
        assert say(f"RCPT TO:<{COLLEAGUE}>".encode())[:3] == b"250"
        assert say(b"DATA")[:3] == b"354"
        stream.write(big[:MB])
        stream.flush()

        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:  # smtplib declares SIZE
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.sendmail(OFFICIAL, [COLLEAGUE], letter("Báo cáo lớn khác", 2 * MB))
            client.sendmail(OFFICIAL, [COLLEAGUE], letter("Lịch họp", 2000))  # small: never waits

        stream.write(big[MB:] + b"\r\n.\r\n")
        stream.flush()
        assert stream.readline()[:3] == b"250"
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:  # the budget is free again
        client.sendmail(OFFICIAL, [COLLEAGUE], letter("Báo cáo lớn khác", 2 * MB))

    assert refused.value.smtp_code == 451 and b"4.3.1" in refused.value.smtp_error
    assert len(sink.wait_for(3)) == 3  # the held one, the small one, and the one that tried again
