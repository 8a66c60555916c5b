"""The header summary intake works from: the fast reading of an all-ASCII header block gives exactly
what the email package's parser gives, on headers as clients write them and as a fuzzer does."""

from __future__ import annotations

import random

import pytest

from mailhub.relay.headers import _ascii_fields, _parsed_fields, check_headers, split_message
from mailhub.relay.refusals import Refused

NAMES = ["From", "FROM", "from", "To", "Cc", "Received", "Message-ID", "Message-Id", "Date", "Subject",
         "Reply-To", "Sender", "X-Mailer", "Authentication-Results", "DKIM-Signature"]
PIECES = ["", " ", "\t", "a@b.vn", "<vinhnq@bacninh.gov.vn>", "\"Nguyen, Van\" <a@b.vn>", "x:y", "=?utf-8?b?VMOq?=",
          "(comment) c@d.vn", "a@b.vn, c@d.vn", "<id.1@host>", "Mon, 30 Nov 2026 10:00:00 +0700", ";", "  ",
          "group: a@b.vn, c@d.vn;", "<>", "\"quoted \\\" string\"", "@", "x" * 80]


def block(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(1, 12)):
        name = rng.choice(NAMES)
        sep = rng.choice([": ", ":", ":\t", ":  "])
        lines.append(f"{name}{sep}{''.join(rng.choice(PIECES) for _ in range(rng.randint(0, 3)))}")
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            lines.append(rng.choice([" ", "\t", "  "]) + "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 2))))
    ending = rng.choice(["\r\n", "\n"])
    return (ending.join(lines) + ending).encode("ascii")


def normalised(fields: dict[str, list[object]]) -> dict[str, list[str]]:
    return {name: [str(v).replace("\r\n", "\n") for v in values] for name, values in fields.items()}


@pytest.mark.parametrize("seed", range(40))
def test_ascii_reading_is_the_parsers_reading(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        header_block = block(rng)
        lines = header_block.replace(b"\r\n", b"\n").split(b"\n")
        assert normalised(_ascii_fields(lines)) == normalised(_parsed_fields(header_block)), header_block


def summary_by_parser(header_block: bytes) -> tuple[object, ...]:
    fields = _parsed_fields(header_block)
    from mailhub.relay.headers import author_addresses

    ids = fields.get("message-id")
    return (author_addresses(fields.get("from", [])), " ".join(str(ids[0]).split()) if ids else "",
            "date" in fields, len(fields.get("from", [])))


@pytest.mark.parametrize("seed", range(10))
def test_the_summary_is_the_same_either_way(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(100):
        header_block = block(rng)
        try:
            summary = check_headers(header_block)
        except Refused:
            continue
        assert (summary.from_addresses, summary.message_id, summary.has_date, summary.from_fields) == \
            summary_by_parser(header_block), header_block


def test_raw_utf8_headers_go_through_the_parser() -> None:
    content = "From: Nguyễn Văn A <a@bacninh.gov.vn>\r\nSubject: Thông báo\r\n\r\nx\r\n".encode()
    summary = check_headers(split_message(content)[0])
    assert summary.from_addresses == ("a@bacninh.gov.vn",)
