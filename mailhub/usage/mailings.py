"""Scheduled mail of the usage figures: the six-monthly report to MAILHUB_REPORT_TO before 15 June and
15 December, and each month a digest to every agency head of that agency's dormant accounts and
unanswered invitations. Each goes out as a notice (through intake: checked, signed, queued); the
notice's own subject marks it as sent, so a restart or a second node never sends one twice."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from directory import Directory
from mailhub.dispatch.notices import NoticeRequest, NoticeService
from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee
from mailhub.store.models import ActivityDaily
from mailhub.store.publishing_models import Notice
from mailhub.timeutil import LOCAL, aware
from mailhub.usage.report.figures import DORMANT_DAYS, Period
from mailhub.usage.report.make import issuer_for, usage_report

log = logging.getLogger("mailhub.usage")
DEADLINES = ((6, 15), (12, 15))  # the report is due before 15 June and 15 December


@dataclass(frozen=True)
class ReportMailing:
    to: tuple[str, ...]  # addresses, group:NAME or agency:CODE
    days_before: int = 5
    office: str = "Sở Khoa học và Công nghệ"
    abbreviation: str = "SKHCN"
    window_days: int = 30


def due_period(today: date, days_before: int) -> Period | None:
    """The half year whose report is due within ``days_before`` days (before its deadline), or None."""
    for month, day in DEADLINES:
        deadline = date(today.year, month, day)
        if deadline - timedelta(days=days_before) <= today < deadline:
            return Period(today.year, 1 if month == 6 else 2)
    return None


def _sent(engine: Engine, subject: str) -> bool:
    with Session(engine) as session:
        return session.exec(select(Notice.id).where(Notice.subject == subject)).first() is not None


def send_due_report(engine: Engine, directory: Directory, notices: NoticeService, mailing: ReportMailing,
                    now: datetime) -> str | None:
    """Send the half year's report if it is due and not sent yet; the notice's subject, or None."""
    today = now.astimezone(LOCAL).date()
    period = due_period(today, mailing.days_before)
    if period is None or not mailing.to:
        return None
    subject = f"Báo cáo tình hình sử dụng thư điện tử công vụ {period.label}"
    if _sent(engine, subject):
        return None
    roots = [a for a in directory.agencies() if a.parent_code is None]
    issuer = issuer_for(roots[0] if roots else None, office=mailing.office, abbreviation=mailing.abbreviation)
    _, pdf = usage_report(engine, period, issuer, today=today, window_days=mailing.window_days, kind="pdf")
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / f"bao-cao-thu-dien-tu-{period.code}.pdf"
        document.write_bytes(pdf)
        notices.send(NoticeRequest(subject=subject, to=mailing.to, sender="", attachments=(document,), body=(
            f"Kính gửi: Ủy ban nhân dân tỉnh.\n\nXin gửi kèm báo cáo tình hình sử dụng thư điện tử công vụ "
            f"{period.label} (số liệu đến ngày {today:%d/%m/%Y}).")))
    log.info("sent the usage report for %s to %s", period.code, ", ".join(mailing.to))
    return subject


def send_monthly_digests(engine: Engine, directory: Directory, notices: NoticeService, now: datetime) -> int:
    """On the first days of a month, to each agency head: the agency's dormant accounts (no sign of use
    in DORMANT_DAYS days) and last month's unanswered invitations. Agencies with neither get nothing."""
    today = now.astimezone(LOCAL).date()
    month_start = today.replace(day=1)
    last_month = (month_start - timedelta(days=1)).replace(day=1)
    sent = 0
    for agency in directory.agencies():
        heads = directory.heads(agency.code)
        if not agency.active or not heads:
            continue
        subject = f"Tổng hợp sử dụng thư điện tử tháng {last_month:%m/%Y} - {agency.name}"
        if _sent(engine, subject):
            continue
        dormant = dormant_accounts(engine, directory, agency.code, today)
        silent = unanswered(engine, agency.code, last_month, month_start)
        if not dormant and not silent:
            continue
        lines = [f"Kính gửi đồng chí {heads[0].full_name},", ""]
        if dormant:
            lines += [f"Tài khoản chưa có dấu hiệu sử dụng trong {DORMANT_DAYS} ngày ({len(dormant)}):",
                      *(f"- {name} ({address})" for address, name in dormant), ""]
        if silent:
            lines += [f"Giấy mời chưa được trả lời trong tháng {last_month:%m/%Y} ({len(silent)}):",
                      *(f"- {who}: {title} ({when:%d/%m/%Y %H:%M})" for who, title, when in silent), ""]
        notices.send(NoticeRequest(subject=subject, body="\n".join(lines), to=(heads[0].email,), sender=""))
        sent += 1
    return sent


def dormant_accounts(engine: Engine, directory: Directory, agency_code: str, today: date) -> list[tuple[str, str]]:
    officials = [o for o in directory.officials(agency_code, include_inactive=False) if o.agency_code == agency_code]
    since = today - timedelta(days=DORMANT_DAYS - 1)
    with Session(engine) as session:
        used = set(session.exec(select(ActivityDaily.address).where(
            col(ActivityDaily.day) >= since, col(ActivityDaily.address).in_([o.email for o in officials]))).all())
    return [(o.email, o.full_name) for o in officials if o.email not in used]


def unanswered(engine: Engine, agency_code: str, start: date, end: date) -> list[tuple[str, str, datetime]]:
    """(attendee, meeting title, its start) for the agency's invited attendees who gave no answer."""
    begin, finish = (datetime.combine(d, time(0), LOCAL) for d in (start, end))
    with Session(engine) as session:
        answered = select(MeetingAnswer.email).where(MeetingAnswer.meeting_id == Meeting.id).correlate(Meeting)
        rows = session.exec(
            select(MeetingAttendee.display_name, MeetingAttendee.email, Meeting.title, Meeting.starts_at)
            .join(Meeting, col(Meeting.id) == col(MeetingAttendee.meeting_id))
            .where(MeetingAttendee.agency_code == agency_code, MeetingAttendee.active == True,  # noqa: E712
                   Meeting.status == "confirmed", col(Meeting.starts_at) >= begin, col(Meeting.starts_at) < finish,
                   col(MeetingAttendee.email).not_in(answered))
            .order_by(col(Meeting.starts_at))).all()
    return [(name or email, title, aware(starts).astimezone(LOCAL)) for name, email, title, starts in rows][:200]



