"""The week as an email: the familiar "Lịch công tác tuần" table (readable on a phone), the
changes highlighted, and a calendar with one event per item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from mailhub.dispatch.letterhead import Letterhead
from mailhub.dispatch.meetings.compose import WEEKDAYS
from mailhub.dispatch.meetings.ical import PRODID, timezone_component
from mailhub.dispatch.person import Person
from mailhub.mime import MAIL_POLICY
from mailhub.templates import render
from mailhub.timeutil import LOCAL

NEW, CHANGED, REMOVED, SAME = "new", "changed", "removed", "unchanged"


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


STYLES = {  # inline, so that clients that drop <style> (the Gmail app) still show what changed
    NEW: {"background": "#e6f4ea", "border": "#1e7b34", "label": "Mới"},
    CHANGED: {"background": "#fff4ce", "border": "#8a6d00", "label": "Thay đổi"},
    REMOVED: {"background": "#fde7e9", "border": "#b00000", "label": "Đã hủy"},
    SAME: {"background": "#ffffff", "border": "#999999", "label": ""},
}


def day_label(day: date) -> str:
    weekday = WEEKDAYS[day.weekday()]
    return f"{weekday[0].upper()}{weekday[1:]}, ngày {day:%d/%m/%Y}"


def _row(item: Item) -> dict[str, str]:
    return {"time": f"{item.start.astimezone(LOCAL):%H:%M} - {item.end.astimezone(LOCAL):%H:%M}",
            "leader": item.leader, "content": item.content, "location": item.location,
            "participants": item.participants, "status": item.status, "day_label": day_label(item.day)}


def _days(items: list[Item]) -> list[dict[str, object]]:
    days: list[dict[str, object]] = []
    for item in items:
        if not days or days[-1]["day"] != item.day:
            days.append({"day": item.day, "label": day_label(item.day), "items": []})
        rows = days[-1]["items"]
        assert isinstance(rows, list)
        rows.append(_row(item))
    return days


def _headers(message: EmailMessage, organizer: Person, recipients: tuple[Person, ...], subject: str,
             now: datetime) -> None:
    message["From"] = Address(organizer.name, addr_spec=organizer.email)
    message["To"] = [Address(p.name, addr_spec=p.email) for p in recipients] if len(recipients) <= 100 else \
        "Các cơ quan, đơn vị:;"
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=organizer.email.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"


def schedule_message(*, week_number: int, monday: date, sunday: date, items: list[Item], revision: bool,
                     organizer: Person, head: Letterhead, recipients: tuple[Person, ...], now: datetime) -> bytes:
    """The week's letter: every item, changes highlighted; new and changed items as calendar events.
    Removed items travel in their own cancellation messages (``cancellation_message``)."""
    counts = {s: sum(1 for i in items if i.status == s) for s in (NEW, CHANGED, REMOVED)}
    summary = ""
    if revision:
        summary = (f"Điều chỉnh so với lịch đã gửi: {counts[NEW]} mục mới, {counts[CHANGED]} mục thay đổi, "
                   f"{counts[REMOVED]} mục hủy (đánh dấu trong bảng).")
    values = {"head": head, "date_line": head.date_line(now),
              "heading": f"LỊCH CÔNG TÁC TUẦN {week_number}" + (" (ĐIỀU CHỈNH)" if revision else ""), "title": "",
              "period": f"Từ ngày {monday:%d/%m/%Y} đến ngày {sunday:%d/%m/%Y}", "summary": summary,
              "days": _days(items), "styles": STYLES, "sender": organizer.name or organizer.email}
    message = EmailMessage(policy=MAIL_POLICY)
    prefix = "Điều chỉnh lịch công tác" if revision else "Lịch công tác"
    _headers(message, organizer, recipients, f"{prefix} tuần {week_number} ({monday:%d/%m} - {sunday:%d/%m/%Y})", now)
    message.set_content(render("schedule.txt", **values), cte="quoted-printable")
    message.add_alternative(render("schedule.html", **values), subtype="html", cte="quoted-printable")
    changed = [i for i in items if i.status in (NEW, CHANGED)]
    if changed:
        message.add_alternative(calendar(changed, "PUBLISH", organizer, now), maintype="text", subtype="calendar",
                                params={"method": "PUBLISH", "charset": "UTF-8"}, cte="base64")
    message.make_mixed()
    if changed:
        message.add_attachment(calendar(changed, "PUBLISH", organizer, now), maintype="application", subtype="ics",
                               filename=f"lich-tuan-{week_number}.ics")
    return message.as_bytes()


def cancellation_message(*, week_number: int, item: Item, organizer: Person, head: Letterhead,
                         recipients: tuple[Person, ...], now: datetime) -> bytes:
    """One removed item, as a message whose calendar part (METHOD:CANCEL, one UID, RFC 5546 3.2.5)
    every client applies: the event leaves the recipients' calendars."""
    row = _row(item)
    values = {"head": head, "date_line": head.date_line(now), "heading": "THÔNG BÁO HỦY LỊCH CÔNG TÁC",
              "title": f"Tuần {week_number}", "week_number": week_number, "item": row,
              "sender": organizer.name or organizer.email}
    message = EmailMessage(policy=MAIL_POLICY)
    _headers(message, organizer, recipients, f"Hủy lịch: {item.leader}: {item.content} ({row['time']}, "
                                             f"{item.day:%d/%m/%Y})", now)
    message.set_content(render("schedule_cancel.txt", **values), cte="quoted-printable")
    message.add_alternative(render("schedule_cancel.html", **values), subtype="html", cte="quoted-printable")
    cancel = calendar([item], "CANCEL", organizer, now)
    message.add_alternative(cancel, maintype="text", subtype="calendar",
                            params={"method": "CANCEL", "charset": "UTF-8"}, cte="base64")
    return message.as_bytes()
