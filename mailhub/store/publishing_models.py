"""Tables for weekly work schedules (lịch công tác tuần) and notices (thông báo)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from mailhub.timeutil import utcnow


class ScheduleItem(SQLModel, table=True):
    """One row of a week's schedule as last published; its UID stays the same across revisions."""

    __tablename__ = "schedule_item"
    __table_args__ = (UniqueConstraint("week", "uid"),)

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(max_length=8, index=True)  # 2026-W49
    uid: str = Field(max_length=255)
    day: date
    starts_at: datetime
    ends_at: datetime
    leader: str = Field(max_length=255)
    content: str = Field(max_length=4000)
    location: str = Field(default="", max_length=500)
    participants: str = Field(default="", max_length=4000)
    sequence: int = 0
    cancelled: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow)


class Publication(SQLModel, table=True):
    """One sending of a schedule or a notice, and the queued message that carried it."""

    __tablename__ = "publication"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # schedule, notice
    reference: str = Field(max_length=64, index=True)  # the week, or the notice id
    queue_id: str = Field(default="", max_length=32, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Notice(SQLModel, table=True):
    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(default="", max_length=64)  # 45/TB-UBND
    subject: str = Field(max_length=998)
    sender: str = Field(max_length=320)
    urgency: str = Field(default="", max_length=16)  # khan, thuong-khan, hoa-toc
    attachments: str = Field(default="[]", max_length=10000)
    created_at: datetime = Field(default_factory=utcnow)


class NoticeRecipient(SQLModel, table=True):
    __tablename__ = "notice_recipient"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    email: str = Field(max_length=320)
    display_name: str = Field(default="", max_length=255)
    agency_code: str = Field(default="", max_length=64)
