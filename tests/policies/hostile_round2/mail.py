"""Round two: message builders (HTML bodies, wrapped notes, part names and encodings, S/MIME)."""

from __future__ import annotations

import base64
import gzip
import quopri

from tests.policies.hostile.common import DOCX_MIME, NOTICE, PLAIN, STAMPED, _xml_escape
from tests.policies.hostile.mail import _crlf, _message, _wire
from tests.policies.hostile.word import docx
from tests.policies.hostile_round2.common import HEADERS, _jpeg, _small_stamp


def _html_message(subject: str, html: str, text: str = "Kính gửi các đồng chí, xin gửi báo cáo.") -> bytes:
    return _wire(_message(subject, text, html=html))


def _html_doc(stamp_html: str) -> str:
    body = "".join(f"<p>{_xml_escape(line)}</p>" for line in PLAIN.split("\n")[:2])
    rest = "".join(f"<p>{_xml_escape(line)}</p>" for line in PLAIN.split("\n")[2:])
    return (f'<html><head><meta charset="utf-8"></head><body>{body}'
            f'<p align="center" style="color:red;font-weight:bold">{stamp_html}</p>{rest}</body></html>')


def _flowed(subject: str, lines: list[str], flowed: bool) -> bytes:
    """A plain-text message as Thunderbird sends it: format=flowed lines end in a space where the
    sender's paragraph goes on (the reader's client joins them), QP-encoded."""
    body = "\r\n".join(lines) + "\r\n"
    encoded = quopri.encodestring(body.encode()).decode()
    kind = 'text/plain; charset=UTF-8; format=flowed' if flowed else "text/plain; charset=UTF-8"
    return _crlf(f"{HEADERS}Subject: {subject}\nMessage-ID: <r2-flowed@khanhhoa.gov.vn>\nMIME-Version: 1.0\n"
                 f"Content-Type: {kind}\nContent-Transfer-Encoding: quoted-printable\n\n") + encoded.encode()


def _wrap(text: str, width: int = 72) -> list[str]:
    """Lines as a mail client wraps them at ``width`` columns, each line but the last keeping its space."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _raw_message(subject_header: str, body: str = "Kính gửi các đồng chí.\n",
                 content_type: str = "text/plain; charset=utf-8") -> bytes:
    return _crlf(f"{HEADERS}Subject: {subject_header}\nMIME-Version: 1.0\nContent-Type: {content_type}\n"
                 "Content-Transfer-Encoding: 8bit\n\n" + body)


def _attachment_message(parts: list[str], subject: str = "Tài liệu") -> bytes:
    """A multipart/mixed message written by hand: ``parts`` are whole MIME parts (headers, blank line, body)."""
    text = (f"{HEADERS}Subject: {subject}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"r2b\"\n\n"
            "--r2b\nContent-Type: text/plain; charset=utf-8\n\nKính gửi các đồng chí, xin gửi tài liệu kèm theo.\n")
    for part in parts:
        text += "--r2b\n" + part + "\n"
    return _crlf(text + "--r2b--\n")


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def eml_filename_rfc2047() -> bytes:
    """The attachment's name as Outlook and Gmail write a non-ASCII name: an RFC 2047 word in quotes."""
    word = "=?UTF-8?B?" + base64.b64encode("TỐI MẬT - Phương án nhân sự.docx".encode()).decode() + "?="
    return _attachment_message([f'Content-Type: {DOCX_MIME}; name="{word}"\nContent-Disposition: attachment; '
                                f'filename="{word}"\nContent-Transfer-Encoding: base64\n\n' + _b64(docx(PLAIN))])


def eml_filename_rfc2231() -> bytes:
    """The name as Thunderbird writes a long non-ASCII one: RFC 2231 continuations, percent-encoded UTF-8."""
    encoded = "".join(f"%{b:02X}" if b > 127 or b in b" %'*" else chr(b) for b in "TỐI MẬT - Kế hoạch.docx".encode())
    cut = encoded.index("%20-")  # between two escapes, never inside one
    halves = (encoded[:cut], encoded[cut:])
    return _attachment_message([f"Content-Type: {DOCX_MIME}\nContent-Disposition: attachment;\n"
                                f" filename*0*=utf-8''{halves[0]};\n filename*1*={halves[1]}\n"
                                "Content-Transfer-Encoding: base64\n\n" + _b64(docx(PLAIN))])


def eml_message_global() -> bytes:
    """A forwarded message as message/global (RFC 6532, UTF-8 headers): Thunderbird shows it as a message."""
    inner = ("From: truongphong@khanhhoa.gov.vn\nTo: vanthu@khanhhoa.gov.vn\nSubject: [TỐI MẬT] Phương án nhân sự\n"
             "Content-Type: text/plain; charset=utf-8\n\nGửi anh xem trước cuộc họp.\n")
    return _attachment_message(["Content-Type: message/global\nContent-Disposition: attachment\n\n" + inner],
                               "Fwd: Phương án")


def eml_text_rtf_body() -> bytes:
    """An RTF part sent as text/rtf without a file name (the recipient opens it in Word)."""
    rtf = ("{\\rtf1\\ansi\\ansicpg1258\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs26 "
           "UBND T\\u7880?NH KH\\u193?NH H\\u210?A\\par S\\u7889?: 45/BC-UBND\\par "
           "\\qc\\b T\\u7888?I M\\u7852?T\\b0\\par\\ql B\\u193?O C\\u193?O\\par}")
    return _attachment_message(["Content-Type: text/rtf; charset=us-ascii\n\n" + rtf])


def eml_cte_unknown() -> bytes:
    """An attachment in a transfer encoding the email package does not know (x-gzip64): it is read as the
    encoded text itself, which is clean ASCII."""
    payload = _b64(gzip.compress(docx(STAMPED), mtime=0))
    return _attachment_message([f'Content-Type: {DOCX_MIME}; name="bao-cao.docx"\nContent-Disposition: attachment; '
                                'filename="bao-cao.docx"\nContent-Transfer-Encoding: x-gzip64\n\n' + payload])


def eml_encoded_word_language() -> bytes:
    """RFC 2231 section 5: an encoded-word with a language tag (=?UTF-8*vi?B?...?=)."""
    word = "=?UTF-8*vi?B?" + base64.b64encode("[TỐI MẬT] Phương án nhân sự".encode()).decode() + "?="
    return _raw_message(word)


def eml_inline_small_stamp() -> bytes:
    """The stamp pasted into an HTML body as a small picture (multipart/related, cid:)."""
    m = _message("Báo cáo", PLAIN, html='<p>UBND TỈNH KHÁNH HÒA<br>Số: 45/BC-UBND</p>'
                 '<p><img src="cid:dau01@khanhhoa" width="220"></p><p>BÁO CÁO</p>')
    html_part = m.get_payload()[1]
    html_part.add_related(_jpeg(_small_stamp()), maintype="image", subtype="jpeg", cid="<dau01@khanhhoa>")
    return _wire(m)


def smime_opaque_signed(text: str = NOTICE) -> bytes:
    """A clean message signed by Outlook with 'opaque' signing (application/pkcs7-mime; smime-type=
    signed-data): the content is inside the signature, signed, not encrypted."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Van thu So Noi vu"),
                      x509.NameAttribute(NameOID.EMAIL_ADDRESS, "vanthu@khanhhoa.gov.vn")])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    inner = _crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + text + "\n")
    signed = (pkcs7.PKCS7SignatureBuilder().set_data(inner).add_signer(cert, key, hashes.SHA256())
              .sign(serialization.Encoding.DER, []))
    return _crlf(f"{HEADERS}Subject: Thông báo hội nghị tổng kết\nMIME-Version: 1.0\n"
                 'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\n'
                 'Content-Disposition: attachment; filename="smime.p7m"\nContent-Transfer-Encoding: base64\n\n'
                 + _b64(signed))


def smime_detached_signed() -> bytes:
    """Outlook's default: multipart/signed with a detached application/pkcs7-signature."""
    rng = bytes(range(256)) * 6
    inner = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + NOTICE + "\n"
    return _crlf(f"{HEADERS}Subject: Thông báo\nMIME-Version: 1.0\nContent-Type: multipart/signed; "
                 'protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"\n\n'
                 f"--sig\n{inner}--sig\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
                 'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7s"\n\n'
                 + _b64(rng) + "--sig--\n")


def outlook_ics() -> bytes:
    """An invitation as Outlook writes it: folded lines, escaped commas, an HTML X-ALT-DESC, CLASS."""
    alt = ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2//EN\">\\n<HTML>\\n<HEAD>\\n<META NAME=\"Generator\" "
           "CONTENT=\"MS Exchange Server version rmj.rmm.rup.rpr\">\\n<TITLE></TITLE>\\n</HEAD>\\n<BODY>\\n"
           "<P><FONT SIZE=2>Kính mời các đồng chí dự họp giao ban. Độ mật: Thường.</FONT></P>\\n</BODY>\\n</HTML>")
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
             "METHOD:REQUEST", "X-MS-OLK-FORCEINSPECTOROPEN:TRUE", "BEGIN:VTIMEZONE", "TZID:SE Asia Standard Time",
             "BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD",
             "END:VTIMEZONE", "BEGIN:VEVENT",
             "ATTENDEE;CN=\"Lãnh đạo Văn phòng\";RSVP=TRUE:mailto:lanhdao@khanhhoa.gov.vn",
             "CLASS:PUBLIC", "CREATED:20251215T010000Z",
             "DESCRIPTION:Kính mời các đồng chí dự họp giao ban tuần 51.\\nThành phần: Lãnh đạo Sở\\, Chánh Văn "
             "phòng.\\nĐộ mật: Thường\\n\\n", "DTEND;TZID=\"SE Asia Standard Time\":20251218T110000",
             "DTSTART;TZID=\"SE Asia Standard Time\":20251218T083000", "LOCATION:Phòng họp số 1\\, tầng 2",
             "ORGANIZER;CN=\"Văn thư\":mailto:vanthu@khanhhoa.gov.vn", "PRIORITY:5", "SEQUENCE:0",
             "SUMMARY;LANGUAGE=vi-VN:Họp giao ban tuần 51 – bảo mật thông tin và đổi mật khẩu hộp thư",
             "TRANSP:OPAQUE", "UID:040000008200E00074C5B7101A82E00800000000D0F1AC5A4F6DDC01000000000000000010000000",
             "X-ALT-DESC;FMTTYPE=text/html:" + alt, "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "X-MICROSOFT-CDO-IMPORTANCE:1",
             "BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "END:VALARM", "END:VEVENT",
             "END:VCALENDAR"]
    folded = []
    for line in lines:
        raw = line.encode()
        while len(raw) > 75:
            cut = 75
            while raw[cut] & 0xC0 == 0x80:  # never inside a UTF-8 sequence
                cut -= 1
            folded.append(raw[:cut].decode())
            raw = b" " + raw[cut:]
        folded.append(raw.decode())
    return "\r\n".join(folded).encode() + b"\r\n"
