"""Days and times as offices type them in a schedule: ``14 giờ 30``, ``7h30 - 9h00``, ``14:30-16:30``,
``từ 8h tới 10h``, ``Sáng`` / ``Chiều`` blocks (``Chiều 2h00`` is 14:00), ``Cả ngày``, ``Thứ Hai, 07/12``
(the year from the week), Excel's own time cells (``08:00:00``). Anything else is an error naming
what could not be read, never a guess: an hour that fits neither the office day nor its block (``8h``
under ``Chiều``, ``3h`` alone) is reported, and so are two times that are not a range."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta

from directory import unaccented

BLOCKS = {  # office hours of each part of the day, and the hours a time written in it may take
    "sáng": ((time(7, 30), time(11, 30)), range(5, 13)),
    "trưa": ((time(11, 30), time(13, 30)), range(11, 15)),
    "chiều": ((time(13, 30), time(17, 0)), range(12, 19)),
    "tối": ((time(19, 0), time(21, 0)), range(17, 24)),
}
BLOCK_SPELLINGS = {"sáng": "sáng", "sang": "sáng", "trưa": "trưa", "trua": "trưa", "chiều": "chiều",
                   "chieu": "chiều", "tối": "tối"}  # ASCII 'toi' is 'tới' (until) as often as 'tối'
ALL_DAY = (time(7, 30), time(17, 0))
OFFICE_HOURS = range(6, 24)  # a time with no block before 06:00 is a typing slip (3h for 15h), reported
_CLOCK = re.compile(  # 8:00, 8:00:00, 8h, 8h30, 14 giờ 30 phút; a bare hour only before a range word or the end
    r"(?<![\d/])(\d{1,2})\s*(?:(?:giờ|gio|:|h|g)\s*(\d{1,2})?(?::\d{2})?\s*(?:phút|phut|p)?"
    r"|(?=\s*(?:-|–|—|đến|den|tới|toi|$)))", re.IGNORECASE)
_RANGE_WORDS = re.compile(r"^\s*(?:-|–|—|đến|den|tới|toi)\s*$", re.IGNORECASE)
_DAY_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?(?!\d)")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_TIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[ T](\d{1,2}:\d{2})(?::\d{2})?\s*$")
_WEEKDAY = re.compile(r"\b(?:thu\s*(hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat|cn|t([2-7]))\b")
_WEEKDAY_NUMBERS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_WEEKDAY_TEXT = re.compile(  # the same, as written (to take it out before reading the date)
    r"(?i)\b(?:th[uứ]\s*(?:hai|ba|t[uư]|n[aă]m|s[aá]u|b[aả]y|[2-7])|ch[uủ]\s*nh[aậ]t|cn|t[2-7])\b")
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_FILLER = {"buoi", "tu", "den", "toi", "luc", "vao", "h", "g", "gio", "phut", "p", "ngay"}


@dataclass(frozen=True)
class Times:
    start: time | None
    end: time | None
    block: str | None  # sáng, trưa, chiều, tối: the part of the day the cell names
    all_day: bool = False


def _words(text: str) -> list[str]:
    return [unicodedata.normalize("NFC", w).lower() for w in _WORDS.findall(text)]


def block_of(text: str) -> str | None:
    """'Sáng', 'Buổi chiều', 'CHIỀU:' -> the block; None when the text names none (or two)."""
    found = {BLOCK_SPELLINGS[w] for w in _words(text) if w in BLOCK_SPELLINGS}
    return found.pop() if len(found) == 1 else None


def is_heading(text: str) -> bool:
    """A cell that only names a part of the day ('SÁNG', 'Buổi chiều:')."""
    return block_of(text) is not None and not re.search(r"\d", text) and \
        all(w in BLOCK_SPELLINGS or unaccented(w) in _FILLER for w in _words(text))


def parse_day(text: str, monday: date, sunday: date) -> date:
    """A date cell: 07/12/2026, 2026-12-07, 07/12 (the year of the week), 'Thứ Hai, 07/12', '07/12 (T2)'.
    A weekday that disagrees with the date is an error (one of the two was mistyped)."""
    spaced = " ".join(unaccented(w) for w in text.replace("-", " - ").split())
    weekday = _WEEKDAY.search(spaced)
    named = None
    if weekday:
        token = weekday.group(1) or weekday.group(2) or ""
        named = 6 if token == "" else _WEEKDAY_NUMBERS.get(token, int(token) - 2 if token.isdigit() else -1)
    bare = _WEEKDAY_TEXT.sub(" ", text)  # 'Thứ 2 - 07/12': the 2 of the weekday is not a day of the month
    try:
        if match := _ISO.search(bare):
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        elif match := _DAY_MONTH.search(bare):
            year_text = match.group(3)
            if year_text:
                day = date(int(year_text) + (2000 if len(year_text) == 2 else 0), int(match.group(2)),
                           int(match.group(1)))
            else:
                day = _in_week(int(match.group(1)), int(match.group(2)), monday, sunday)
        else:
            raise ValueError(f"cannot read {text!r} as a date (use 07/12/2026, 07/12 or Thứ Hai, 07/12)")
    except ValueError as exc:
        if "cannot read" in str(exc):
            raise
        raise ValueError(f"{text!r} is not a date ({exc})") from exc
    if named is not None and named != day.weekday():
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
    return date(monday.year, month, day_number)  # outside the week (or no such day): reported by the caller


def parse_times(text: str, block: str | None = None) -> Times:
    """A time cell: one time or a range, with or without a block word. ``block`` is the part of the
    day the row is under (a 'Chiều' row above it); a block word in the cell overrides it."""
    if match := _ISO_TIME.match(text):  # Excel's datetime in a time column
        text = match.group(1)
    cell_block = block_of(text) or block
    if "cangay" in unaccented(text):
        return Times(ALL_DAY[0], ALL_DAY[1], cell_block, all_day=True)
    matches = list(_CLOCK.finditer(text))
    leftover = _CLOCK.sub(" ", text)
    unreadable = ValueError(f"cannot read {text!r} as a time (use 08:00, 8h30, 14 giờ 30 or 7h30 - 9h00)")
    if re.search(r"\d", leftover) or any(w not in BLOCK_SPELLINGS and unaccented(w) not in _FILLER
                                         for w in _words(leftover)):
        raise unreadable
    if len(matches) > 2:
        raise ValueError(f"{text!r} holds more than a start and an end: one item per row")
    if len(matches) == 2 and not _RANGE_WORDS.match(text[matches[0].end():matches[1].start()]):
        raise ValueError(f"{text!r} holds two times that are not a range (7h30 - 9h00): one item per row")
    clocks = [_clock(m.group(1), m.group(2), text, cell_block) for m in matches]
    if not clocks:
        if cell_block is None:
            raise unreadable
        start, end = BLOCKS[cell_block][0]
        return Times(start, end, cell_block)
    return Times(clocks[0], clocks[1] if len(clocks) == 2 else None, cell_block)


def _clock(hour_text: str, minute_text: str | None, cell: str, block: str | None) -> time:
    hour, minute = int(hour_text), int(minute_text or 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{cell!r} is not a time of day")
    if block is not None:
        hours = BLOCKS[block][1]
        if hour not in hours and hour + 12 in hours:
            hour += 12  # 'Chiều 2h00' is 14:00, 'Trưa 1h' 13:00
        if hour not in hours:
            raise ValueError(f"{cell!r}: {hour_text}h is not in the {block} (write the time as 24 hours)")
    elif hour not in OFFICE_HOURS:
        raise ValueError(f"{cell!r}: {hour:02d}:{minute:02d} is outside the working day (15h00, or Chiều 3h00?)")
    return time(hour, minute)


def end_after(start: time, duration: timedelta) -> time:
    minutes = min(start.hour * 60 + start.minute + int(duration.total_seconds() // 60), 23 * 60 + 59)
    return time(minutes // 60, minutes % 60)
