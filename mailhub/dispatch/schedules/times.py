"""Days and times as offices type them in a schedule: ``14 giờ 30``, ``7h30 - 9h00``, ``14:30-16:30``,
``Sáng`` / ``Chiều`` blocks (``Chiều 2h00`` is 14:00), ``Cả ngày``, ``Thứ Hai, 07/12`` (the year
from the week). Anything else is an error naming what could not be read, never a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from directory import unaccented

WEEKDAY_NAMES = {  # unaccented, as written in a date cell
    "thuhai": 0, "thu2": 0, "thuba": 1, "thu3": 1, "thutu": 2, "thu4": 2, "thunam": 3, "thu5": 3,
    "thusau": 4, "thu6": 4, "thubay": 5, "thu7": 5, "chunhat": 6, "cn": 6,
    "t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5,
}
BLOCKS = {  # office hours of each part of the day
    "sang": (time(7, 30), time(11, 30)),
    "trua": (time(11, 30), time(13, 30)),
    "chieu": (time(13, 30), time(17, 0)),
    "toi": (time(19, 0), time(21, 0)),
}
ALL_DAY = (time(7, 30), time(17, 0))
AFTERNOON = ("chieu", "toi")
_CLOCK = re.compile(  # 8:00, 8h, 8h30, 14 giờ 30 phút; a bare hour only before a dash, 'đến' or the end
    r"(?<![\d/])(\d{1,2})\s*(?:(?:giờ|gio|:|h|g)\s*(\d{1,2})?\s*(?:phút|phut|p)?|(?=\s*(?:-|–|—|đến|den|$)))",
    re.IGNORECASE)
_DAY_MONTH = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Times:
    start: time | None
    end: time | None
    block: str | None  # sang, trua, chieu, toi: the part of the day the cell names
    all_day: bool = False


def block_of(text: str) -> str | None:
    """'Sáng', 'Buổi chiều', 'CHIỀU:' -> the block; None when the text names none."""
    words = {unaccented(w) for w in _WORDS.findall(text)}
    found = [block for block in BLOCKS if block in words]
    return found[0] if len(found) == 1 else None


def parse_day(text: str, monday: date, sunday: date) -> date:
    """A date cell: 07/12/2026, 2026-12-07, 07/12 (the year of the week), 'Thứ Hai, 07/12'. A weekday
    name that disagrees with the date is an error (one of the two was mistyped)."""
    if match := _ISO.search(text):
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif match := _DAY_MONTH.search(text):
        year_text = match.group(3)
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            day = date(year, int(match.group(2)), int(match.group(1)))
        else:
            day = _in_week(int(match.group(1)), int(match.group(2)), monday, sunday)
    else:
        raise ValueError(f"cannot read {text!r} as a date (use 07/12/2026, 07/12 or Thứ Hai, 07/12)")
    squeezed = unaccented(text)
    named = [n for name, n in WEEKDAY_NAMES.items() if squeezed.startswith(name) or f"{name}ngay" in squeezed]
    if named and named[0] != day.weekday():
        raise ValueError(f"{text!r}: {day:%d/%m/%Y} is not that day of the week")
    return day


def _in_week(day_number: int, month: int, monday: date, sunday: date) -> date:
    for year in {monday.year, sunday.year}:
        try:
            candidate = date(year, month, day_number)
        except ValueError:
            continue
        if monday <= candidate <= sunday:
            return candidate
    try:
        return date(monday.year, month, day_number)  # outside the week: reported by the caller
    except ValueError as exc:
        raise ValueError(f"{day_number:02d}/{month:02d} is not a date") from exc


def parse_times(text: str, block: str | None = None) -> Times:
    """A time cell: one time or a range, with or without a block word. ``block`` is the part of the
    day the row is under (a 'Chiều' row above it); a block word in the cell overrides it."""
    cell_block = block_of(text) or block
    squeezed = unaccented(text)
    if "cangay" in squeezed:
        return Times(ALL_DAY[0], ALL_DAY[1], cell_block, all_day=True)
    clocks = [_clock(hour, minute, text, cell_block) for hour, minute in _CLOCK.findall(text)]
    leftover = _CLOCK.sub(" ", text)
    for word in _WORDS.findall(leftover):
        if unaccented(word) not in {*BLOCKS, "buoi", "tu", "den", "luc", "vao", "h", "g", "gio", "phut", "p"}:
            raise ValueError(f"cannot read {text!r} as a time (use 08:00, 8h30, 14 giờ 30 or 7h30 - 9h00)")
    if re.search(r"\d", leftover):
        raise ValueError(f"cannot read {text!r} as a time (use 08:00, 8h30, 14 giờ 30 or 7h30 - 9h00)")
    if len(clocks) > 2:
        raise ValueError(f"{text!r} holds more than a start and an end")
    if not clocks:
        if cell_block is None:
            raise ValueError(f"cannot read {text!r} as a time (use 08:00, 8h30, Sáng or Chiều)")
        start, end = BLOCKS[cell_block]
        return Times(start, end, cell_block)
    return Times(clocks[0], clocks[1] if len(clocks) == 2 else None, cell_block)


def _clock(hour_text: str, minute_text: str, cell: str, block: str | None) -> time:
    hour, minute = int(hour_text), int(minute_text or 0)
    if block in AFTERNOON and hour < 12:
        hour += 12  # 'Chiều 2h00' is 14:00
    if hour > 23 or minute > 59:
        raise ValueError(f"{cell!r} is not a time of day")
    return time(hour, minute)


def end_after(start: time, duration: timedelta) -> time:
    minutes = min(start.hour * 60 + start.minute + int(duration.total_seconds() // 60), 23 * 60 + 59)
    return time(minutes // 60, minutes % 60)
