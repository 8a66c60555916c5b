"""Which reader a part needs, decided by content first and name second, and the walk over a
MIME message (subject, bodies in any transfer encoding or charset, attachments, forwards)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import PurePath

from policies.extract.archives import zip_members
from policies.extract.html import html_to_text
from policies.extract.legacy import ole_parts, rtf_parts
from policies.extract.office import DocumentError, docx_parts, odf_parts, pptx_parts, xlsx_parts
from policies.extract.pdf import pdf_parts
from policies.types import AttachmentInfo, Extraction, TextPart, Uninspectable

TEXT_SUFFIXES = {".txt", ".csv", ".tsv", ".md", ".ics", ".xml", ".json", ".log", ".vcf"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SEALED_SUFFIXES = {".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".zst", ".cab", ".arj", ".gpg", ".pgp",
                   ".p7m", ".asc"}
IMAGE_PREFIXES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


@dataclass(frozen=True)
class Limits:
    max_depth: int = 4
    max_archive_members: int = 1000
    max_total_bytes: int = 200 * 1024 * 1024
    max_attachment_bytes: int = 60 * 1024 * 1024


def decode_text(data: bytes, charset: str | None = None) -> str:
    for encoding in filter(None, (charset, "utf-8")):
        try:
            return data.decode(_codec(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1258", errors="replace")


def _codec(charset: str) -> str:
    value = charset.strip().lower()
    return {"windows-1258": "cp1258", "x-viet-vps": "cp1258", "tcvn": "cp1258", "unicode-1-1-utf-7": "utf-7"}.get(
        value, value)


def extract_document(name: str, data: bytes, where: str | None = None, depth: int = 0,
                     limits: Limits | None = None, content_type: str = "") -> Extraction:
    """Text of one file (an attachment, an archive member or a file on disk)."""
    limits = limits or Limits()
    where = where or name
    suffix = PurePath(name.lower()).suffix
    info = (AttachmentInfo(where, name, content_type, len(data)),)
    if len(data) > limits.max_attachment_bytes:
        return Extraction((), (Uninspectable(where, f"larger than {limits.max_attachment_bytes // 1024 // 1024} MB, "
                                                    "too large to check"),), info, len(data))
    if depth > limits.max_depth:
        return Extraction((), (Uninspectable(where, f"nested deeper than {limits.max_depth} levels"),), info)
    try:
        return _extract(name, data, where, depth, limits, suffix, content_type, info)
    except DocumentError as exc:
        return Extraction((), (Uninspectable(where, str(exc)),), info, len(data))
    except RecursionError:
        return Extraction((), (Uninspectable(where, "nested too deeply to check"),), info, len(data))
    except Exception as exc:  # a damaged file breaks readers in many ways: it fails closed, never crashes
        reason = f"the file is damaged and cannot be read ({type(exc).__name__})"
        return Extraction((), (Uninspectable(where, reason),), info, len(data))


def _extract(name: str, data: bytes, where: str, depth: int, limits: Limits, suffix: str, content_type: str,
             info: tuple[AttachmentInfo, ...]) -> Extraction:
    def done(parts: list[TextPart]) -> Extraction:
        return Extraction(tuple(parts), (), info, len(data))

    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_based(name, data, where, depth, limits, info)
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return done(pdf_parts(data, where))
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return done(ole_parts(data, where))
    if data.lstrip()[:5] == b"{\\rtf":
        return done(rtf_parts(data, where))
    if suffix == ".eml" or content_type == "message/rfc822":
        return _merge(info, [extract_message(data, limits, prefix=f"{where}/", depth=depth + 1)])
    if suffix in HTML_SUFFIXES or content_type == "text/html":
        return done([TextPart(where, html_to_text(decode_text(data)), "attachment")])
    if suffix in TEXT_SUFFIXES or content_type.startswith("text/"):
        return done([TextPart(where, decode_text(data), "attachment")])
    if content_type == "application/ms-tnef" or name.lower() == "winmail.dat":
        raise DocumentError("an Outlook TNEF container (winmail.dat) cannot be opened: its content cannot be checked")
    if suffix in SEALED_SUFFIXES:
        raise DocumentError(f"a {suffix} archive cannot be opened here: its content cannot be checked")
    if suffix in (".doc", ".xls", ".docx", ".xlsx", ".odt", ".ods", ".pptx", ".ppt"):
        raise DocumentError(f"not a readable {suffix} file (damaged, or another format under that name)")
    if data.startswith(IMAGE_PREFIXES):
        return done([])  # pictures carry no text layer; the attachment-type policy decides on them
    return done([])


def _zip_based(name: str, data: bytes, where: str, depth: int, limits: Limits,
               info: tuple[AttachmentInfo, ...]) -> Extraction:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except zipfile.BadZipFile as exc:
        raise DocumentError("the file is damaged (a broken ZIP container)") from exc
    if "word/document.xml" in names:
        parts = docx_parts(data, where)
    elif "xl/workbook.xml" in names:
        parts = xlsx_parts(data, where)
    elif any(n.startswith("ppt/slides/") for n in names):
        parts = pptx_parts(data, where)
    elif mimetype.startswith("application/vnd.oasis.opendocument"):
        parts = odf_parts(data, where)
    else:
        members = zip_members(data, where, depth, limits,
                              lambda n, d, w, lvl: extract_document(n, d, w, lvl, limits))
        return _merge(info, members)
    return Extraction(tuple(parts), (), info, len(data))


def _merge(info: tuple[AttachmentInfo, ...], results: list[Extraction]) -> Extraction:
    return Extraction(
        parts=tuple(p for r in results for p in r.parts),
        uninspectable=tuple(u for r in results for u in r.uninspectable),
        attachments=info + tuple(a for r in results for a in r.attachments),
        size=sum(r.size for r in results),
    )


def extract_message(raw: bytes, limits: Limits | None = None, prefix: str = "", depth: int = 0) -> Extraction:
    """Subject, every body and every attachment of a message, recursively."""
    limits = limits or Limits()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    results: list[Extraction] = [Extraction(
        (TextPart(f"{prefix}subject", str(message.get("Subject", "") or ""), "subject"),), (), (), len(raw))]
    for index, part in enumerate(message.walk()):
        if part.is_multipart() or (part is message and part.get_content_maintype() == "multipart"):
            continue
        results.append(_mime_part(part, index, prefix, depth, limits))
    return _merge((), results)


def _mime_part(part: Message, index: int, prefix: str, depth: int, limits: Limits) -> Extraction:
    content_type = part.get_content_type()
    filename = part.get_filename()
    disposition = (part.get_content_disposition() or "").lower()
    if content_type == "message/rfc822":
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        payload = first.as_bytes() if isinstance(first, Message) else part.get_payload(decode=True) or b""
        where = f"{prefix}{filename or 'forwarded message'}"
        return extract_message(payload if isinstance(payload, bytes) else bytes(payload), limits,
                               prefix=f"{where}/", depth=depth + 1)
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:
        return Extraction((), (Uninspectable(f"{prefix}part {index}", "cannot decode the transfer encoding"),))
    if not isinstance(data, bytes):
        data = bytes(data)
    if filename or disposition == "attachment" or not content_type.startswith("text/"):
        name = filename or f"part-{index}"
        return extract_document(name, data, f"{prefix}{name}", depth, limits, content_type)
    text = decode_text(data, part.get_content_charset())
    if content_type == "text/html":
        return Extraction((TextPart(f"{prefix}body (html)", html_to_text(text), "body"),))
    if content_type == "text/calendar" and isinstance(part, EmailMessage):
        return Extraction((TextPart(f"{prefix}calendar", text, "body"),))
    return Extraction((TextPart(f"{prefix}body", text, "body"),))
