"""Office Open XML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS, ODP): text, tables,
headers and footers, text boxes, tracked deletions, and document properties."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from policies.types import TextPart

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
MAX_XML_BYTES = 50 * 1024 * 1024


class DocumentError(Exception):
    """A document that cannot be read: corrupt, encrypted, or over a limit."""


def _xml(archive: zipfile.ZipFile, name: str) -> Element:
    info = archive.getinfo(name)
    if info.file_size > MAX_XML_BYTES:
        raise DocumentError(f"{name} is larger than {MAX_XML_BYTES // 1024 // 1024} MB")
    try:
        return fromstring(archive.read(name))
    except Exception as exc:  # defusedxml and expat raise many kinds
        raise DocumentError(f"{name} cannot be parsed ({type(exc).__name__})") from exc


def _word_paragraph(p: Element) -> str:
    out: list[str] = []

    def walk(node: Element) -> None:
        for child in node:
            tag = child.tag
            if tag == f"{W}p":
                continue  # a nested paragraph (text box) is read on its own
            if tag in (f"{W}t", f"{W}delText") and child.text:
                out.append(child.text)
            elif tag == f"{W}tab":
                out.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                out.append("\n")
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _word_lines(root: Element) -> Iterator[str]:
    for p in root.iter(f"{W}p"):
        yield _word_paragraph(p)
    for row in root.iter(f"{W}tr"):
        cells = [" ".join(_word_paragraph(p) for p in tc.iter(f"{W}p")) for tc in row.iter(f"{W}tc")]
        yield "\t".join(cells)


def _properties(archive: zipfile.ZipFile, names: set[str]) -> str:
    lines: list[str] = []
    if "docProps/core.xml" in names:
        for element in _xml(archive, "docProps/core.xml"):
            if element.text and element.text.strip():
                lines.append(f"{element.tag.split('}')[-1]}: {element.text.strip()}")
    if "docProps/custom.xml" in names:
        for prop in _xml(archive, "docProps/custom.xml"):
            value = "".join(prop.itertext()).strip()
            lines.append(f"{prop.get('name', '')}: {value}")
    return "\n".join(lines)


def docx_parts(data: bytes, where: str) -> list[TextPart]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        parts = [TextPart(where, "\n".join(_word_lines(_xml(archive, "word/document.xml"))), "attachment")]
        for name in sorted(names):
            match = re.fullmatch(r"word/(header|footer|footnotes|endnotes|comments)\d*\.xml", name)
            if match:
                text = "\n".join(_word_lines(_xml(archive, name)))
                parts.append(TextPart(f"{where} ({match.group(1)})", text, "attachment"))
        parts.append(TextPart(f"{where} (properties)", _properties(archive, names), "property"))
        return parts


def pptx_parts(data: bytes, where: str) -> list[TextPart]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(n for n in archive.namelist()
                       if re.fullmatch(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml", n))
        lines = []
        for name in names:
            for p in _xml(archive, name).iter(f"{A}p"):
                lines.append("".join(t.text or "" for t in p.iter(f"{A}t")))
        return [TextPart(where, "\n".join(lines), "attachment"),
                TextPart(f"{where} (properties)", _properties(archive, set(archive.namelist())), "property")]


def xlsx_parts(data: bytes, where: str) -> list[TextPart]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise DocumentError(f"cannot read the workbook ({type(exc).__name__})") from exc
    lines: list[str] = []
    try:
        for sheet in book.worksheets:
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                if any(cells):
                    lines.append("\t".join(cells))
    finally:
        book.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        properties = _properties(archive, set(archive.namelist()))
    return [TextPart(where, "\n".join(lines), "attachment"), TextPart(f"{where} (properties)", properties, "property")]


def _odf_text(node: Element) -> str:
    out: list[str] = [node.text or ""]
    for child in node:
        if child.tag == f"{TEXT}tab":
            out.append("\t")
        elif child.tag == f"{TEXT}line-break":
            out.append("\n")
        elif child.tag == f"{TEXT}s":
            out.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
        elif child.tag not in (f"{TEXT}p", f"{TEXT}h"):
            out.append(_odf_text(child))
        out.append(child.tail or "")
    return "".join(out)


def odf_parts(data: bytes, where: str) -> list[TextPart]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read("META-INF/manifest.xml"):
            raise DocumentError("the document is encrypted (password protected)")
        parts = []
        for name, label in (("content.xml", where), ("styles.xml", f"{where} (header/footer)"),
                            ("meta.xml", f"{where} (properties)")):
            if name not in names:
                continue
            root = _xml(archive, name)
            lines = [_odf_text(p) for p in root.iter() if p.tag in (f"{TEXT}p", f"{TEXT}h")]
            for row in root.iter(f"{TABLE}table-row"):
                lines.append("\t".join(" ".join(_odf_text(p) for p in cell.iter() if p.tag == f"{TEXT}p")
                                       for cell in row if cell.tag == f"{TABLE}table-cell"))
            if name == "meta.xml":
                lines = [f"{e.tag.split('}')[-1]}: {''.join(e.itertext())}" for e in root.iter()
                         if e.text and e.text.strip()]
            parts.append(TextPart(label, "\n".join(lines), "attachment"))
        return parts
