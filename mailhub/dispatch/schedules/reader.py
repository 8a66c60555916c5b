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
from mailhub.dispatch.schedules.times import block_of, end_after, is_heading, parse_day, parse_times
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


MAX_PROBLEMS_SHOWN = 50
EMPTY_MARKS = ("-", "–", "—", "x", "/")  # what a clerk types into a cell that has nothing to say


def read_schedule(path: Path, week: str) -> list[ScheduleEntry]:
    monday, sunday = week_days(week)
    table = read_table(path, SCHEDULE_COLUMNS, required=("date", "start", "leader", "content"))
    entries: list[ScheduleEntry] = []
    problems: list[RowProblem] = []
    day: date | None = None
    block: str | None = None
    for row in table.rows:
        try:
            # the day and the part of the day first: they hold for the rows below even if this row is wrong
            day, block, heading = _advance(row, week, monday, sunday, day, block)
            if not heading:
                entries.append(_entry(row, day, block))
        except ValueError as exc:
            problems.append(RowProblem(row.line, str(exc)))
    seen: dict[tuple[date, datetime, str], int] = {}
    for entry in entries:
        key = (entry.day, entry.start, fold(entry.leader))
        if key in seen:
            problems.append(RowProblem(entry.line, f"same day, time and leader as line {seen[key]}"))
        seen.setdefault(key, entry.line)
    if problems:
        problems.sort(key=lambda p: p.line)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            more = len(problems) - MAX_PROBLEMS_SHOWN
            problems = [*problems[:MAX_PROBLEMS_SHOWN],
                        RowProblem(problems[MAX_PROBLEMS_SHOWN].line, f"and {more} more rows that cannot be read")]
        raise ScheduleFileError(problems)
    if not entries:
        raise InvalidInput(f"{path}: no schedule rows")
    return sorted(entries, key=lambda e: (e.start, e.line))


def _cell(row: TableRow, column: str) -> str:
    value = row.get(column).strip()
    return "" if value in EMPTY_MARKS else value


def _advance(row: TableRow, week: str, monday: date, sunday: date, day: date | None,
             block: str | None) -> tuple[date | None, str | None, bool]:
    """(the day and part of the day for this row and those below, whether the row is only a heading)."""
    date_text, start_text, block_text = _cell(row, "date"), _cell(row, "start"), _cell(row, "block")
    has_item = bool(_cell(row, "leader") or _cell(row, "content"))
    if date_text and is_heading(date_text):  # 'SÁNG' in the first column of a full-width heading row
        return day, block_of(date_text), not has_item
    if date_text:
        new_day = parse_day(date_text, monday, sunday)
        day, block = new_day, (block if new_day == day else None)  # the same day again (a merged cell): same part
        if not monday <= day <= sunday:
            raise ValueError(f"{day:%d/%m/%Y} is not in week {week} ({monday:%d/%m} - {sunday:%d/%m/%Y})")
    if block_text:
        block = block_of(block_text) or block
    if not has_item:
        if is_heading(start_text):
            return day, block_of(start_text), True
        if date_text and not start_text:
            return day, block, True  # a day heading
        raise ValueError("a row needs the leader (Lãnh đạo) and the content (Nội dung)")
    return day, block, False


def _entry(row: TableRow, day: date | None, block: str | None) -> ScheduleEntry:
    if day is None:
        raise ValueError("no date on this row and none above it")
    leader, content = _cell(row, "leader"), _cell(row, "content")
    if not leader or not content:
        raise ValueError("a row needs the leader (Lãnh đạo) and the content (Nội dung)")
    start_text = _cell(row, "start") or _cell(row, "block")
    if not start_text:
        raise ValueError("a row needs a time (Thời gian), or Sáng / Chiều")
    times = parse_times(start_text, block)
    end_time = times.end
    if _cell(row, "end"):
        ending = parse_times(_cell(row, "end"), times.block)
        if ending.end is not None:
            raise ValueError(f"the end column holds a range ({_cell(row, 'end')!r}): write the end time alone")
        end_time = ending.start
    assert times.start is not None
    start = datetime.combine(day, times.start, LOCAL)
    end = datetime.combine(day, end_time or end_after(times.start, DEFAULT_DURATION), LOCAL)
    if end <= start:
        raise ValueError("the item ends before it starts")
    return ScheduleEntry(row.line, day, start, end, leader, content, _cell(row, "location"),
                         _cell(row, "participants"))
