"""A short letter of plain text from the submission listener is checked on the listener itself; mail
from the Internet, HTML, anything with an attachment or a file inside its text, legacy-font text,
anything larger, and the mail of a client whose letter was slow to check go to the gate's worker
processes. The verdicts are the same either way.

Which way a message went is seen at the one door to the workers (``PolicyGate.submit``), counted here."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from mailhub.app import App
from mailhub.gate import policy_gate
from mailhub.gate.here import HERE_LIMIT
from mailhub.gate.policy_gate import PolicyGate
from mailhub.gate.workers import Outcome
from mailhub.relay.intake import INBOUND, SUBMISSION, GateDecision
from mailhub.store.models import AuditEvent, QueuedMessage
from tests.mailhub.conftest import seed_province
from tests.mailhub.relay_harness import RunningRelay, Sink, StaticResolver, relay_settings

OFFICIAL, COLLEAGUE = "vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"
CITIZEN, OPEN_GROUP = "citizen@gmail.com", "gopy@lich.bacninh.gov.vn"


@dataclass
class CountingApp(App):
    """The real composition root and the real gate, with its door to the workers counted per lane."""

    sent_to_workers: list[str] = field(default_factory=list)

    def gate(self) -> PolicyGate:
        gate = PolicyGate.from_settings(self.settings)
        submit = gate.submit

        def counted(content: bytes, **kwargs: Any) -> Future[Outcome]:
            if b"warm-up" not in content and "Subject: Kiểm tra".encode() not in content:  # the start-up checks
                self.sent_to_workers.append(kwargs.get("lane", ""))
            return submit(content, **kwargs)

        gate.submit = counted  # type: ignore[method-assign]
        return gate


def letter(subject: str, body: str = "Kính gửi các đồng chí: lịch họp giao ban tuần này.", *,
           sender: str = OFFICIAL, to: str = COLLEAGUE, attachment: bytes | None = None,
           html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype="text", subtype="csv", filename="so-lieu.csv")
    return message.as_bytes(policy=SMTP_POLICY)


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[CountingApp, RunningRelay]]:
    sink = Sink().start()
    app = CountingApp.build(relay_settings(tmp_path, sqlite_url, sink.port))
    assert isinstance(app, CountingApp)
    seed_province(app, tmp_path)
    relay = RunningRelay(app, StaticResolver({})).start()
    try:
        yield app, relay
    finally:
        relay.stop()
        app.close()
        sink.stop()


def send(port: int, content: bytes, sender: str = OFFICIAL, to: str = COLLEAGUE) -> tuple[int, str]:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo("client.test")
        client.mail(sender)
        assert client.rcpt(to)[0] == 250
        code, text = client.data(content)
        return code, text.decode()


def stored(app: App) -> tuple[int, int]:
    with Session(app.engine) as session:
        return len(session.exec(select(QueuedMessage)).all()), len(session.exec(select(AuditEvent)).all())


def test_a_short_submitted_letter_is_checked_on_the_listener_and_a_marked_one_is_still_refused(
        world: tuple[CountingApp, RunningRelay]) -> None:
    app, relay = world
    port = relay.submission[1]

    assert send(port, letter("Giấy mời họp giao ban"))[0] == 250
    code, text = send(port, letter("Báo cáo tình hình", "ĐỘ MẬT: TỐI MẬT\nSố liệu quân số kèm theo."))
    broken_code, _ = send(port, letter("Báo cáo", "TỐI MẬT\nSố liệu.").replace(b"li\xe1\xbb\x87u", b"li\xe1u"))

    assert code == 550 and "mật" in text.lower(), (code, text)
    assert broken_code == 550  # a broken byte does not hide the mark
    assert stored(app) == (1, 2)  # the clean one queued; the marked ones audited, not kept
    assert app.sent_to_workers == []


def test_what_the_listener_would_have_to_open_or_read_slowly_goes_to_the_workers_with_the_same_verdict(
        world: tuple[CountingApp, RunningRelay]) -> None:
    import base64
    import gzip

    app, relay = world
    port = relay.submission[1]
    hidden = base64.encodebytes(gzip.compress("TỐI MẬT\nSố liệu quân số.\n".encode())).decode()
    uuencoded = letter("Số liệu", f"Kính gửi.\nbegin-base64 644 so-lieu.txt.gz\n{hidden}====\n")
    html = letter("Thông báo", "Thông báo lịch họp.", html="<p><b>MẬT</b></p><p>Số liệu.</p>")
    odd_disposition = letter("Báo cáo", "ĐỘ MẬT: TỐI MẬT").replace(
        b"MIME-Version", "Content-Disposition: inline; ghi-chú=1\r\nMIME-Version".encode(), 1)
    legacy = letter("Báo cáo", "").replace(b"charset=\"utf-8\"", b"charset=\"iso-8859-1\"") + \
        "MËT TèI MËT\r\n".encode("latin-1") * 20

    replies = [send(port, m)[0] for m in (uuencoded, html, odd_disposition, legacy)]

    assert replies == [550, 550, 550, 250], replies
    assert app.sent_to_workers == [SUBMISSION] * 3  # an 8-bit header is no reason: that one was read here


def test_internet_mail_attachments_and_longer_letters_still_go_to_the_workers(
        world: tuple[CountingApp, RunningRelay]) -> None:
    app, relay = world

    assert send(relay.inbound[1], letter("Góp ý", sender=CITIZEN, to=OPEN_GROUP), CITIZEN, OPEN_GROUP)[0] == 250
    assert send(relay.submission[1], letter("Số liệu", attachment="Đơn vị,Số\nSở Nội vụ,12\n".encode()))[0] == 250
    long_body = "Kính gửi các đồng chí: lịch họp giao ban tuần này.\n" * (HERE_LIMIT // 40)
    assert send(relay.submission[1], letter("Báo cáo dài", long_body))[0] == 250
    code, _ = send(relay.inbound[1], letter("Góp ý", "ĐỘ MẬT: MẬT", sender=CITIZEN, to=OPEN_GROUP),
                   CITIZEN, OPEN_GROUP)

    assert code == 550
    assert app.sent_to_workers == [INBOUND, SUBMISSION, SUBMISSION, INBOUND]


def test_a_client_whose_letter_was_slow_to_check_has_its_mail_checked_by_the_workers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_gate, "HERE_SLOW_SECONDS", -1.0)  # every check counts as slow here
    gate = PolicyGate(("confidential-mark",), 10 * 1024 * 1024, workers=1, timeout=10)
    marked = letter("Lịch họp", "ĐỘ MẬT: MẬT")

    assert checked_by(gate, [letter("Lịch họp"), marked, ("10.0.0.8", letter("Lịch họp"))]) == \
        ([False, True, False], ["10.0.0.7"])  # the slow client's next letter; the other client's is checked here


def test_slow_letters_from_many_clients_send_every_letter_to_the_workers_for_a_while(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A sender with many addresses gets one slow check on the listener from each; after a few, from
    anyone, no letter is checked there for a while."""
    monkeypatch.setattr(policy_gate, "HERE_SLOW_SECONDS", -1.0)  # every check counts as slow here
    monkeypatch.setattr(policy_gate, "HERE_SLOW_LETTERS", 3)
    gate = PolicyGate(("confidential-mark",), 10 * 1024 * 1024, workers=1, timeout=10)
    clients = [(f"10.0.0.{n}", letter("Lịch họp")) for n in range(1, 4)]

    assert checked_by(gate, [*clients, ("10.0.0.4", letter("Lịch họp", "ĐỘ MẬT: MẬT"))]) == \
        ([False, False, False, True], ["10.0.0.4"])  # a client never seen before, checked by the workers


def checked_by(gate: PolicyGate, letters: list[bytes | tuple[str, bytes]]) -> tuple[list[bool], list[str]]:
    """Each letter's verdict (blocked or not) through the listener's door, from client 10.0.0.7 unless
    given as (client, letter), and the clients whose letters went to the workers."""
    went: list[str] = []
    submit = gate.submit

    def counted(content: bytes, **kwargs: Any) -> Future[Outcome]:
        went.append(kwargs.get("client", ""))
        return submit(content, **kwargs)

    gate.submit = counted  # type: ignore[method-assign]

    async def each() -> list[GateDecision]:
        sent = [m if isinstance(m, tuple) else ("10.0.0.7", m) for m in letters]
        return [await gate.check_async(m, lane=SUBMISSION, client=client) for client, m in sent]

    try:
        decisions = asyncio.run(each())
    finally:
        gate.close()
    return [d.blocked for d in decisions], went


def test_a_chain_without_the_uninspectable_rule_still_leaves_a_file_in_the_text_to_the_workers() -> None:
    import base64
    import gzip

    hidden = base64.encodebytes(gzip.compress("TỐI MẬT\nSố liệu quân số.\n".encode())).decode()
    uuencoded = letter("Số liệu", f"Kính gửi.\nbegin-base64 644 so-lieu.txt.gz\n{hidden}====\n")
    gate = PolicyGate(("confidential-mark",), 10 * 1024 * 1024, workers=1, timeout=10)

    assert checked_by(gate, [uuencoded, letter("Lịch họp")]) == ([True, False], ["10.0.0.7"])


def test_a_letter_whose_header_is_long_or_full_of_parameters_is_not_parsed_on_the_listener() -> None:
    params = "".join(f';\r\n x{i}=""' for i in range(300))  # the email package reads these in quadratic time
    crowded = letter("Lịch họp").replace(b"charset=\"utf-8\"", f"charset=utf-8{params}".encode(), 1)
    long_header = letter("Lịch họp").replace(b"MIME-Version", b"X-Note: " + b"a" * 5000 + b"\r\nMIME-Version", 1)
    assert len(crowded) < HERE_LIMIT and len(long_header) < HERE_LIMIT
    gate = PolicyGate(("confidential-mark", "uninspectable"), 10 * 1024 * 1024, workers=1, timeout=10)

    assert checked_by(gate, [crowded, long_header]) == ([False, False], ["10.0.0.7"] * 2)


def test_what_choosing_the_letter_costs_counts_toward_a_slow_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_gate, "HERE_SLOW_SECONDS", -1.0)  # any cost at all counts as slow here
    html = letter("Thông báo", "Thông báo lịch họp.", html="<p>Thông báo lịch họp.</p>")  # not checked here
    gate = PolicyGate(("confidential-mark", "uninspectable"), 10 * 1024 * 1024, workers=1, timeout=10)

    assert checked_by(gate, [html, letter("Lịch họp")]) == ([False, False], ["10.0.0.7"] * 2)
