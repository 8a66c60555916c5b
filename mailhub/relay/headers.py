"""Header-level checks and stamps on raw message bytes (Received, Message-ID, Date).

Work on bytes so that what the client sent is what is delivered, byte for byte,
below the headers mailhub adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, getaddresses, make_msgid
from functools import lru_cache

from mailhub.relay.refusals import HEADER_INJECTION, MALFORMED, TOO_MANY_HOPS, Refused

MAX_HOPS = 50
SINGLE_FIELDS = ("From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID")
_HEADER_NAME = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")


@dataclass(frozen=True)
class HeaderSummary:
    from_addresses: tuple[str, ...]
    message_id: str
    has_date: bool
    from_fields: int = 1
    repeated: tuple[str, ...] = ()  # fields RFC 5322 3.6 allows once that appear more than once


def header_block(content: bytes) -> bytes:
    """The header block (with its final CRLF), never a copy of the body (a 25 MB message is not copied
    to read its headers); refuses what has no header block."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = content.find(separator)
        if index != -1:
            return content[: index + len(separator) // 2]
    if content and _HEADER_NAME.match(content):
        return content if content.endswith(b"\n") else content + b"\r\n"
    raise Refused(MALFORMED.with_text("Malformed message: no header section"))


def check_headers(header_block: bytes) -> HeaderSummary:
    lines = header_block.replace(b"\r\n", b"\n").split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if b"\r" in line:
            raise Refused(HEADER_INJECTION)
        if line[:1] in (b" ", b"\t"):
            if number == 1:
                raise Refused(MALFORMED.with_text("Malformed message: starts with a continuation line"))
            continue
        if not _HEADER_NAME.match(line):
            raise Refused(MALFORMED.with_text(f"Malformed header line {number}"))
    fields = _ascii_fields(header_block) if header_block.isascii() else _parsed_fields(header_block)
    received = len(fields.get("received", ()))
    if received > MAX_HOPS:
        raise Refused(TOO_MANY_HOPS)
    addresses = author_addresses(fields.get("from", []))
    counts = {name: len(fields.get(name.lower(), ())) for name in SINGLE_FIELDS}
    message_ids = fields.get("message-id")
    return HeaderSummary(
        from_addresses=addresses,
        message_id=" ".join(str(message_ids[0] or "").split()) if message_ids else "",
        has_date="date" in fields,
        from_fields=counts["From"],
        repeated=tuple(name for name, count in counts.items() if count > 1),
    )


def _ascii_fields(header_block: bytes) -> dict[str, list[object]]:
    """The header fields by lower-case name, each value exactly as the email package's compat32 policy
    gives it: after the colon, leading blanks dropped, each continuation line joined on with the line
    ending it had (CRLF or LF: the address parser treats them differently), trailing line ends removed;
    the fields end at the first blank line. For an all-ASCII block whose lines ``check_headers`` has
    checked, this is the parser's result without the parser (a differential test holds it to that)."""
    fields: dict[str, list[object]] = {}
    name, value = "", ""
    for piece in header_block.decode("ascii").split("\n"):
        line = piece + "\n"  # as it was, with its ending (a CR before the LF is still in piece)
        if piece in ("", "\r"):
            break  # a blank line: the parser's header section ends here (the last piece is always "")
        if piece[:1] in (" ", "\t"):
            value += line
            continue
        if name:
            fields.setdefault(name, []).append(value.rstrip("\r\n"))
        raw_name, _, raw_value = line.partition(":")
        name, value = raw_name.lower(), raw_value.lstrip(" \t")
    if name:
        fields.setdefault(name, []).append(value.rstrip("\r\n"))
    return fields


def _parsed_fields(header_block: bytes) -> dict[str, list[object]]:
    """The same through the email package (compat32 leaves values raw, several times faster than the
    default policy): bytes beyond ASCII come back as it reads them."""
    parsed = BytesHeaderParser(policy=compat32).parsebytes(header_block)
    fields: dict[str, list[object]] = {}
    for name, value in parsed.items():
        fields.setdefault(name.lower(), []).append(value)
    return fields


def author_addresses(values: list[str] | list[object]) -> tuple[str, ...]:
    """The From: addresses as written, lower-cased: the one reading of From: that every part of
    mailhub uses (intake, the sender checks, the replies stage). Encoded-words are NOT decoded: an
    address can never hide inside one (RFC 2047 5), whatever a decoding parser would make of it."""
    written = tuple(str(v) for v in values)
    return (_remembered_addresses if sum(map(len, written)) <= _REMEMBERED_FROM else _addresses_in)(written)


def _addresses_in(written: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(addr.strip().lower() for _, addr in getaddresses(list(written)) if addr.strip())


_REMEMBERED_FROM = 256  # characters: a From: field this short is remembered (most mail comes from a few senders)
_remembered_addresses = lru_cache(maxsize=4096)(_addresses_in)


_LDH_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")


def plain_mailbox(address: str) -> bool:
    """local@domain with an ASCII host name: what an author address on port 25 must be. A trailing
    dot, a control or invisible character, a full-width dot or an encoded-word makes another
    spelling of a domain that compares unequal to the real one: refused, not normalised."""
    local, at, domain = address.rpartition("@")
    return bool(at) and bool(_LOCAL_PART.match(local)) and bool(_LDH_DOMAIN.match(domain))


def received_header(*, helo: str, client_ip: str, hostname: str, protocol: str, queue_id: str,
                    recipient: str | None, when: datetime) -> bytes:
    """RFC 5321 4.4 trace line; ``protocol`` as RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA)."""
    helo_clean = re.sub(r"[^A-Za-z0-9.\-\[\]:]", "", helo)[:255] or "unknown"
    line = f"Received: from {helo_clean} ([{client_ip}])\r\n\tby {hostname} (mailhub) with {protocol} id {queue_id}"
    if recipient:
        line += f"\r\n\tfor <{recipient}>"
    return f"{line};\r\n\t{format_datetime(when)}\r\n".encode("ascii", "replace")


def protocol_name(*, esmtp: bool, tls: bool, authenticated: bool) -> str:
    if not esmtp:
        return "SMTP"
    return "ESMTP" + ("S" if tls else "") + ("A" if authenticated else "")


def missing_headers(summary: HeaderSummary, *, domain: str, when: datetime) -> tuple[bytes, str]:
    """Message-ID and Date a submission server adds when the client left them out (RFC 6409 8)."""
    added = b""
    message_id = summary.message_id
    if not message_id:
        message_id = make_msgid(domain=domain)
        added += f"Message-ID: {message_id}\r\n".encode("ascii")
    if not summary.has_date:
        added += f"Date: {format_datetime(when)}\r\n".encode("ascii")
    return added, message_id
