"""Who uses email, per agency and level, against the provincial targets (80% Phú Thọ 2010,
90% Quảng Ngãi 2015). The definition is explicit and printed with every report: an official is
active in a window if mailhub saw them act (authenticated submission, iTIP reply, read receipt,
or a login in an imported mailbox-server log). Reports read daily aggregates, never raw logs."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
        since = datetime.combine(last, datetime.min.time(), LOCAL).astimezone(UTC)
        counts: Counter[tuple[date, str, str]] = Counter()
        for address, kind, at in session.exec(select(ActivityEvent.address, ActivityEvent.kind, ActivityEvent.at)
                                              .where(col(ActivityEvent.at) >= since)
                                              .where(col(ActivityEvent.at) <= now)):
            counts[(aware(at).astimezone(LOCAL).date(), address.lower(), kind)] += 1
        session.execute(delete(ActivityDaily).where(col(ActivityDaily.day) >= last))
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
    activity = Counter[str]()
    for _, kind, count in rows:
        activity[kind] += count
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
    levels: dict[str, dict[str, float]] = {}
    for kind in sorted({a.kind for a in agencies}):
        # a level's own officials, not its subtree: communes are not counted again under the province
        ids = [a.id for a in agencies if a.kind == kind and any(a.code == u.code for u in out)]
        members = [e for i in ids if i is not None for e in own.get(i, [])]
        if members:
            active = sum(1 for e in members if e in seen)
            levels[kind] = {"officials": len(members), "active": active,
                            "share": round(100.0 * active / len(members), 1)}
    return UsageReport(as_of, window_days, DEFINITION.format(window=window_days, as_of=as_of.isoformat()),
                       tuple(out), levels, dict(activity))


_DOVECOT = re.compile(r"(?:imap|pop3|submission)-login: Login: user=<([^>]+)>")
_GENERIC = re.compile(r"(?:account|user)=<?([^;,>\s]+@[^;,>\s]+)>?.*?(?:authentication succeeded|"
                      r"authenticated|Login)", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})")


def import_login_log(engine: Engine, path: Path, now: datetime) -> int:
    """Logins from a mailbox server's log (Dovecot's, or lines with account=/user= and a success word)."""
    events = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _DOVECOT.search(line) or _GENERIC.search(line)
            if not match:
                continue
            stamp = _ISO.match(line)
            at = datetime.fromisoformat(f"{stamp.group(1)}T{stamp.group(2)}").replace(tzinfo=LOCAL) if stamp else now
            events.append(dict(at=at, address=match.group(1).lower(), kind="login", detail=path.name[:200]))
    if events:
        with Session(engine) as session:
            session.execute(insert(ActivityEvent), events)
            session.commit()
    return len(events)
