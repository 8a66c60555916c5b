"""What a meeting's letters keep from one message to the next: the letterhead with the meeting's
own number and signer, and its documents (an update replaces the item in Outlook and Thunderbird,
so it must carry the documents again, or they vanish from the attendee's calendar), and a series'
exceptions, which must follow it to another weekday."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from mailhub.dispatch.letterhead import Letterhead, Signer
from mailhub.dispatch.meetings.compose import Document
from mailhub.store.meeting_models import Meeting, MeetingDocument, MeetingOverride
from mailhub.timeutil import LOCAL

INVITATION_RECIPIENTS = ("Như thành phần mời", "Lưu: VT")


def signer_json(signer: Signer | None) -> str:
    return json.dumps(asdict(signer or Signer()), ensure_ascii=False)


def meeting_letterhead(head: Letterhead, meeting: Meeting) -> Letterhead:
    """The organizer agency's letterhead with this meeting's number and signer (as given at creation)."""
    try:
        signer = Signer(**{k: str(v) for k, v in json.loads(meeting.signer or "{}").items()
                           if k in ("authority", "title", "name")})
    except (ValueError, TypeError):
        signer = Signer()
    return head.with_options(number=meeting.document_number, signer=signer, recipients_note=INVITATION_RECIPIENTS)


def store_documents(session: Session, meeting_id: int, documents: tuple[Document, ...]) -> None:
    for document in documents:
        session.add(MeetingDocument(meeting_id=meeting_id, filename=document.filename,
                                    content_type=document.content_type, content=document.content))


def stored_documents(session: Session, meeting_id: int) -> tuple[Document, ...]:
    rows = session.exec(select(MeetingDocument).where(MeetingDocument.meeting_id == meeting_id)
                        .order_by(col(MeetingDocument.id))).all()
    return tuple(Document(r.filename, r.content, r.content_type) for r in rows)


def shift_exceptions(session: Session, meeting: Meeting, new_start: datetime) -> None:
    """A series moved to another weekday: its skipped and changed weeks move with it, so that each
    RECURRENCE-ID and EXDATE still names an occurrence of the new rule (clients match them exactly)."""
    old_day = meeting.starts_at.astimezone(LOCAL).date()
    delta = timedelta(days=new_start.astimezone(LOCAL).weekday() - old_day.weekday())
    if not delta:
        return
    meeting.exdates = json.dumps([(date.fromisoformat(d) + delta).isoformat() for d in json.loads(meeting.exdates)])
    for override in session.exec(select(MeetingOverride).where(MeetingOverride.meeting_id == meeting.id)).all():
        override.occurrence = override.occurrence + delta
        session.add(override)
