"""The schedule file the office already keeps (CSV or XLSX, English or Vietnamese headers), read
into entries; any row that cannot be read is reported with its line number and nothing is sent.

Columns (any order; Vietnamese or English headers): Ngày (date), Thời gian / Bắt đầu (start),
Kết thúc (end), Buổi (Sáng/Chiều), Lãnh đạo (leader), Nội dung (content), Địa điểm (location),
Thành phần (participants). A date written once for several rows (merged cells) holds for the rows
below it; a row with only 'Sáng' or 'Chiều' starts that part of the day for the rows below it.
Forms read: see ``times.py``."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from directory import InvalidInput, TableRow, read_table
from mailhub.dispatch.schedules.times import block_of, end_after, parse_day, parse_times
from mailhub.timeutil import LOCAL
from policies import fold

SCHEDULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("ngày", "ngày tháng", "thứ ngày", "thứ, ngày", "day"),
    "start": ("bắt đầu", "giờ bắt đầu", "thời gian", "giờ", "start time", "time"),
    "block": ("buổi", "buổi sáng/chiều", "sáng/chiều", "session"),
    "end": ("kết thúc", "giờ kết thúc", "end time"),
    "leader": ("lãnh đạo", "lãnh đạo chủ trì", "chủ trì", "người chủ trì"),
    "content": ("nội dung", "nội dung công việc", "công việc"),
    "location": ("địa điểm", "nơi họp", "place"),
    "participants": ("thành phần", "thành phần tham dự", "thành phần tham gia"),
}
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


def read_schedule(path: Path, week: str) -> list[ScheduleEntry]:
    monday, sunday = week_days(week)
    table = read_table(path, SCHEDULE_COLUMNS, required=("date", "start", "leader", "content"))
    entries: list[ScheduleEntry] = []
    problems: list[RowProblem] = []
    day: date | None = None
    block: str | None = None
    for row in table.rows:
        try:
            day, block, entry = _row(row, week, monday, sunday, day, block)
            if entry is not None:
                entries.append(entry)
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


def _row(row: TableRow, week: str, monday: date, sunday: date, day: date | None,
         block: str | None) -> tuple[date | None, str | None, ScheduleEntry | None]:
    """(the day and part of the day for the rows below, the entry of this row or None)."""
    date_text, start_text = row.get("date"), row.get("start")
    if date_text:
        day, block = parse_day(date_text, monday, sunday), None
        if not monday <= day <= sunday:
            raise ValueError(f"{day:%d/%m/%Y} is not in week {week} ({monday:%d/%m} - {sunday:%d/%m/%Y})")
    block = block_of(row.get("block")) or block_of(date_text) or block
    if not row.get("leader") and not row.get("content"):
        if block_of(start_text) or block_of(row.get("block")) or (date_text and not start_text):
            return day, block_of(start_text) or block, None  # a heading row: a day, or Sáng / Chiều
        raise ValueError("a row needs the leader (Lãnh đạo) and the content (Nội dung)")
    if day is None:
        raise ValueError("no date on this row and none above it")
    if not row.get("leader") or not row.get("content"):
        raise ValueError("a row needs the leader (Lãnh đạo) and the content (Nội dung)")
    times = parse_times(start_text, block) if start_text else parse_times(row.get("block") or "", block)
    end_time = times.end
    if row.get("end"):
        end_time = parse_times(row.get("end"), times.block).start
    assert times.start is not None
    start = datetime.combine(day, times.start, LOCAL)
    end = datetime.combine(day, end_time or end_after(times.start, DEFAULT_DURATION), LOCAL)
    if end <= start:
        raise ValueError("the item ends before it starts")
    entry = ScheduleEntry(row.line, day, start, end, row.get("leader"), row.get("content"), row.get("location"),
                          row.get("participants"))
    return day, block, entry
