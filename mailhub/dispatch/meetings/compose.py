"""The invitation as an email that every client shows with Accept/Decline: multipart/alternative
(text, HTML, text/calendar with the same METHOD) plus an application/ics copy and the documents.
The human-readable parts follow the Giấy mời layout of Nghị định 30/2020."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mailhub.dispatch.letterhead import Letterhead
from mailhub.dispatch.meetings.ical import MeetingSpec
from mailhub.dispatch.person import Person
from mailhub.mime import MAIL_POLICY
from mailhub.templates import render
from mailhub.timeutil import LOCAL

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
KINDS = {
    "request": ("GIẤY MỜI", "Giấy mời", "Trân trọng kính mời đồng chí tham dự cuộc họp:"),
    "update": ("GIẤY MỜI (THAY ĐỔI)", "Thay đổi giấy mời", "Cuộc họp có thay đổi; thông tin mới như sau:"),
    "cancel": ("THÔNG BÁO HỦY CUỘC HỌP", "Hủy cuộc họp", "Cuộc họp dưới đây đã được hủy. Đồng chí không phải dự."),
    "reminder": ("NHẮC LỊCH HỌP", "Nhắc lịch họp", "Đồng chí chưa báo tham dự cuộc họp sắp diễn ra:"),
}
MAX_TO_HEADER = 100
MAX_LISTED = 30


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def when_text(start: datetime, end: datetime) -> str:
    """'08 giờ 00, thứ Hai, ngày 07/12/2026 (đến 10 giờ 00)' as offices write it."""
    s, e = start.astimezone(LOCAL), end.astimezone(LOCAL)
    text = f"{s:%H} giờ {s:%M}, {WEEKDAYS[s.weekday()]}, ngày {s:%d/%m/%Y}"
    until = f"{e:%H} giờ {e:%M}" if e.date() == s.date() else f"{e:%H} giờ {e:%M} ngày {e:%d/%m/%Y}"
    return f"{text} (đến {until})"


def describe(spec: MeetingSpec) -> str:
    """DESCRIPTION of the event: what a calendar shows when the email is gone."""
    lines = [f"Chủ trì: {spec.chair.name or spec.chair.email}" if spec.chair else "",
             f"Nội dung: {spec.agenda}" if spec.agenda else "",
             f"Họp trực tuyến: {spec.online_url}" if spec.online_url else "",
             f"Điểm cầu: {'; '.join(spec.bridges)}" if spec.bridges else "",
             f"Tài liệu: {', '.join(spec.documents)}" if spec.documents else ""]
    return "\n".join(line for line in lines if line)


def _values(spec: MeetingSpec, kind: str, head: Letterhead, occurrence: date | None,
            now: datetime) -> dict[str, object]:
    """What the letter shows, raw (the templates escape): empty values are left out, never '-'."""
    heading, _, lead = KINDS[kind]
    start, end, title, location = spec.start, spec.end, spec.title, spec.location
    if occurrence is not None:
        override = next((o for o in spec.overrides if o.occurrence == occurrence), None)
        start = (override.start if override and override.start else spec.original_start(occurrence))
        end = override.end if override and override.end else start + (spec.end - spec.start)
        title = override.title if override and override.title else title
        location = override.location if override and override.location is not None else location
    people = [f"{p.name} ({p.email})" if p.name else p.email for p in spec.everyone]
    if len(people) > MAX_LISTED:
        people = [*people[:MAX_LISTED], f"và {len(people) - MAX_LISTED} đồng chí khác"]
    recurrence, skipped = "", ""
    if spec.weekly_until and occurrence is None:
        recurrence = f"Lặp lại hằng tuần vào {WEEKDAYS[spec.start.astimezone(LOCAL).weekday()]} " \
                     f"đến ngày {spec.weekly_until:%d/%m/%Y}"
        days = sorted({*spec.exdates, *(o.occurrence for o in spec.overrides if o.cancelled)})
        skipped = ", ".join(f"{d:%d/%m/%Y}" for d in days)
    online = "; ".join(p for p in (f"Họp trực tuyến: {spec.online_url}" if spec.online_url else "",
                                   f"Điểm cầu: {'; '.join(spec.bridges)}" if spec.bridges else "") if p)
    return {
        "head": head, "date_line": head.date_line(now), "heading": heading, "title": title, "lead": lead,
        "chair": (spec.chair.name or spec.chair.email) if spec.chair else "", "when": when_text(start, end),
        "recurrence": recurrence, "skipped": skipped, "location": (location or "").strip(), "online": online,
        "attendees": people, "agenda": spec.agenda.strip(), "documents": ", ".join(spec.documents),
        "sender": spec.organizer.name or spec.organizer.email, "asks_reply": kind != "cancel",
    }


def invitation_message(spec: MeetingSpec, *, kind: str, method: str, calendar: bytes, recipients: tuple[Person, ...],
                       documents: tuple[Document, ...] = (), head: Letterhead, now: datetime,
                       occurrence: date | None = None) -> bytes:
    _, subject_prefix, _ = KINDS[kind]
    message = EmailMessage(policy=MAIL_POLICY)
    organizer = spec.organizer
    message["From"] = Address(organizer.name, addr_spec=organizer.email)
    if len(recipients) <= MAX_TO_HEADER:
        message["To"] = [Address(p.name, addr_spec=p.email) for p in recipients]
    else:
        message["To"] = "Thành phần mời:;"
    day = f" ngày {occurrence:%d/%m/%Y}" if occurrence else ""
    message["Subject"] = f"{subject_prefix}: {spec.title}{day}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=organizer.email.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Class"] = "urn:content-classes:calendarmessage"
    message["X-Mailhub-Meeting"] = spec.uid

    values = _values(spec, kind, head, occurrence, now)
    message.set_content(render("invitation.txt", **values), cte="quoted-printable")
    message.add_alternative(render("invitation.html", **values), subtype="html", cte="quoted-printable")
    message.add_alternative(calendar, maintype="text", subtype="calendar",
                            params={"method": method, "charset": "UTF-8"}, cte="base64")
    message.make_mixed()
    message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics",
                           params={"method": method})
    for document in documents:
        maintype, _, subtype = document.content_type.partition("/")
        message.add_attachment(document.content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=document.filename)
    return message.as_bytes()
