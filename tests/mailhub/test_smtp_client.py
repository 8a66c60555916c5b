"""Delivery's SMTP client against a real server on loopback, with and without command pipelining:
each recipient gets its own outcome, content arrives intact, a connection carries several
transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from mailhub.delivery.deliverer import Connection, Outcome
from mailhub.delivery.smtp_client import data_block, data_chunks
from tests.mailhub.relay_harness import Sink

CONTENT = b"Subject: thu\r\n\r\nline one\r\n.starts with a dot\r\nbare LF\nlast line without an end"


def replies(address: str) -> str | None:
    if address.startswith("full"):
        return "452 4.2.2 Mailbox full"
    if address.startswith("gone"):
        return "550 5.1.1 No such user"
    return None


@pytest.fixture(params=[True, False], ids=["pipelining", "one-by-one"])
def sink(request: pytest.FixtureRequest) -> Iterator[Sink]:
    server = Sink(reply_for=replies, pipelining=request.param).start()
    yield server
    server.stop()


def send(sink: Sink, transactions: list[list[str]]) -> list[list[Outcome]]:
    async def run() -> list[list[Outcome]]:
        connection = Connection(("127.0.0.1", sink.port), "mailhub.test", timeout=10)
        await connection.open()
        try:
            return [await connection.send("vanthu@bacninh.gov.vn", rcpts, CONTENT) for rcpts in transactions]
        finally:
            await connection.close()

    return asyncio.run(run())


def test_each_recipient_gets_its_own_outcome_and_the_content_arrives_intact(sink: Sink) -> None:
    [outcomes] = send(sink, [["a@bacninh.gov.vn", "full@bacninh.gov.vn", "gone@bacninh.gov.vn", "b@bacninh.gov.vn"]])
    assert [(o.recipient, o.outcome, o.code) for o in outcomes] == [
        ("a@bacninh.gov.vn", "delivered", 250), ("full@bacninh.gov.vn", "deferred", 452),
        ("gone@bacninh.gov.vn", "bounced", 550), ("b@bacninh.gov.vn", "delivered", 250)]
    [message] = sink.messages
    assert message.rcpt_tos == ["a@bacninh.gov.vn", "b@bacninh.gov.vn"]
    assert message.content == CONTENT.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n"
    assert data_block(CONTENT).count(b"\r\n..starts with a dot\r\n") == 1  # stuffed on the wire, not in the mailbox


def test_no_content_is_sent_when_every_recipient_is_refused_and_the_connection_goes_on(sink: Sink) -> None:
    refused, accepted = send(sink, [["gone@bacninh.gov.vn", "full@bacninh.gov.vn"], ["c@bacninh.gov.vn"]])
    assert [(o.outcome, o.code) for o in refused] == [("bounced", 550), ("deferred", 452)]
    assert [(o.outcome, o.code) for o in accepted] == [("delivered", 250)]
    assert [m.rcpt_tos for m in sink.messages] == [["c@bacninh.gov.vn"]]


def test_several_transactions_on_one_connection(sink: Sink) -> None:
    results = send(sink, [[f"u{n}@bacninh.gov.vn" for n in range(50)], ["x@bacninh.gov.vn"]])
    assert [len(r) for r in results] == [50, 1]
    assert all(o.outcome == "delivered" for r in results for o in r)
    assert [len(m.rcpt_tos) for m in sink.messages] == [50, 1]


@pytest.mark.parametrize("size", [1, 2, 5, 16, 1 << 20])
def test_a_large_message_goes_out_in_pieces_that_add_up_to_the_same_wire_form(size: int) -> None:
    content = b".first\r\nbare LF\n.dot\rbare CR\r\n\r\n..two\r\nend"
    assert b"".join(data_chunks(content, size)) == (
        b"..first\r\nbare LF\r\n..dot\r\nbare CR\r\n\r\n...two\r\nend\r\n.\r\n")
    assert max(len(piece) for piece in data_chunks(content * 1000, 4096)) < 2 * 4096  # never the whole


def test_the_wire_form_is_the_same_whether_or_not_the_content_needs_mending() -> None:
    """The pass-through for CRLF content without leading dots against the plain rule: CRLF line ends,
    a dot doubled at the start of every line, a final CRLF before the dot."""
    import random
    import re

    def reference(content: bytes) -> bytes:
        wire = re.sub(rb"^\.", b"..", re.sub(rb"\r\n|\r|\n", b"\r\n", content), flags=re.MULTILINE)
        return wire + (b".\r\n" if wire.endswith(b"\r\n") else b"\r\n.\r\n")

    pieces = [b"a", b"\r\n", b"\n", b"\r", b".", b"..", b"text ", b"\r\n.", b"\n."]
    rng = random.Random(13)
    for _ in range(3000):
        content = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert b"".join(data_chunks(content, rng.choice((1, 3, 1 << 20)))) == reference(content), content


def test_a_server_without_starttls_is_not_used_when_tls_is_required(sink: Sink) -> None:
    from mailhub.delivery.smtp_client import SmtpClient
    from mailhub.delivery.tls_policy import TlsPolicy, TlsRequirement

    async def run() -> None:
        client = SmtpClient("127.0.0.1", sink.port, "mailhub.test", timeout=10)
        await client.connect(tls=TlsPolicy().context(TlsRequirement("encrypt")), require_tls=True)

    with pytest.raises(ConnectionError, match="does not offer STARTTLS"):
        asyncio.run(run())
    assert sink.messages == []
