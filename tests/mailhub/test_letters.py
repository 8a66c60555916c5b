"""The letters as officials read them (Nghị định 30/2020 parts, nothing printed for empty fields)
and the calendar behaviour clients rely on: cancellations that ask nothing, updates that keep
their documents, weekly series spelled out, one week's answer kept to that week."""

from __future__ import annotations

import email
import json
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import icalendar

from tests.mailhub.conftest import Invoke, World, wait_until
from tests.mailhub.itip_samples import outlook_reply
from tests.mailhub.test_meetings import MAILBOX_SERVER, create, wait_for_replies
from tests.policies.corpus import docx


def messages(world: World, count: int) -> list[EmailMessage]:
    assert wait_until(lambda: len(world.sink.messages) >= count)
    return [email.message_from_bytes(m.content, policy=default) for m in world.sink.messages]


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def calendar(message: EmailMessage) -> icalendar.Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_an_invitation_carries_the_parts_of_an_administrative_letter(world: World, cli: Invoke) -> None:
    create(cli, "--number", "45/GM-STTTT", "--signer-authority", "KT. Giám đốc", "--signer-title", "Phó Giám đốc")
    [message] = messages(world, 1)
    text, page = text_and_html(message)
    for shown in (text, page):
        assert "UBND TỈNH BẮC NINH" in shown and "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in shown  # parent above the office
        assert "Số: 45/GM-STTTT" in shown and "Bắc Ninh, ngày" in shown
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in shown and "Độc lập - Tự do - Hạnh phúc" in shown
        assert "Nơi nhận:" in shown and "KT. GIÁM ĐỐC" in shown and "PHÓ GIÁM ĐỐC" in shown
        assert "Nguyễn Quang Vinh" in shown  # the signer's name: the agency's head, from the directory
        assert "Đề nghị đồng chí bấm" in shown
    assert ": -" not in text and ">-<" not in page  # no placeholder dashes for empty fields


def test_a_cancellation_asks_for_no_answer_and_an_update_keeps_the_documents(world: World, cli: Invoke,
                                                                           tmp_path: Path) -> None:
    agenda = tmp_path / "du-thao-bao-cao.docx"
    agenda.write_bytes(docx("Dự thảo báo cáo sơ kết"))
    created = create(cli, "--attach", str(agenda))
    assert cli("invite", "update", str(created["id"]), "--location", "Hội trường tầng 3").exit_code == 0
    assert cli("invite", "cancel", str(created["id"])).exit_code == 0
    _, update, cancel = messages(world, 3)[:3]
    assert [p.get_filename() for p in update.iter_attachments()] == ["invite.ics", "du-thao-bao-cao.docx"]
    text, page = text_and_html(cancel)
    assert "Đề nghị đồng chí bấm" not in text and "Chấp nhận" not in page and "HỦY CUỘC HỌP" in text
    [event] = calendar(cancel).walk("VEVENT")
    assert all("RSVP" not in a.params and "PARTSTAT" not in a.params for a in event.get("attendee"))
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_weekly_series_names_its_weekday_and_its_skipped_dates(world: World, cli: Invoke) -> None:
    created = create(cli, "--weekly-until", "2026-12-28", "--skip", "2026-12-21")
    [message] = messages(world, 1)
    [event] = calendar(message).walk("VEVENT")
    assert event["RRULE"]["BYDAY"] == ["MO"] and event["RRULE"]["FREQ"] == ["WEEKLY"]
    text, page = text_and_html(message)
    assert "Không họp các ngày: 21/12/2026" in text and "21/12/2026" in page
    # one week's decline is that week's, not the series'
    organizer = "stttt@lich.bacninh.gov.vn"
    with world.relay.smtp("inbound", source=MAILBOX_SERVER) as client:
        client.sendmail("vinhnq2@bacninh.gov.vn", [organizer],
                        outlook_reply(str(created["uid"]), "vinhnq2@bacninh.gov.vn", "DECLINED", organizer,
                                      occurrence="20261214"))
    wait_for_replies(world, 1)
    shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
    row = next(a for a in shown["attendees"] if a["email"] == "vinhnq2@bacninh.gov.vn")
    assert row["answer"] == "needs-action" and row["occurrence_answers"] == {"2026-12-14": "declined"}


def test_a_series_moved_to_another_weekday_takes_its_exceptions_along(world: World, cli: Invoke) -> None:
    created = create(cli, "--weekly-until", "2026-12-28", "--skip", "2026-12-21")
    assert cli("invite", "update", str(created["id"]), "--occurrence", "2026-12-14", "--location",
               "Hội trường").exit_code == 0
    assert cli("invite", "update", str(created["id"]), "--start", "2026-12-09 14:00",
               "--end", "2026-12-09 16:00").exit_code == 0
    moved = messages(world, 3)[2]
    events = calendar(moved).walk("VEVENT")
    series = next(e for e in events if e.get("RRULE"))
    assert series["RRULE"]["BYDAY"] == ["WE"]
    assert [d.dt.date().isoformat() for d in series["EXDATE"].dts] == ["2026-12-23"]  # 21/12 (Mon) -> 23/12 (Wed)
    [changed] = [e for e in events if e.get("RECURRENCE-ID")]
    assert changed.decoded("RECURRENCE-ID").date().isoformat() == "2026-12-16"  # an occurrence of the new rule


def test_meeting_show_speaks_vietnamese_and_json_keeps_english(world: World, cli: Invoke) -> None:
    created = create(cli)
    table = cli("meeting", "show", str(created["id"])).stdout
    assert "Chưa trả lời" in table and "Chủ trì" in table and "07/12/2026 08:00" in table and "GMT+7" in table
    shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
    assert {a["answer"] for a in shown["attendees"]} == {"needs-action"} and shown["status"] == "confirmed"


def test_a_province_letter_is_not_signed_by_a_department_s_head(world: World, cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "notice.eml"
    result = cli("notice", "send", "--subject", "Thông báo", "--body", "Nội dung.", "--to", "agency:STTTT",
                 "--from", "ubnd@bacninh.gov.vn", "--number", "5/TB-UBND",
                 "--output", str(target))
    assert result.exit_code == 0, result.output
    text, _ = text_and_html(email.message_from_bytes(target.read_bytes(), policy=default))
    assert "UBND TỈNH BẮC NINH" in text and "Nguyễn Quang Vinh" not in text  # he heads the Sở TTTT, not the UBND
