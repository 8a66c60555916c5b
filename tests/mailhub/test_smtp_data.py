"""DATA read in blocks (mailhub.smtp.data): the same message, refusal and left-over bytes as aiosmtpd's
line-by-line loop, however the bytes are cut into packets; and through a real listener on loopback."""

from __future__ import annotations

import asyncio
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailhub.smtp.data import BLOCK, NOMINAL, TOO_LONG, TOO_MUCH, DataSection, read_data
from mailhub.smtp.listener import start_listener
from mailhub.smtp.throttle import ConnectionLimiter
from tests.mailhub.relay_harness import free_port

LINE_LIMIT = 1001


def line_by_line(stream: bytes, size_limit: int | None) -> tuple[DataSection, bytes]:
    """aiosmtpd's rules, one line at a time: the reference the block reader must agree with."""
    position, lines, state, size = 0, [], NOMINAL, 0
    while True:
        end = stream.find(b"\r\n", position)
        assert end != -1, "the test stream has no end line"
        line, position = stream[position:end + 2], end + 2
        if line == b".\r\n":
            break
        if state == NOMINAL and len(line) - 2 > LINE_LIMIT:  # aiosmtpd's reader overruns before counting it
            state, lines = TOO_LONG, []
        size += len(line)
        if state == NOMINAL and size_limit and size > size_limit:
            state, lines = TOO_MUCH, []
        if state == NOMINAL and len(line) > LINE_LIMIT:
            state, lines = TOO_LONG, []
        if state == NOMINAL:
            lines.append(line[1:] if line.startswith(b".") else line)
    return DataSection(b"".join(lines) if state == NOMINAL else b"", state), stream[position:]


async def blockwise(stream: bytes, size_limit: int | None, pieces: list[int]) -> tuple[DataSection, bytes]:
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    task = asyncio.create_task(read_data(reader, size_limit=size_limit, line_limit=LINE_LIMIT))
    position = 0
    for size in pieces:
        reader.feed_data(stream[position:position + size])
        position += size
        await asyncio.sleep(0)
    reader.feed_data(stream[position:])
    section = await asyncio.wait_for(task, 5)
    return section, bytes(reader._buffer)  # type: ignore[attr-defined]


STREAMS = {
    "plain": b"Subject: a\r\n\r\nline one\r\nline two\r\n.\r\nQUIT\r\n",
    "dot-stuffed": b"Subject: b\r\n\r\n..leading dot\r\n.\r\n...\r\n. \r\nend\r\n.\r\nMAIL FROM:<a@b>\r\n",
    "first-line-dot": b"..x\r\n.y\r\n.\r\n",
    "empty": b".\r\nRSET\r\n",
    "bare-cr-lf": b"a\rb\nc\r\n\r\n.\r.\n\r\n.x\r\n.\r\n",
    "cr-before-end": b"x\r\r\n.\r\n",
    "longest-line": b"A" * 999 + b"\r\n.\r\n",
    "line-too-long": b"ok\r\n" + b"B" * 1000 + b"\r\nmore\r\n.\r\nQUIT\r\n",
    "large": b"".join(b"%05d " % n + b"x" * 70 + b"\r\n" + (b".dot\r\n" if n % 7 == 0 else b"") for n in range(3000))
             + b".\r\nQUIT\r\n",
    "one-huge-line": b"C" * (3 * BLOCK) + b"\r\n.\r\nNOOP\r\n",
}


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_any_packet_boundaries_give_what_aiosmtpd_gives(name: str) -> None:
    stream = STREAMS[name]
    expected = line_by_line(stream, size_limit=None)
    cuttings = [[], [1] * min(len(stream), 300), [3, 5, 7, 11] * 20, [BLOCK + 3, 17], [len(stream) // 2]]
    if len(stream) < 120:  # every single place the stream can be cut
        cuttings += [[cut] for cut in range(1, len(stream))]
    for pieces in cuttings:
        assert asyncio.run(blockwise(stream, None, pieces)) == expected, pieces


def test_too_much_data_is_refused_after_reading_to_the_end() -> None:
    stream = STREAMS["large"]
    section, rest = asyncio.run(blockwise(stream, 10_000, [4096] * 10))
    assert section == DataSection(b"", TOO_MUCH)
    assert rest == b"QUIT\r\n"
    assert asyncio.run(blockwise(stream, len(stream), [])) == line_by_line(stream, None)


def test_a_connection_that_ends_in_the_middle_is_an_incomplete_read() -> None:
    async def cut_short() -> None:
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        task = asyncio.create_task(read_data(reader, size_limit=None, line_limit=LINE_LIMIT))
        reader.feed_data(b"Subject: x\r\n\r\nhalf a mess")
        reader.feed_eof()
        with pytest.raises(asyncio.IncompleteReadError):
            await task

    asyncio.run(cut_short())


def test_each_arrival_during_data_is_reported_so_the_idle_timer_restarts() -> None:
    """A message sent slowly but steadily is not cut off by the idle timeout (aiosmtpd restarts it on
    each line it reads itself; here the listener restarts it on each arrival)."""
    async def trickled() -> tuple[DataSection, int]:
        arrivals = [0]
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        task = asyncio.create_task(read_data(reader, size_limit=None, line_limit=LINE_LIMIT,
                                             progress=lambda: arrivals.__setitem__(0, arrivals[0] + 1)))
        for piece in (b"Subject: x\r\n\r\n", b"line one\r\n", b"line two\r\n", b".\r\n"):
            await asyncio.sleep(0.01)
            reader.feed_data(piece)
        return await task, arrivals[0]

    section, arrivals = asyncio.run(trickled())
    assert section.content == b"Subject: x\r\n\r\nline one\r\nline two\r\n" and arrivals >= 3


# -- through a real listener ------------------------------------------------------------------------

class Recorder:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.original_content, bytes)
        self.messages.append(envelope.original_content)
        return "250 2.0.0 stored"


@contextmanager
def listener(recorder: Recorder, size_limit: int = 100_000) -> Iterator[int]:
    port = free_port()
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(start_listener(
        recorder, host="127.0.0.1", port=port, hostname="mailhub.test", tls_context=None,
        data_size_limit=size_limit, limiter=ConnectionLimiter(10, 10, 60)))
    import threading

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def dialogue(port: int, payload: bytes) -> list[bytes]:
    """Send everything at once (pipelined) and read every reply until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(payload)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return [line for line in received.split(b"\r\n") if line]


def test_smtplib_message_with_dot_lines_arrives_byte_for_byte() -> None:
    recorder = Recorder()
    body = b"Subject: dots\r\n\r\n.one dot\r\n..two dots\r\n.\r\n" + b"x" * 900 + b"\r\n" * 3000 + b"end\r\n"
    with listener(recorder, size_limit=1_000_000) as port, smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail("a@bacninh.gov.vn", ["b@bacninh.gov.vn"], body)
        client.sendmail("a@bacninh.gov.vn", ["b@bacninh.gov.vn"], b"Subject: second\r\n\r\nok\r\n")
    assert recorder.messages == [body, b"Subject: second\r\n\r\nok\r\n"]


def test_pipelined_commands_after_the_end_line_are_answered() -> None:
    recorder = Recorder()
    payload = (b"EHLO client\r\nMAIL FROM:<a@b.vn>\r\nRCPT TO:<c@d.vn>\r\nDATA\r\n"
               b"Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@b.vn>\r\nRCPT TO:<c@d.vn>\r\nDATA\r\n"
               b"Subject: q\r\n\r\n.\r\nQUIT\r\n")
    with listener(recorder) as port:
        replies = dialogue(port, payload)
    assert [r[:3] for r in replies if not r.startswith(b"250-")] == [
        b"220", b"250", b"250", b"250", b"354", b"250", b"250", b"250", b"354", b"250", b"221"]
    assert recorder.messages == [b"Subject: p\r\n\r\nbody\r\n", b"Subject: q\r\n\r\n"]


def test_long_line_and_too_much_data_are_refused_and_the_session_goes_on() -> None:
    recorder = Recorder()
    start = b"EHLO client\r\nMAIL FROM:<a@b.vn>\r\nRCPT TO:<c@d.vn>\r\nDATA\r\n"
    with listener(recorder, size_limit=5000) as port:
        long_line = dialogue(port, start + b"x" * 1200 + b"\r\n.\r\nNOOP\r\nQUIT\r\n")
        too_much = dialogue(port, start + b"y" * 900 + b"\r\n" * 10 + b"z\r\n" * 2000 + b".\r\nNOOP\r\nQUIT\r\n")
    assert long_line[-3:] == [b"500 Line too long (see RFC5321 4.5.3.1.6)", b"250 OK", b"221 Bye"]
    assert too_much[-3:] == [b"552 Error: Too much mail data", b"250 OK", b"221 Bye"]
    assert recorder.messages == []


@pytest.mark.parametrize(("stream", "limit"), [
    (b"A" * 1500 + b"\r\n" + b"b" * 600 + b"\r\n.\r\n", 2000),  # the long line is seen first
    (b"A" * 1500 + b"\r\n.\r\n", 1200),
    (b"c" * 900 + b"\r\n" + b"d" * 1000 + b"\r\n.\r\n", 1500),  # counted first: too much
    (b"e" * 999 + b"\r\n" + b"f" * 1001 + b"\r\n.\r\n", 5000),  # 1003 bytes with its CRLF: too long
    (b"g\r\n" * 40_000 + b"h" * 5000 + b"\r\n.\r\n", 100_000),
])
def test_a_long_line_and_too_much_data_get_aiosmtpds_reply_whatever_the_packets(stream: bytes, limit: int) -> None:
    expected = line_by_line(stream, size_limit=limit)
    for pieces in ([], [1] * 3000, [4096] * 40, [len(stream) - 7]):
        assert asyncio.run(blockwise(stream, limit, pieces)) == expected, pieces


def test_the_lines_of_a_reply_go_out_in_one_write_and_a_reply_pushed_whole_at_once() -> None:
    """EHLO's six or seven lines leave in one write, not one write (and one wait) each; a reply a hook
    returns whole, lines and all (the gate's two-language 451), is not held back."""
    from mailhub.smtp.listener import LimitedSMTP

    class Writer:
        def __init__(self) -> None:
            self.writes: list[bytes] = []

        def write(self, data: bytes) -> None:
            self.writes.append(data)

        async def drain(self) -> None:
            return None

    async def replies() -> list[bytes]:
        protocol = LimitedSMTP(Recorder(), limiter=ConnectionLimiter(10, 10, 60), hostname="mailhub.test",
                               enable_SMTPUTF8=True)
        writer = Writer()
        protocol._writer = writer  # type: ignore[assignment]
        for line in ("250-mailhub.test", "250-SIZE 100000", "250-8BITMIME", "250 HELP"):
            await protocol.push(line)
        await protocol.push("451-4.7.1 Thư chưa được nhận\r\n451 4.7.1 Not accepted yet")
        await protocol.push("221 Bye")
        return writer.writes

    assert asyncio.run(replies()) == [
        b"250-mailhub.test\r\n250-SIZE 100000\r\n250-8BITMIME\r\n250 HELP\r\n",
        "451-4.7.1 Thư chưa được nhận\r\n451 4.7.1 Not accepted yet\r\n".encode(),
        b"221 Bye\r\n",
    ]
