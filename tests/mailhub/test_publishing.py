"""Weekly schedules and notices through the relay to the mailbox server."""

from __future__ import annotations

import email
import json
from email.policy import default
from pathlib import Path

import icalendar
import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from mailhub.store.models import QueuedMessage
from tests.mailhub.conftest import Invoke, World
from tests.policies.corpus import docx

WEEK = ("Ngày,Bắt đầu,Kết thúc,Lãnh đạo,Nội dung,Địa điểm,Thành phần\n"
        "30/11/2026,08:00,10:00,Chủ tịch UBND tỉnh,Họp giao ban lãnh đạo,Phòng họp số 1,Các Phó Chủ tịch\n"
        "30/11/2026,14h00,,Phó Chủ tịch Nguyễn Văn An,Làm việc với Sở Y tế,Sở Y tế,Giám đốc Sở Y tế\n"
        "02/12/2026,08:00,11:30,Chủ tịch UBND tỉnh,Tiếp công dân định kỳ,Trụ sở Tiếp công dân,Thanh tra tỉnh\n")


def parts(content: bytes) -> tuple[email.message.EmailMessage, dict[str, list[icalendar.Calendar]]]:
    message = email.message_from_bytes(content, policy=default)
    calendars: dict[str, list[icalendar.Calendar]] = {}
    for part in message.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            calendars.setdefault(part.get_content_type(), []).append(calendar)
    return message, calendars


def publish(cli: Invoke, path: Path, *extra: str) -> dict[str, object]:
    result = cli("schedule", "publish", str(path), "--week", "2026-W49", "--to", "agency:STTTT",
                 "--organizer", "ubnd@bacninh.gov.vn", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_week_published_revised_and_republished(world: World, cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text(WEEK, encoding="utf-8")
    first = publish(cli, path)
    assert (first["new"], first["sent"]) == (3, True)
    [received] = world.sink.wait_for(1)
    message, calendars = parts(received.content)
    assert sorted(received.rcpt_tos) == ["vinhnq2@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]
    page = message.get_body(("html",)).get_content()
    assert "LỊCH CÔNG TÁC TUẦN 49" in page and "Tiếp công dân định kỳ" in page and "Thứ Hai, ngày 30/11/2026" in page
    [calendar] = calendars["text/calendar"]
    events = calendar.walk("VEVENT")
    uids = {str(e["SUMMARY"]): str(e["UID"]) for e in events}
    assert len(events) == 3 and all(int(e["SEQUENCE"]) == 0 for e in events)
    assert str(calendar["METHOD"]) == "PUBLISH"

    revised = WEEK.replace("Làm việc với Sở Y tế,", "Làm việc với Sở Y tế về phòng chống dịch,").replace(
        "02/12/2026,08:00,11:30,Chủ tịch UBND tỉnh,Tiếp công dân định kỳ,Trụ sở Tiếp công dân,Thanh tra tỉnh\n", "")
    revised += "03/12/2026,09:00,10:00,Phó Chủ tịch Nguyễn Văn An,Kiểm tra công trình,Xã Tam Giang,\n"
    path.write_text(revised, encoding="utf-8")
    second = publish(cli, path)
    assert (second["new"], second["changed"], second["removed"], second["unchanged"]) == (1, 1, 1, 1)
    later = {str(email.message_from_bytes(m.content, policy=default)["Subject"]): m for m in world.sink.wait_for(3)[1:]}
    letter = next(m for subject, m in later.items() if subject.startswith("Điều chỉnh lịch công tác tuần 49"))
    cancellation = next(m for subject, m in later.items() if subject.startswith("Hủy lịch: Chủ tịch UBND tỉnh"))
    message, calendars = parts(letter.content)
    [published] = calendars["text/calendar"]
    changed = {str(e["SUMMARY"]): (str(e["UID"]), int(e["SEQUENCE"])) for e in published.walk("VEVENT")}
    assert changed["Phó Chủ tịch Nguyễn Văn An: Làm việc với Sở Y tế về phòng chống dịch"] == (
        uids["Phó Chủ tịch Nguyễn Văn An: Làm việc với Sở Y tế"], 1)
    assert "Phó Chủ tịch Nguyễn Văn An: Kiểm tra công trình" in changed and len(changed) == 2
    assert not any(str(c["METHOD"]) == "CANCEL" for found in calendars.values() for c in found)
    # the removed item: its own message, its calendar inline (clients apply it), one UID
    _, cancelled = parts(cancellation.content)
    [cancel] = cancelled["text/calendar"]
    [removed] = cancel.walk("VEVENT")
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(removed["UID"]) == uids["Chủ tịch UBND tỉnh: Tiếp công dân định kỳ"]
    assert str(removed["STATUS"]) == "CANCELLED" and int(removed["SEQUENCE"]) == 1
    html = message.get_body(("html",)).get_content()
    # what changed is marked with inline styles (clients that drop <style> still show it)
    assert "background: #fff4ce" in html and "background: #e6f4ea" in html and "line-through" in html
    assert "Thay đổi" in html and "Mới" in html and "Đã hủy" in html

    third = publish(cli, path)
    assert third["sent"] is False
    assert len(world.sink.messages) == 3


def test_unreadable_rows_are_reported_and_nothing_is_sent(world: World, cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text("Ngày,Bắt đầu,Lãnh đạo,Nội dung\n30/11/2026,08:00,A,B\n31/12/2026,8h,A,B\nabc,8h,A,C\n"
                    "01/12/2026,25:00,A,D\n", encoding="utf-8")
    result = cli("schedule", "publish", str(path), "--week", "2026-W49", "--to", "agency:STTTT")
    assert result.exit_code == 1
    for line in ("line 3", "line 4", "line 5"):
        assert line in result.stderr
    assert "line 2" not in result.stderr
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []


def test_schedule_from_xlsx_with_english_headers(world: World, cli: Invoke, tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["date", "start", "end", "leader", "content", "location", "participants"])
    book.active.append(["2026-12-01", "08:00", "09:00", "Chairman", "Briefing", "Room 1", ""])
    path = tmp_path / "week.xlsx"
    book.save(path)
    assert publish(cli, path)["new"] == 1


def test_notice_with_number_urgency_and_priority(world: World, cli: Invoke, tmp_path: Path) -> None:
    result = cli("notice", "send", "--subject", "Kết luận của Chủ tịch UBND tỉnh", "--body", "Nội dung **chính**.",
                 "--markdown", "--to", "agency:STTTT", "--from", "ubnd@bacninh.gov.vn", "--number", "45/TB-UBND",
                 "--urgency", "hoa-toc", "--json")
    assert result.exit_code == 0, result.output
    notice_id = json.loads(result.stdout)["id"]
    [received] = world.sink.wait_for(1)
    message = email.message_from_bytes(received.content, policy=default)
    assert message["Subject"] == "HỎA TỐC - Số 45/TB-UBND - Kết luận của Chủ tịch UBND tỉnh"
    assert message["X-Priority"].startswith("1") and message["Importance"] == "high"
    assert "<strong>chính</strong>" in message.get_body(("html",)).get_content()
    shown = json.loads(cli("notice", "show", str(notice_id), "--json").stdout)
    import time

    deadline = time.monotonic() + 10
    while any(r["delivery"] != "delivered" for r in shown["recipients"]) and time.monotonic() < deadline:
        time.sleep(0.2)
        shown = json.loads(cli("notice", "show", str(notice_id), "--json").stdout)
    assert {(r["email"], r["delivery"]) for r in shown["recipients"]} == {
        ("vinhnq@bacninh.gov.vn", "delivered"), ("vinhnq2@bacninh.gov.vn", "delivered")}


@pytest.mark.parametrize("subject", ["Thông báo\r\nBcc: spy@example.com", "Thông báo\nX: y"])
def test_header_injection_in_a_notice_is_refused(cli: Invoke, subject: str) -> None:
    result = cli("notice", "send", "--subject", subject, "--body", "x", "--to", "agency:STTTT",
                 "--from", "ubnd@bacninh.gov.vn")
    assert result.exit_code == 1 and "inject" in result.stderr


def test_notice_with_a_marked_attachment_is_refused_before_anything_is_queued(world: World, cli: Invoke,
                                                                              tmp_path: Path) -> None:
    document = tmp_path / "bao-cao.docx"
    document.write_bytes(docx("Số: 9/BC-UBND\nTUYỆT MẬT\nBáo cáo"))
    result = cli("notice", "send", "--subject", "Báo cáo", "--body", "Gửi kèm.", "--to", "agency:STTTT",
                 "--from", "ubnd@bacninh.gov.vn", "--attach", str(document))
    assert result.exit_code == 1 and "mang dấu độ mật" in result.stderr
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []


@pytest.mark.parametrize("body", ["TỐI MẬT\n\nKết luận của Chủ tịch.",
                                  "Kính gửi các đơn vị.\n\nTUYỆT MẬT\n\nNội dung."])
def test_a_notice_whose_own_text_is_marked_is_refused(world: World, cli: Invoke, body: str) -> None:
    """Text alone is checked in the command's own process (no worker to start): the gate still refuses."""
    result = cli("notice", "send", "--subject", "Kết luận", "--body", body, "--to", "agency:STTTT")
    assert result.exit_code == 1 and "mang dấu độ mật" in result.stderr, result.output
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []


@pytest.mark.parametrize(("urgency", "mark"), [("Hỏa tốc", "HỎA TỐC"), ("hoả tốc", "HỎA TỐC"),
                                               ("Thượng khẩn", "THƯỢNG KHẨN"), ("khan", "KHẨN")])
def test_urgency_as_offices_write_it_and_the_default_sender(world: World, cli: Invoke, urgency: str,
                                                            mark: str) -> None:
    result = cli("notice", "send", "--subject", "Triệu tập họp", "--body", "Nội dung.", "--to", "agency:STTTT",
                 "--number", "Số: 7/TB-UBND", "--urgency", urgency)
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(world.sink.wait_for(1)[0].content, policy=default)
    assert message["Subject"] == f"{mark} - Số 7/TB-UBND - Triệu tập họp"
    assert message["From"].addresses[0].addr_spec == "ubnd@bacninh.gov.vn"


def test_a_group_address_as_recipient_reaches_every_member(world: World, cli: Invoke) -> None:
    result = cli("notice", "send", "--subject", "Thông báo", "--body", "x", "--to", "lanhdao@lich.bacninh.gov.vn",
                 "--to", "huongttt@bacninh.gov.vn", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("notice", "show", str(json.loads(result.stdout)["id"]), "--json").stdout)
    assert sorted(r["email"] for r in shown["recipients"]) == ["huongttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]


def test_previews_change_nothing(world: World, cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text(WEEK, encoding="utf-8")
    preview = publish(cli, path, "--output", str(tmp_path / "week.eml"))
    assert preview["new"] == 3 and (tmp_path / "week.eml").is_file()
    notice = cli("notice", "send", "--subject", "Thông báo", "--body", "x", "--to", "agency:STTTT",
                 "--output", str(tmp_path / "notice.eml"))
    assert notice.exit_code == 0, notice.output
    assert json.loads(cli("notice", "list", "--json").stdout) == []
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []
    real = publish(cli, path)  # the preview did not store the week: the real publish still sends it
    assert (real["new"], real["sent"]) == (3, True)


def test_a_meeting_moved_to_another_hour_is_that_item_changed(world: World, cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text(WEEK, encoding="utf-8")
    publish(cli, path)
    [first] = world.sink.wait_for(1)
    _, calendars = parts(first.content)
    uids = {str(e["SUMMARY"]): str(e["UID"]) for e in calendars["text/calendar"][0].walk("VEVENT")}
    path.write_text(WEEK.replace("30/11/2026,08:00,10:00,Chủ tịch", "30/11/2026,09:00,11:00,Chủ tịch"),
                    encoding="utf-8")
    moved = publish(cli, path)
    assert (moved["new"], moved["changed"], moved["removed"]) == (0, 1, 0) and moved["cancel_queue_ids"] == []
    _, calendars = parts(world.sink.wait_for(2)[1].content)
    [event] = calendars["text/calendar"][0].walk("VEVENT")
    assert str(event["UID"]) == uids["Chủ tịch UBND tỉnh: Họp giao ban lãnh đạo"] and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").hour == 9
    assert publish(cli, path)["sent"] is False  # and published again as it is, nothing changed
