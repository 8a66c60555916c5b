"""Delivery status notifications (RFC 3464): the ones mailhub sends, and the ones that come back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.utils import format_datetime, make_msgid

from mailhub.mime import MAIL_POLICY
from mailhub.queue.core import FailedDelivery
from mailhub.relay.headers import header_block
from mailhub.templates import render


@dataclass(frozen=True)
class ReturnedStatus:
    recipient: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str
    diagnostic: str


def build_failure_dsn(
    *,
    sender: str,
    original: bytes,
    failures: list[FailedDelivery],
    hostname: str,
    service_domain: str,
    organisation: str,
    arrival: datetime,
    now: datetime,
) -> bytes:
    headers = header_block(original)
    original_headers = message_from_bytes(headers)
    report = MIMEMultipart("report", policy=MAIL_POLICY, report_type="delivery-status")
    report["From"] = f"Hệ thống thư mailhub <MAILER-DAEMON@{service_domain}>"
    report["To"] = sender
    report["Subject"] = "Thư không gửi được (Undelivered Mail Returned to Sender)"
    report["Date"] = format_datetime(now)
    report["Message-ID"] = make_msgid(domain=service_domain)
    report["Auto-Submitted"] = "auto-generated"
    if original_headers.get("Message-ID"):
        report["In-Reply-To"] = str(original_headers["Message-ID"])
        report["References"] = str(original_headers["Message-ID"])

    lines = "\n".join(render("dsn_recipient.txt", recipient=f.recipient, reason=_reason(f)).rstrip("\n")
                      for f in failures)
    human = render("dsn_failed.txt", organisation=organisation, message_id=original_headers.get("Message-ID", "-"),
                   queue_id=failures[0].queue_id, recipients=lines, hostname=hostname)
    human_part = EmailMessage(policy=MAIL_POLICY)
    human_part.set_content(human, cte="quoted-printable")
    del human_part["MIME-Version"]
    report.attach(human_part)

    status = MIMEBase("message", "delivery-status", policy=MAIL_POLICY)
    blocks: list[Message | str] = []
    per_message = Message()
    per_message["Reporting-MTA"] = f"dns; {hostname}"
    per_message["X-Mailhub-Queue-ID"] = failures[0].queue_id
    per_message["Arrival-Date"] = format_datetime(arrival)
    blocks.append(per_message)
    for failure in failures:
        block = Message()
        block["Final-Recipient"] = f"rfc822; {failure.recipient}"
        block["Action"] = "failed"
        block["Status"] = _status(failure)
        if failure.route:
            block["Remote-MTA"] = f"dns; {failure.route.split(':')[0]}"
        if failure.code:
            block["Diagnostic-Code"] = f"smtp; {failure.code} {' '.join(failure.text.split())}"[:900]
        else:
            block["Diagnostic-Code"] = f"x-mailhub; {' '.join(failure.text.split())}"[:900]
        block["Last-Attempt-Date"] = format_datetime(now)
        blocks.append(block)
    status.set_payload(blocks)
    report.attach(status)

    headers_part = MIMEBase("text", "rfc822-headers", policy=MAIL_POLICY)
    headers_part.set_payload(headers.decode("ascii", "surrogateescape"))  # the original bytes, as sent
    headers_part["Content-Transfer-Encoding"] = "8bit"
    report.attach(headers_part)
    return report.as_bytes()


def _reason(failure: FailedDelivery) -> str:
    if failure.code:
        return f"{failure.code} {' '.join(failure.text.split())}"
    return " ".join(failure.text.split())


def _status(failure: FailedDelivery) -> str:
    text = failure.text.strip()
    for token in text.split()[:2]:
        parts = token.split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and parts[0] in ("4", "5"):
            return "5." + ".".join(parts[1:])
    return "5.4.7" if "expired" in text else "5.0.0"


def parse_returned_dsn(content: bytes) -> list[ReturnedStatus]:
    """Per-recipient statuses of a multipart/report DSN; empty when the message is not one."""
    message = message_from_bytes(content)
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        statuses = []
        for block in blocks[1:]:
            if not isinstance(block, Message):
                continue
            recipient = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
            recipient = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if not recipient:
                continue
            statuses.append(ReturnedStatus(
                recipient=recipient,
                action=str(block.get("Action", "")).strip().lower(),
                status=str(block.get("Status", "")).strip(),
                diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split()),
            ))
        return statuses
    return []
