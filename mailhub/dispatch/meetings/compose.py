"""The invitation as an email that every client shows with Accept/Decline: multipart/alternative
(text, HTML, text/calendar with the same METHOD) plus an application/ics copy and the documents.
The human-readable parts follow the Giấy mời layout of Nghị định 30/2020."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from mailhub.dispatch.meetings.ical import MeetingSpec
from mailhub.dispatch.person import Person
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


def _values(spec: MeetingSpec, kind: str, organisation: str, occurrence: date | None, *,
            as_html: bool) -> dict[str, str]:
    esc = html.escape if as_html else (lambda s: s)
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
    recurrence = ""
    if spec.weekly_until and occurrence is None:
        recurrence = f"Lặp lại hằng tuần vào {WEEKDAYS[spec.start.astimezone(LOCAL).weekday()]} " \
                     f"đến ngày {spec.weekly_until:%d/%m/%Y}"
    online = ""
    if spec.online_url or spec.bridges:
        parts = [f"Họp trực tuyến: {spec.online_url}" if spec.online_url else "",
                 f"Điểm cầu: {'; '.join(spec.bridges)}" if spec.bridges else ""]
        online = "; ".join(p for p in parts if p)
    documents = ", ".join(spec.documents)
    if as_html:
        return {
            "organisation": esc(organisation.upper()), "heading": heading, "title": esc(title), "lead": lead,
            "chair": esc(spec.chair.name or spec.chair.email) if spec.chair else "-",
            "when": esc(when_text(start, end)), "recurrence": f"<br>{esc(recurrence)}" if recurrence else "",
            "location": esc(location or "-"), "online": f"<br>{esc(online)}" if online else "",
            "attendees": "<br>".join(esc(p) for p in people) or "-",
            "agenda": esc(spec.agenda or "-").replace("\n", "<br>"),
            "documents": (f'<tr><td style="padding: 4px 8px 4px 0; vertical-align: top;"><b>Tài liệu:</b></td>'
                          f'<td style="padding: 4px 0;">{esc(documents)}</td></tr>') if documents else "",
            "organizer": esc(spec.organizer.name or spec.organizer.email),
        }
    return {
        "organisation": organisation.upper(), "heading": heading, "title": title, "lead": lead,
        "chair": (spec.chair.name or spec.chair.email) if spec.chair else "-", "when": when_text(start, end),
        "recurrence": f"{recurrence}\n" if recurrence else "", "location": location or "-",
        "online": f"{online}\n" if online else "", "attendees": "\n".join(f"- {p};" for p in people) or "-",
        "agenda": spec.agenda or "-", "documents": f"Tài liệu kèm theo: {documents}\n" if documents else "",
        "organizer": spec.organizer.name or spec.organizer.email,
    }


def invitation_message(spec: MeetingSpec, *, kind: str, method: str, calendar: bytes, recipients: tuple[Person, ...],
                       documents: tuple[Document, ...] = (), organisation: str, now: datetime,
                       occurrence: date | None = None) -> bytes:
    _, subject_prefix, _ = KINDS[kind]
    message = EmailMessage(policy=SMTP)
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

    message.set_content(render("invitation.txt", **_values(spec, kind, organisation, occurrence, as_html=False)),
                        cte="quoted-printable")
    message.add_alternative(render("invitation.html", **_values(spec, kind, organisation, occurrence, as_html=True)),
                            subtype="html", cte="quoted-printable")
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
