"""The annual emulation ranking: published criteria and weights, blocs apart, ties explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from directory.agencies import create_agency, find_agency_by_code
from mailhub.app import App
from mailhub.config import Settings
from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee
from mailhub.store.models import ActivityEvent
from mailhub.usage.report.ranking import WeightsError, parse_weights, rank
from mailhub.usage.stats import aggregate
from tests.mailhub.conftest import NOW, TODAY, Invoke, seed_province, this_month


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> App:
    """BN > STTTT (vinhnq, vinhnq2), SYT (huongttt), and a commune with nobody in it yet (not ranked)."""
    built = App.build(Settings(home=tmp_path / "h", database_url=sqlite_url))
    seed_province(built, tmp_path)
    with built.directory.session() as session:
        create_agency(session, code="X.TG", name="UBND xã Tam Giang", kind="commune",
                      parent=find_agency_by_code(session, "BN"))
    with Session(built.engine) as session:
        for address in ("vinhnq@bacninh.gov.vn", "huongttt@bacninh.gov.vn"):
            session.add(ActivityEvent(at=this_month(0.6), address=address, kind="login"))
        meeting = Meeting(uid="m1", title="Họp", starts_at=NOW, ends_at=NOW, organizer="ubnd@bacninh.gov.vn",
                          organizer_service="ubnd@lich.bacninh.gov.vn", created_at=this_month(0.3))
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        for email, agency in (("vinhnq@bacninh.gov.vn", "STTTT"), ("vinhnq2@bacninh.gov.vn", "STTTT"),
                              ("huongttt@bacninh.gov.vn", "SYT")):
            session.add(MeetingAttendee(meeting_id=meeting.id, email=email, agency_code=agency))
        session.add(MeetingAnswer(meeting_id=meeting.id, email="huongttt@bacninh.gov.vn", answer="accepted",
                                  stamped_at=this_month(0.5)))
        session.commit()
    aggregate(built.engine, NOW)
    yield built
    built.close()


def parents(app: App) -> dict[str, str | None]:
    return {a.code: a.parent_code for a in app.directory.agencies()}


def test_weights() -> None:
    assert parse_weights(None) == {"usage": 50.0, "response": 30.0, "active": 20.0}
    assert parse_weights("usage=1, response=0") == {"usage": 1.0, "response": 0.0, "active": 0.0}
    for bad in ("speed=3", "usage=x", "usage=0", "usage=-1,active=2"):
        with pytest.raises(WeightsError):
            parse_weights(bad)


def test_departments_ranked_on_the_published_criteria(app: App) -> None:
    result = rank(app.engine, TODAY.year, today=TODAY, weights=parse_weights(None), parents=parents(app))

    departments = result.blocs["department"]
    # SYT: 1/1 uses email, 1/1 answered, 1/1 active; STTTT: 1/2, 0/2, 1/2.
    assert [(r.rank, r.code, r.response_rate, r.active_share) for r in departments] == [
        (1, "SYT", 100.0, 100.0), (2, "STTTT", 0.0, 50.0)]
    assert departments[0].score == 100.0 and departments[1].score == pytest.approx(
        (50 * departments[1].usage_share + 20 * 50.0) / 100, abs=0.01)
    assert "đồng hạng" in result.tie_rule and result.criteria["response"] == "Tỷ lệ trả lời giấy mời họp"
    assert "commune" not in result.blocs


def test_equal_agencies_share_a_rank_and_say_why(app: App) -> None:
    result = rank(app.engine, TODAY.year, today=TODAY, weights=parse_weights("usage=1,response=0,active=0"),
                  parents=parents(app))
    departments = {r.code: r for r in result.blocs["department"]}
    assert departments["SYT"].rank == 1 and departments["STTTT"].rank == 2

    with Session(app.engine) as session:  # now both departments have everyone using email
        session.add(ActivityEvent(at=this_month(0.8), address="vinhnq2@bacninh.gov.vn", kind="login"))
        session.commit()
    aggregate(app.engine, NOW)
    weights = parse_weights("usage=1,response=0,active=1")
    tied = {r.code: r for r in rank(app.engine, TODAY.year, today=TODAY, weights=weights,
                                     parents=parents(app)).blocs["department"]}
    assert tied["SYT"].score == tied["STTTT"].score
    # Same score, broken by the response rate: SYT answered, STTTT did not.
    assert (tied["SYT"].rank, tied["STTTT"].rank) == (1, 2) and "tiêu chí phụ" in tied["STTTT"].note


def test_the_command_prints_criteria_weights_and_blocs(invoke: Invoke, app: App) -> None:
    env = {"MAILHUB_DATABASE_URL": app.engine.url.render_as_string(hide_password=False)}
    text = invoke("report", "ranking", "--year", str(NOW.year), env=env).stdout
    assert "Tỷ lệ trả lời giấy mời họp: 30" in text and "Sở, ban, ngành" in text and "SYT" in text
    data = json.loads(invoke("report", "ranking", "--year", str(NOW.year), "--json", env=env).stdout)
    assert data["weights"] == {"usage": 50.0, "response": 30.0, "active": 20.0}
    assert [r["code"] for r in data["blocs"]["department"]] == ["SYT", "STTTT"]
    for args in (["--weights", "speed=2"], ["--year", str(NOW.year + 1)]):
        result = invoke("report", "ranking", *(["--year", str(NOW.year)] if "--year" not in args else []), *args,
                        env=env)
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
