"""Calendars read back by ical.js, the parser Thunderbird uses (tests/interop, installed by make test)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from mailhub.dispatch.meetings.ical import MeetingSpec, Override, build_calendar
from mailhub.dispatch.person import Person
from mailhub.timeutil import LOCAL

INTEROP = Path(__file__).resolve().parent.parent / "interop"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(not NODE or not (INTEROP / "node_modules" / "ical.js").exists(),
                                reason="node and tests/interop/node_modules (make test installs them)")


def ical_js(calendar: bytes) -> dict[str, object]:
    assert NODE is not None
    result = subprocess.run([NODE, str(INTEROP / "parse_ics.cjs")], input=calendar, capture_output=True, check=True)
    return json.loads(result.stdout)


SPEC = MeetingSpec(
    uid="a1b2@lich.khanhhoa.gov.vn", sequence=2, title="Giao ban sáng thứ Hai; tuần, tháng",
    start=datetime(2026, 12, 7, 8, 0, tzinfo=LOCAL), end=datetime(2026, 12, 7, 9, 30, tzinfo=LOCAL),
    organizer=Person("vpubnd@lich.khanhhoa.gov.vn", "Văn phòng UBND tỉnh Khánh Hòa"),
    attendees=(Person("anhnq@khanhhoa.gov.vn", "Nguyễn Quốc Anh"), Person("lantt@khanhhoa.gov.vn", "Trần Thị Lan")),
    chair=Person("chutich@khanhhoa.gov.vn", "Trần Văn Chủ"), location="Phòng họp số 1, tầng 2",
    weekly_until=date(2026, 12, 28), exdates=(date(2026, 12, 21),),
    overrides=(Override(date(2026, 12, 14), 2, location="Hội trường"),),
    description="Nội dung: " + "đánh giá tình hình kinh tế - xã hội, " * 10,
)


def test_series_request_reads_the_same_in_ical_js() -> None:
    parsed = ical_js(build_calendar(SPEC, "REQUEST", now=datetime(2026, 12, 1, tzinfo=LOCAL)).to_ical())
    assert parsed["method"] == "REQUEST"
    master, override = parsed["events"]  # type: ignore[misc]
    assert master["summary"] == SPEC.title and master["location"] == SPEC.location
    assert master["start_utc"] == "2026-12-07T01:00:00.000Z" and master["tzid"] == "Asia/Ho_Chi_Minh"
    assert master["sequence"] == 2 and master["uid"] == SPEC.uid
    assert master["occurrences_utc"] == ["2026-12-07T01:00:00.000Z", "2026-12-14T01:00:00.000Z",
                                         "2026-12-28T01:00:00.000Z"]
    roles = {a["value"]: (a["role"], a["partstat"], a["rsvp"]) for a in master["attendees"]}
    assert roles["mailto:chutich@khanhhoa.gov.vn"] == ("CHAIR", "NEEDS-ACTION", "TRUE")
    assert master["organizer"] == "mailto:vpubnd@lich.khanhhoa.gov.vn"
    assert override["recurrence_id_utc"] == "2026-12-14T01:00:00.000Z" and override["location"] == "Hội trường"
    assert {a["cn"] for a in master["attendees"]} >= {"Nguyễn Quốc Anh", "Trần Thị Lan"}


def test_occurrence_cancel_reads_the_same_in_ical_js() -> None:
    parsed = ical_js(build_calendar(SPEC, "CANCEL", now=datetime(2026, 12, 1, tzinfo=LOCAL),
                                    occurrence=date(2026, 12, 14)).to_ical())
    [event] = parsed["events"]  # type: ignore[misc]
    assert parsed["method"] == "CANCEL" and event["status"] == "CANCELLED"
    assert event["recurrence_id_utc"] == "2026-12-14T01:00:00.000Z"


def test_schedule_calendars_read_the_same_in_ical_js() -> None:
    from mailhub.dispatch.schedules.render import CHANGED, REMOVED, Item, calendar

    items = [Item("lct-1@lich.khanhhoa.gov.vn", date(2026, 11, 30), datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL),
                  datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL), "Chủ tịch UBND tỉnh", "Họp giao ban; lãnh đạo",
                  "Phòng họp số 1", "Các Phó Chủ tịch", 1, CHANGED)]
    organizer = Person("vpubnd@lich.khanhhoa.gov.vn", "Văn phòng UBND tỉnh")
    published = ical_js(calendar(items, "PUBLISH", organizer, datetime(2026, 11, 29, tzinfo=LOCAL)))
    [event] = published["events"]  # type: ignore[misc]
    assert published["method"] == "PUBLISH" and event["sequence"] == 1
    assert event["summary"] == "Chủ tịch UBND tỉnh: Họp giao ban; lãnh đạo"
    assert event["start_utc"] == "2026-11-30T01:00:00.000Z" and event["tzid"] == "Asia/Ho_Chi_Minh"
    removed = [replace(items[0], status=REMOVED, sequence=2)]
    cancelled = ical_js(calendar(removed, "CANCEL", organizer, datetime(2026, 12, 1, tzinfo=LOCAL)))
    assert cancelled["method"] == "CANCEL" and cancelled["events"][0]["status"] == "CANCELLED"  # type: ignore[index]


def test_vcards_read_the_same_in_ical_js() -> None:
    from directory.export import vcards
    from directory.types import OfficialInfo

    long_title = "Phó Trưởng phòng Quản lý Công nghệ thông tin và Chuyển đổi số; kiêm Thư ký, Hội đồng"
    people = [OfficialInfo("anhnq@khanhhoa.gov.vn", "Nguyễn Quốc Anh", long_title, "SYT", "Sở Y tế", True, True,
                           (), ("Tỉnh Khánh Hòa", "Sở Y tế"))]
    assert NODE is not None
    result = subprocess.run([NODE, str(INTEROP / "parse_vcard.cjs")], input=vcards(people).encode(),
                            capture_output=True, check=True)
    [card] = json.loads(result.stdout)
    assert card == {"version": "4.0", "fn": "Nguyễn Quốc Anh", "email": "anhnq@khanhhoa.gov.vn",
                    "org": ["Tỉnh Khánh Hòa", "Sở Y tế"], "title": long_title}


def calendar_model(messages: list[bytes]) -> list[dict[str, str]]:
    """What a client's calendar shows after applying ``messages`` (their calendar parts) in order."""
    import email
    from email.policy import default

    parts = []
    for content in messages:
        message = email.message_from_bytes(content, policy=default)
        parts += [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert NODE is not None
    result = subprocess.run([NODE, str(INTEROP / "apply_itip.cjs")], input=b"\0".join(parts), capture_output=True,
                            check=True)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_client_applies_what_mailhub_sends(world, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Schedules and invitations applied in order, as Thunderbird's model (ical.js) applies them: a
    removed schedule item is gone, a moved occurrence moved, a cancelled meeting deleted."""
    week = tmp_path / "lich.csv"
    week.write_text("Ngày,Giờ,Lãnh đạo,Nội dung\n07/12/2026,08:00,Chủ tịch,Giao ban\n"
                    "08/12/2026,14:00,Chủ tịch,Tiếp dân\n", encoding="utf-8")
    publish = ("schedule", "publish", str(week), "--week", "2026-W50", "--to", "agency:STTTT")
    assert cli(*publish).exit_code == 0
    week.write_text("Ngày,Giờ,Lãnh đạo,Nội dung\n07/12/2026,08:00,Chủ tịch,Giao ban\n", encoding="utf-8")
    assert cli(*publish).exit_code == 0
    invited = cli("invite", "create", "--title", "Họp tuần", "--start", "2026-12-07 14:00", "--end", "2026-12-07 15:00",
                  "--organizer", "stttt@bacninh.gov.vn", "--to", "agency:STTTT", "--weekly-until", "2026-12-21",
                  "--json")
    meeting = json.loads(invited.stdout)["id"]
    assert cli("invite", "update", str(meeting), "--occurrence", "2026-12-14", "--start", "2026-12-15 09:00",
               "--end", "2026-12-15 10:00").exit_code == 0
    # two schedules, the removed item's cancellation, the invitation and its one-week change
    shown = [(e["summary"], e["start_utc"]) for e in calendar_model([m.content for m in world.sink.wait_for(5)])]
    assert shown == [("Chủ tịch: Giao ban", "2026-12-07T01:00:00.000Z"), ("Họp tuần", "2026-12-07T07:00:00.000Z"),
                     ("Họp tuần", "2026-12-15T02:00:00.000Z"), ("Họp tuần", "2026-12-21T07:00:00.000Z")]
    assert cli("invite", "cancel", str(meeting)).exit_code == 0
    after = calendar_model([m.content for m in world.sink.wait_for(6)])
    assert [e["summary"] for e in after] == ["Chủ tịch: Giao ban"]
