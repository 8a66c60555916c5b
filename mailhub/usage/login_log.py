"""Reading a mailbox server's log: which lines are successful logins, by whom, and when.

Forms read: Dovecot (``imap-login: Login: user=<…>``), Postfix SASL (``sasl_username=…``), Zimbra's
``audit.log`` (``cmd=Auth; account=…;`` without ``error=``), and a regex of the operator's with named
groups ``user`` and optionally ``time``. Times: RFC 3339 / ISO 8601 (zones honoured, RFC 5424's
``<PRI>1`` prefix skipped), and the classic syslog ``Oct 28 09:00:00`` without a year, whose year is
that of the log's last line (``--year``, else the file's modification time), counting back one year
at each New Year the lines cross. Times without a zone are in ``zone`` (the province's by default).

Lines are read as bytes with a length cap, so binary junk and endless lines cost nothing but a count.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import BinaryIO

MAX_LINE_BYTES = 64 * 1024
HALF_YEAR = 183 * 86400

BUILTIN_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dovecot", re.compile(r"\b(?:imap|pop3|submission|managesieve)-login: (?:Info: )?Login: user=<([^>]*)>")),
    ("postfix-sasl", re.compile(r"\bsasl_username=<?([^\s,>]*)")),
    ("zimbra", re.compile(r"\bcmd=Auth; account=([^;\s]*);(?!.*\berror=)")),
)
FORMAT_SOURCE = "format"
# One search that every built-in form needs to pass: most lines of a mail.log are not logins.
_BUILTIN_HINT = re.compile(r"-login: (?:Info: )?Login: user=<|sasl_username=|cmd=Auth; account=")

_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
_DAYS_BEFORE = (0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_SYSLOG = re.compile(r"(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?=\s|$)")
_ISO = re.compile(r"(?:<\d{1,3}>\d{0,2} ?)?(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"
                  r"(Z|[+-]\d{2}(?::?\d{2})?)?(?=[\s,\]]|$)")
_OTHER_TIMES = ("%d/%m/%Y %H:%M:%S", "%d/%b/%Y:%H:%M:%S %z", "%d/%m/%Y %H:%M")


class LogFormatError(ValueError):
    """The operator's ``--format`` cannot be used."""


@dataclass(frozen=True)
class SyslogTime:
    """A classic syslog time: no year, no zone."""

    month: int
    day: int
    hour: int
    minute: int
    second: int
    microsecond: int = 0

    in_year: int = 0  # seconds since the start of a (non-leap) year: enough to see the lines cross New Year

    def __post_init__(self) -> None:
        seconds = ((_DAYS_BEFORE[self.month] + self.day) * 24 + self.hour) * 3600 + self.minute * 60 + self.second
        object.__setattr__(self, "in_year", seconds)


@dataclass(frozen=True)
class LoginLine:
    line: int
    source: str  # dovecot, postfix-sasl, zimbra, format
    user: str  # as the log writes it
    at: datetime  # aware
    key: str  # what makes a re-import of the same line change nothing


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass(frozen=True)
class LogForms:
    """What counts as a login line: the built-in forms, or one regex of the operator's."""

    forms: tuple[tuple[str, re.Pattern[str]], ...] = BUILTIN_FORMS
    hint: re.Pattern[str] | None = _BUILTIN_HINT

    @classmethod
    def custom(cls, regex: str) -> LogForms:
        try:
            pattern = re.compile(regex)
        except re.error as exc:
            raise LogFormatError(f"--format is not a valid regular expression: {exc}") from None
        if "user" not in pattern.groupindex:
            raise LogFormatError("--format needs a named group (?P<user>…); (?P<time>…) is optional")
        return cls(((FORMAT_SOURCE, pattern),), None)

    def login(self, text: str) -> tuple[str, re.Match[str]] | None:
        if self.hint is not None and not self.hint.search(text):
            return None
        for source, pattern in self.forms:
            match = pattern.search(text)
            if match:
                return source, match
        return None


def open_log(path: Path) -> BinaryIO:
    """The file as UTF-8 bytes: rotated ``.gz`` files through gzip, UTF-16 (a Windows export, by its
    byte order mark) recoded."""
    handle = path.open("rb")
    start = handle.read(2)
    handle.seek(0)
    if start == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    if start in (b"\xff\xfe", b"\xfe\xff"):
        return codecs.EncodedFile(handle, data_encoding="utf-8", file_encoding="utf-16", errors="replace")
    return handle


class DamagedLog(ValueError):
    """A compressed log that cannot be read to its end."""


def raw_lines(stream: BinaryIO) -> Iterator[str | None]:
    """Decoded lines; None for a line longer than MAX_LINE_BYTES (skipped to its end)."""
    while True:
        try:
            chunk = stream.readline(MAX_LINE_BYTES + 1)
        except (EOFError, OSError, zlib.error) as exc:
            raise DamagedLog(f"the compressed file is damaged here, the rest is not read ({exc})") from None
        if not chunk:
            return
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while True:
                try:
                    rest = stream.readline(MAX_LINE_BYTES + 1)
                except (EOFError, OSError, zlib.error):
                    rest = b""
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield chunk.decode("utf-8", errors="replace").rstrip("\r\n")


def _microseconds(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _iso(match: re.Match[str], zone: tzinfo) -> datetime:
    day, clock, fraction, offset = match.groups()
    value = datetime.fromisoformat(f"{day}T{clock}").replace(microsecond=_microseconds(fraction))
    if not offset:
        return value.replace(tzinfo=zone)
    if offset == "Z":
        return value.replace(tzinfo=UTC)
    return datetime.fromisoformat(f"{day}T{clock}{offset}").replace(microsecond=_microseconds(fraction))


def _syslog(match: re.Match[str]) -> SyslogTime | None:
    month = _MONTHS.get(match.group(1))
    if month is None:
        return None
    day, hour, minute, second = (int(match.group(n)) for n in range(2, 6))
    return SyslogTime(month, day, hour, minute, second, _microseconds(match.group(6)))


def read_time(text: str, zone: tzinfo, *, anywhere: bool = False) -> datetime | SyslogTime | None:
    """The time a line (or a ``time`` group) starts with; ValueError for a date that does not exist."""
    text = text.strip()
    iso = _ISO.search(text) if anywhere else _ISO.match(text)
    if iso:
        return _iso(iso, zone)
    syslog = _SYSLOG.search(text) if anywhere else _SYSLOG.match(text)
    if syslog:
        return _syslog(syslog)
    if anywhere:
        if text.isdigit() and 9 <= len(text) <= 10:
            return datetime.fromtimestamp(int(text), UTC)
        for layout in _OTHER_TIMES:
            try:
                value = datetime.strptime(text, layout)
            except ValueError:
                continue
            return value if value.tzinfo else value.replace(tzinfo=zone)
    return None


class _Ticker:
    """Advances a progress bar every 4,096 lines by the bytes of the file read (the compressed bytes
    of a .gz), and to the file's end when a pass is over."""

    def __init__(self, stream: BinaryIO, path: Path, progress: Callable[[int], None] | None) -> None:
        self.raw = getattr(stream, "fileobj", None) or getattr(stream, "stream", None) or stream
        self.size = path.stat().st_size
        self.progress = progress
        self.lines = self.reported = 0

    def tick(self) -> None:
        self.lines += 1
        if self.progress and self.lines % 4096 == 0:
            position = min(self.raw.tell(), self.size)
            self.progress(position - self.reported)
            self.reported = position

    def done(self) -> None:
        if self.progress and self.size > self.reported:
            self.progress(self.size - self.reported)
            self.reported = self.size


class LogReader:
    """One pass over a log for the syslog years, one to read the logins."""

    def __init__(self, path: Path, forms: LogForms, zone: tzinfo, *, year: int | None, now: datetime,
                 progress: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.forms = forms
        self.zone = zone
        self.now = now
        self.lines = 0
        self.progress = progress  # told of bytes read, twice the file's size in all (two passes)
        self.year_of_last_line = year
        self._times_in_group = any("time" in pattern.groupindex for _, pattern in forms.forms)
        self._head: str | None = None  # the last line's first characters, and the day they gave
        self._day: SyslogTime | None = None

    def _time_of(self, text: str, match: re.Match[str]) -> datetime | SyslogTime | None:
        if "time" in match.re.groupindex and match.group("time") is not None:
            return read_time(match.group("time"), self.zone, anywhere=True)
        return read_time(text, self.zone)

    def _crossings(self) -> tuple[int, SyslogTime | None]:
        """How many times the syslog times go back across New Year, and the last syslog time
        (of every line that starts with one; of the login lines when the times are in a group)."""
        crossings, last = 0, None
        with open_log(self.path) as stream, contextlib.suppress(DamagedLog):
            ticks = _Ticker(stream, self.path, self.progress)
            for text in raw_lines(stream):
                ticks.tick()
                if text is None:
                    continue
                stamp = self._sequence_time(text)
                if stamp is not None:
                    if last is not None and stamp.in_year < last.in_year - HALF_YEAR:
                        crossings += 1
                    last = stamp
            ticks.done()
        return crossings, last

    def _sequence_time(self, text: str) -> SyslogTime | None:
        """The syslog time that orders this line: any line's own (its day is enough, and consecutive lines
        mostly share it), or the login's when the operator's format reads the time from a group."""
        if not self._times_in_group:
            head = text[:6] if not text.startswith("<") else None
            if head is None or head != self._head:
                match = _SYSLOG.match(text)
                found = _syslog(match) if match else None
                self._head, self._day = head, SyslogTime(found.month, found.day, 0, 0, 0) if found else None
            return self._day
        login = self.forms.login(text)
        try:
            stamp = self._time_of(text, login[1]) if login else None
        except ValueError:
            return None
        return stamp if isinstance(stamp, SyslogTime) else None

    def _last_year(self, last: SyslogTime) -> int:
        if self.year_of_last_line is not None:
            return self.year_of_last_line
        modified = datetime.fromtimestamp(self.path.stat().st_mtime, self.zone)
        reference = SyslogTime(modified.month, modified.day, modified.hour, modified.minute, modified.second)
        return modified.year - 1 if last.in_year > reference.in_year + 86400 else modified.year

    def read(self) -> Iterator[LoginLine | BadLine]:
        try:
            yield from self._read()
        except DamagedLog as exc:
            yield BadLine(self.lines + 1, str(exc))

    def _read(self) -> Iterator[LoginLine | BadLine]:
        crossings, last = self._crossings()
        year = None
        if last is not None:
            self.year_of_last_line = self._last_year(last)
            year = self.year_of_last_line - crossings
        previous: SyslogTime | None = None
        latest = self.now + timedelta(days=1)
        with open_log(self.path) as stream:
            ticks = _Ticker(stream, self.path, self.progress)
            for text in raw_lines(stream):
                self.lines += 1
                ticks.tick()
                if text is None:
                    yield BadLine(self.lines, f"longer than {MAX_LINE_BYTES} bytes, skipped")
                    continue
                if year is not None and not self._times_in_group:
                    in_sequence = self._sequence_time(text)
                    if in_sequence is not None:
                        if previous is not None and in_sequence.in_year < previous.in_year - HALF_YEAR:
                            year += 1
                        previous = in_sequence
                found = self.forms.login(text)
                if found is None:
                    continue
                source, match = found
                user = (match.group("user") if "user" in match.re.groupindex else match.group(1)) or ""
                if not user.strip():
                    yield BadLine(self.lines, "a login line without a user name")
                    continue
                try:
                    stamp = self._time_of(text, match)
                except (ValueError, OverflowError, OSError):
                    yield BadLine(self.lines, "a time that does not exist")
                    continue
                if isinstance(stamp, SyslogTime) and year is not None:
                    if self._times_in_group:
                        if previous is not None and stamp.in_year < previous.in_year - HALF_YEAR:
                            year += 1
                        previous = stamp
                    try:
                        at = datetime(year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second,
                                      stamp.microsecond, tzinfo=self.zone)
                    except ValueError:
                        yield BadLine(self.lines, f"no such date in {year}")
                        continue
                elif isinstance(stamp, datetime):
                    at = stamp
                else:
                    yield BadLine(self.lines, "a login line without a time")
                    continue
                if at > latest:
                    yield BadLine(self.lines, f"{at.isoformat()} is in the future (wrong --year?)")
                    continue
                yield LoginLine(self.lines, source, user.strip(), at, line_key(source, at, text))
            ticks.done()



def line_key(source: str, at: datetime, text: str) -> str:
    """The same line, read again from the same or an overlapping rotated file, has the same key."""
    moment = at.astimezone(UTC).isoformat()
    return hashlib.sha256(f"{source}\0{moment}\0{text.strip()}".encode("utf-8", "replace")).hexdigest()
