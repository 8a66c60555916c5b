"""Notices (thông báo) with their documents: number and urgency in the subject as offices write
them, urgency as message priority, Markdown or plain text, delivery status per recipient."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from directory import InvalidInput
from mailhub.dispatch.composing import audited_refusals, one_line, write_output
from mailhub.dispatch.letterhead import Letterhead, Signer
from mailhub.dispatch.people import People
from mailhub.dispatch.person import Person
from mailhub.errors import MailhubError
from mailhub.mime import MAIL_POLICY
from mailhub.queue.core import Clock
from mailhub.relay.intake import LOCAL, Intake, Submission
from mailhub.store.bulk import insert_rows
from mailhub.store.models import QueuedMessage, QueueRecipient
from mailhub.store.publishing_models import Notice, NoticeRecipient, Publication
from mailhub.templates import render

URGENCY = {  # key: (subject mark, X-Priority, Importance, Priority)
    "khan": ("KHẨN", "2", "high", "urgent"),
    "thuong-khan": ("THƯỢNG KHẨN", "1", "high", "urgent"),
    "hoa-toc": ("HỎA TỐC", "1", "high", "urgent"),
}


@dataclass(frozen=True)
class NoticeRequest:
    subject: str
    body: str
    to: tuple[str, ...]
    sender: str
    number: str = ""
    urgency: str = ""
    markdown: bool = False
    attachments: tuple[Path, ...] = ()
    signer: Signer | None = None  # the signer block; the sending agency's head by default


NOTICE_RECIPIENTS = ("Như trên", "Lưu: VT")


def urgency_key(value: str) -> str:
    """'Hỏa tốc', 'hoả tốc', 'HOA-TOC', 'thượng khẩn', 'khan' -> a key of URGENCY ('' for none)."""
    from directory import unaccented

    squeezed = unaccented(value)
    keys = {"khan": "khan", "thuongkhan": "thuong-khan", "hoatoc": "hoa-toc", "": ""}
    if squeezed not in keys:
        raise InvalidInput(f"urgency {value!r}: use Khẩn, Thượng khẩn or Hỏa tốc")
    return keys[squeezed]


def document_number(value: str) -> str:
    """'Số: 45/TB-UBND' or '45/TB-UBND' -> '45/TB-UBND'."""
    text = value.strip()
    for prefix in ("Số:", "số:", "SỐ:", "Số", "So:"):
        if text.startswith(prefix):
            return text[len(prefix):].strip()
    return text


def subject_line(request: NoticeRequest) -> str:
    """'HỎA TỐC - Số 45/TB-UBND - Kết luận ...' as offices write it."""
    parts = []
    if request.urgency:
        parts.append(URGENCY[request.urgency][0])
    if request.number:
        parts.append(f"Số {request.number}")
    parts.append(request.subject)
    return " - ".join(parts)


def body_html(request: NoticeRequest) -> Markup:
    """The body as HTML: Markdown (raw HTML in it disabled), or paragraphs of escaped text."""
    if request.markdown:
        from markdown_it import MarkdownIt

        return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(request.body))
    return Markup("").join(Markup("<p>{}</p>").format(escape(p)).replace("\n", Markup("<br>"))
                           for p in request.body.split("\n\n") if p)


class NoticeService:
    def __init__(self, *, engine: Engine, people: People, intake: Intake, clock: Clock) -> None:
        self.engine = engine
        self.people = people
        self.intake = intake
        self.clock = clock

    def send(self, request: NoticeRequest, output: Path | None = None) -> Notice:
        if not request.sender:
            request = replace(request, sender=self.people.default_sender())
        one_line(request.subject, request.number)
        if not request.subject.strip():
            raise InvalidInput("a notice needs a subject")
        request = replace(request, urgency=urgency_key(request.urgency), number=document_number(request.number))
        sender, organisation = self.people.sender(request.sender)
        selectors: dict[str, list[str]] = {}
        recipients = self.people.people(request.to, selectors)
        documents = [(p.name, p.read_bytes(), mimetypes.guess_type(p.name)[0] or "application/octet-stream")
                     for p in request.attachments]
        content = self._message(request, sender, organisation, recipients, [d[0] for d in documents], documents)
        # The envelope names what the clerk named (agency:CODE, a group, addresses): intake expands each
        # selector in one directory read, as it does for an office system's, instead of 10,000 look-ups.
        envelope = tuple(dict.fromkeys(target.strip() for target in request.to))
        for selector, mailboxes in selectors.items():  # read a moment ago: intake need not read them again
            self.intake.recipients.known(selector, mailboxes)
        submission = Submission(content=content, mail_from=sender.email, rcpt_tos=envelope, listener=LOCAL,
                                kind="composed")
        if output is not None:
            self.intake.screen(submission)
        with audited_refusals(), Session(self.engine, expire_on_commit=False) as session:
            notice = Notice(number=request.number, subject=request.subject, sender=sender.email,
                            urgency=request.urgency, attachments=json.dumps([d[0] for d in documents]))
            session.add(notice)
            session.flush()
            assert notice.id is not None
            insert_rows(session.connection(), NoticeRecipient,  # one statement for a whole province
                        ("notice_id", "email", "display_name", "agency_code"),
                        [(notice.id, p.email, p.name, p.agency) for p in recipients])
            if output is None:  # the notice, its recipients and its queued message: one transaction
                queue_id = self.intake.enqueue_in(session, submission)
                session.add(Publication(kind="notice", reference=str(notice.id), queue_id=queue_id))
                session.commit()
            else:
                session.rollback()  # a preview records no notice
        if output is not None:
            write_output(output, [content], ["notice"])
        else:
            self.intake.notify()
        return notice

    def _message(self, request: NoticeRequest, sender: Person, head: Letterhead, recipients: Sequence[Person],
                 names: list[str], documents: list[tuple[str, bytes, str]]) -> bytes:
        head = head.with_options(number=request.number, signer=request.signer, recipients_note=NOTICE_RECIPIENTS)
        values = {"head": head, "date_line": head.date_line(self.clock()), "heading": "THÔNG BÁO",
                  "title": request.subject, "urgency": URGENCY[request.urgency][0] if request.urgency else "",
                  "body": request.body, "body_html": body_html(request), "documents": ", ".join(names),
                  "sender": sender.name or sender.email}
        text, page = render("notice.txt", **values), render("notice.html", **values)
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = Address(sender.name, addr_spec=sender.email)
        message["To"] = [Address(p.name, addr_spec=p.email) for p in recipients] if len(recipients) <= 100 else \
            "Các cơ quan, đơn vị:;"
        message["Subject"] = subject_line(request)
        message["Date"] = format_datetime(self.clock())
        message["Message-ID"] = make_msgid(domain=sender.email.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"
        if request.urgency:
            _, x_priority, importance, priority = URGENCY[request.urgency]
            message["X-Priority"] = f"{x_priority} ({'Highest' if x_priority == '1' else 'High'})"
            message["Importance"] = importance
            message["Priority"] = priority
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(page, subtype="html", cte="quoted-printable")
        for name, data, content_type in documents:
            maintype, _, subtype = content_type.partition("/")
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        return message.as_bytes()

    def latest(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest notices, newest first, with how many recipients each had."""
        with Session(self.engine) as session:
            counts = dict(session.exec(select(NoticeRecipient.notice_id, func.count())
                                       .group_by(col(NoticeRecipient.notice_id))).all())
            notices = session.exec(select(Notice).order_by(col(Notice.id).desc()).limit(limit)).all()
            return [{"id": n.id, "number": n.number, "subject": n.subject, "sender": n.sender,
                     "urgency": n.urgency, "created_at": n.created_at.isoformat(),
                     "recipients": counts.get(n.id or 0, 0)} for n in notices]

    def show(self, notice_id: int) -> dict[str, Any]:
        with Session(self.engine) as session:
            notice = session.get(Notice, notice_id)
            if notice is None:
                raise MailhubError(f"no notice {notice_id}")
            queue_ids = [p.queue_id for p in session.exec(select(Publication).where(
                Publication.kind == "notice", Publication.reference == str(notice_id))).all()]
            states = dict(session.exec(
                select(QueueRecipient.address, QueueRecipient.state)
                .join(QueuedMessage, col(QueuedMessage.id) == col(QueueRecipient.message_pk))
                .where(col(QueuedMessage.queue_id).in_(queue_ids))).all()) if queue_ids else {}
            recipients = session.exec(select(NoticeRecipient).where(NoticeRecipient.notice_id == notice_id)
                                      .order_by(col(NoticeRecipient.id))).all()
            return {
                "id": notice.id, "number": notice.number, "subject": notice.subject, "sender": notice.sender,
                "urgency": notice.urgency, "created_at": notice.created_at.isoformat(),
                "attachments": json.loads(notice.attachments), "queue_ids": queue_ids,
                "recipients": [{"email": r.email, "name": r.display_name, "agency": r.agency_code,
                                "delivery": states.get(r.email, "not sent")} for r in recipients],
            }
