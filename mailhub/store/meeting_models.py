"""Tables for meetings (invitations), their attendees and answers, and service addresses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from mailhub.timeutil import utcnow


class ServiceAddress(SQLModel, table=True):
    """An address on mailhub's service domain that stands for a directory address (an organizer):
    replies come here whatever server the attendee uses, and are passed on to ``target``."""

    __tablename__ = "service_address"

    address: str = Field(primary_key=True, max_length=320)
    target: str = Field(max_length=320, index=True)
    display_name: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=255, unique=True, index=True)
    sequence: int = 0
    time_sequence: int = 0  # the SEQUENCE of the last change of time: older answers do not stand for it
    title: str = Field(max_length=500)
    starts_at: datetime
    ends_at: datetime
    location: str = Field(default="", max_length=500)
    organizer: str = Field(max_length=320)  # the directory address on whose behalf it goes out
    organizer_name: str = Field(default="", max_length=255)
    organizer_service: str = Field(max_length=320)  # ORGANIZER and From, on the service domain
    chair: str | None = Field(default=None, max_length=320)
    chair_name: str = Field(default="", max_length=255)
    agenda: str = Field(default="", max_length=10000)
    online_url: str = Field(default="", max_length=1000)
    bridges: str = Field(default="[]", max_length=10000)  # JSON list of bridge points (điểm cầu)
    weekly_until: date | None = None
    exdates: str = Field(default="[]", max_length=10000)  # JSON list of ISO dates
    attachments: str = Field(default="[]", max_length=10000)  # JSON list of file names sent
    document_number: str = Field(default="", max_length=64)  # Số: 45/GM-UBND
    signer: str = Field(default="{}", max_length=1000)  # JSON: authority, title, name (the letter's signer block)
    status: str = Field(default="confirmed", max_length=16)
    reminder_sent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingDocument(SQLModel, table=True):
    """A document sent with the invitation; every update carries it again (clients replace the item)."""

    __tablename__ = "meeting_document"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=255)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MeetingAttendee(SQLModel, table=True):
    __tablename__ = "meeting_attendee"
    __table_args__ = (UniqueConstraint("meeting_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    email: str = Field(max_length=320, index=True)
    display_name: str = Field(default="", max_length=255)
    agency_code: str = Field(default="", max_length=64)
    role: str = Field(default="REQ-PARTICIPANT", max_length=32)
    active: bool = Field(default=True)


class MeetingOverride(SQLModel, table=True):
    """One occurrence of a weekly series changed or cancelled (RECURRENCE-ID)."""

    __tablename__ = "meeting_override"
    __table_args__ = (UniqueConstraint("meeting_id", "occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    occurrence: date
    title: str | None = Field(default=None, max_length=500)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str | None = Field(default=None, max_length=500)
    cancelled: bool = Field(default=False)
    sequence: int = 0


class MeetingAnswer(SQLModel, table=True):
    """The newest answer of an attendee, for the series ("" occurrence) or one occurrence."""

    __tablename__ = "meeting_answer"
    __table_args__ = (UniqueConstraint("meeting_id", "email", "occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    email: str = Field(max_length=320)
    occurrence: str = Field(default="", max_length=10)
    answer: str = Field(max_length=16)  # accepted, declined, tentative, delegated, needs-action
    stamped_at: datetime
    sequence: int = 0  # the SEQUENCE of the invitation the answer was given to
    comment: str = Field(default="", max_length=1000)


class MeetingMessage(SQLModel, table=True):
    """Which queued message carried which invitation, update, cancellation or reminder."""

    __tablename__ = "meeting_message"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    queue_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)  # request, cancel, reminder
    created_at: datetime = Field(default_factory=utcnow)
