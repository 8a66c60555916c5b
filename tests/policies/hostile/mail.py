"""Hostile messages: forwards, odd transfer encodings, PGP/S-MIME, calendar invitations."""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Iterator
from email.message import EmailMessage

from tests.policies.hostile.common import DOCX_MIME, NOTICE, PASSWORD, PLAIN, STAMPED, TRAINING, Case
from tests.policies.hostile.pdf import pdf
from tests.policies.hostile.word import docx

# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

def _message(subject: str, body: str = "Kính gửi các đồng chí,\nXin gửi tài liệu kèm theo.", *,
             attachments: list[tuple[str, bytes, str]] | None = None,
             forward: EmailMessage | None = None, html: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "vanthu@khanhhoa.gov.vn", "lanhdao@khanhhoa.gov.vn", subject
    m["Date"], m["Message-ID"] = "Mon, 15 Dec 2025 08:00:00 +0700", "<hostile@khanhhoa.gov.vn>"
    m.set_content(body)
    if html is not None:
        m.add_alternative(html, subtype="html")
    for name, data, mime in attachments or []:
        maintype, subtype = mime.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if forward is not None:
        m.add_attachment(forward)
    return m


def _wire(m: EmailMessage) -> bytes:
    return m.as_bytes(policy=m.policy.clone(linesep="\r\n"))


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _forward_base64() -> bytes:
    """A forward whose message/rfc822 part is base64 (RFC 2046 forbids it; some clients do it anyway)."""
    inner = _wire(_message("[TỐI MẬT] Phương án nhân sự", "Gửi anh xem trước cuộc họp."))
    encoded = base64.encodebytes(inner).decode()
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Fwd: Tài liệu\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "Chuyển tiếp thư bên dưới.\n"
        "--b1\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=\"fw.eml\"\n\n" + encoded + "--b1--\n")


def _uuencode(name: str, data: bytes) -> str:
    lines = [f"begin 644 {name}"]
    for start in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[start:start + 45]).decode().rstrip("\n"))
    lines += ["`", "end"]
    return "\n".join(lines)


def _x_uuencode_attachment() -> bytes:
    payload = _uuencode("baocao.txt", STAMPED.encode())
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Báo cáo\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: text/plain; charset=utf-8\n\nGửi kèm báo cáo.\n"
        "--b1\nContent-Type: text/plain; charset=utf-8; name=\"baocao.txt\"\n"
        "Content-Transfer-Encoding: x-uuencode\nContent-Disposition: attachment; filename=\"baocao.txt\"\n\n"
        + payload + "\n--b1--\n")


def _split_subject() -> bytes:
    """The tag split across two encoded-words in the middle of a UTF-8 sequence (lenient clients join them)."""
    raw = "[TỐI MẬT] Danh sách nhân sự".encode()
    cut = raw.index("Ố".encode()) + 1
    words = " ".join(f"=?UTF-8?B?{base64.b64encode(chunk).decode()}?=" for chunk in (raw[:cut], raw[cut:]))
    return _crlf(f"From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: {words}\n"
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nKính gửi các đồng chí.\n")


def _message_partial() -> bytes:
    """Fragment 2 of 2 of a message/partial split (RFC 2046 5.2.2): on its own, nothing can be decoded."""
    secret = _wire(_message("Báo cáo", attachments=[("bao-cao.docx", docx(STAMPED), DOCX_MIME)]))
    tail = secret[len(secret) // 2:].decode("ascii", "replace")
    return _crlf("From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Báo cáo (phần 2/2)\n"
                 "MIME-Version: 1.0\nContent-Type: message/partial; id=\"bc45@khanhhoa.gov.vn\"; number=2; total=2\n\n"
                 + tail)


def _inline_pgp() -> bytes:
    rng = random.Random(3)
    blob = base64.encodebytes(bytes(rng.randrange(256) for _ in range(600))).decode()
    body = ("Gửi anh tài liệu đã mã hóa, mật khẩu gửi qua Zalo.\n\n-----BEGIN PGP MESSAGE-----\n\n"
            + blob + "=x1Qm\n-----END PGP MESSAGE-----\n")
    return _wire(_message("Tài liệu", body))


def _pgp_mime() -> bytes:
    rng = random.Random(4)
    blob = base64.encodebytes(bytes(rng.randrange(256) for _ in range(400))).decode()
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Tài liệu\nMIME-Version: 1.0\n"
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
        "--b1\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\n"
        "-----BEGIN PGP MESSAGE-----\n\n" + blob + "-----END PGP MESSAGE-----\n--b1--\n")


def _smime() -> bytes:
    rng = random.Random(5)
    blob = base64.encodebytes(bytes(rng.randrange(256) for _ in range(500))).decode()
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Tài liệu\nMIME-Version: 1.0\n"
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n"
        "Content-Disposition: attachment; filename=\"smime.p7m\"\nContent-Transfer-Encoding: base64\n\n" + blob)


def _ics(summary: str, description: str) -> bytes:
    return _crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//UBND tinh Khanh Hoa//Lich hop//VI\nMETHOD:REQUEST\n"
        "BEGIN:VEVENT\nUID:hop-51@khanhhoa.gov.vn\nDTSTAMP:20251215T010000Z\nDTSTART:20251218T013000Z\n"
        f"DTEND:20251218T040000Z\nSUMMARY:{summary}\nDESCRIPTION:{description}\n"
        "LOCATION:Phòng họp số 1\nORGANIZER:mailto:vanthu@khanhhoa.gov.vn\nEND:VEVENT\nEND:VCALENDAR\n")


def _deep_forward(depth: int, innermost_subject: str) -> bytes:
    m = _message(innermost_subject, "Nội dung thư gốc.")
    for level in range(depth):
        m = _message(f"Fwd: chuyển tiếp lần {depth - level}", "Chuyển tiếp.", forward=m)
    return _wire(m)


def _deep_forward_raw(depth: int) -> bytes:
    """``depth`` nested message/rfc822 parts written directly (the email package recurses to build them)."""
    head = ("From: a@khanhhoa.gov.vn\nSubject: Fwd\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"b{n}\"\n\n--b{n}\nContent-Type: message/rfc822\n\n")
    text = "".join(head.format(n=n) for n in range(depth))
    text += "From: a@khanhhoa.gov.vn\nSubject: Thư gốc\nContent-Type: text/plain; charset=utf-8\n\nLời chào.\n"
    text += "".join(f"--b{n}--\n" for n in reversed(range(depth)))
    return _crlf(text)


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

def message_cases() -> Iterator[Case]:
    secret_fwd = _message("[TỐI MẬT] Phương án nhân sự", "Gửi anh xem trước cuộc họp.")
    yield "eml-fwd-rfc822-subject-tag", "block", "fwd.eml", _wire(
        _message("Fwd: Tài liệu", "Chuyển tiếp thư bên dưới.", forward=secret_fwd))
    yield "eml-fwd-rfc822-base64", "block", "fwd-b64.eml", _forward_base64()
    yield "eml-fwd-nested-2-levels", "block", "fwd2.eml", _deep_forward(2, "[TỐI MẬT] Phương án nhân sự")
    yield "eml-fwd-nested-12-levels", "block", "fwd12.eml", _deep_forward(12, "[MẬT] Báo cáo chuyên đề")
    yield "eml-uuencode-in-body", "block", "uu.eml", _wire(_message(
        "Báo cáo", "Gửi anh bản báo cáo (giải mã bằng uudecode):\n\n" + _uuencode("baocao.txt", STAMPED.encode())))
    yield "eml-cte-x-uuencode", "block", "xuu.eml", _x_uuencode_attachment()
    yield "eml-subject-split-multibyte", "block", "split.eml", _split_subject()
    yield "eml-message-partial-2of2", "block", "partial.eml", _message_partial()
    yield "eml-inline-pgp", "block", "pgp-inline.eml", _inline_pgp()
    yield "eml-pgp-mime", "block", "pgp-mime.eml", _pgp_mime()
    yield "eml-smime-enveloped", "block", "smime.eml", _smime()
    yield "eml-html-img-alt", "block", "alt.eml", _wire(_message(
        "Báo cáo", PLAIN, html=f"<p>{PLAIN.replace(chr(10), '<br>')}</p><p><img alt=\"TỐI MẬT\" src=\"cid:dau\"></p>"))
    yield "eml-octet-stream-no-extension", "block", "octet.eml", _wire(_message(
        "Tài liệu", attachments=[("bao-cao", STAMPED.encode(), "application/octet-stream")]))
    yield "eml-name-toi-mat-docx", "block", "name1.eml", _wire(_message(
        "Tài liệu", attachments=[("TỐI MẬT.docx", docx(PLAIN), DOCX_MIME)]))
    yield "eml-name-mat-tag-pdf", "block", "name2.eml", _wire(_message(
        "Tài liệu", attachments=[("[MẬT] Báo cáo.pdf", pdf(PLAIN), "application/pdf")]))
    yield "eml-name-quy-che-bao-mat-docx", "pass", "name3.eml", _wire(_message(
        "Quy chế", attachments=[("Quy chế bảo mật.docx", docx(TRAINING), DOCX_MIME)]))
    yield "eml-name-doi-mat-khau-txt", "pass", "name4.eml", _wire(_message(
        "Hướng dẫn", attachments=[("Đổi mật khẩu.txt", PASSWORD.encode(), "text/plain")]))
    yield "eml-fwd-clean", "pass", "fwd-clean.eml", _wire(_message(
        "Fwd: Giấy mời", "Chuyển tiếp.", forward=_message("Giấy mời họp", NOTICE)))
    yield "eml-ics-invitation-clean", "pass", "invite.eml", _wire(_message(
        "Giấy mời họp giao ban", attachments=[("invite.ics", _ics("Họp giao ban tuần 51", "Chuẩn bị báo cáo tuần."),
                                               "text/calendar")]))
    yield "eml-training-prose", "pass", "training.eml", _wire(_message("Tài liệu tập huấn bảo mật", TRAINING))
