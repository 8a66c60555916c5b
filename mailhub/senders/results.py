"""The ``Authentication-Results`` header (RFC 8601) mailhub adds, and the forged ones it removes:
a header claiming mailhub's own authserv-id that arrives from outside is someone's invention
(RFC 8601 5), so it never reaches a mailbox looking like mailhub's verdict."""

from __future__ import annotations

import re

import authres
import authres.dmarc

from mailhub.senders.verify import SenderAuthentication

_FIELD = re.compile(rb"^authentication-results\s*:", re.IGNORECASE)


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


def strip_forged_results(content: bytes, authserv_id: str) -> bytes:
    """Remove every Authentication-Results field that names ``authserv_id``, folded lines included."""
    head_end = _header_end(content)
    if head_end < 0:
        return content
    own = authserv_id.lower().encode()
    lines = content[:head_end].split(b"\n")
    kept: list[bytes] = []
    dropping = False
    for index, line in enumerate(lines):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = bool(_FIELD.match(line)) and _names(b" ".join([line, *_continuations(lines, index + 1)]), own)
        if not dropping:
            kept.append(line)
    if len(kept) == len(lines):
        return content
    return b"\n".join(kept) + content[head_end:]


def _names(field: bytes, own: bytes) -> bool:
    """Whether the field names ``own`` as a word anywhere in it (a comment before the id is still
    the id: be strict, the field is ours to write)."""
    text = field.lower()
    return re.search(rb"(^|[\s;:(])" + re.escape(own) + rb"($|[\s;)])", text) is not None


def _continuations(lines: list[bytes], start: int) -> list[bytes]:
    found = []
    for line in lines[start:]:
        if line[:1] not in (b" ", b"\t"):
            break
        found.append(line)
    return found


def _header_end(content: bytes) -> int:
    """Offset of the blank line that ends the header block (the block keeps its last newline)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = content.find(separator)
        if index != -1:
            return index + len(separator) // 2
    return -1
