"""Usage statistics: the definition shown, the window, the subtree denominators, imported logins."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from mailhub.app import App
from mailhub.config import Settings
from mailhub.store.models import ActivityEvent
from mailhub.usage.stats import aggregate, usage
from tests.mailhub.conftest import Invoke, seed_province


def test_share_per_agency_and_level_over_the_window(invoke: Invoke, sqlite_url: str, tmp_path: Path) -> None:
    app = App.build(Settings(home=tmp_path / "h", database_url=sqlite_url))
    seed_province(app, tmp_path)  # BN > STTTT (vinhnq, vinhnq2), SYT (huongttt)
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    with Session(app.engine) as session:
        session.add(ActivityEvent(at=now - timedelta(days=2), address="vinhnq@bacninh.gov.vn", kind="submission"))
        session.add(ActivityEvent(at=now - timedelta(days=45), address="huongttt@bacninh.gov.vn", kind="mdn"))
        session.commit()
    log = tmp_path / "dovecot.log"
    log.write_text("2026-11-22 09:00:00 imap-login: Login: user=<HuongTTT@bacninh.gov.vn>, method=PLAIN\n")
    env = {"MAILHUB_DATABASE_URL": sqlite_url}
    assert "1 new" in invoke("activity", "import-log", str(log), env=env).stdout

    aggregate(app.engine, now)
    report = usage(app.engine, root=None, window_days=30, as_of=now.date())
    shares = {a.code: (a.officials, a.active, a.share) for a in report.agencies}
    assert shares == {"BN": (3, 2, 66.7), "STTTT": (2, 1, 50.0), "SYT": (1, 1, 100.0)}
    assert report.levels["department"] == {"officials": 3, "active": 2, "share": 66.7}
    assert report.activity == {"submission": 1, "login": 1}
    older = usage(app.engine, root="SYT", window_days=60, as_of=now.date())
    assert [(a.code, a.active) for a in older.agencies] == [("SYT", 1)]

    printed = json.loads(invoke("stats", "--agency", "STTTT", "--json", env=env).stdout)
    assert "iTIP REPLY" in printed["definition"] and printed["agencies"][0]["code"] == "STTTT"
    assert invoke("stats", "--agency", "NOPE", env=env).exit_code == 1
    app.close()


def test_stats_for_an_agency_counts_that_subtree_only(invoke: Invoke, sqlite_url: str, tmp_path: Path) -> None:
    app = App.build(Settings(home=tmp_path / "h", database_url=sqlite_url))
    seed_province(app, tmp_path)
    now = datetime.now(UTC)
    with Session(app.engine) as session:
        for address, kind in (("vinhnq@bacninh.gov.vn", "submission"), ("vinhnq2@bacninh.gov.vn", "submission"),
                              ("huongttt@bacninh.gov.vn", "mdn"), ("stranger@gmail.com", "login")):
            session.add(ActivityEvent(at=now - timedelta(hours=1), address=address, kind=kind))
        session.commit()
    env = {"MAILHUB_DATABASE_URL": sqlite_url}

    health = json.loads(invoke("stats", "--agency", "syt", "--json", env=env).stdout)
    assert [(a["code"], a["officials"], a["active"]) for a in health["agencies"]] == [("SYT", 1, 1)]
    assert health["activity"] == {"mdn": 1} and list(health["levels"]) == ["department"]
    province = json.loads(invoke("stats", "--json", env=env).stdout)
    assert province["activity"] == {"submission": 2, "mdn": 1}
    app.close()
