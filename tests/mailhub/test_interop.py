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
