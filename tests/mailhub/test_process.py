"""`mailhub serve` as a real process: the ready line, SIGTERM, and SIGKILL in the middle of a run."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.mailhub.relay_harness import Sink, free_port

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


def test_sigkill_mid_run_loses_no_acknowledged_message(env: dict[str, str]) -> None:
    sink = Sink().start()
    env["MAILHUB_SMARTHOST"] = f"127.0.0.1:{sink.port}"
    port = int(env["MAILHUB_SUBMISSION_PORT"])
    process, _ = start(env)
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(send, port, n) for n in range(200)]
            while sum(f.done() for f in futures) < 60:
                time.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            acknowledged = {f.result() for f in futures} - {None}
        process, _ = start(env)
        expected = len(acknowledged)
        deadline = time.monotonic() + 30
        arrived: set[bytes] = set()
        while time.monotonic() < deadline and not acknowledged <= arrived:
            arrived = {m.group(1) for r in list(sink.messages)
                       if (m := re.search(rb"Message-ID: (<[^>]+>)", r.content))}
            time.sleep(0.1)
        assert expected >= 60
        assert acknowledged <= arrived
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        sink.stop()
