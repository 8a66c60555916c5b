"""Time helpers: the service's clock, and times read back from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def document_date(day: date) -> str:
    """'ngày 05 tháng 01 năm 2027', 'ngày 15 tháng 12 năm 2026': Nghị định 30/2020 writes a leading zero
    on days below 10 and on months 1 and 2 only."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
