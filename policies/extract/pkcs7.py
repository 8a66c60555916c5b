"""S/MIME opaque signing (application/pkcs7-mime; smime-type=signed-data, RFC 8551): the signed
message travels inside the signature structure. It is signed, not encrypted, so it is read; an
enveloped (encrypted) structure cannot be, and says so."""

from __future__ import annotations

import base64
import binascii

from policies.extract.base import DocumentError

_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")
_ENVELOPED_DATA = bytes.fromhex("2a864886f70d010703")


def _element(data: bytes, position: int) -> tuple[int, int, int, int]:
    """(tag, start of content, end of content, end of element) of the BER element at ``position``;
    an indefinite length runs to its end-of-contents marker."""
    tag = data[position]
    position += 1
    if tag & 0x1F == 0x1F:
        while data[position] & 0x80:
            position += 1
        position += 1
    first = data[position]
    position += 1
    if first == 0x80:  # indefinite: children until 00 00
        cursor = position
        while data[cursor: cursor + 2] != b"\x00\x00":
            cursor = _element(data, cursor)[3]
        return tag, position, cursor, cursor + 2
    if first & 0x80:
        count = first & 0x7F
        length = int.from_bytes(data[position: position + count], "big")
        position += count
    else:
        length = first
    end = position + length
    if end > len(data):
        raise DocumentError("the S/MIME structure is cut short")
    return tag, position, end, end


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    found, cursor = [], start
    while cursor < end:
        tag, content, content_end, cursor = _element(data, cursor)
        found.append((tag, content, content_end))
    return found


def _octets(data: bytes, tag: int, start: int, end: int) -> bytes:
    """An OCTET STRING's bytes, joined from its pieces when it was sent in constructed form."""
    if tag == 0x04:
        return data[start:end]
    return b"".join(_octets(data, t, s, e) for t, s, e in _children(data, start, end))


def signed_content(data: bytes) -> bytes:
    """The message inside an opaque-signed S/MIME structure (DER or base64)."""
    if not data.lstrip().startswith(b"\x30"):
        try:
            data = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DocumentError("the S/MIME structure cannot be decoded") from exc
    try:
        _, start, end, _ = _element(data, 0)
        content_type, content = _children(data, start, end)[:2]
        oid = data[content_type[1]: content_type[2]]
        if oid == _ENVELOPED_DATA:
            raise DocumentError("the message is encrypted (S/MIME): its content cannot be checked")
        if oid != _SIGNED_DATA:
            raise DocumentError("an S/MIME structure of a kind that cannot be read")
        signed = _children(data, content[1], content[2])[0]  # [0] EXPLICIT SignedData
        fields = _children(data, signed[1], signed[2])
        encapsulated = fields[2]  # version, digestAlgorithms, encapContentInfo
        inner = _children(data, encapsulated[1], encapsulated[2])
        if len(inner) < 2:
            raise DocumentError("an S/MIME signature without the signed content (detached) cannot be read here")
        holder = _children(data, inner[1][1], inner[1][2])[0]  # [0] EXPLICIT eContent
        return _octets(data, *holder)
    except (IndexError, ValueError) as exc:
        raise DocumentError("the S/MIME structure is damaged") from exc
