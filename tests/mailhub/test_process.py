"""`mailhub serve` as a real process: the ready line, SIGTERM, and SIGKILL in the middle of a run."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.mailhub.relay_harness import Sink, alive, free_port

MAILHUB = str(Path(sys.executable).parent / "mailhub")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("MAILHUB_")}
    values.update({
        "MAILHUB_HOME": str(tmp_path / "home"), "MAILHUB_SMTP_HOST": "127.0.0.1",
        "MAILHUB_SUBMISSION_PORT": str(free_port()), "MAILHUB_INBOUND_PORT": str(free_port()),
        "MAILHUB_TRUSTED_NETWORKS": "127.0.0.1/32", "MAILHUB_SERVICE_DOMAIN": "lich.bacninh.gov.vn",
        "MAILHUB_HOSTNAME": "mailhub.test", "MAILHUB_RETRY_MIN_SECONDS": "1", "MAILHUB_RETRY_MAX_SECONDS": "2",
    })
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("code,name,parent,kind,domain\nBN,Tỉnh Bắc Ninh,,province,bacninh.gov.vn\n", "utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("Họ và tên,Đơn vị\nNguyễn Quang Vinh,BN\n", "utf-8")
    subprocess.run([MAILHUB, "directory", "import-agencies", str(agencies)], env=values, check=True,
                   capture_output=True)
    subprocess.run([MAILHUB, "directory", "import", str(roster)], env=values, check=True, capture_output=True)
    return values


def start(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([MAILHUB, "serve"], env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if line.startswith("mailhub ready"):
            return process, line.strip()
    process.kill()
    raise AssertionError("mailhub serve printed no ready line")


def send(port: int, number: int) -> bytes | None:
    """Message-ID if mailhub answered 250, else None."""
    message = EmailMessage()
    message["From"], message["To"] = "vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"
    message["Subject"], message["Message-ID"] = f"Thông báo số {number}", f"<n{number}@test>"
    message.set_content("Nội dung thông báo.")
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.send_message(message)
        return str(message["Message-ID"]).encode()
    except (smtplib.SMTPException, OSError):
        return None


def test_ready_line_and_graceful_sigterm(env: dict[str, str]) -> None:
    process, ready = start(env)
    port, inbound = env["MAILHUB_SUBMISSION_PORT"], env["MAILHUB_INBOUND_PORT"]
    assert ready == f"mailhub ready submission=127.0.0.1:{port} inbound=127.0.0.1:{inbound}"
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0


def start_with_mailbox(env: dict[str, str]) -> tuple[subprocess.Popen[str], Sink, int]:
    """A mailbox server (aiosmtpd sink) and `mailhub serve` relaying to it; the submission port."""
    sink = Sink().start()
    env["MAILHUB_SMARTHOST"] = f"127.0.0.1:{sink.port}"
    process, _ = start(env)
    return process, sink, int(env["MAILHUB_SUBMISSION_PORT"])


@contextmanager
def serving(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], Sink, int]]:
    """``start_with_mailbox``, stopped with SIGTERM at the end (and it must exit 0)."""
    process, sink, port = start_with_mailbox(env)
    try:
        yield process, sink, port
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        sink.stop()


def delivered(port: int, sink: Sink, number: int, timeout: float = 15) -> bool:
    """Message ``number`` is accepted (250) and reaches the mailbox server."""
    sent = send(port, number)
    return sent is not None and sent in arrived(sink, {sent}, timeout)


def test_sigkill_mid_run_loses_no_acknowledged_message(env: dict[str, str]) -> None:
    process, sink, port = start_with_mailbox(env)
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(send, port, n) for n in range(200)]
            while sum(f.done() for f in futures) < 60:
                time.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            acknowledged = {f.result() for f in futures} - {None}
        process, _ = start(env)
        assert len(acknowledged) >= 60
        assert acknowledged <= arrived(sink, acknowledged, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        sink.stop()


def _count(database: Path, sql: str) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return int(connection.execute(sql).fetchone()[0])


def test_sigkill_right_after_a_reply_is_accepted_loses_nothing_and_records_it_once(env: dict[str, str]) -> None:
    """The answer is read after the queue (the replies stage): whether the kill lands before or after
    that stage ran, the answer is recorded once and the reply reaches the organizer's mailbox once."""
    import json

    from tests.mailhub.itip_samples import outlook_reply

    sink = Sink().start()
    env["MAILHUB_SMARTHOST"] = f"127.0.0.1:{sink.port}"
    created = json.loads(subprocess.run(
        [MAILHUB, "invite", "create", "--title", "Họp giao ban", "--start", "2026-12-07 08:00", "--end",
         "2026-12-07 10:00", "--organizer", "vinhnq@bacninh.gov.vn", "--to", "vinhnq@bacninh.gov.vn", "--json"],
        env=env, check=True, capture_output=True, text=True).stdout)
    organizer = "vinhnq@lich.bacninh.gov.vn"
    reply = outlook_reply(str(created["uid"]), "vinhnq@bacninh.gov.vn", organizer_service=organizer)
    process, _ = start(env)
    try:
        with smtplib.SMTP("127.0.0.1", int(env["MAILHUB_INBOUND_PORT"]), timeout=10) as client:
            client.sendmail("vinhnq@bacninh.gov.vn", [organizer], reply)
        process.send_signal(signal.SIGKILL)  # right after the 250
        process.wait(10)
        process, _ = start(env)
        database = Path(env["MAILHUB_HOME"]) / "mailhub.db"
        deadline = time.monotonic() + 30
        forwarded: list[object] = []
        while time.monotonic() < deadline:
            forwarded = [m for m in list(sink.messages) if b"Accepted: H" in m.content]
            if forwarded and _count(database, "SELECT count(*) FROM meeting_answer") == 1:
                break
            time.sleep(0.1)
        time.sleep(1.5)  # anything repeated would show by now
        forwarded = [m for m in list(sink.messages) if b"Accepted: H" in m.content]
        assert len(forwarded) == 1
        assert _count(database, "SELECT count(*) FROM meeting_answer WHERE answer = 'accepted'") == 1
        assert _count(database, "SELECT count(*) FROM activity_event WHERE kind = 'itip-reply'") == 1
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        sink.stop()


def test_sigkill_during_invite_create_never_leaves_a_meeting_without_its_invitation(env: dict[str, str]) -> None:
    """The meeting, its attendees and its queued invitation are one transaction: killed at any moment,
    `invite create` leaves either all of them or none."""
    database = Path(env["MAILHUB_HOME"]) / "mailhub.db"
    command = [MAILHUB, "invite", "create", "--title", "Họp giao ban", "--start", "2026-12-07 08:00", "--end",
               "2026-12-07 10:00", "--organizer", "vinhnq@bacninh.gov.vn", "--to", "vinhnq@bacninh.gov.vn"]
    finished = killed = 0
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.4, 2.8, 3.2, 30.0):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(delay)
            finished += 1
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            killed += 1
        meetings = _count(database, "SELECT count(*) FROM meeting")
        assert _count(database, "SELECT count(DISTINCT meeting_id) FROM meeting_message") == meetings
        assert _count(database, "SELECT count(*) FROM queue_message") == meetings
    assert finished >= 1 and killed >= 1
    assert finished <= _count(database, "SELECT count(*) FROM meeting") <= finished + killed


# -- delivery in its own process (MAILHUB_DELIVERY_PROCESS, the default) ---------------------------

def delivery_children(parent: int) -> list[int]:
    """The pids of `serve --part delivery` processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent_pid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent_pid == parent and b"--part" in command and b"delivery" in command:
            found.append(int(entry.name))
    return found


def gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def arrived(sink: Sink, message_ids: set[bytes], timeout: float = 15) -> set[bytes]:
    deadline = time.monotonic() + timeout
    seen: set[bytes] = set()
    while time.monotonic() < deadline and not message_ids <= seen:
        seen = {m.group(1) for r in list(sink.messages) if (m := re.search(rb"Message-ID: (<[^>]+>)", r.content))}
        time.sleep(0.05)
    return seen


def test_delivery_runs_in_a_process_of_its_own_started_again_if_it_dies(env: dict[str, str]) -> None:
    with serving(env) as (process, sink, port):
        children = delivery_children(process.pid)
        assert len(children) == 1  # ready means delivery is running too
        assert delivered(port, sink, 1)

        os.kill(children[0], signal.SIGKILL)
        assert gone(children[0], 5)
        assert delivered(port, sink, 2, timeout=20)  # accepted meanwhile: the listeners do not depend on it
        assert len(delivery_children(process.pid)) == 1
    assert not delivery_children(process.pid)


def test_sigterm_stops_the_delivery_process_and_a_killed_server_takes_it_along(env: dict[str, str]) -> None:
    process, _ = start(env)
    child = delivery_children(process.pid)[0]
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    assert gone(child, 1)

    process, _ = start(env)
    child = delivery_children(process.pid)[0]
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert gone(child, 10)  # its stdin closed with the parent: it hands its claims back and ends


def test_one_process_when_delivery_process_is_off(env: dict[str, str]) -> None:
    env["MAILHUB_DELIVERY_PROCESS"] = "false"
    with serving(env) as (process, sink, port):
        assert delivery_children(process.pid) == []
        assert delivered(port, sink, 3)


def test_ctrl_c_to_the_process_group_stops_both_quietly(env: dict[str, str]) -> None:
    """`make run` in a terminal: Ctrl-C reaches serve and its delivery process at once."""
    process = subprocess.Popen([MAILHUB, "serve"], env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stderr is not None
    while not process.stderr.readline().startswith("mailhub ready"):
        assert process.poll() is None
    child = delivery_children(process.pid)[0]
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(30) == 0
    assert gone(child, 5)
    rest = process.stderr.read()
    assert "Traceback" not in rest and "Exception ignored" not in rest
    assert "delivery stopped" in rest and "stopped;" in rest


class SlowMailbox:
    """A mailbox server that takes its time over each message (aiosmtpd on loopback)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        import asyncio

        await asyncio.sleep(self.seconds)
        self.messages.append(getattr(envelope, "original_content", b"") or b"")
        return "250 2.0.0 stored"


def test_the_claims_of_a_killed_delivery_process_are_handed_back_at_once(env: dict[str, str]) -> None:
    """Not after the 300 s lease: the server knows its delivery process died, and which node it was."""
    from aiosmtpd.controller import Controller

    mailbox = SlowMailbox(2.0)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    env["MAILHUB_SMARTHOST"] = f"127.0.0.1:{controller.port}"
    database = Path(env["MAILHUB_HOME"]) / "mailhub.db"
    process, _ = start(env)
    try:
        assert send(int(env["MAILHUB_SUBMISSION_PORT"]), 7) is not None
        deadline = time.monotonic() + 10
        while _count(database, "SELECT count(*) FROM queue_recipient WHERE state = 'active'") == 0:
            assert time.monotonic() < deadline, "the delivery process never claimed the message"
            time.sleep(0.02)
        child = delivery_children(process.pid)[0]
        os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while not any(b"<n7@test>" in m for m in mailbox.messages):
            assert time.monotonic() < deadline, "the claim waited for its lease"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        controller.stop()


def test_a_second_server_on_the_same_sqlite_database_is_refused_and_touches_nothing(env: dict[str, str]) -> None:
    with serving(env) as (_, sink, port):
        other = {**env, "MAILHUB_SUBMISSION_PORT": str(free_port()), "MAILHUB_INBOUND_PORT": str(free_port())}
        second = subprocess.run([MAILHUB, "serve"], env=other, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another `mailhub serve` is running on" in second.stderr
        assert "Traceback" not in second.stderr
        assert delivered(port, sink, 8)


def test_a_delivery_process_that_stops_answering_is_given_up_on_and_stopped(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The listeners hand their messages to the delivery process (``mailhub.queue.link``); one that
    stalls (here SIGSTOP) is given up on after the link's deadline and killed, to be started again."""
    import asyncio

    from mailhub.delivery.process import DeliveryProcess
    from mailhub.queue import link
    from mailhub.queue.core import LinkLost, NewMessage, NewRecipient

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(link, "ANSWER_SECONDS", 1.0)
    subprocess.run([MAILHUB, "db", "upgrade"], env=env, check=True, capture_output=True)

    async def run() -> None:
        child = DeliveryProcess(Path(env["MAILHUB_HOME"]))
        await child.start()
        assert child.process is not None and child.usable
        try:
            new = NewMessage(content=b"Subject: t\r\n\r\nx\r\n", sender="vanthu@bacninh.gov.vn",
                             recipients=(NewRecipient("vinhnq@bacninh.gov.vn"),))
            assert await child.enqueue(new) == new.queue_id
            os.kill(child.process.pid, signal.SIGSTOP)
            started = time.monotonic()
            with pytest.raises(LinkLost):
                await child.enqueue(NewMessage(content=new.content, sender=new.sender, recipients=new.recipients))
            assert time.monotonic() - started < 5 and not child.usable
            assert await asyncio.wait_for(child.process.wait(), 10) == -signal.SIGKILL
        finally:
            await child.stop(1)

    asyncio.run(run())


def test_serve_link_fd_given_by_hand_is_refused_in_one_line(env: dict[str, str]) -> None:
    """``--link-fd`` is serve's own (the socket it hands its delivery process): typed by hand, on the
    listeners or with a descriptor that is no such socket, it gets one line and a non-zero exit."""
    listeners = subprocess.run([MAILHUB, "serve", "--link-fd", "5"], env=env, capture_output=True, text=True,
                               timeout=30)
    delivery = subprocess.run([MAILHUB, "serve", "--part", "delivery", "--link-fd", "2"], env=env,
                              stdin=subprocess.PIPE, capture_output=True, text=True, timeout=30)
    for result in (listeners, delivery):
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert "--link-fd" in result.stderr.strip().splitlines()[-1]
