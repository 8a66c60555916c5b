"""Every kind of message mailhub sends, DKIM-signed, through Postfix as the upstream, then checked by
an independent verifier (dkimpy with the published records supplied locally): an invitation, a
notice, a weekly schedule and a relayed office-system message.

    .venv/bin/python bench/dkim_through_postfix.py
"""

from __future__ import annotations

import json
import smtplib
import subprocess
import sys
import time
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dkim  # noqa: E402
from common import DOMAIN, MAILHUB, MailhubProcess, PostfixInstance, Workdir, report  # noqa: E402

from tests.mailhub.relay_harness import Sink  # noqa: E402

OFFICIAL = f"vinhnq@{DOMAIN}"


def main() -> None:
    work = Workdir().path
    sink = Sink().start()  # the mailbox server behind Postfix: keeps each message byte for byte
    postfix = PostfixInstance(work, sink.port).start()
    mailhub = MailhubProcess(work / "mailhub", postfix.port)
    mailhub.prepare()
    env = mailhub.env()

    def run(*args: str) -> str:
        return subprocess.run([MAILHUB, *args], env=env, check=True, capture_output=True, text=True).stdout

    records: dict[bytes, bytes] = {}
    for domain in (f"lich.{DOMAIN}", DOMAIN):
        for key in json.loads(run("dkim", "keygen", "--domain", domain, "--selector", "bench", "--json")):
            records[f"{key['dns_name']}.".encode()] = str(key["record"]).encode()
    mailhub.start()
    try:
        run("invite", "create", "--title", "Họp giao ban", "--start", "2026-12-07 08:00", "--end",
            "2026-12-07 10:00", "--organizer", OFFICIAL, "--to", OFFICIAL, "--weekly-until", "2026-12-21")
        run("notice", "send", "--subject", "Thông báo lịch trực", "--body", "Nội dung.", "--to", OFFICIAL,
            "--from", OFFICIAL, "--urgency", "khan")
        week = work / "lich.csv"
        week.write_text("Ngày,Giờ,Lãnh đạo,Nội dung\n07/12/2026,8h,Chủ tịch,Giao ban\n", encoding="utf-8")
        run("schedule", "publish", str(week), "--week", "2026-W50", "--to", OFFICIAL, "--organizer", OFFICIAL)
        letter = EmailMessage()
        letter["From"], letter["To"], letter["Subject"] = OFFICIAL, OFFICIAL, "Công văn đi từ hệ thống văn bản"
        letter.set_content("Kính gửi các đơn vị.")
        with smtplib.SMTP("127.0.0.1", mailhub.submission_port) as client:
            client.send_message(letter)
        deadline = time.monotonic() + 60
        while len(sink.messages) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        rows = []
        for received in sink.messages:
            checker = dkim.DKIM(received.content)
            count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
            verdicts = [bool(checker.verify(idx=i, dnsfunc=lambda name, timeout=5: records.get(name)))
                        for i in range(count)]
            raw = next((v.decode(errors="replace") for k, v in checker.headers if k.lower() == b"subject"), "")
            subject = str(make_header(decode_header(" ".join(raw.split()))))
            rows.append((subject.strip()[:60], f"{sum(verdicts)}/{count} signatures verify"
                         f"{'' if verdicts and all(verdicts) else '  <-- FAIL'}"))
        passed = sum(1 for _, text in rows if "FAIL" not in text)
        rows.append(("messages through Postfix that verify", f"{passed}/{len(rows)}"))
        report("DKIM after Postfix (dkimpy verifier, records supplied locally)", rows)
    finally:
        mailhub.stop()
        postfix.stop()
        sink.stop()


if __name__ == "__main__":
    main()
