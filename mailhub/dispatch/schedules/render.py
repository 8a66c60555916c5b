"""The week as an email: the familiar "Lịch công tác tuần" table (readable on a phone), the
changes highlighted, and a calendar with one event per item."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from mailhub.dispatch.meetings.compose import WEEKDAYS
from mailhub.dispatch.meetings.ical import PRODID, timezone_component
from mailhub.dispatch.person import Person
from mailhub.templates import render
from mailhub.timeutil import LOCAL

NEW, CHANGED, REMOVED, SAME = "new", "changed", "removed", "unchanged"
LABELS = {NEW: ("moi", "Mới"), CHANGED: ("doi", "Thay đổi"), REMOVED: ("huy", "Đã hủy"), SAME: ("", "")}


@dataclass(frozen=True)
class Item:
    uid: str
    day: date
    start: datetime
    end: datetime
    leader: str
    content: str
    location: str
    participants: str
    sequence: int
    status: str


def calendar(items: list[Item], method: str, organizer: Person, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add_component(timezone_component())
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
        event.add("sequence", item.sequence)
        event.add("dtstart", item.start.astimezone(LOCAL))
        event.add("dtend", item.end.astimezone(LOCAL))
        event.add("summary", f"{item.leader}: {item.content}")
        if item.location:
            event.add("location", item.location)
        description = "\n".join(x for x in (f"Lãnh đạo: {item.leader}", f"Nội dung: {item.content}",
                                            f"Thành phần: {item.participants}" if item.participants else "") if x)
        event.add("description", description)
        event.add("organizer", f"mailto:{organizer.email}",
                  parameters={"CN": organizer.name} if organizer.name else {})
        event.add("status", "CANCELLED" if item.status == REMOVED else "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()


def _rows_html(items: list[Item]) -> str:
    out: list[str] = []
    current: date | None = None
    for item in items:
        if item.day != current:
            current = item.day
            weekday = WEEKDAYS[item.day.weekday()]
            out.append(f'<tr class="ngay"><td colspan="5">{weekday[0].upper()}{weekday[1:]}, '
                       f'ngày {item.day:%d/%m/%Y}</td></tr>')
        css, label = LABELS[item.status]
        badge = f' <span class="nhan">{label}</span>' if label else ""
        out.append(
            f'<tr class="{css}"><td>{item.start.astimezone(LOCAL):%H:%M} - {item.end.astimezone(LOCAL):%H:%M}{badge}'
            f"</td><td>{html.escape(item.leader)}</td><td>{html.escape(item.content)}</td>"
            f'<td>{html.escape(item.location)}</td><td class="phu">{html.escape(item.participants)}</td></tr>')
    return "\n".join(out)


def _rows_text(items: list[Item]) -> str:
    out: list[str] = []
    current: date | None = None
    for item in items:
        if item.day != current:
            current = item.day
            out.append(f"\n{WEEKDAYS[item.day.weekday()].upper()}, NGÀY {item.day:%d/%m/%Y}")
        label = LABELS[item.status][1]
        where = f" - Địa điểm: {item.location}" if item.location else ""
        who = f" - Thành phần: {item.participants}" if item.participants else ""
        prefix = f"[{label}] " if label else ""
        out.append(f"- {prefix}{item.start.astimezone(LOCAL):%H:%M}-{item.end.astimezone(LOCAL):%H:%M}: "
                   f"{item.leader}: {item.content}{where}{who}")
    return "\n".join(out)


def schedule_message(*, week_number: int, monday: date, sunday: date, items: list[Item], revision: bool,
                     organizer: Person, organisation: str, recipients: tuple[Person, ...], now: datetime) -> bytes:
    heading = f"LỊCH CÔNG TÁC TUẦN {week_number}" + (" (ĐIỀU CHỈNH)" if revision else "")
    period = f"Từ ngày {monday:%d/%m/%Y} đến ngày {sunday:%d/%m/%Y}"
    counts = {s: sum(1 for i in items if i.status == s) for s in (NEW, CHANGED, REMOVED)}
    summary_text = ""
    if revision:
        summary_text = (f"Điều chỉnh so với lịch đã gửi: {counts[NEW]} mục mới, {counts[CHANGED]} mục thay đổi, "
                        f"{counts[REMOVED]} mục hủy (đánh dấu trong bảng).")
    values = {"organisation": organisation.upper(), "heading": heading, "period": period, "organizer": organizer.name
              or organizer.email}
    text = render("schedule.txt", **values, summary_text=summary_text, rows_text=_rows_text(items))
    page = render("schedule.html", **{k: html.escape(v) for k, v in values.items()},
                  summary=f"<p><b>{html.escape(summary_text)}</b></p>" if summary_text else "",
                  rows=_rows_html(items))

    message = EmailMessage(policy=SMTP)
    message["From"] = Address(organizer.name, addr_spec=organizer.email)
    message["To"] = [Address(p.name, addr_spec=p.email) for p in recipients] if len(recipients) <= 100 else \
        "Các cơ quan, đơn vị:;"
    prefix = "Điều chỉnh lịch công tác" if revision else "Lịch công tác"
    message["Subject"] = f"{prefix} tuần {week_number} ({monday:%d/%m} - {sunday:%d/%m/%Y})"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=organizer.email.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(page, subtype="html", cte="quoted-printable")
    changed = [i for i in items if i.status in (NEW, CHANGED)]
    removed = [i for i in items if i.status == REMOVED]
    if changed:
        message.add_alternative(calendar(changed, "PUBLISH", organizer, now), maintype="text", subtype="calendar",
                                params={"method": "PUBLISH", "charset": "UTF-8"}, cte="base64")
    message.make_mixed()
    if changed:
        message.add_attachment(calendar(changed, "PUBLISH", organizer, now), maintype="application", subtype="ics",
                               filename=f"lich-tuan-{week_number}.ics")
    if removed:
        message.add_attachment(calendar(removed, "CANCEL", organizer, now), maintype="application", subtype="ics",
                               filename=f"lich-tuan-{week_number}-huy.ics", params={"method": "CANCEL"})
    return message.as_bytes()
