"""The header summary intake works from: the fast reading of an all-ASCII header block gives exactly
what the email package's parser gives (the From: authors decide who may send as whom), on headers as
clients write them and as a fuzzer does."""

from __future__ import annotations

import random

import pytest

from mailhub.relay.headers import _ascii_fields, _parsed_fields, author_addresses, check_headers, header_block
from mailhub.relay.refusals import Refused

NAMES = ["From", "FROM", "from", "To", "Cc", "Received", "Message-ID", "Message-Id", "Date", "Subject",
         "Reply-To", "Sender", "X-Mailer", "Authentication-Results", "DKIM-Signature"]
PIECES = ["", " ", "\t", "a@b.vn", "(", ")", "\"", "boss@bacninh.gov.vn", "me@bacninh.gov.vn(",
          "<vinhnq@bacninh.gov.vn>", "\"Nguyen, Van\" <a@b.vn>", "x:y", "=?utf-8?b?VMOq?=",
          "(comment) c@d.vn", "a@b.vn, c@d.vn", "<id.1@host>", "Mon, 30 Nov 2026 10:00:00 +0700", ";", "  ",
          "group: a@b.vn, c@d.vn;", "<>", "\"quoted \\\" string\"", "@", "x" * 80]
ENDINGS = ["\r\n", "\r\n", "\n"]


def block(rng: random.Random) -> bytes:
    """A header block as clients and fuzzers write it: folded lines, CRLF or LF or both, and now and
    then a blank line inside (the section the parser reads ends there)."""
    text = ""
    for _ in range(rng.randint(1, 12)):
        name = rng.choice(NAMES)
        separator = rng.choice([": ", ":", ":\t", ":  "])
        text += f"{name}{separator}{''.join(rng.choice(PIECES) for _ in range(rng.randint(0, 3)))}"
        text += rng.choice(ENDINGS)
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            text += rng.choice([" ", "\t", "  "]) + "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 2)))
            text += rng.choice(ENDINGS)
        if rng.random() < 0.05:
            text += rng.choice(ENDINGS)
    return text.encode("ascii")


def by_parser(header_block: bytes) -> tuple[object, ...]:
    fields = _parsed_fields(header_block)
    ids = fields.get("message-id")
    return (author_addresses(fields.get("from", [])), " ".join(str(ids[0]).split()) if ids else "",
            "date" in fields, len(fields.get("from", [])), len(fields.get("received", [])))


def summary(header_block: bytes) -> tuple[object, ...]:
    fields = _ascii_fields(header_block)
    result = check_headers(header_block)
    return (result.from_addresses, result.message_id, result.has_date, result.from_fields,
            len(fields.get("received", [])))


@pytest.mark.parametrize("seed", range(40))
def test_ascii_reading_is_the_parsers_reading(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        header_block = block(rng)
        expected = {name: [str(v) for v in values] for name, values in _parsed_fields(header_block).items()}
        assert _ascii_fields(header_block) == expected, header_block


@pytest.mark.parametrize("seed", range(10))
def test_the_summary_is_the_same_either_way(seed: int) -> None:
    rng = random.Random(1000 + seed)
    checked = 0
    for _ in range(200):
        header_block = block(rng)
        try:
            result = summary(header_block)  # refuses what it must before either reading
        except Refused:
            continue
        checked += 1
        assert result == by_parser(header_block), header_block
    assert checked > 50


@pytest.mark.parametrize("header_block", [
    b"From: me@bacninh.gov.vn(\r\n boss@bacninh.gov.vn\r\nSubject: x\r\n",
    b"From: (\r\n boss@bacninh.gov.vn)me@bacninh.gov.vn\r\n",
    b"From: (\r\n boss@bacninh.gov.vn\r\n",
    b"From: \"\r\n boss@bacninh.gov.vn\r\n",
    b"Subject: hi\n\nFrom: someone@evil.example\r\nDate: Mon, 30 Nov 2026 10:00:00 +0700\r\n",
    b"From: a@b.vn\n\nFrom: c@d.vn\r\n",
    b"From: a@b.vn\n\r\n" + b"Received: from x by y; Mon, 30 Nov 2026 10:00:00 +0700\r\n" * 60,
])
def test_a_fold_or_a_blank_line_reads_as_the_parser_reads_it(header_block: bytes) -> None:
    """A comment or quoted string folded over a CRLF ends at the CR for the address parser (an address
    after it is still an author, and must be one the login may use); a blank line ends the section."""
    assert summary(header_block) == by_parser(header_block)


def test_raw_utf8_headers_go_through_the_parser() -> None:
    content = "From: Nguyễn Văn A <a@bacninh.gov.vn>\r\nSubject: Thông báo\r\n\r\nx\r\n".encode()
    assert check_headers(header_block(content)).from_addresses == ("a@bacninh.gov.vn",)
