"""PDF (pypdf): the text layer of every page, annotations (Acrobat's stamps, free text, notes and
their appearance streams), form fields (AcroForm values, XFA), files attached to the PDF, and
metadata. Pages without a text layer but with pictures are scans: their numbers are returned for
OCR, never taken as clean."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policies.extract.base import Budget, DocumentError, merge, shown_name
from policies.extract.html import html_to_text
from policies.extract.xmltext import xml_lines
from policies.types import Extraction, TextPart

ReadEmbedded = Callable[[str, bytes, str, str], Extraction]
_ANNOTATION_TEXT = ("/Contents", "/T", "/Subj", "/TU", "/V", "/CA")


@dataclass(frozen=True)
class PdfReading:
    extraction: Extraction
    scanned_pages: tuple[int, ...]  # 1-based numbers of pages that are pictures only
    pictures: tuple[tuple[str, bytes], ...] = ()  # (where, image file) of pictures on pages that have text


def _resolve(value: Any) -> Any:
    try:
        return value.get_object() if hasattr(value, "get_object") else value
    except Exception:
        return None


def _has_images(resources: Any, depth: int = 0) -> bool:
    resources = _resolve(resources)
    if depth > 8 or not hasattr(resources, "get"):
        return False
    xobjects = _resolve(resources.get("/XObject"))
    if not hasattr(xobjects, "values"):
        return False
    for item in xobjects.values():
        xobject = _resolve(item)
        if not hasattr(xobject, "get"):
            continue
        subtype = xobject.get("/Subtype")
        if subtype == "/Image" or (subtype == "/Form" and _has_images(xobject.get("/Resources"), depth + 1)):
            return True
    return False


def _stream_text(page: Any, reader: Any, stream: Any) -> str:
    """Text drawn by a form XObject (an annotation's appearance), through pypdf's own page walker."""
    try:
        return str(page._extract_text(stream, reader, orientations=(0, 90, 180, 270), content_key=None))
    except Exception as exc:  # an appearance pypdf cannot walk is not known to be clean
        raise DocumentError(f"an annotation's appearance cannot be read ({type(exc).__name__})") from exc


def _attached_files(page: Any) -> list[tuple[str, bytes]]:
    """Files attached with Acrobat's 'Attach File' comment (FileAttachment annotations)."""
    found = []
    for item in _resolve(page.get("/Annots")) or []:
        annotation = _resolve(item)
        if not hasattr(annotation, "get") or annotation.get("/Subtype") != "/FileAttachment":
            continue
        spec = _resolve(annotation.get("/FS"))
        embedded: Any = _resolve(spec.get("/EF")) if hasattr(spec, "get") else None
        stream = _resolve(embedded.get("/UF") or embedded.get("/F")) if hasattr(embedded, "get") else None
        if stream is None or not hasattr(stream, "get_data"):
            raise DocumentError("a file attached to a comment cannot be opened")
        name = str(spec.get("/UF") or spec.get("/F") or "attachment")
        found.append((name, stream.get_data()))
    return found


def _annotation_lines(page: Any, reader: Any) -> tuple[list[str], bool]:
    """(text lines of every annotation on the page, whether any appearance is a picture)."""
    lines: list[str] = []
    pictures = False
    for item in _resolve(page.get("/Annots")) or []:
        annotation = _resolve(item)
        if not hasattr(annotation, "get"):
            continue
        for key in _ANNOTATION_TEXT:
            value = _resolve(annotation.get(key))
            if isinstance(value, str) and value.strip():
                lines.append(value)
        rich = _resolve(annotation.get("/RC"))
        if isinstance(rich, str) and rich.strip():
            lines.append(html_to_text(rich))
        name = annotation.get("/Name")
        if isinstance(name, str) and annotation.get("/Subtype") == "/Stamp":
            lines.append(name.lstrip("/"))
        appearance = _resolve(annotation.get("/AP"))
        normal: Any = _resolve(appearance.get("/N")) if hasattr(appearance, "get") else None
        streams = [normal] if hasattr(normal, "get_data") else (
            [_resolve(v) for v in normal.values()] if hasattr(normal, "values") else [])
        for stream in streams:
            if not hasattr(stream, "get"):
                continue
            lines.append(_stream_text(page, reader, stream))
            pictures = pictures or _has_images(stream.get("/Resources"))
    return lines, pictures


def _form_lines(reader: Any) -> list[str]:
    lines: list[str] = []
    fields = reader.get_fields() or {}
    for name, field in fields.items():
        lines.append(str(name))
        for key in ("/V", "/TU", "/DV", "/Opt"):
            value = field.get(key)
            if value is not None:
                lines.append(str(value))
    root = _resolve(reader.trailer.get("/Root"))
    form: Any = _resolve(root.get("/AcroForm")) if hasattr(root, "get") else None
    xfa: Any = _resolve(form.get("/XFA")) if hasattr(form, "get") else None
    packets = [xfa] if hasattr(xfa, "get_data") else [
        _resolve(x) for x in (xfa or []) if hasattr(_resolve(x), "get_data")]
    for packet in packets:
        lines.extend(xml_lines(packet.get_data(), "the PDF's XFA form"))
    return lines


def pdf_read(data: bytes, where: str, budget: Budget, read_embedded: ReadEmbedded) -> PdfReading:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentError("the PDF is encrypted (password protected)")
            except DocumentError:
                raise
            except Exception as exc:
                raise DocumentError("the PDF is encrypted (password protected)") from exc
        budget.page(len(reader.pages))
        parts: list[TextPart] = []
        scanned: list[int] = []
        pictures: list[tuple[str, bytes]] = []
        for number, page in enumerate(reader.pages, start=1):
            budget.check_time()
            text = page.extract_text() or ""
            if _scattered(text):  # glyphs drawn out of reading order: read by position instead
                text += "\n" + (page.extract_text(extraction_mode="layout") or "")
            budget.text(len(text))
            annotations, pictured = _annotation_lines(page, reader)
            if not text.strip() and _has_images(page.get("/Resources")):
                scanned.append(number)
            elif pictured and number not in scanned:
                scanned.append(number)  # a stamp pasted as a picture annotation: read by OCR too
            elif text.strip() and len(pictures) < _MAX_PICTURES and _has_images(page.get("/Resources")):
                pictures.extend(_page_pictures(page, f"{where} (page {number}, picture", _MAX_PICTURES - len(pictures)))
            parts.append(TextPart(f"{where} (page {number})", text, "attachment"))
            if annotations:
                parts.append(TextPart(f"{where} (page {number}, annotations)", "\n".join(annotations), "attachment"))
        parts.append(TextPart(f"{where} (form)", "\n".join(_form_lines(reader)), "attachment"))
        info: dict[str, object] = dict(reader.metadata or {})
        properties = "\n".join(f"{k.lstrip('/')}: {v}\n{v}" for k, v in info.items() if isinstance(v, str))
        parts.append(TextPart(f"{where} (properties)", properties, "property"))
        embedded: list[Extraction] = []
        for page in reader.pages:
            for name, content in _attached_files(page):
                embedded.append(Extraction((TextPart(f"{where}/{shown_name(name)}", name, "filename"),)))
                embedded.append(read_embedded(name, content, f"{where}/{shown_name(name)}", ""))
        for name, contents in (reader.attachments or {}).items():
            embedded.append(Extraction((TextPart(f"{where}/{shown_name(name)}", name, "filename"),)))
            for content in contents:
                embedded.append(read_embedded(name, content, f"{where}/{shown_name(name)}", ""))
    except DocumentError:
        raise
    except RecursionError as exc:
        raise DocumentError("the PDF is nested too deeply to read") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files: fail closed
        raise DocumentError(f"the PDF is damaged ({type(exc).__name__})") from exc
    extraction = merge([Extraction(tuple(parts)), *embedded])
    return PdfReading(extraction, tuple(scanned), tuple(pictures))


_MAX_PICTURES = 12
_MIN_SIDE = 40  # the picture reader takes line-shaped pictures from 40 px (a stamp 60 px tall)


def _scattered(text: str) -> bool:
    """Many one-letter lines: the page drew its glyphs one by one, out of order."""
    short = sum(1 for line in text.split("\n") if 0 < len(line.strip()) <= 2)
    return short >= 3


def _page_pictures(page: Any, where: str, room: int) -> list[tuple[str, bytes]]:
    """Pictures large enough to hold words (a pasted stamp, a scanned excerpt), as image files."""
    found: list[tuple[str, bytes]] = []
    try:
        for index, image in enumerate(page.images, start=1):
            if len(found) >= room:
                break
            width, height = image.image.size if image.image is not None else (0, 0)
            if min(width, height) >= _MIN_SIDE:
                found.append((f"{where} {index})", image.data))
    except Exception:  # a picture pypdf cannot decode is left to the page's text layer
        return found
    return found
