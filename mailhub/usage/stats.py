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
KINDS = ("submission", "itip-reply", "mdn", "login")
DEFINITION = ("An official is counted as using email if, in the {window} days up to {as_of}, mailhub saw them "
              "send an authenticated message, answer an invitation (iTIP REPLY), send a read receipt (MDN) or log "
              "in to the mailbox server (imported log). Denominator: active officials of the agency and all "
              "agencies below it.")


def aggregate(engine: Engine, now: datetime) -> int:
    """Fold raw activity into per-day counts, from the last (possibly partial) day aggregated up to now."""
    with Session(engine) as session:
        last = session.exec(select(func.max(ActivityDaily.day))).one()
        if last is None:
            first = session.exec(select(func.min(ActivityEvent.at))).one()
            if first is None:
                return 0
            last = aware(first).astimezone(LOCAL).date()
        today = aware(now).astimezone(LOCAL).date()
        days = {last + timedelta(days=n) for n in range((today - last).days + 1)}
        return _fold(session, days, until=now)


def refold_days(engine: Engine, days: set[date]) -> int:
    """Count these days again from the raw events (a log import added some in the past).
    Call after ``aggregate``: ``aggregate`` resumes from the latest day folded."""
    with Session(engine) as session:
        return _fold(session, days)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


def _fold(session: Session, days: set[date], until: datetime | None = None) -> int:
    """Replace the daily rows of ``days`` (the province's days) with fresh counts."""
    if not days:
        return 0
    counts: Counter[tuple[date, str, str]] = Counter()
    query = (select(ActivityEvent.address, ActivityEvent.kind, ActivityEvent.at)
             .where(col(ActivityEvent.at) >= _day_start(min(days)))
             .where(col(ActivityEvent.at) < _day_start(max(days) + timedelta(days=1))))
    if until is not None:
        query = query.where(col(ActivityEvent.at) <= until)
    for address, kind, at in session.exec(query):
        day = aware(at).astimezone(LOCAL).date()
        if day in days:
            counts[(day, address.lower(), kind)] += 1
    ordered = sorted(days)
    for start in range(0, len(ordered), 500):
        session.execute(delete(ActivityDaily).where(col(ActivityDaily.day).in_(ordered[start:start + 500])))
    if counts:
        session.execute(insert(ActivityDaily), [dict(day=d, address=a, kind=k, count=n)
                                               for (d, a, k), n in counts.items()])
    session.commit()
    return len(counts)


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
        return round(100.0 * self.active / self.officials, 1) if self.officials else 0.0


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
        rows = session.exec(select(ActivityDaily.address, ActivityDaily.kind, ActivityDaily.count)
                            .where(col(ActivityDaily.day) >= start, col(ActivityDaily.day) <= as_of)).all()
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
                            "share": round(100.0 * active / len(members), 1)}
    return UsageReport(as_of, window_days, DEFINITION.format(window=window_days, as_of=as_of.isoformat()),
                       tuple(out), levels, dict(activity))
