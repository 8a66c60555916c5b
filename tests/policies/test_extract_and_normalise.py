from __future__ import annotations

import base64
import unicodedata

import pytest

from policies import check_document, extract_document
from policies.extract import Limits
from policies.extract.base import shown_name
from policies.legacy_vn import from_tcvn3, from_vni
from policies.marks import find_marks
from policies.normalise import fold, normalise_line
from policies.types import TextPart
from tests.policies.corpus import docx, zipped


@pytest.mark.parametrize(("raw", "expected"), [
    ("T Ố I  M Ậ T", "TỐI MẬT"),
    ("M\u200bẬ\u200dT", "MẬT"),
    (unicodedata.normalize("NFD", "TUYỆT MẬT"), "TUYỆT MẬT"),
    ("M.Ậ.T", "MẬT"),
    ("Đề  nghị   đổi mật khẩu", "Đề nghị đổi mật khẩu"),
])
def test_normalisation(raw: str, expected: str) -> None:
    assert normalise_line(raw) == expected


def test_folding_keeps_diacritics() -> None:
    assert {fold(w) for w in ("MẬT", "MẤT", "MẶT", "MẮT", "MẠT")} == {"mật", "mất", "mặt", "mắt", "mạt"}


def test_legacy_encodings_read_back() -> None:
    assert from_tcvn3("B¸o c¸o t×nh h×nh") == "Báo cáo tình hình"
    assert from_vni("TUYEÄT MAÄT") == "TUYỆT MẬT"
    assert from_vni("Baùo caùo") == "Báo cáo"


def test_where_names_the_path_inside_archives_by_hashed_names() -> None:
    archive = zipped([("thu-muc/Kế hoạch phòng thủ.docx", docx("Số: 1/BC\nMẬT"))])
    verdict = check_document("ho-so.zip", zipped([("tai-lieu.zip", archive)]))
    inner, member = shown_name("tai-lieu.zip"), shown_name("Kế hoạch phòng thủ.docx")
    assert [(f.rule, f.where, f.evidence) for f in verdict.findings] == [
        ("classification-stamp", f"ho-so.zip/{inner}/{member}: word/document.xml", "MẬT")]
    assert inner.endswith(".zip") and member.endswith(".docx") and "hoạch" not in verdict.findings[0].where


def test_nesting_and_size_limits_fail_closed() -> None:
    deep = "Nội dung".encode()
    for level in range(6):
        deep = zipped([(f"l{level}.zip" if level else "a.txt", deep)])
    extraction = extract_document("sau.zip", deep, limits=Limits(max_depth=3))
    assert extraction.uninspectable and "nested deeper" in extraction.uninspectable[0].reason
    big = extract_document("lon.pdf", b"%PDF" + b"0" * 2000, limits=Limits(max_attachment_bytes=1000))
    assert "too large" in big.uninspectable[0].reason


def test_a_mention_is_not_a_mark() -> None:
    for text in ("Không gửi văn bản mật qua thư điện tử.", "Mật\tTối mật\tTuyệt mật", "MẬT ĐỘ DÂN SỐ",
                 "Độ mật: Thường", "BÍ MẬT NHÀ NƯỚC", "Mật khẩu: 123456"):
        assert find_marks(TextPart("body", text)) == [], text


def test_damaged_files_fail_closed_instead_of_crashing() -> None:
    import random

    from policies import check_message
    from tests.policies.corpus import message, xlsx

    base = bytearray(zipped([("a.docx", docx("Nội dung")), ("b.xlsx", xlsx([["x", "y"]]))]))
    rng = random.Random(7)
    reasons = []
    for _ in range(200):  # an exception here would fail the test: damage must never crash the gate
        damaged = bytearray(base)
        for _ in range(10):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        verdict = check_message(message("Tài liệu", attachments=[("ho-so.zip", bytes(damaged), "application/zip")]))
        reasons += [f.evidence for f in verdict.findings if f.rule == "uninspectable"]
    assert any("damaged" in reason for reason in reasons)


def test_outlook_items_are_read_subject_and_body() -> None:
    from tests.policies.hostile_round2 import outlook_msg

    assert check_document("thu.msg", outlook_msg("[MẬT] Phương án", "Kính gửi.")).blocked
    assert check_document("thu.msg", outlook_msg("Thư mời", "Số: 1/BC\nTỐI MẬT\nBáo cáo")).blocked
    assert not check_document("thu.msg", outlook_msg("Thư mời họp", "Kính mời dự họp giao ban.")).blocked


def test_a_plain_body_beyond_the_text_budget_is_uninspectable_not_an_error() -> None:
    """A long typed body runs out of the message's budget outside any reader: refused for good, with
    the reason, rather than raising (which the gate would answer 'try later' for ever)."""
    from policies import check_message

    body = ("Nội dung thông báo dài. " * 100 + "\n") * 20
    raw = f"Subject: x\nContent-Type: text/plain; charset=utf-8\n\n{body}".encode()
    verdict = check_message(raw, limits=Limits(max_text_chars=10_000))
    assert verdict.blocked
    assert [f.rule for f in verdict.findings] == ["uninspectable"]
    assert "characters of text" in verdict.findings[0].evidence


_MARKED_BODY = "TỐI MẬT\r\nBáo cáo quân số tháng 11.\r\n"


def _letter(subject: str = "Báo cáo", content_type: str = "text/plain; charset=utf-8", body: bytes = b"",
            extra: str = "") -> bytes:
    return (f"From: a@bacninh.gov.vn\r\nTo: b@bacninh.gov.vn\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: 8bit\r\n{extra}\r\n").encode() + body


@pytest.mark.parametrize(("label", "tail"), [
    ("utf-8", b"\xe1"),  # one broken byte at the end (cut in the middle of a letter)
    ("utf-8", b"\r\n\xff\xfe rac"),
    ("iso-8859-1", b""),  # a label in which every byte is valid: the UTF-8 text reads as other letters
    ("koi8-r", b""),
    ("utf-16", b""),
    ("no-such-charset", b"\xe1"),
])
def test_a_marked_utf8_body_is_refused_whatever_its_label_or_a_broken_byte(label: str, tail: bytes) -> None:
    from policies import check_message

    verdict = check_message(_letter(content_type=f"text/plain; charset={label}", body=_MARKED_BODY.encode() + tail))
    assert verdict.blocked, verdict


@pytest.mark.parametrize("label", ["utf-8", "iso-8859-1", "koi8-r", "windows-1252"])
def test_a_marked_subject_or_file_name_is_refused_whatever_charset_its_encoded_word_names(label: str) -> None:
    import base64
    from urllib.parse import quote

    from policies import check_message

    def word(text: str) -> str:
        return f"=?{label}?B?{base64.b64encode(text.encode()).decode()}?="

    subject = check_message(_letter(subject=word("[TỐI MẬT] Báo cáo quân số"), body=b"Kinh gui.\r\n"))
    name = "TỐI MẬT - báo cáo.txt"
    for disposition in (f'attachment; filename="{word(name)}"', f"attachment; filename*={label}''{quote(name)}"):
        attached = check_message(_letter(
            content_type="multipart/mixed; boundary=b",
            body=(f"--b\r\nContent-Type: text/plain\r\n\r\nKinh gui.\r\n--b\r\nContent-Type: text/plain\r\n"
                  f"Content-Disposition: {disposition}\r\n\r\nso lieu\r\n--b--\r\n").encode()))
        assert "file-name-mark" in {f.rule for f in attached.findings}, (disposition, attached)
    assert "subject-tag" in {f.rule for f in subject.findings}, subject


def test_clean_text_under_any_label_still_passes() -> None:
    from policies import check_message

    for label in ("utf-8", "iso-8859-1", "koi8-r", "windows-1258"):
        body = "Kính gửi các đồng chí lịch họp giao ban tuần này.\r\n".encode() + b"\xe1"
        assert not check_message(_letter(content_type=f"text/plain; charset={label}", body=body)).blocked


@pytest.mark.parametrize("folded", ["\r\n base64", "\r\n\tbase64", "\r\n quoted-printable", "\r\n\tQuoted-Printable",
                                    "  base64  "])
@pytest.mark.parametrize("as_attachment", [False, True])
def test_a_folded_transfer_encoding_still_decodes_the_body_or_file_it_names(folded: str, as_attachment: bool) -> None:
    """A client decodes ``Content-Transfer-Encoding:`` CRLF TAB ``base64`` as base64: so must the gate."""
    import base64
    import quopri

    from policies import check_message

    data = _MARKED_BODY.encode()
    encoded = (base64.encodebytes(data) if "base64" in folded else quopri.encodestring(data)).decode()
    encoded = encoded.replace("\n", "\r\n")
    leaf = (f"Content-Type: text/plain; charset=utf-8\r\n"
            f"{'Content-Disposition: attachment; filename=bao-cao.txt' + chr(13) + chr(10) if as_attachment else ''}"
            f"Content-Transfer-Encoding:{folded}\r\n\r\n{encoded}")
    if as_attachment:
        body = f"--b\r\nContent-Type: text/plain\r\n\r\nKinh gui.\r\n--b\r\n{leaf}--b--\r\n"
        content = (f"From: a@bacninh.gov.vn\r\nTo: b@bacninh.gov.vn\r\nSubject: Báo cáo\r\nMIME-Version: 1.0\r\n"
                   f"Content-Type: multipart/mixed; boundary=b\r\n\r\n{body}").encode()
    else:
        content = (f"From: a@bacninh.gov.vn\r\nTo: b@bacninh.gov.vn\r\nSubject: Báo cáo\r\nMIME-Version: 1.0\r\n"
                   f"{leaf}").encode()
    verdict = check_message(content)
    assert verdict.blocked and "uninspectable" not in {f.rule for f in verdict.findings}, verdict  # the mark read


_PARSE_EDGES = [
    b"Subject: a\r\n\r\nbody\r\nwith lines\r\n",
    b"Subject: a\n\nLF only\nbody",
    b"Subject: a\r\n\nmixed\r\n",
    b"Subject: a\r\nX-Folded: one\r\n two\r\n\r\n\r\nbody after an empty line\r\n",
    b"Subject: a\rX-Bare: cr\r\n\r\nTUYET MAT\r\n",  # a bare CR in the header
    b"Subject: a\r\rTOI MAT\r\n\r\nmore\r\n",  # CR CR ends the header for the email package
    b"Subject: a\r\nnot a header line\r\nX-After: b\r\n\r\nbody\r\n",  # a line the parser takes as the body
    b" Subject: starts folded\r\n\r\nbody\r\n",
    b"Subject: no body at all\r\n",
    b"Subject: a\r\n\r\n",
    b"Subject: a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nMAT\r\n--b--\r\n",
    b"Subject: a\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nTOI MAT\r\n",
    "Subject: Báo cáo\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTỐI MẬT\r\n".encode(),
    b"Subject: a\r\nContent-Transfer-Encoding: base64\r\n\r\nVE/DkEkgTeG6rFQ=\r\n",
]


def test_a_message_of_one_part_is_parsed_as_the_email_package_parses_it() -> None:
    """``parse`` sets the body of a one-part message itself; it must come out the same as a whole
    parse (headers, payload, defects, and what the gate reads), and fall back where it could not."""
    import email
    import email.policy

    from policies import extract_message
    from policies.extract import message as message_module
    from tests.policies.test_corpus import CASES  # built once for the session

    whole = lambda raw: email.message_from_bytes(raw, policy=email.policy.default)  # noqa: E731
    samples = _PARSE_EDGES + [raw for _, _, raw in CASES if not whole(raw).is_multipart()]  # others: parsed whole
    for raw in samples:
        fast, slow = message_module.parse(raw), whole(raw)
        assert [(k, str(v)) for k, v in fast.items()] == [(k, str(v)) for k, v in slow.items()], raw[:80]
        assert [type(d) for d in fast.defects] == [type(d) for d in slow.defects], raw[:80]
        assert slow.is_multipart() or fast.get_payload() == slow.get_payload(), raw[:80]
    fast_readings = [extract_message(raw) for raw in samples]
    original = message_module.parse
    try:
        message_module.parse = whole  # type: ignore[assignment]
        assert [extract_message(raw) for raw in samples] == fast_readings
    finally:
        message_module.parse = original


_HEAD = b"Subject: a\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
_MARK = _MARKED_BODY.encode()
_LONG = base64.b64encode("Kính gửi các đồng chí lịch họp tuần.\n".encode() * 300 + _MARK)
# a lone "=" after two letters of a group, before the mark: CPython's decoders (the email package's)
# skip it and read the mark; taken as the end of a padded piece, the rest decodes out of step
_STRAY_PADDING = _LONG[:len(_LONG) - 82 - len(_LONG) % 4] + b"=" + _LONG[len(_LONG) - 82 - len(_LONG) % 4:]


@pytest.mark.parametrize("raw", [
    _HEAD + b"Content-Transfer-Encoding : base64\r\n\r\n" + base64.b64encode(_MARK) + b"\r\n",
    "Subject : TỐI MẬT\r\n\r\nxin chào\r\n".encode(),  # RFC 5322 4.5: white space before the colon
    _HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(_MARK[:4]) + b"\r\n"
    + base64.b64encode(_MARK[4:]) + b"\r\n",  # two padded pieces
    _HEAD + b"Content-Transfer-Encoding: quoted-printable\r\n\r\nT=E1=BB=90I M=E1=BA= \r\n=ACT\r\nB=C3=A1o.\r\n",
    _HEAD + b"Content-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + base64.b64encode(_MARK) + b"\r\n",  # clients that take the last field see the mark
    b"Subject: a\r\nContent-Type: text/plain; charset=utf-\x008\r\n\r\n" + _MARK,  # a NUL in the label
    _HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n" + _STRAY_PADDING + b"\r\n",
], ids=["space-before-colon", "subject-space-before-colon", "padded-pieces", "qp-padded-soft-break",
        "two-encodings", "nul-in-charset", "stray-padding"])
def test_a_mark_hidden_by_how_a_field_or_an_encoding_is_written_is_still_found(raw: bytes) -> None:
    from policies import check_message

    assert check_message(raw).blocked


def test_clean_letters_written_those_ways_still_pass() -> None:
    import base64

    from policies import check_message

    clean = "Kính gửi các đồng chí lịch họp giao ban.\r\n".encode()
    for raw in (_HEAD + b"X-Mailer : Lotus Notes\r\nContent-Transfer-Encoding : base64\r\n\r\n"
                + base64.b64encode(clean) + b"\r\n",
                _HEAD + b"Content-Transfer-Encoding: 8bit\r\ncontent-transfer-encoding: 8BIT\r\n\r\n" + clean,
                _HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(clean[:5]) + b"\r\n"
                + base64.b64encode(clean[5:]) + b"\r\n",
                _HEAD + b"\r\nGhi chu : hop luc 8h\r\nContent-Type : nhu tren\r\n"):
        assert not check_message(raw).blocked, raw


def test_a_forwarded_message_in_padded_base64_pieces_is_still_read() -> None:
    from policies import check_message

    inner = "Subject: chuyển tiếp\r\n\r\n".encode() + _MARK
    pieces = base64.b64encode(inner[:4]) + b"\r\n" + base64.b64encode(inner[4:]) + b"\r\n"
    raw = (b"Subject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: text/plain\r\n\r\nXem.\r\n--b\r\nContent-Type: message/rfc822\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + pieces + b"--b--\r\n")
    assert check_message(raw).blocked


def _shape(message: object) -> list[tuple[object, ...]]:
    """Every part of a parsed message as the gate sees it: headers, defects, preamble, epilogue, text."""
    from email.message import Message

    assert isinstance(message, Message)
    return [([(k, str(v)) for k, v in part.items()], [type(d) for d in part.defects], part.preamble,
             part.epilogue, None if part.is_multipart() else part.get_payload()) for part in message.walk()]


def test_a_multipart_message_is_parsed_as_the_email_package_parses_it() -> None:
    """A message parsed whole is fed to the email package's parser in pieces (no copy of it in a
    StringIO): the same parts, payloads and defects, also where a line ending or a boundary falls
    across two pieces."""
    import email
    import email.policy

    from policies.extract import message as message_module
    from tests.policies.test_corpus import CASES

    whole = lambda raw: email.message_from_bytes(raw, policy=email.policy.default)  # noqa: E731
    head = b"Subject: a\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
    edges = []
    for ending in (b"\r\n", b"\n", b"\r"):
        for shift in range(-3, 4):
            filler = b"x" * (message_module._PARSE_PIECE - len(head) + shift)
            edges.append(head + filler + ending + b"--b" + ending + b"Content-Type: text/plain" + ending * 2
                         + b"TOI MAT" + ending + b"--b--" + ending)
    samples = edges + [raw for _, _, raw in CASES if whole(raw).is_multipart()]
    assert len(samples) > 40
    for raw in samples:
        assert _shape(message_module.parse(raw)) == _shape(whole(raw)), raw[:80]


def test_base64_read_in_one_step_reads_what_the_pieces_reading_reads() -> None:
    """``_decode_text`` takes ordinary base64 in one step: for any text, padded or not, with stray
    letters, white space or a lone letter at the end, it must give what ``_base64_pieces`` gives, or
    leave the text to it; and whatever CPython's decoder reads (a ``=`` that completes no group
    skipped) must be read too."""
    import binascii
    import random

    from policies.extract import message as message_module

    rng = random.Random(13)
    alphabet = "ABCxyz0189+/=\r\n \t-_.!\udce9"  # a byte over 127 as the parser leaves it
    texts = ["", "=", "QQ", "QQ=", "QQ==", "QQ===", "QUJD", "QUJDRA", "QUJDR", "QUJD\r\nRA==\r\n", "QQ==QkI=",
             "Q Q = =", "QUJD====RA==", "\r\n", "QUJDRA==\r\n-- \r\n"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(5000)]
    texts += [base64.b64encode(rng.randbytes(rng.randrange(0, 60))).decode() + rng.choice(["", "\r\n", "=", " x"])
              for _ in range(2000)]
    for text in texts:
        encoded = text.encode("ascii", "surrogateescape")
        readings = message_module._decode_text(text, "base64")
        assert readings[0] == message_module._base64_pieces(encoded), text
        try:
            cpython = binascii.a2b_base64(encoded)  # the email package's reading
        except binascii.Error:
            continue
        assert any(reading.startswith(cpython) for reading in readings), text
