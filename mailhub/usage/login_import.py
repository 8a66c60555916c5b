"""Logins from a mailbox server's log stored as activity, once each, and folded into the daily counts.

Each stored line carries a key (a hash of its source, time and text), unique in the table, so
importing the same file again, or a rotated file that overlaps the last one, changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from directory import AddressBook, DirectoryError
from mailhub.store.models import ActivityEvent
from mailhub.timeutil import LOCAL
from mailhub.usage.login_log import BadLine, LogForms, LoginLine, LogReader
from mailhub.usage.stats import aggregate

BATCH = 20_000  # rows per transaction: a commit costs a disk flush
LOOKUP = 900  # keys per IN (…): under SQLite's limit on bound parameters
MAX_EXAMPLES = 20
MAX_UNKNOWN_LISTED = 1000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LoginImportReport:
    file: str
    lines_read: int
    logins_matched: int  # login lines with a user and a time that could be read
    stored: int  # new now
    already_imported: int  # seen before, in an earlier import or earlier in this file
    by_source: dict[str, int]
    officials_seen: int  # distinct officials with a login in the file
    unknown_addresses: int  # distinct addresses that reach no official (stored, not counted)
    unknown_examples: dict[str, int]  # address -> logins, the most frequent first
    malformed_lines: int
    malformed_examples: tuple[BadLine, ...]
    first_login: datetime | None
    last_login: datetime | None
    year_of_last_line: int | None  # the year given to classic syslog times
    days_recounted: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Tally:
    matched: int = 0
    stored: int = 0
    already: int = 0
    malformed: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    officials: set[str] = field(default_factory=set)
    unknown: Counter[str] = field(default_factory=Counter)
    examples: list[BadLine] = field(default_factory=list)
    days: set[date] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def bad(self, line: BadLine) -> None:
        self.malformed += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(line)

    def saw(self, at: datetime) -> None:
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last


def import_logins(
    engine: Engine, book: AddressBook, path: Path, *, now: datetime, forms: LogForms | None = None,
    zone: tzinfo = LOCAL, year: int | None = None, progress: Progress | None = None,
) -> LoginImportReport:
    """Read ``path`` and store each login not stored before; re-fold the days that changed."""
    reader = LogReader(path, forms or LogForms(), zone, year=year, now=now, progress=progress)
    tally = _Tally()
    pending: list[dict[str, object]] = []
    for entry in reader.read():
        if isinstance(entry, BadLine):
            tally.bad(entry)
            continue
        row = _row(entry, book, tally, path.name)
        if row is not None:
            pending.append(row)
        if len(pending) >= BATCH:
            _store(engine, pending, tally)
            pending = []
    _store(engine, pending, tally)
    aggregate(engine, now, also=tally.days)
    unknown = dict(tally.unknown.most_common(MAX_UNKNOWN_LISTED))
    notes: tuple[str, ...] = ()
    if tally.matched == 0 and reader.lines:
        notes = ("no login line found: is this a Dovecot, Postfix or Zimbra log? Use --format for others",)
    return LoginImportReport(
        file=str(path), lines_read=reader.lines, logins_matched=tally.matched, stored=tally.stored,
        already_imported=tally.already, by_source=dict(tally.by_source), officials_seen=len(tally.officials),
        unknown_addresses=len(tally.unknown), unknown_examples=unknown, malformed_lines=tally.malformed,
        malformed_examples=tuple(tally.examples), first_login=tally.first, last_login=tally.last,
        year_of_last_line=reader.year_of_last_line, days_recounted=len(tally.days), notes=notes)


def _row(entry: LoginLine, book: AddressBook, tally: _Tally, file_name: str) -> dict[str, object] | None:
    try:
        address = book.full_address(entry.user)
    except DirectoryError:
        tally.bad(BadLine(entry.line, f"{entry.user[:80]!r} is not an address"))
        return None
    tally.matched += 1
    tally.by_source[entry.source] += 1
    tally.saw(entry.at)
    official = book.official_for(address)
    if official is None:
        tally.unknown[address] += 1
    else:
        tally.officials.add(official)
    return dict(at=entry.at, address=official or address, kind="login", source_key=entry.key,
                detail=f"{entry.source} {file_name}:{entry.line}"[:1000])


def _store(engine: Engine, rows: list[dict[str, object]], tally: _Tally) -> None:
    if not rows:
        return
    fresh: dict[str, dict[str, object]] = {}
    for row in rows:
        fresh.setdefault(str(row["source_key"]), row)
    with Session(engine) as session:
        keys = list(fresh)
        known: set[str | None] = set()
        for start in range(0, len(keys), LOOKUP):
            known.update(session.exec(select(ActivityEvent.source_key)
                                      .where(col(ActivityEvent.source_key).in_(keys[start:start + LOOKUP]))).all())
        new = [row for key, row in fresh.items() if key not in known]
        if new:
            session.connection().execute(insert(ActivityEvent), new)
        session.commit()
    tally.stored += len(new)
    tally.already += len(rows) - len(new)
    for row in new:
        at = row["at"]
        assert isinstance(at, datetime)
        tally.days.add(at.astimezone(LOCAL).date())
