"""Invitations end to end: built by mailhub, relayed to the mailbox server, read by an independent
parser; replies from several clients arrive on the inbound listener and show up as answers."""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path

import icalendar
from sqlmodel import Session, col, select

from mailhub.store.models import ActivityEvent, QueuedMessage, QueueRecipient
from tests.mailhub.conftest import Invoke, World, wait_until
from tests.mailhub.itip_samples import gmail_reply, ics_only_reply, outlook_reply, thunderbird_reply
from tests.mailhub.relay_harness import Received
from tests.policies.corpus import docx

MAILBOX_SERVER = "127.0.0.1"  # the province's mailbox server in these tests (the smart host; trusted)


def create(cli: Invoke, *extra: str) -> dict[str, object]:
    result = cli("invite", "create", "--title", "Họp giao ban tuần", "--start", "2026-12-07 08:00",
                 "--end", "2026-12-07 10:00", "--location", "Phòng họp số 1", "--organizer", "stttt@bacninh.gov.vn",
                 "--to", "agency:STTTT", "--to", "huongttt@bacninh.gov.vn", "--chair", "vinhnq@bacninh.gov.vn",
                 "--agenda", "Đánh giá công tác tuần", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def calendar_of(received: Received) -> tuple[email.message.EmailMessage, icalendar.Calendar]:
    message = email.message_from_bytes(received.content, policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return message, icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_invitation_reaches_the_mailbox_server_in_the_shape_clients_need(world: World, cli: Invoke) -> None:
    created = create(cli)
    [received] = world.sink.wait_for(1)
    message, calendar = calendar_of(received)

    assert sorted(received.rcpt_tos) == ["huongttt@bacninh.gov.vn", "vinhnq2@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]
    assert message["From"].addresses[0].addr_spec == "stttt@lich.bacninh.gov.vn"
    assert message["Auto-Submitted"] == "auto-generated"
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    calendar_part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST" == str(calendar["METHOD"])
    assert calendar_part.get_content_charset() == "utf-8"
    assert any(p.get_content_type() == "application/ics" for p in message.walk())
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Ho_Chi_Minh" and len(zone.subcomponents) == 1
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == created["uid"] and int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == "mailto:stttt@lich.bacninh.gov.vn"
    attendees = {str(a).removeprefix("mailto:"): a.params for a in event["ATTENDEE"]}
    assert attendees["vinhnq@bacninh.gov.vn"]["ROLE"] == "CHAIR"
    assert all(p["RSVP"] == "TRUE" and p["PARTSTAT"] == "NEEDS-ACTION" for p in attendees.values())
    assert event.decoded("DTSTART").isoformat() == "2026-12-07T08:00:00+07:00"
    text = message.get_body(("plain",)).get_content()
    for label in ("GIẤY MỜI", "Chủ trì: Nguyễn Quang Vinh", "Thời gian: 08 giờ 00, thứ Hai, ngày 07/12/2026",
                  "Địa điểm: Phòng họp số 1", "Thành phần:", "Nội dung: Đánh giá công tác tuần"):
        assert label in text


def wait_for_replies(world: World, count: int) -> None:
    """Replies are read after the queue (the replies stage): wait until ``count`` have been."""
    def read() -> bool:
        with Session(world.app.engine) as session:
            rows = session.exec(select(QueueRecipient).where(
                col(QueueRecipient.address).endswith("@lich.bacninh.gov.vn"))).all()
        return sum(r.state == "delivered" for r in rows) >= count

    assert wait_until(read)


def test_replies_from_real_clients_update_the_answers(world: World, cli: Invoke) -> None:
    created = create(cli)
    world.sink.wait_for(1)
    uid, organizer = str(created["uid"]), "stttt@lich.bacninh.gov.vn"
    replies = [
        ("vinhnq@bacninh.gov.vn", outlook_reply(uid, "VinhNQ@bacninh.gov.vn", organizer_service=organizer)),
        ("vinhnq2@bacninh.gov.vn", gmail_reply(uid, "vinhnq2@bacninh.gov.vn", organizer)),
        ("huongttt@bacninh.gov.vn", thunderbird_reply(uid, "huongttt@bacninh.gov.vn", organizer)),
    ]
    with world.relay.smtp("inbound", source=MAILBOX_SERVER) as client:
        client.ehlo("mx.example.net")
        for sender, content in replies:
            client.sendmail(sender, [organizer], content)
        client.sendmail("x@example.net", [organizer], b"Subject: hello\r\n\r\nnot a calendar\r\n")

    assert len(world.sink.wait_for(5)) == 5  # each reply passed on to the organizer's real mailbox
    wait_for_replies(world, 4)
    shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
    answers = {a["email"]: a["answer"] for a in shown["attendees"]}
    assert answers == {"vinhnq@bacninh.gov.vn": "accepted", "vinhnq2@bacninh.gov.vn": "declined",
                       "huongttt@bacninh.gov.vn": "tentative"}
    assert all(m.rcpt_tos == ["stttt@bacninh.gov.vn"] for m in world.sink.messages[1:])
    with Session(world.app.engine) as session:
        kinds = {(e.address, e.kind) for e in session.exec(select(ActivityEvent))}
    assert ("huongttt@bacninh.gov.vn", "itip-reply") in kinds


def test_newest_answer_wins_and_ics_only_replies_count(world: World, cli: Invoke) -> None:
    created = create(cli)
    uid, organizer = str(created["uid"]), "stttt@lich.bacninh.gov.vn"
    with world.relay.smtp("inbound", source=MAILBOX_SERVER) as client:
        client.ehlo("mx.example.net")
        client.sendmail("vinhnq2@bacninh.gov.vn", [organizer], ics_only_reply(uid, "vinhnq2@bacninh.gov.vn", organizer))
        client.sendmail("vinhnq2@bacninh.gov.vn", [organizer], outlook_reply(uid, "vinhnq2@bacninh.gov.vn", "DECLINED",
                                                             organizer, stamp="20261130T000000Z"))
    wait_for_replies(world, 2)
    shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
    assert {a["email"]: a["answer"] for a in shown["attendees"]}["vinhnq2@bacninh.gov.vn"] == "accepted"


def test_update_one_occurrence_and_replace_attendees(world: World, cli: Invoke) -> None:
    created = create(cli, "--weekly-until", "2026-12-28")
    world.sink.wait_for(1)
    result = cli("invite", "update", str(created["id"]), "--occurrence", "2026-12-14", "--location", "Hội trường")
    assert result.exit_code == 0, result.output
    _, calendar = calendar_of(world.sink.wait_for(2)[1])
    [event] = calendar.walk("VEVENT")
    assert event.decoded("RECURRENCE-ID").isoformat() == "2026-12-14T08:00:00+07:00"
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Hội trường"

    result = cli("invite", "update", str(created["id"]), "--to", "huongttt@bacninh.gov.vn")
    assert result.exit_code == 0, result.output
    later = world.sink.wait_for(4)[2:]
    methods = {str(calendar_of(m)[1]["METHOD"]): sorted(m.rcpt_tos) for m in later}
    assert methods == {"REQUEST": ["huongttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"],
                       "CANCEL": ["vinhnq2@bacninh.gov.vn"]}


def test_cancel_sends_cancel_with_a_higher_sequence(world: World, cli: Invoke) -> None:
    created = create(cli)
    assert cli("invite", "cancel", str(created["id"])).exit_code == 0
    _, calendar = calendar_of(world.sink.wait_for(2)[1])
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == created["uid"]


def test_output_writes_what_would_be_sent_and_changes_nothing(world: World, cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "invite.eml"
    previewed = create(cli, "--output", str(target))
    _, calendar = calendar_of(Received("", [], target.read_bytes()))
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar.walk("VEVENT")[0]["UID"]) == previewed["uid"]
    assert previewed["id"] is None and json.loads(cli("meeting", "list", "--json").stdout) == []
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []

    created = create(cli)

    def state() -> tuple[object, ...]:  # what a preview must not touch (delivery goes on meanwhile)
        shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
        return shown["sequence"], shown["status"], [(a["email"], a["invited"], a["answer"]) for a in shown["attendees"]]

    before = state()
    folder = tmp_path / "out"
    folder.mkdir()
    assert cli("invite", "update", str(created["id"]), "--to", "huongttt@bacninh.gov.vn",
               "--output", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["01-update.eml", "02-cancel.eml"]
    assert cli("invite", "cancel", str(created["id"]), "--output", str(tmp_path / "cancel.eml")).exit_code == 0
    assert state() == before  # nothing changed
    with Session(world.app.engine) as session:
        assert len(session.exec(select(QueuedMessage)).all()) == 1  # the real invitation only
    # the real commands still do what the previews showed
    assert cli("invite", "update", str(created["id"]), "--to", "huongttt@bacninh.gov.vn").exit_code == 0
    assert cli("invite", "cancel", str(created["id"])).exit_code == 0


def test_marked_meeting_document_is_refused_before_anything_is_queued(world: World, cli: Invoke,
                                                                      tmp_path: Path) -> None:
    document = tmp_path / "tai-lieu-hop.docx"
    document.write_bytes(docx("Số: 5/BC-UBND\nMẬT\nBáo cáo"))
    result = cli("invite", "create", "--title", "Họp", "--start", "2026-12-07 08:00", "--end", "2026-12-07 09:00",
                 "--organizer", "stttt@bacninh.gov.vn", "--to", "vinhnq@bacninh.gov.vn", "--attach", str(document))
    assert result.exit_code == 1
    assert "mang dấu độ mật" in result.stderr and "Refused" in result.stderr
    assert json.loads(cli("meeting", "list", "--json").stdout) == []
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []


def test_reminders_go_to_silent_attendees_once(world: World, cli: Invoke) -> None:
    from datetime import timedelta

    created = create(cli)
    world.sink.wait_for(1)
    organizer = "stttt@lich.bacninh.gov.vn"
    with world.relay.smtp("inbound", source=MAILBOX_SERVER) as client:
        client.ehlo("mx.example.net")
        client.sendmail("vinhnq2@bacninh.gov.vn", [organizer],
                        gmail_reply(str(created["uid"]), "vinhnq2@bacninh.gov.vn", organizer))
    wait_for_replies(world, 1)
    meetings = world.app.meetings()

    assert meetings.send_reminders(timedelta(days=1)) == 0  # the meeting is weeks away
    assert meetings.send_reminders(timedelta(days=60)) == 2  # the chair and huongttt have not answered
    assert meetings.send_reminders(timedelta(days=60)) == 0  # never twice
    reminders = [m for m in world.sink.wait_for(3)[1:] if m.rcpt_tos != ["stttt@bacninh.gov.vn"]]
    assert [sorted(m.rcpt_tos) for m in reminders] == [["huongttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]]
    assert "Nhắc lịch họp" in email.message_from_bytes(reminders[0].content, policy=default)["Subject"]


def test_update_any_field_of_the_series(world: World, cli: Invoke) -> None:
    created = create(cli)
    result = cli("invite", "update", str(created["id"]), "--chair", "vinhnq2@bacninh.gov.vn", "--online-url",
                 "https://hop.bacninh.gov.vn/abc", "--bridge", "Điểm cầu xã Tam Giang", "--agenda", "Nội dung mới")
    assert result.exit_code == 0, result.output
    message, calendar = calendar_of(world.sink.wait_for(2)[1])
    [event] = calendar.walk("VEVENT")
    roles = {str(a).removeprefix("mailto:"): a.params["ROLE"] for a in event["ATTENDEE"]}
    assert roles["vinhnq2@bacninh.gov.vn"] == "CHAIR" and roles["vinhnq@bacninh.gov.vn"] == "REQ-PARTICIPANT"
    assert str(event["URL"]) == "https://hop.bacninh.gov.vn/abc"
    text = message.get_body(("plain",)).get_content()
    assert "Điểm cầu: Điểm cầu xã Tam Giang" in text and "Nội dung: Nội dung mới" in text


def test_a_marked_update_is_refused_and_audited_without_changing_the_meeting(world: World, cli: Invoke) -> None:
    from mailhub.store.models import AuditEvent

    created = create(cli)
    result = cli("invite", "update", str(created["id"]), "--title", "[TỐI MẬT] Họp")
    assert result.exit_code == 1 and "Refused" in result.stderr
    shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
    assert shown["title"] == "Họp giao ban tuần" and shown["sequence"] == 0
    with Session(world.app.engine) as session:
        [event] = session.exec(select(AuditEvent)).all()
    assert event.rule == "subject-tag" and event.sender == "stttt@lich.bacninh.gov.vn"


def test_a_reply_listing_every_attendee_changes_only_the_senders_answer(world: World, cli: Invoke) -> None:
    created = create(cli)
    organizer = "stttt@lich.bacninh.gov.vn"
    ics = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:{created['uid']}\r\n"
           "DTSTAMP:20261201T050000Z\r\n"
           "ATTENDEE;PARTSTAT=ACCEPTED;EMAIL=vinhnq2@bacninh.gov.vn:urn:uuid:5d1c0a2e-1111-4b6b-9a55-0c1d\r\n"
           "ATTENDEE;PARTSTAT=DECLINED:mailto:huongttt@bacninh.gov.vn\r\n"
           "END:VEVENT\r\nEND:VCALENDAR\r\n")
    content = (f"From: vinhnq2@bacninh.gov.vn\r\nTo: {organizer}\r\nSubject: Accepted\r\nMIME-Version: 1.0\r\n"
               f"Content-Type: text/calendar; method=REPLY; charset=UTF-8\r\n\r\n{ics}").encode()
    with world.relay.smtp("inbound", source=MAILBOX_SERVER) as client:
        client.ehlo("mx.icloud.example")
        client.sendmail("vinhnq2@bacninh.gov.vn", [organizer], content)
    wait_for_replies(world, 1)
    shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
    answers = {a["email"]: a["answer"] for a in shown["attendees"]}
    assert answers["vinhnq2@bacninh.gov.vn"] == "accepted" and answers["huongttt@bacninh.gov.vn"] == "needs-action"


def test_an_answer_to_an_earlier_time_does_not_stand_and_a_future_dtstamp_is_clamped(world: World,
                                                                                    cli: Invoke) -> None:
    created = create(cli)
    uid, organizer, attendee = str(created["uid"]), "stttt@lich.bacninh.gov.vn", "vinhnq2@bacninh.gov.vn"

    def reply(content: bytes) -> None:
        before = replies_read(world)
        with world.relay.smtp("inbound", source=MAILBOX_SERVER) as client:
            client.ehlo("mx.example.net")
            client.sendmail(attendee, [organizer], content)
        wait_for_replies(world, before + 1)

    def shown() -> dict[str, object]:
        rows = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["attendees"]
        return next(r for r in rows if r["email"] == attendee)

    reply(outlook_reply(uid, attendee, "ACCEPTED", organizer, stamp="20261201T020000Z"))
    assert shown()["answer"] == "accepted"
    assert cli("invite", "update", str(created["id"]), "--start", "2026-12-07 14:00", "--end",
               "2026-12-07 16:00").exit_code == 0
    assert (shown()["answer"], shown()["earlier_time_answer"]) == ("needs-action", "accepted")
    reply(outlook_reply(uid, attendee, "ACCEPTED", organizer, stamp="20261201T030000Z"))  # still SEQUENCE:0
    assert shown()["answer"] == "needs-action"
    reply(outlook_reply(uid, attendee, "DECLINED", organizer, stamp="20991231T000000Z", sequence=1))  # the future
    assert shown()["answer"] == "declined"
    next_second = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")  # after that arrival
    reply(outlook_reply(uid, attendee, "ACCEPTED", organizer, stamp=next_second, sequence=1))
    assert shown()["answer"] == "accepted"  # the 2099 stamp was taken as its arrival time, not the future


def replies_read(world: World) -> int:
    with Session(world.app.engine) as session:
        rows = session.exec(select(QueueRecipient).where(
            col(QueueRecipient.address).endswith("@lich.bacninh.gov.vn"))).all()
    return sum(r.state == "delivered" for r in rows)
