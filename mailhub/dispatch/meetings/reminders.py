"""Reminders before a meeting to attendees who have not answered. The time of the last reminder
is kept in the database, so a restart never loses one and never sends one twice."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from mailhub.dispatch.meetings.service import MeetingService
from mailhub.store.meeting_models import Meeting, MeetingAnswer
from mailhub.timeutil import LOCAL as LOCAL_TZ
from mailhub.timeutil import aware


def send_reminders(service: MeetingService, lead: timedelta) -> int:
    """Remind attendees who have not answered, ``lead`` before the next occurrence; idempotent,
    so a restart (or two nodes) never sends one twice."""
    now = service.clock()
    sent = 0
    with Session(service.engine, expire_on_commit=False) as session:
        meetings = session.exec(select(Meeting).where(Meeting.status == "confirmed")).all()
        due = []
        for meeting in meetings:
            upcoming = next_start(meeting, now)
            if upcoming is None or upcoming - lead > now:
                continue
            last = aware(meeting.reminder_sent_at)
            if last is not None and last >= upcoming - lead:
                continue
            due.append((meeting, upcoming))
    for meeting, upcoming in due:
        # the reminder and the time it was sent commit together: never lost, never twice
        with Session(service.engine, expire_on_commit=False) as session:
            spec = service.spec_of(session, meeting)
            answered = {a.email for a in session.exec(select(MeetingAnswer).where(
                MeetingAnswer.meeting_id == meeting.id, MeetingAnswer.occurrence == "",
                MeetingAnswer.sequence >= meeting.time_sequence)).all()}  # answers to an earlier time ask again
            silent = tuple(p for p in spec.everyone if p.email not in answered)
            fresh = session.get(Meeting, meeting.id)
            assert fresh is not None
            fresh.reminder_sent_at = now
            session.add(fresh)
            if silent:
                head = service.letterhead(meeting)
                occurrence = upcoming.astimezone(LOCAL_TZ).date() if meeting.weekly_until else None
                first = occurrence == spec.start.astimezone(LOCAL_TZ).date()
                reminder = service.compose(spec, "reminder", "REQUEST", silent, head, (),
                                           None if first else occurrence)
                service.queue_messages(session, fresh, [reminder])
            session.commit()
        if silent:
            service.notify()
            sent += len(silent)
    return sent


def next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """The start of the next occurrence that has not begun, or None."""
    start = aware(meeting.starts_at)
    assert start is not None
    skipped = {date.fromisoformat(d) for d in json.loads(meeting.exdates)}
    last = meeting.weekly_until or start.astimezone(LOCAL_TZ).date()
    while start.astimezone(LOCAL_TZ).date() <= last:
        if start > now and start.astimezone(LOCAL_TZ).date() not in skipped:
            return start
        start += timedelta(days=7)
    return None
