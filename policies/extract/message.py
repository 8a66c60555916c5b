"""The walk over a MIME message: subject and free-text headers at every nesting level, every body
in any transfer encoding or charset, every attachment with its file name, forwarded messages
(also when the forward itself was base64- or QP-encoded), and files inside text bodies."""

from __future__ import annotations

import binascii
import email
import email.policy
import quopri
import re
from email.feedparser import BytesFeedParser
from email.message import Message

from policies.extract.base import Budget, DocumentError, merge, shown_name
from policies.extract.dispatch import SIGNATURE_TYPES, read_file, text_parts
from policies.extract.html import html_read
from policies.extract.readings import filename_utf8_readings, header_utf8_readings
from policies.extract.text import decode_text, embedded_files, sniff_text
from policies.types import Extraction, TextPart, Uninspectable

SUBJECT_HEADERS = ("Subject", "Thread-Topic")
TEXT_HEADERS = ("Comments", "Keywords", "Content-Description", "Summary")
_MAX_MIME_PARTS = 5000
_PARSE_PIECE = 8192  # what email.parser.Parser reads at a time
_TWO_ENCODINGS = "two transfer encodings that differ: clients decode it either way"
# a field the gate reads (MIME's, the subject's, free text), white space, then its colon; not any word
# and a colon, which a line of a body or of an unencoded file may well be
_OBSOLETE_FIELD = re.compile(rb"(?mi)^(Content-[A-Za-z0-9-]+|MIME-Version|Subject|Thread-Topic|Comments|Keywords|"
                             rb"Summary|X-[!-9;-~]*)[ \t]+:")
_KNOWN_ENCODINGS = {"7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "uuencode", "x-uue", ""}
_DOCUMENT_TEXT_TYPES = {"text/rtf", "text/richtext", "text/enriched", "text/xml", "text/csv", "text/html-sandboxed"}
_UNREADABLE_TYPES = {
    "message/partial": "a fragment of a message sent in several pieces (message/partial): it cannot be checked whole",
    "message/external-body": "content kept outside the message (message/external-body) cannot be checked",
}


def _header(message: Message, name: str) -> str:
    values = message.get_all(name) or []
    return "\n".join(str(v) for v in values)


def _header_readings(message: Message, name: str) -> str:
    """The field as its labels read it, then as UTF-8 where a label lies (``readings``)."""
    return "\n".join([_header(message, name), *header_utf8_readings(message, name)])


def _name_parts(part: Message, where: str, filename: str | None) -> list[Extraction]:
    names = [filename] if filename else []
    names += [n for n in filename_utf8_readings(part) if n != filename]
    return [Extraction(tuple(TextPart(where, name, "filename") for name in names))] if names else []


def _headers(message: Message, prefix: str) -> list[TextPart]:
    subjects = "\n".join(_header_readings(message, h) for h in SUBJECT_HEADERS)
    names = [n for n in dict.fromkeys(message.keys()) if n in TEXT_HEADERS or n.lower().startswith("x-")]
    free = [f"{name}: {_header_readings(message, name)}" for name in names]
    return [TextPart(f"{prefix}subject", subjects, "subject"),
            TextPart(f"{prefix}headers", "\n".join(str(f) for f in free), "property")]


def parse(raw: bytes) -> Message:
    """``email.message_from_bytes(raw, policy=default)``, faster for a message of one part: the email
    package reads a body line by line in Python (half the cost of checking a short letter), though for
    anything but a multipart or message/* part it only joins the lines back into the text they came
    from. So the header block is parsed alone and the rest set as the payload, exactly as the package
    would have; anything where that could differ (no blank line, a bare CR in the header, a header
    defect, a line the parser did not take as a header, a container type) is parsed whole."""
    ends = [(found, found + len(separator)) for separator in (b"\n\n", b"\n\r\n")
            if (found := raw.find(separator)) != -1]
    if ends:
        found, body_at = min(ends)
        if raw.count(b"\r", 0, found) == raw.count(b"\r\n", 0, found + 1):
            message = email.message_from_bytes(raw[:body_at], policy=email.policy.default)
            if not message.defects and not message.get_payload() and \
                    message.get_content_maintype() not in ("multipart", "message"):
                message.set_payload(raw[body_at:].decode("ascii", "surrogateescape"))
                return message
    return _parse_whole(raw)


def _parse_whole(raw: bytes) -> Message:
    """``email.message_from_bytes`` as the email package runs it (the same 8 KB pieces fed to its
    parser), without its copy of the whole message in an ``io.StringIO``: that keeps four bytes a
    character, 96 MB for a 24 MB message, which was half of a gate worker's peak."""
    parser = BytesFeedParser(policy=email.policy.default)
    for start in range(0, len(raw), _PARSE_PIECE):
        parser.feed(raw[start:start + _PARSE_PIECE])
    message = parser.close()
    assert isinstance(message, Message)
    return message


def read_message(raw: bytes, budget: Budget, prefix: str = "", depth: int = 0, *,
                 obsolete_read: bool = False) -> Extraction:
    """Subject, every body and every attachment of a message, recursively. A field written the obsolete
    way, with white space before its colon (``Content-Transfer-Encoding : base64``, which RFC 5322 4.5
    says readers must take), ends the header for the email package, which then reads what follows as
    text: the message is read a second time with that space removed, and what either reading finds counts."""
    if depth > budget.limits.max_depth:
        return Extraction((), (Uninspectable(f"{prefix}message", f"nested deeper than {budget.limits.max_depth} "
                                                                  "levels"),))
    try:
        message = parse(raw)
    except RecursionError:
        return Extraction((), (Uninspectable(f"{prefix}message", "messages nested too deeply to check"),))
    try:
        results = [Extraction(tuple(_headers(message, prefix)), (), (), len(raw))]
    except Exception as exc:  # a header the email package cannot decode is not known to be clean
        results = [Extraction((), (Uninspectable(f"{prefix}headers", f"a header cannot be decoded "
                                                                    f"({type(exc).__name__})"),), (), len(raw))]
    counter = [0]
    try:
        _walk(message, prefix, depth, budget, results, counter)
    except RecursionError:
        results.append(Extraction((), (Uninspectable(f"{prefix}message", "parts nested too deeply to check"),)))
    maybe_obsolete = not obsolete_read and (b" :" in raw or b"\t:" in raw)  # the space before the colon, found fast
    if maybe_obsolete and _OBSOLETE_FIELD.search(raw):  # as a client reads it too
        results.append(read_message(_OBSOLETE_FIELD.sub(rb"\1:", raw), budget, prefix, depth, obsolete_read=True))
    return merge(results)


def _walk(part: Message, prefix: str, depth: int, budget: Budget, results: list[Extraction],
          counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > _MAX_MIME_PARTS:
        budget.part(budget.limits.max_parts + 1)  # over budget: raises, failing the whole message closed
    budget.check_time()
    content_type = part.get_content_type()
    if content_type in _UNREADABLE_TYPES:
        results.append(Extraction((), (Uninspectable(f"{prefix}part {counter[0]}", _UNREADABLE_TYPES[content_type]),)))
        return
    if content_type == "message/rfc822" or (content_type.startswith("message/") and part.is_multipart()):
        results.append(_forwarded(part, prefix, depth, budget, counter[0]))
        return
    if part.is_multipart():
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                _walk(child, prefix, depth, budget, results, counter)
        return
    results.append(_leaf(part, content_type, counter[0], prefix, depth, budget))


def _transfer_encoding(part: Message, default: str = "") -> str | None:
    """The part's transfer encoding as a mail client reads it: folded or padded values such as
    ``Content-Transfer-Encoding:`` CRLF TAB ``base64`` mean ``base64``. None when the part names two
    that differ: clients decode it by either."""
    named = {str(value).strip().lower() for value in part.get_all("Content-Transfer-Encoding") or ()}
    return None if len(named) > 1 else next(iter(named), default)


def _decoded_payload(part: Message, encoding: str) -> tuple[bytes, ...]:
    """The part's content decoded by ``encoding`` (from ``_transfer_encoding``): one reading, or two
    where decoders differ (``_decode_text``). The email package compares the field unstripped and,
    for a folded one, would hand back the encoded text: a body or file hidden in base64 behind a
    folded field would be read as its letters, not its content. Base64 and quoted-printable are
    decoded here as mail clients decode them: base64 written in pieces, each padded, is read on after
    the first padding, and a soft line break with white space after its ``=`` is a soft line break
    (RFC 2045 6.7)."""
    payload = part.get_payload()
    if encoding in ("base64", "quoted-printable") and isinstance(payload, str):
        return _decode_text(payload, encoding)
    if "Content-Transfer-Encoding" in part and str(part["Content-Transfer-Encoding"]) != encoding:
        part.replace_header("Content-Transfer-Encoding", encoding)
    data = part.get_payload(decode=True)
    return (data if isinstance(data, bytes) else bytes(data or b""),)


_QP_PADDED_BREAK = re.compile(rb"=[ \t]+(?=\r?\n|\Z)")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]+")
_BASE64_PIECE = re.compile(rb"[A-Za-z0-9+/]+=*")
_PADDING_RUN = re.compile(rb"=+")
_PADDING_BEFORE_LETTER = re.compile(rb"=[A-Za-z0-9+/]")
_BASE64_LETTER = re.compile(r"[A-Za-z0-9+/]")


def _decode_text(text: str, encoding: str) -> tuple[bytes, ...]:
    """Base64 or quoted-printable ``text`` decoded as ``_decoded_payload`` says. Base64 with a ``=``
    inside it is read two ways when they differ, and both are checked: a ``=`` taken as the end of a
    padded piece (``_base64_pieces``: coreutils, Perl's MIME::Base64 stop there), and a ``=`` that
    completes no group of four skipped (``_skipping_stray_padding``: CPython's decoders, and so the
    email package, read straight on)."""
    if encoding == "base64" and (whole := _one_piece(text)) is not None:
        return (whole,)
    encoded = text.encode("ascii", "surrogateescape")
    if encoding != "base64":
        return (quopri.decodestring(_QP_PADDED_BREAK.sub(b"=", encoded)),)
    letters = _NOT_BASE64.sub(b"", encoded)
    pieces = _pieces_of(letters)
    if not _PADDING_BEFORE_LETTER.search(letters):  # padding only at the end: both readings are this one
        return (pieces,)
    skipping = _skipping_stray_padding(letters)
    return (pieces,) if pieces == skipping else (pieces, skipping)


def _one_piece(text: str) -> bytes | None:
    """Ordinary base64, padded at most at its end, decoded in one step without copies of the text
    (a 24 MB file cost five); None for anything else (``_base64_pieces`` reads it). binascii reads the
    same letters as that function: it skips what is not base64, and where the letters are not whole
    or the padding is wrong it refuses rather than guess."""
    padding = text.find("=")
    if padding != -1 and _BASE64_LETTER.search(text, padding):
        return None
    try:
        return binascii.a2b_base64(text)
    except (binascii.Error, ValueError):  # not ASCII, a lone letter at the end, missing padding
        return None


def _base64_pieces(encoded: bytes) -> bytes:
    """Base64 read a padded piece at a time; letters outside the alphabet are skipped, as every
    decoder does. Ordinary base64 is one piece."""
    return _pieces_of(_NOT_BASE64.sub(b"", encoded))


def _pieces_of(letters: bytes) -> bytes:
    """``_base64_pieces`` of text already reduced to base64 letters and ``=``."""
    return b"".join(_whole_groups(piece.rstrip(b"=")) for piece in _BASE64_PIECE.findall(letters))


def _skipping_stray_padding(letters: bytes) -> bytes:
    """Base64 letters and ``=`` read as CPython's binascii reads them: a run of ``=`` that does not
    complete a group of four (after none or one letter of it, or one ``=`` after two) is skipped and
    the letters read on; where one completes a group, reading goes on with the next piece, as in
    ``_base64_pieces`` (binascii stops there: what it reads is the start of this)."""
    decoded: list[bytes] = []
    piece: list[bytes] = []
    count = start = 0
    for run in _PADDING_RUN.finditer(letters):
        piece.append(letters[start:run.start()])
        count, start = count + run.start() - start, run.end()
        if count % 4 >= 2 and count % 4 + len(run.group()) >= 4:
            decoded.append(_whole_groups(b"".join(piece)))
            piece, count = [], 0
    piece.append(letters[start:])
    decoded.append(_whole_groups(b"".join(piece)))
    return b"".join(decoded)


def _whole_groups(letters: bytes) -> bytes:
    """Base64 letters (no ``=``) decoded, padded as they need; a lone letter at the end holds no byte."""
    letters = letters[:len(letters) - 1] if len(letters) % 4 == 1 else letters
    return binascii.a2b_base64(letters + b"=" * (-len(letters) % 4))


def _forwarded(part: Message, prefix: str, depth: int, budget: Budget, index: int) -> Extraction:
    filename = part.get_filename()
    where = f"{prefix}{shown_name(filename) if filename else f'forwarded message {index}'}"
    encoding = _transfer_encoding(part)
    if encoding is None:
        return Extraction((), (Uninspectable(where, _TWO_ENCODINGS),))
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if encoding in ("base64", "quoted-printable") and isinstance(inner, Message):
        body = inner.get_payload()
        try:
            readings = _decode_text(body if isinstance(body, str) else "", encoding)
        except (binascii.Error, ValueError):
            return Extraction((), (Uninspectable(where, "the forwarded message cannot be decoded"),))
    elif isinstance(inner, Message):
        readings = (inner.as_bytes(),)
    else:
        readings = _decoded_payload(part, encoding)
    budget.bytes(sum(map(len, readings)))
    name_part = _name_parts(part, where, filename)
    return merge([*name_part, *(read_message(raw, budget, prefix=f"{where}/", depth=depth + 1) for raw in readings)])


def _leaf(part: Message, content_type: str, index: int, prefix: str, depth: int, budget: Budget) -> Extraction:
    """One part that is not a container; ``content_type`` as ``_walk`` read it (each read parses the
    header anew)."""
    if content_type in SIGNATURE_TYPES:
        return Extraction(())
    encoding = _transfer_encoding(part, "7bit")
    if encoding is None:
        return Extraction((), (Uninspectable(f"{prefix}part {index}", _TWO_ENCODINGS),))
    if encoding not in _KNOWN_ENCODINGS:
        return Extraction((), (Uninspectable(f"{prefix}part {index}", f"an unknown transfer encoding "
                                                                     f"({encoding[:40]}): it cannot be decoded"),))
    try:
        readings = _decoded_payload(part, encoding)
    except Exception:
        return Extraction((), (Uninspectable(f"{prefix}part {index}", "cannot decode the transfer encoding"),))
    return merge([_leaf_reading(part, content_type, index, prefix, depth, budget, data) for data in readings])


def _leaf_reading(part: Message, content_type: str, index: int, prefix: str, depth: int, budget: Budget,
                  data: bytes) -> Extraction:
    """What one reading of a part's content holds (``_leaf``)."""
    filename = part.get_filename()
    disposition = (part.get_content_disposition() or "").lower()
    budget.bytes(len(data))
    if filename or disposition == "attachment" or not content_type.startswith("text/") or \
            content_type in _DOCUMENT_TEXT_TYPES:
        where = f"{prefix}{shown_name(filename)}" if filename else f"{prefix}part {index}"
        name_part = _name_parts(part, where, filename)
        return merge([*name_part, read_file(filename or f"part-{index}", data, where, depth, budget,
                                            content_type)])
    budget.text(len(data))
    charset = part.get_content_charset()
    text = decode_text(data, charset)
    if sniff_text(data, f"charset={charset or 'utf-8'}") is None:
        return read_file(f"part-{index}", data, f"{prefix}part {index}", depth, budget, "application/octet-stream")
    if content_type == "text/html":
        shown, inline = html_read(text)
        results = [Extraction((TextPart(f"{prefix}body (html)", shown, "body"),))]
        results += [read_file(f"inline-{i}", d, f"{prefix}body (html, inline {i})", depth + 1, budget, t)
                    for i, (t, d) in enumerate(inline, 1)]
        return merge(results)
    label = "calendar" if content_type == "text/calendar" else "body"
    try:
        parts = text_parts(text, f"{prefix}{label}", "body", content_type=content_type)
    except DocumentError as exc:
        return Extraction((), (Uninspectable(f"{prefix}{label}", str(exc)),))
    results = [Extraction(tuple(parts))]
    results += [read_file(name, d, f"{prefix}{label}/{shown_name(name)}", depth + 1, budget)
                for name, d in embedded_files(text)]
    return merge(results)
