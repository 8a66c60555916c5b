"""The schedule file the office already keeps (CSV or XLSX, English or Vietnamese headers), read
into entries; any row that cannot be read is reported with its line number and nothing is sent."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from directory import InvalidInput, read_table
from mailhub.timeutil import LOCAL
from policies import fold

SCHEDULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("ngày", "ngày tháng", "thứ ngày", "thứ, ngày", "day"),
    "start": ("bắt đầu", "giờ bắt đầu", "thời gian", "giờ", "start time", "time"),
    "end": ("kết thúc", "giờ kết thúc", "end time"),
    "leader": ("lãnh đạo", "lãnh đạo chủ trì", "chủ trì", "người chủ trì"),
    "content": ("nội dung", "nội dung công việc", "công việc"),
    "location": ("địa điểm", "nơi họp", "place"),
    "participants": ("thành phần", "thành phần tham dự", "thành phần tham gia"),
}
_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"^\s*(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{1,2})?", re.IGNORECASE)
DEFAULT_DURATION = timedelta(hours=1)


@dataclass(frozen=True)
class ScheduleEntry:
    line: int
    day: date
    start: datetime
    end: datetime
    leader: str
    content: str
    location: str
    participants: str

    def uid(self, week: str, domain: str) -> str:
        """Stable across revisions: the week, the day, the start and the leader say which item it is."""
        key = f"{week}|{self.day.isoformat()}|{self.start.astimezone(LOCAL):%H:%M}|{fold(self.leader)}"
        return f"lct-{hashlib.sha256(key.encode()).hexdigest()[:20]}@{domain}"


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


class ScheduleFileError(InvalidInput):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.reason}" for p in problems))
        self.problems = problems


def week_days(week: str) -> tuple[date, date]:
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", week.strip().upper())
    if not match:
        raise InvalidInput(f"--week {week!r} is not like 2026-W49")
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise InvalidInput(f"--week {week!r}: {exc}") from exc
    return monday, monday + timedelta(days=6)


def parse_day(value: str) -> date:
    if match := _DATE_YMD.search(value):
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _DATE_DMY.search(value):
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    raise ValueError(f"cannot read {value!r} as a date (use 07/12/2026 or 2026-12-07)")


def parse_time(value: str) -> time:
    match = _TIME.match(value)
    if not match:
        raise ValueError(f"cannot read {value!r} as a time (use 08:00 or 8h00)")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{value!r} is not a time of day")
    return time(hour, minute)


def read_schedule(path: Path, week: str) -> list[ScheduleEntry]:
    monday, sunday = week_days(week)
    table = read_table(path, SCHEDULE_COLUMNS, required=("date", "start", "leader", "content"))
    entries: list[ScheduleEntry] = []
    problems: list[RowProblem] = []
    for row in table.rows:
        try:
            day = parse_day(row.get("date"))
            if not monday <= day <= sunday:
                raise ValueError(f"{day:%d/%m/%Y} is not in week {week} ({monday:%d/%m} - {sunday:%d/%m/%Y})")
            start = datetime.combine(day, parse_time(row.get("start")), LOCAL)
            end = datetime.combine(day, parse_time(row.get("end")), LOCAL) if row.get("end") else start + \
                DEFAULT_DURATION
            if end <= start:
                raise ValueError("the item ends before it starts")
            if not row.get("leader") or not row.get("content"):
                raise ValueError("a row needs the leader (Lãnh đạo) and the content (Nội dung)")
            entries.append(ScheduleEntry(row.line, day, start, end, row.get("leader"), row.get("content"),
                                         row.get("location"), row.get("participants")))
        except ValueError as exc:
            problems.append(RowProblem(row.line, str(exc)))
    seen: dict[tuple[date, datetime, str], int] = {}
    for entry in entries:
        key = (entry.day, entry.start, fold(entry.leader))
        if key in seen:
            problems.append(RowProblem(entry.line, f"same day, time and leader as line {seen[key]}"))
        seen.setdefault(key, entry.line)
    if problems:
        raise ScheduleFileError(sorted(problems, key=lambda p: p.line))
    if not entries:
        raise InvalidInput(f"{path}: no schedule rows")
    return sorted(entries, key=lambda e: (e.start, e.line))
