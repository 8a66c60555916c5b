"""What `mailhub meeting list|show` shows: each attendee's answer and the delivery status of the
invitation to them (from the queue, updated by returning DSNs), grouped by agency."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mailhub.errors import MailhubError
from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee, MeetingMessage, MeetingOverride
from mailhub.store.models import QueuedMessage, QueueRecipient
from mailhub.timeutil import LOCAL


def meeting_summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id, "uid": meeting.uid, "title": meeting.title, "status": meeting.status,
        "sequence": meeting.sequence, "start": meeting.starts_at.astimezone(LOCAL).isoformat(),
        "end": meeting.ends_at.astimezone(LOCAL).isoformat(),
        "location": meeting.location, "organizer": meeting.organizer, "organizer_address": meeting.organizer_service,
        "weekly_until": meeting.weekly_until.isoformat() if meeting.weekly_until else None,
    }


def list_meetings(engine: Engine, limit: int = 500) -> list[dict[str, Any]]:
    with Session(engine) as session:
        meetings = session.exec(select(Meeting).order_by(col(Meeting.starts_at).desc()).limit(limit)).all()
        return [meeting_summary(m) for m in meetings]


def show_meeting(engine: Engine, meeting_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise MailhubError(f"no meeting {meeting_id}")
        attendees = session.exec(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id)
                                 .order_by(col(MeetingAttendee.id))).all()
        answers: dict[str, dict[str, MeetingAnswer]] = {}
        for answer in session.exec(select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id)).all():
            answers.setdefault(answer.email, {})[answer.occurrence] = answer
        delivery = _delivery(session, meeting_id)
        overrides = session.exec(select(MeetingOverride).where(MeetingOverride.meeting_id == meeting_id)).all()
        rows: list[dict[str, Any]] = []
        for attendee in attendees:
            mine = answers.get(attendee.email, {})
            # the answer for the whole series (a series); a one-week answer is only that week's
            series = mine.get("")
            # an answer given before the time changed does not stand for the new time
            earlier = series if series is not None and series.sequence < meeting.time_sequence else None
            current = None if earlier is not None else series
            rows.append({
                "email": attendee.email.lower(), "name": attendee.display_name, "agency": attendee.agency_code,
                "role": attendee.role, "invited": attendee.active,
                "answer": current.answer if current else "needs-action",
                "answered_at": current.stamped_at.isoformat() if current else None,
                "earlier_time_answer": earlier.answer if earlier else None,
                "occurrence_answers": {k: v.answer for k, v in sorted(mine.items()) if k},
                "delivery": delivery.get(attendee.email, "not sent"),
            })
        by_agency: dict[str, dict[str, int]] = {}
        for row in rows:
            if row["invited"]:
                counts = by_agency.setdefault(str(row["agency"] or "-"), {})
                counts[str(row["answer"])] = counts.get(str(row["answer"]), 0) + 1
        return {
            **meeting_summary(meeting),
            "chair": meeting.chair, "agenda": meeting.agenda, "online_url": meeting.online_url,
            "bridges": json.loads(meeting.bridges),
            "occurrences_changed": [{"occurrence": o.occurrence.isoformat(), "cancelled": o.cancelled}
                                    for o in overrides],
            "attendees": rows, "by_agency": by_agency,
        }


def _delivery(session: Session, meeting_id: int) -> dict[str, str]:
    """The state of the newest message to each attendee: queued, active, deferred, delivered, bounced."""
    queue_ids = [m.queue_id for m in session.exec(select(MeetingMessage).where(
        MeetingMessage.meeting_id == meeting_id).order_by(col(MeetingMessage.id))).all()]
    if not queue_ids:
        return {}
    rows = session.exec(
        select(QueueRecipient.address, QueueRecipient.state, QueuedMessage.queue_id)
        .join(QueuedMessage, col(QueuedMessage.id) == col(QueueRecipient.message_pk))
        .where(col(QueuedMessage.queue_id).in_(queue_ids))).all()
    order = {queue_id: n for n, queue_id in enumerate(queue_ids)}
    states: dict[str, tuple[int, str]] = {}
    for address, state, queue_id in rows:
        if address not in states or order[queue_id] >= states[address][0]:
            states[address] = (order[queue_id], state)
    return {address: state for address, (_, state) in states.items()}
