"""Headers mailhub writes round-trip exactly: no lost spaces, no encoded-word over 75 characters."""

from __future__ import annotations

import email
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default

from mailhub.mime import MAIL_POLICY

SUBJECT = ("HỎA TỐC - Số 45/TB-UBND - Giấy mời họp sơ kết công tác quý IV năm 2026 và triển khai nhiệm vụ trọng "
           "tâm của Sở Thông tin và Truyền thông tỉnh Khánh Hòa năm 2027 (lần 2), cùng các đơn vị liên quan")
ENCODED_WORD = re.compile(rb"=\?[^?]+\?[bqBQ]\?[^?]*\?=")


def test_every_length_of_a_long_vietnamese_subject_round_trips() -> None:
    for length in range(1, len(SUBJECT) + 1):
        subject = SUBJECT[:length].strip() or "x"
        message = EmailMessage(policy=MAIL_POLICY)
        message["Subject"] = subject
        message["From"] = Address("Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa", addr_spec="vanphong@khanhhoa.gov.vn")
        message.set_content("Nội dung.")
        raw = message.as_bytes()
        head = raw.split(b"\r\n\r\n")[0]
        assert email.message_from_bytes(raw, policy=default)["Subject"] == subject, length
        assert all(len(word) <= 75 for word in ENCODED_WORD.findall(head)), length
        assert all(len(line) <= 78 for line in head.split(b"\r\n")), length


def test_ascii_and_spacing_are_kept_as_written() -> None:
    for subject in ("Weekly report", "Lịch  công tác  (hai khoảng trắng)", "Số 7/TB-UBND - Triệu tập họp "):
        message = EmailMessage(policy=MAIL_POLICY)
        message["Subject"] = subject
        message.set_content("x")
        assert email.message_from_bytes(message.as_bytes(), policy=default)["Subject"] == subject
