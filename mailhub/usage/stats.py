"""Who uses email, per agency and level, against the provincial targets (80% Phú Thọ 2010,
90% Quảng Ngãi 2015). The definition is explicit and printed with every report: an official is
active in a window if mailhub saw them act (authenticated submission, iTIP reply, read receipt,
or a login in an imported mailbox-server log). Reports read daily aggregates, never raw logs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert
from sqlmodel import Session, col, select

from directory import Agency, Official
from mailhub.store.models import ActivityDaily, ActivityEvent
from mailhub.timeutil import LOCAL, aware

TARGETS = (80, 90)
FOLD_DAYS = 7  # days counted at a time: memory stays bounded however long the log
KINDS = ("submission", "itip-reply", "mdn", "login")
DEFINITION = ("An official is counted as using email if, in the {window} days up to {as_of}, mailhub saw them "
              "send an authenticated message, answer an invitation (iTIP REPLY), send a read receipt (MDN) or log "
              "in to the mailbox server (imported log). Denominator: active officials of the agency and all "
              "agencies below it.")


def aggregate(engine: Engine, now: datetime, also: set[date] | None = None) -> int:
    """Fold raw activity into per-day counts, from the last (possibly partial) day aggregated up to now,
    and the past days in ``also`` (a log import added events to them)."""
    with Session(engine) as session:
        last = session.exec(select(func.max(ActivityDaily.day))).one()
        if last is None:
            first = session.exec(select(func.min(ActivityEvent.at))).one()
            if first is None:
                return 0
            last = aware(first).astimezone(LOCAL).date()
        today = aware(now).astimezone(LOCAL).date()
        days = {last + timedelta(days=n) for n in range((today - last).days + 1)}
        days |= {day for day in also or () if day <= today}
        ordered = sorted(days)
        return sum(_fold(session, ordered[start:start + FOLD_DAYS], now) for start in range(0, len(ordered), FOLD_DAYS))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


def _steady_offset(first: date, last: date) -> timedelta | None:
    """The province's offset from UTC when it is the same all through these days (no clock change):
    then a stored (naive UTC) time's day is one addition away instead of a zone conversion."""
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    offset = start.astimezone(LOCAL).utcoffset()
    return offset if offset == end.astimezone(LOCAL).utcoffset() else None


def _fold(session: Session, days: list[date], until: datetime) -> int:
    """Replace the daily rows of ``days`` (the province's days, sorted) with fresh counts."""
    wanted = set(days)
    counts: Counter[tuple[date, str, str]] = Counter()
    query = (select(ActivityEvent.address, ActivityEvent.kind, ActivityEvent.at)
             .where(col(ActivityEvent.at) >= _day_start(days[0]))
             .where(col(ActivityEvent.at) < _day_start(days[-1] + timedelta(days=1)))
             .where(col(ActivityEvent.at) <= until))
    shift = _steady_offset(days[0], days[-1])
    for address, kind, at in session.exec(query):
        day = (at + shift).date() if shift is not None and at.tzinfo is None else aware(at).astimezone(LOCAL).date()
        if day in wanted:
            counts[(day, address.lower(), kind)] += 1
    session.execute(delete(ActivityDaily).where(col(ActivityDaily.day).in_(days)))
    if counts:
        session.execute(insert(ActivityDaily), [dict(day=d, address=a, kind=k, count=n)
                                               for (d, a, k), n in counts.items()])
    session.commit()
    return len(counts)


def percent(part: int, whole: int) -> float:
    """A share in per cent with one decimal, 0.0 of nothing."""
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class AgencyUsage:
    code: str
    name: str
    kind: str
    depth: int
    officials: int
    active: int

    @property
    def share(self) -> float:
        return percent(self.active, self.officials)


@dataclass(frozen=True)
class UsageReport:
    as_of: date
    window_days: int
    definition: str
    agencies: tuple[AgencyUsage, ...]
    levels: dict[str, dict[str, float]] = field(default_factory=dict)
    activity: dict[str, int] = field(default_factory=dict)
    targets: tuple[int, ...] = TARGETS


def usage(engine: Engine, *, root: str | None, window_days: int, as_of: date) -> UsageReport:
    start = as_of - timedelta(days=window_days - 1)
    with Session(engine) as session:
        # One row per address and kind, summed by the database: a year of a province is 10,000s, not millions.
        rows = session.exec(select(ActivityDaily.address, ActivityDaily.kind, func.sum(ActivityDaily.count))
                            .where(col(ActivityDaily.day) >= start, col(ActivityDaily.day) <= as_of)
                            .group_by(ActivityDaily.address, ActivityDaily.kind)).all()
        agencies = list(session.exec(select(Agency).order_by(col(Agency.id))).all())
        officials = session.exec(select(Official.agency_id, Official.email)
                                 .where(col(Official.active).is_(True))).all()
    seen = {address for address, _, _ in rows}
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    own: dict[int, list[str]] = {}
    for agency_id, email in officials:
        own.setdefault(agency_id, []).append(email)
    roots = [a for a in agencies if a.code.casefold() == root.casefold()] if root else children.get(None, [])
    out: list[AgencyUsage] = []

    def walk(agency: Agency, depth: int) -> tuple[int, int]:
        assert agency.id is not None
        index = len(out)
        out.append(AgencyUsage(agency.code, agency.name, agency.kind, depth, 0, 0))
        total = own.get(agency.id, [])
        count, active = len(total), sum(1 for e in total if e in seen)
        for child in children.get(agency.id, []):
            sub_count, sub_active = walk(child, depth + 1)
            count, active = count + sub_count, active + sub_active
        out[index] = AgencyUsage(agency.code, agency.name, agency.kind, depth, count, active)
        return count, active

    for agency in roots:
        walk(agency, 0)
    reported = {u.code for u in out}
    # Raw activity of the officials counted above only: --agency X shows X's subtree, not the province.
    subtree = {e for a in agencies if a.id is not None and a.code in reported for e in own.get(a.id, [])}
    activity = Counter[str]()
    for address, kind, count in rows:
        if address in subtree:
            activity[kind] += count
    levels: dict[str, dict[str, float]] = {}
    for kind in sorted({a.kind for a in agencies}):
        # a level's own officials, not its subtree: communes are not counted again under the province
        ids = [a.id for a in agencies if a.kind == kind and a.code in reported]
        members = [e for i in ids if i is not None for e in own.get(i, [])]
        if members:
            active = sum(1 for e in members if e in seen)
            levels[kind] = {"officials": len(members), "active": active,
                            "share": percent(active, len(members))}
    return UsageReport(as_of, window_days, DEFINITION.format(window=window_days, as_of=as_of.isoformat()),
                       tuple(out), levels, dict(activity))
