"""Usage figures at a province's scale: `stats` and the six-monthly report over a year of daily
aggregates for 10,000 officials, with an empty and with a large delivery log (the report must not
slow down as the log grows: it reads daily aggregates, and counts the log with one grouped query).

    .venv/bin/python bench/usage_report.py --officials 10000 --log-rows 500000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlmodel import Session, select

from directory import Official, seed_demo
from mailhub.app import App
from mailhub.config import Settings
from mailhub.store.models import ActivityDaily, DeliveryLog
from mailhub.usage.report.figures import Period
from mailhub.usage.report.make import issuer_for, usage_report
from mailhub.usage.stats import usage

YEAR_END = date(2026, 11, 30)


def seed_year(app: App, officials: int, rng: random.Random) -> int:
    with app.directory.session() as session:
        seed_demo(session, officials)
    with Session(app.engine) as session:
        addresses = list(session.exec(select(Official.email)).all())
    rows = []
    for address in addresses:
        if rng.random() < 0.4:  # dormant all year
            continue
        for offset in rng.sample(range(365), rng.randrange(20, 200)):
            rows.append(dict(day=YEAR_END - timedelta(days=offset), address=address, kind="login",
                             count=rng.randrange(1, 6)))
    with Session(app.engine) as session:
        for start in range(0, len(rows), 50_000):
            session.execute(insert(ActivityDaily), rows[start:start + 50_000])
        session.commit()
    return len(rows)


def grow_log(app: App, rows: int, rng: random.Random) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = [dict(at=start + timedelta(seconds=rng.randrange(330 * 86400)), queue_id=f"Q{n:09d}",
                  recipient=f"r{n % 9000}@example.gov.vn", outcome=rng.choice(("delivered", "deferred", "bounced")))
             for n in range(rows)]
    with Session(app.engine) as session:
        for first in range(0, len(batch), 50_000):
            session.execute(insert(DeliveryLog), batch[first:first + 50_000])
        session.commit()


def timed(label: str, action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:6.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officials", type=int, default=10_000)
    parser.add_argument("--log-rows", type=int, default=500_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as home:
        app = App.build(Settings(home=Path(home)))
        started = time.perf_counter()
        daily = seed_year(app, args.officials, rng)
        print(f"{args.officials} officials, {daily} daily rows for a year, seeded in "
              f"{time.perf_counter() - started:.1f} s")
        issuer = issuer_for(None, office="Sở Khoa học và Công nghệ", abbreviation="SKHCN")

        def report() -> None:
            usage_report(app.engine, Period(2026, 2), issuer, today=YEAR_END, window_days=30, kind="pdf")

        timed("stats, 30-day window (usage)", lambda: usage(app.engine, root=None, window_days=30, as_of=YEAR_END))
        timed("stats, 365-day window (usage)", lambda: usage(app.engine, root=None, window_days=365, as_of=YEAR_END))
        timed("report usage, PDF, first run (imports matplotlib)", report)
        empty = timed("report usage, PDF, empty delivery log", report)
        grow_log(app, args.log_rows, rng)
        full = timed(f"report usage, PDF, {args.log_rows} delivery-log rows", report)
        print(f"report with the large log / with the empty log: {full / empty:.2f}")
        app.close()


if __name__ == "__main__":
    main()
