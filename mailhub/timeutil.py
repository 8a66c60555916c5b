"""Time helpers: the service's clock, and times read back from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

TZID = "Asia/Ho_Chi_Minh"
LOCAL = ZoneInfo(TZID)  # the province's time: days, meetings and reports are in it


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """Times come back from SQLite without their zone; they were written in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The service's default clock (injected everywhere as ``clock``)."""
    return datetime.now(UTC)
