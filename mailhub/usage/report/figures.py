"""The six-monthly usage report's figures, read from the daily aggregates and the service's own tables.

Usage shares come from ``activity_daily`` only (``stats.usage``); invitations, notices, schedules,
deliveries and refusals are counted with one grouped query each over the period.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee
from mailhub.store.models import ActivityDaily, AuditEvent, DeliveryLog
from mailhub.store.publishing_models import Notice, Publication
from mailhub.timeutil import LOCAL, aware
from mailhub.usage.stats import TARGETS, AgencyUsage, UsageReport, percent, usage

DORMANT_DAYS = 90
REFUSAL_EVENTS = ("blocked", "not-read")
_PERIOD = re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period that is not YYYY-H1 or YYYY-H2."""


@dataclass(frozen=True)
class Period:
    year: int
    half: int  # 1: January to June, 2: July to December

    @classmethod
    def parse(cls, value: str) -> Period:
        match = _PERIOD.match(value.strip())
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise PeriodError(f"--period {value!r}: write the half year as YYYY-H1 or YYYY-H2, e.g. 2026-H2")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return f"6 tháng đầu năm {self.year}" if self.half == 1 else f"6 tháng cuối năm {self.year}"

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}"

    def previous(self) -> Period:
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    def months(self) -> list[date]:
        return [date(self.year, self.start.month + n, 1) for n in range(6)]


@dataclass(frozen=True)
class AgencyLine(AgencyUsage):
    dormant: int = 0  # officials with no sign of use in the last DORMANT_DAYS days


@dataclass(frozen=True)
class MonthShare:
    month: date
    officials: int
    active: int

    @property
    def share(self) -> float:
        return percent(self.active, self.officials)


@dataclass(frozen=True)
class LevelLine:
    kind: str
    officials: int
    active: int
    share: float


@dataclass(frozen=True)
class Invitations:
    meetings: int
    invited: int  # attendees asked, over all meetings
    answered: int
    median_hours_to_answer: float | None

    @property
    def response_rate(self) -> float:
        return percent(self.answered, self.invited)


@dataclass(frozen=True)
class ReportFigures:
    period: Period
    as_of: date  # the last day counted: the period's end, or today while it runs
    window_days: int
    definition: str
    province: AgencyLine
    levels: tuple[LevelLine, ...]
    agencies: tuple[AgencyLine, ...]
    trend: tuple[MonthShare, ...]
    previous_share: float | None
    invitations: Invitations
    notices_sent: int
    schedules_sent: int
    deliveries: dict[str, int]  # outcome -> recipients
    refusals: dict[str, int]  # rule -> messages refused by the gate
    targets: tuple[int, ...] = TARGETS


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


def _lines(report: UsageReport, dormant: UsageReport) -> list[AgencyLine]:
    quiet = {a.code: a.officials - a.active for a in dormant.agencies}
    return [AgencyLine(a.code, a.name, a.kind, a.depth, a.officials, a.active, quiet.get(a.code, 0))
            for a in report.agencies]


def _province(lines: list[AgencyLine]) -> AgencyLine:
    tops = [line for line in lines if line.depth == 0]
    if len(tops) == 1:
        return tops[0]
    return AgencyLine("", "Toàn tỉnh", "province", 0, sum(t.officials for t in tops), sum(t.active for t in tops),
                      sum(t.dormant for t in tops))


def gather(engine: Engine, period: Period, *, today: date, window_days: int) -> ReportFigures:
    as_of = min(period.end, today)
    current = usage(engine, root=None, window_days=window_days, as_of=as_of)
    dormant = usage(engine, root=None, window_days=DORMANT_DAYS, as_of=as_of)
    lines = _lines(current, dormant)
    trend = []
    for month in period.months():
        if month > as_of:
            break
        last = min(as_of, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        monthly = usage(engine, root=None, window_days=(last - month).days + 1, as_of=last)
        tops = [a for a in monthly.agencies if a.depth == 0]
        trend.append(MonthShare(month, sum(a.officials for a in tops), sum(a.active for a in tops)))
    previous_share = None
    with Session(engine) as session:
        counted_before = session.exec(select(func.min(ActivityDaily.day))).one()
    if counted_before is not None and counted_before <= period.previous().end < today:
        before = usage(engine, root=None, window_days=window_days, as_of=period.previous().end)
        tops = [a for a in before.agencies if a.depth == 0]
        officials = sum(a.officials for a in tops)
        previous_share = percent(sum(a.active for a in tops), officials) if officials else None
    levels = tuple(LevelLine(kind, int(v["officials"]), int(v["active"]), v["share"])
                   for kind, v in current.levels.items())
    start, end = _utc_start(period.start), _utc_start(as_of + timedelta(days=1))
    with Session(engine) as session:
        return ReportFigures(
            period=period, as_of=as_of, window_days=window_days, definition=current.definition,
            province=_province(lines), levels=levels, agencies=tuple(lines), trend=tuple(trend),
            previous_share=previous_share, invitations=_invitations(session, start, end),
            notices_sent=session.exec(select(func.count()).select_from(Notice)
                                      .where(col(Notice.created_at) >= start, col(Notice.created_at) < end)).one(),
            schedules_sent=session.exec(select(func.count(func.distinct(Publication.reference)))
                                        .where(Publication.kind == "schedule", col(Publication.created_at) >= start,
                                               col(Publication.created_at) < end)).one(),
            deliveries=dict(session.exec(select(DeliveryLog.outcome, func.count())
                                         .where(col(DeliveryLog.at) >= start, col(DeliveryLog.at) < end)
                                         .group_by(DeliveryLog.outcome)).all()),
            refusals=dict(session.exec(select(AuditEvent.rule, func.count())
                                       .where(col(AuditEvent.event).in_(REFUSAL_EVENTS), col(AuditEvent.at) >= start,
                                              col(AuditEvent.at) < end)
                                       .group_by(AuditEvent.rule)).all()),
        )


def _invitations(session: Session, start: datetime, end: datetime) -> Invitations:
    meetings = {m.id: m.created_at for m in session.exec(
        select(Meeting).where(col(Meeting.created_at) >= start, col(Meeting.created_at) < end)).all()}
    if not meetings:
        return Invitations(0, 0, 0, None)
    invited = session.exec(select(MeetingAttendee.meeting_id, MeetingAttendee.email)
                           .where(col(MeetingAttendee.meeting_id).in_(list(meetings)))).all()
    first: dict[tuple[int, str], datetime] = {}
    for meeting_id, email, stamped in session.exec(
            select(MeetingAnswer.meeting_id, MeetingAnswer.email, MeetingAnswer.stamped_at)
            .where(col(MeetingAnswer.meeting_id).in_(list(meetings)), MeetingAnswer.answer != "needs-action")):
        key = (meeting_id, email.lower())
        first[key] = min(first.get(key, stamped), stamped)
    asked = {(meeting_id, email.lower()) for meeting_id, email in invited}
    hours = [max(0.0, (aware(first[key]) - aware(meetings[key[0]])).total_seconds() / 3600)
             for key in asked if key in first]
    return Invitations(len(meetings), len(asked), len(hours), round(statistics.median(hours), 1) if hours else None)
