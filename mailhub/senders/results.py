"""The ``Authentication-Results`` header (RFC 8601) mailhub adds, and the forged ones it removes:
a header claiming mailhub's own authserv-id that arrives from outside is someone's invention
(RFC 8601 5), so it never reaches a mailbox looking like mailhub's verdict."""

from __future__ import annotations

import re
from collections.abc import Callable

import authres
import authres.dmarc

from mailhub.relay.headers import header_block
from mailhub.relay.refusals import Refused
from mailhub.senders.verify import SenderAuthentication

_FIELD_NAME = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)\s*:")


def authentication_results(auth: SenderAuthentication, authserv_id: str) -> bytes:
    results: list[object] = [authres.SPFAuthenticationResult(
        result=auth.spf, smtp_mailfrom=auth.spf_domain or None)]
    if auth.dkim:
        results += [authres.DKIMAuthenticationResult(result=s.result, header_d=s.domain or None,
                                                      header_s=s.selector or None,
                                                      reason=s.reason or None) for s in auth.dkim]
    else:
        results.append(authres.DKIMAuthenticationResult(result="none"))
    results.append(authres.dmarc.DMARCAuthenticationResult(
        result=auth.dmarc, header_from=auth.from_domain or None, policy=auth.dmarc_policy or None))
    header = authres.AuthenticationResultsHeader(authserv_id=authserv_id, results=results)
    text = str(header).replace("\r", " ").replace("\n", " ")
    return _fold(text).encode("utf-8", "replace")


def _fold(text: str) -> str:
    """One result per line (each clause after ';'), so no line runs past 998 octets."""
    name, _, value = text.partition(": ")
    clauses = [c.strip() for c in value.split("; ")]
    return f"{name}: " + ";\r\n\t".join(clauses) + "\r\n"


def strip_forged_results(content: bytes, authserv_id: str, *, from_outside: bool) -> bytes:
    """Remove the verdicts nobody outside may write: every Authentication-Results field that names
    ``authserv_id`` however it is dressed (comments, quotes, a trailing dot), all of them when the
    message comes from the Internet (``from_outside``: mailhub is the border here), and any
    X-Mailhub-Sender-Verified field (mailhub's own mark on replies)."""
    own = re.compile(rb"(?<![a-z0-9-])" + re.escape(authserv_id.lower().encode()) + rb"\.?(?![a-z0-9-])")

    def forged(name: bytes, field: bytes) -> bool:
        if name == b"x-mailhub-sender-verified":
            return True
        return name == b"authentication-results" and (from_outside or own.search(field.lower()) is not None)

    return remove_fields(content, forged)


def remove_fields(content: bytes, forged: Callable[[bytes, bytes], bool]) -> bytes:
    """The message without the header fields ``forged(name, whole field)`` picks, folded lines included."""
    try:
        head_end = len(header_block(content))
    except Refused:  # no header block: nothing to remove (intake refuses the message itself)
        return content
    lines = content[:head_end].split(b"\n")
    kept: list[bytes] = []
    dropping = False
    for index, line in enumerate(lines):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        name = _FIELD_NAME.match(line)
        dropping = name is not None and forged(name.group(1).lower(),
                                               b" ".join([line, *_continuations(lines, index + 1)]))
        if not dropping:
            kept.append(line)
    if len(kept) == len(lines):
        return content
    return b"\n".join(kept) + content[head_end:]


def _continuations(lines: list[bytes], start: int) -> list[bytes]:
    found = []
    for line in lines[start:]:
        if line[:1] not in (b" ", b"\t"):
            break
        found.append(line)
    return found
