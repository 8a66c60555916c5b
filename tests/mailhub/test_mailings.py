"""The scheduled mail of the usage figures: the six-monthly report before its deadline, once, and the
monthly digest to agency heads, once."""

from __future__ import annotations

import email
from datetime import date, datetime
from email.policy import default

from mailhub.timeutil import LOCAL
from mailhub.usage.mailings import ReportMailing, due_period, send_due_report, send_monthly_digests
from tests.mailhub.conftest import Invoke, World


def test_the_report_is_due_in_the_days_before_15_june_and_15_december() -> None:
    assert due_period(date(2026, 6, 10), 5) is not None and due_period(date(2026, 6, 10), 5).half == 1  # type: ignore[union-attr]
    assert due_period(date(2026, 12, 14), 5).code == "2026-H2"  # type: ignore[union-attr]
    assert due_period(date(2026, 12, 15), 5) is None and due_period(date(2026, 12, 9), 5) is None
    assert due_period(date(2026, 3, 1), 5) is None


def test_the_report_goes_out_once_with_its_pdf(world: World) -> None:
    notices = world.app.notices()
    mailing = ReportMailing(to=("agency:STTTT",))
    when = datetime(2026, 12, 10, 9, 0, tzinfo=LOCAL)
    subject = send_due_report(world.app.engine, world.app.directory, notices, mailing, when)
    assert subject == "Báo cáo tình hình sử dụng thư điện tử công vụ 6 tháng cuối năm 2026"
    assert send_due_report(world.app.engine, world.app.directory, notices, mailing, when) is None  # once
    [received] = world.sink.wait_for(1)
    message = email.message_from_bytes(received.content, policy=default)
    [attachment] = [p for p in message.iter_attachments() if p.get_filename()]
    assert attachment.get_filename() == "bao-cao-thu-dien-tu-2026-H2.pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    assert sorted(received.rcpt_tos) == ["vinhnq2@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]


def test_agency_heads_get_their_dormant_accounts_and_unanswered_invitations_once(world: World,
                                                                                  cli: Invoke) -> None:
    result = cli("invite", "create", "--title", "Họp tháng 11", "--start", "2026-11-20 08:00", "--end",
                 "2026-11-20 09:00", "--organizer", "stttt@bacninh.gov.vn", "--to", "agency:STTTT")
    assert result.exit_code == 0, result.output
    notices, when = world.app.notices(), datetime(2026, 12, 1, 8, 0, tzinfo=LOCAL)
    assert send_monthly_digests(world.app.engine, world.app.directory, notices, when) == 1  # STTTT has a head
    assert send_monthly_digests(world.app.engine, world.app.directory, notices, when) == 0
    messages = [email.message_from_bytes(m.content, policy=default) for m in world.sink.wait_for(2)]
    [digest] = [m for m in messages if str(m["Subject"]).startswith("Tổng hợp sử dụng thư điện tử tháng 11/2026")]
    assert digest["To"].addresses[0].addr_spec == "vinhnq@bacninh.gov.vn"
    text = digest.get_body(("plain",)).get_content()
    assert "Ngô Quốc Vinh (vinhnq2@bacninh.gov.vn)" in text and "Họp tháng 11" in text
