"""Which reader a file needs, decided by its content first and its name second. Every file is
either read completely or reported uninspectable with the reason: an unrecognised binary is never
taken as "no text". Pictures are the one exception: a document-like picture is read by OCR, an
ordinary photo passes and is noted as not read."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from collections.abc import Callable
from pathlib import PurePath

from policies.extract.base import Budget, DocumentError, merge, shown_name
from policies.extract.html import html_read
from policies.extract.legacy import ole_read, rtf_objects, rtf_parts
from policies.extract.metafile import emf_text, is_emf, is_wmf, wmf_text
from policies.extract.package import read_zip
from policies.extract.pdf import pdf_read
from policies.extract.pkcs7 import signed_content
from policies.extract.text import (
    calendar_subjects,
    decode_text,
    embedded_files,
    encrypted_block,
    looks_like_mime,
    sniff_text,
    structured_lines,
)
from policies.extract.xmltext import looks_like_xml, xml_lines
from policies.types import AttachmentInfo, Extraction, TextPart, Uninspectable

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
MIME_SUFFIXES = {".eml", ".mht", ".mhtml", ".msg822"}
SEALED_SUFFIXES = {".rar", ".7z", ".zst", ".cab", ".arj", ".gpg", ".pgp", ".asc", ".lz", ".lzh", ".ace"}
SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
IMAGE_PREFIXES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _fail(where: str, info: tuple[AttachmentInfo, ...], size: int, reason: str) -> Extraction:
    return Extraction((), (Uninspectable(where, reason),), info, size)


def read_file(name: str, data: bytes, where: str, depth: int, budget: Budget, content_type: str = "") -> Extraction:
    """Text of one file (an attachment, an archive member, an embedded object or a file on disk)."""
    limits = budget.limits
    info = (AttachmentInfo(where, name, content_type, len(data)),)
    if len(data) > limits.max_attachment_bytes:
        return _fail(where, info, len(data),
                     f"larger than {limits.max_attachment_bytes // 1024 // 1024} MB, too large to check")
    if depth > limits.max_depth:
        return _fail(where, info, len(data), f"nested deeper than {limits.max_depth} levels")
    try:
        budget.part()
        return _read(name, data, where, depth, budget, content_type.lower(), info)
    except DocumentError as exc:
        return _fail(where, info, len(data), str(exc))
    except RecursionError:
        return _fail(where, info, len(data), "nested too deeply to check")
    except MemoryError:
        return _fail(where, info, len(data), "the message is too large or complex to check (memory)")
    except Exception as exc:  # a damaged file breaks readers in many ways: it fails closed, never crashes
        return _fail(where, info, len(data), f"the file is damaged and cannot be read ({type(exc).__name__})")


def _read(name: str, data: bytes, where: str, depth: int, budget: Budget, content_type: str,
          info: tuple[AttachmentInfo, ...]) -> Extraction:
    suffix = PurePath(name.lower()).suffix

    def done(*parts: TextPart) -> Extraction:
        return Extraction(tuple(parts), (), info, len(data))

    def nested(inner_name: str, inner: bytes, inner_where: str, inner_type: str) -> Extraction:
        return read_file(inner_name, inner, inner_where, depth + 1, budget, inner_type)

    if not data.strip():
        return done()
    if content_type in SIGNATURE_TYPES or suffix in (".p7s", ".sig"):
        return done()  # a detached signature holds no document text
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return merge([read_zip(data, where, budget, nested)], info)
    if b"%PDF-" in data[:1024]:
        reading = pdf_read(data, where, budget, nested)
        results = [reading.extraction, *_appended_archive(data, where, budget, nested)]
        if reading.scanned_pages:
            results.append(_ocr_pdf(data, list(reading.scanned_pages), where, budget))
        for picture_where, picture in reading.pictures:
            results.append(_picture_in_document(_ocr_image(picture, picture_where, budget)))
        return merge(results, info)
    if data.startswith(_OLE):
        return merge([ole_read(data, where, nested)], info)
    if data.lstrip()[:5] == b"{\\rtf":
        return merge([done(*rtf_parts(data, where)), *rtf_objects(data, where, nested)], info)
    if data.startswith(IMAGE_PREFIXES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return merge([_ocr_image(data, where, budget), *_appended_archive(data, where, budget, nested)], info)
    if is_emf(data):
        return done(TextPart(where, emf_text(data), "attachment"))
    if is_wmf(data):
        return done(TextPart(where, wmf_text(data), "attachment"))
    if content_type == "application/ms-tnef" or name.lower() == "winmail.dat":
        raise DocumentError("an Outlook TNEF container (winmail.dat) cannot be opened: its content cannot be checked")
    if content_type in ("application/pkcs7-mime", "application/x-pkcs7-mime") or suffix == ".p7m":
        from policies.extract.message import read_message

        return merge([read_message(signed_content(data), budget, prefix=f"{where}/", depth=depth + 1)], info)
    if suffix in SEALED_SUFFIXES:
        raise DocumentError(f"a sealed or encrypted {suffix or content_type} file: its content cannot be checked")
    compressed = _decompress(data, suffix, budget)
    if compressed is not None:
        return merge([_unpack(name, compressed, where, depth, budget)], info)
    if suffix in MIME_SUFFIXES or content_type in ("message/rfc822", "multipart/related") or looks_like_mime(data):
        from policies.extract.message import read_message

        return merge([read_message(data, budget, prefix=f"{where}/", depth=depth + 1)], info)
    budget.text(len(data))
    text = sniff_text(data, content_type)
    if text is None:
        kind = suffix or content_type or "unknown"
        raise DocumentError(f"an unrecognised binary file ({kind}): its content cannot be checked")
    if suffix in HTML_SUFFIXES or content_type in ("text/html", "application/xhtml+xml") or \
            text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        return _html(text, where, done, nested)
    if looks_like_xml(data) or suffix in (".xml", ".svg"):
        try:
            return done(TextPart(where, "\n".join(xml_lines(data, "the XML file")), "attachment"))
        except DocumentError:
            if "<t" not in text.lower():  # not XML, and no HTML table, row or cell either
                raise
            return _html(text, where, done, nested)  # an "Excel" export that is an HTML table: Excel reads it
    extra = [nested(n, d, f"{where}/{shown_name(n)}", "") for n, d in embedded_files(text)]
    return merge([done(*text_parts(text, where, "attachment", suffix, content_type)), *extra], ())


def _html(text: str, where: str, done: Callable[..., Extraction],
          nested: Callable[[str, bytes, str, str], Extraction]) -> Extraction:
    """A page as shown, and the files it embeds as data: URIs."""
    shown, inline = html_read(text)
    return merge([done(TextPart(where, shown, "attachment")),
                  *(nested(f"inline-{i}", d, f"{where} (inline {i})", t) for i, (t, d) in enumerate(inline, 1))])


def text_parts(text: str, where: str, kind: str, suffix: str = "", content_type: str = "") -> list[TextPart]:
    """A text as read, plus the forms its format gives it: CSV cells, JSON fields, calendar titles
    (read as subjects). An armoured encrypted block in it cannot be checked."""
    sealed = encrypted_block(text)
    if sealed:
        raise DocumentError(f"an encrypted block ({sealed}) in the text: its content cannot be checked")
    parts = [TextPart(where, text, kind)]
    structured = structured_lines(text, suffix, content_type)
    if structured:
        parts.append(TextPart(f"{where} (fields)", structured, kind))
    if suffix == ".ics" or content_type == "text/calendar" or "BEGIN:VEVENT" in text[:65536].upper():
        parts.append(TextPart(f"{where} (calendar title)", calendar_subjects(text), "subject"))
    return parts


def _appended_archive(data: bytes, where: str, budget: Budget,
                      nested: Callable[[str, bytes, str, str], Extraction]) -> list[Extraction]:
    """A ZIP appended to a PDF or a picture (a file that is two files): its members are read too."""
    import zipfile

    if b"PK\x05\x06" not in data[-66000:] or not zipfile.is_zipfile(io.BytesIO(data)):
        return []
    return [read_zip(data, f"{where} (appended archive)", budget, nested)]


def _decompress(data: bytes, suffix: str, budget: Budget) -> bytes | None:
    """gzip, bzip2 and xz streams, unpacked within the message's budget; None if not one of them."""
    opener: dict[bytes, Callable[[io.BytesIO], io.BufferedIOBase]] = {
        b"\x1f\x8b": lambda f: gzip.GzipFile(fileobj=f), b"BZh": bz2.BZ2File, b"\xfd7zXZ\x00": lzma.LZMAFile}
    magic = next((m for m in opener if data.startswith(m)), None)
    if magic is None:
        return None
    room = budget.limits.max_total_bytes - budget.expanded
    try:
        with opener[magic](io.BytesIO(data)) as stream:
            out = stream.read(room + 1)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise DocumentError("the compressed file is damaged") from exc
    budget.bytes(len(out))
    return out


def _unpack(name: str, data: bytes, where: str, depth: int, budget: Budget) -> Extraction:
    """A decompressed stream: a tar archive member by member, or the one file it held."""
    inner = PurePath(name).stem or "file"
    if len(data) > 262 and data[257:262] == b"ustar":
        results = []
        with _open_tar(data) as archive:
            for member in archive.getmembers():
                budget.part()
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                content = handle.read() if handle else b""
                member_where = f"{where}/{shown_name(member.name)}"
                results.append(Extraction((TextPart(member_where, PurePath(member.name).name, "filename"),)))
                results.append(read_file(member.name, content, member_where, depth + 1, budget))
        return merge(results)
    return read_file(inner, data, f"{where}/{shown_name(inner)}", depth + 1, budget)


def _open_tar(data: bytes) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except tarfile.TarError as exc:
        raise DocumentError("the tar archive is damaged") from exc


def _ocr_image(data: bytes, where: str, budget: Budget) -> Extraction:
    try:
        from policies.extract.images import read_image
    except ImportError:
        return Extraction((), (), (), 0, (where,))
    budget.ocr_page()
    reading = read_image(data, where, deadline=budget.deadline)
    return Extraction(reading.parts, reading.uninspectable, (), 0, reading.not_read)


def _picture_in_document(read: Extraction) -> Extraction:
    """See policies.extract.package: a picture inside a typed document that OCR cannot read is
    noted, not refused (seals and signatures); a mark OCR finds in it refuses the message."""
    return Extraction(read.parts, (), read.attachments, read.size,
                      read.not_read + tuple(u.where for u in read.uninspectable))


def _ocr_pdf(data: bytes, pages: list[int], where: str, budget: Budget) -> Extraction:
    try:
        from policies.extract.images import read_pdf_pages
    except ImportError:
        return Extraction((), (Uninspectable(where, "the PDF has scanned pages without a text layer: their content "
                                                    "cannot be checked"),))
    for _ in pages:
        budget.ocr_page()
    reading = read_pdf_pages(data, pages, where, deadline=budget.deadline)
    return Extraction(reading.parts, reading.uninspectable, (), 0, reading.not_read)


__all__ = ["decode_text", "read_file"]
