"""ZIP-based files read part by part, every part: Office Open XML (DOCX, XLSX, PPTX in Transitional
or Strict form, XPS) and OpenDocument packages, and plain ZIP archives.

A package is not read by fixed part names: every part in it is read, whatever it is called and
whichever relationship reaches it (headers, masters, layouts, comments, charts, alt chunks,
custom XML, embedded workbooks and documents). Each part is either read, recognised as holding
no text a person reads (fonts, printer settings, relationships), or handed to the reader of its
own kind; a part no reader can open makes the whole file uninspectable.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from policies.extract.base import Budget, DocumentError, merge, shown_name
from policies.extract.spreadsheet import shared_strings, sheet_lines
from policies.extract.xmltext import (
    capital_styles,
    has_hidden_text,
    hidden_styles,
    looks_like_xml,
    xml_lines,
    xml_root,
)
from policies.types import Extraction, TextPart

# Recursion into the reader of a part's own kind, one level deeper: (name, data, where, content type) -> Extraction
ReadPart = Callable[[str, bytes, str, str], Extraction]

_STRUCTURE = ("[content_types].xml",)
_SKIPPED_SUFFIXES = (".rels", ".odttf", ".ttf", ".otf", ".fntdata", ".woff", ".woff2", ".eot")
_SKIPPED_TYPES = ("printersettings", "font", "relationships", "obfuscatedfont", "theme+xml", "fonttable+xml",
                  "wordprocessingml.styles+xml", "stylesweffects+xml", "websettings+xml", "metadata.thumbnail")
# OpenDocument's renders of embedded objects (read as objects), and first-page thumbnails (renders of
# the document itself, which is read)
_SKIPPED_FOLDERS = ("objectreplacements/", "thumbnails/", "docprops/thumbnail.",
                    "word/glossary/")  # Word's building blocks (Quick Parts): templates never shown in the document
_XML_SUFFIXES = (".xml", ".vml", ".xhtml", ".svg", ".fpage", ".fdoc", ".fdseq", ".xaml", ".opf", ".ncx")
_MACROS = ("vbaproject", "vbadata", "activex")


@dataclass(frozen=True)
class _Member:
    path: str
    size: int
    content_type: str


def _content_types(archive: zipfile.ZipFile, names: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """[Content_Types].xml: (extension -> type, part name -> type), lower-cased."""
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    name = next((n for n in names if n.lower() == "[content_types].xml"), None)
    if name is None:
        return defaults, overrides
    from xml.parsers import expat

    from policies.extract.xmltext import make_parser

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "Default" and "Extension" in attributes:
            defaults[attributes["Extension"].lower()] = attributes.get("ContentType", "").lower()
        elif local == "Override" and "PartName" in attributes:
            overrides[attributes["PartName"].lstrip("/").lower()] = attributes.get("ContentType", "").lower()

    parser = make_parser(start, lambda tag: None, lambda text: None)
    try:
        parser.Parse(_read(archive, archive.getinfo(name), None), True)
    except expat.ExpatError as exc:
        raise DocumentError("the package's content types cannot be parsed") from exc
    return defaults, overrides


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget | None) -> bytes:
    """A member's bytes, never more than it declares (a forged size cannot expand past the budget)."""
    limit = info.file_size
    if budget is not None:
        budget.bytes(limit)
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise DocumentError(f"a part cannot be unpacked ({type(exc).__name__})") from exc
    if len(data) > limit:
        raise DocumentError("a part unpacks to more than it declares (a forged archive)")
    return data


def open_zip(data: bytes, budget: Budget) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError("the file is damaged (a broken ZIP container)") from exc
    members = [i for i in archive.infolist() if not i.is_dir()]
    names = [i.filename.lower() for i in members]
    if len(set(names)) != len(names):  # readers disagree on which copy counts: the file is not one document
        raise DocumentError("the archive holds two files under one name")
    if len(members) > budget.limits.max_archive_members:
        raise DocumentError(f"the archive holds more than {budget.limits.max_archive_members} files")
    budget.part(len(members))
    if sum(i.file_size for i in members) + budget.expanded > budget.limits.max_total_bytes:
        raise DocumentError(f"the archive unpacks to more than {budget.limits.max_total_bytes // 1024 // 1024} MB "
                            "(with the rest of the message)")
    if any(i.flag_bits & 0x1 for i in members):
        raise DocumentError("the archive is encrypted (password protected): its content cannot be checked")
    return archive, members


def package_kind(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> str:
    """'opc' (Office Open XML, XPS), 'odf' (OpenDocument), 'epub', or 'zip' (a plain archive)."""
    names = {i.filename.lower() for i in members}
    if "[content_types].xml" in names:
        return "opc"
    if "mimetype" in names:
        info = next(i for i in members if i.filename.lower() == "mimetype")
        mimetype = _read(archive, info, None)[:200].decode("ascii", "replace")
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            return "odf"
        if mimetype.startswith("application/epub"):
            return "epub"
    return "zip"


def read_zip(data: bytes, where: str, budget: Budget, read_part: ReadPart) -> Extraction:
    """A package part by part, or a plain archive member by member (names shown hashed)."""
    archive, members = open_zip(data, budget)
    with archive:
        kind = package_kind(archive, members)
        if kind == "zip":
            results = []
            for info in members:
                name = member_name(info)
                content = _read(archive, info, budget)
                member_where = f"{where}/{shown_name(name)}"
                results.append(Extraction((TextPart(member_where, PurePosixPath(name).name, "filename"),)))
                results.append(read_part(name, content, member_where, ""))
            return merge(results)
        if kind == "odf":
            _refuse_encrypted_odf(archive, members)
        return _read_package(archive, members, where, budget, read_part)


def _refuse_encrypted_odf(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    manifest = next((i for i in members if i.filename == "META-INF/manifest.xml"), None)
    if manifest is not None and b"encryption-data" in _read(archive, manifest, None):
        raise DocumentError("the document is encrypted (password protected)")


def _read_package(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], where: str, budget: Budget,
                  read_part: ReadPart) -> Extraction:
    defaults, overrides = _content_types(archive, {i.filename for i in members})
    parts: list[_Member] = []
    for info in members:
        suffix = PurePosixPath(info.filename.lower()).suffix.lstrip(".")
        content_type = overrides.get(info.filename.lower()) or defaults.get(suffix, "")
        parts.append(_Member(info.filename, info.file_size, content_type))
    texts: list[TextPart] = []
    results: list[Extraction] = []
    loaded = {p.path: _read(archive, archive.getinfo(p.path), budget) for p in parts if not _skipped(p)}
    styles = [_read(archive, archive.getinfo(p.path), budget) for p in parts
              if p.path.lower().endswith(("styles.xml", "content.xml"))]
    caps, hidden = capital_styles(styles), hidden_styles(styles)
    shared: list[str] = []
    for path, content in loaded.items():
        if _is_xml(path, content) and xml_root(content)[1] == "sst":
            shared.extend(shared_strings(content, path))
    for member in parts:
        if member.path not in loaded:
            continue
        budget.check_time()
        content = loaded[member.path]
        part_where = f"{where}: {member.path}"
        lowered = member.path.lower()
        if any(m in lowered for m in _MACROS) or "vbaproject" in member.content_type:
            raise DocumentError("the document carries macros or controls (VBA/ActiveX), which cannot be checked")
        if _is_xml(member.path, content) and not lowered.endswith(".svg"):
            root = xml_root(content)[1]
            if root == "worksheet":
                lines = sheet_lines(content, member.path, shared, budget)
            elif root == "sst":
                lines = shared
            else:
                lines = xml_lines(content, member.path, caps)
                if hidden or has_hidden_text(content):
                    lines += xml_lines(content, member.path, caps, shown_only=True, hidden_styles=hidden)
            budget.text(sum(map(len, lines)))
            texts.append(TextPart(part_where, "\n".join(lines), "attachment"))
        else:
            read = read_part(PurePosixPath(member.path).name, content, part_where, member.content_type)
            results.append(_picture_read_if_possible(content, read))
    return merge([Extraction(tuple(texts)), *results])


_PICTURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def _picture_read_if_possible(content: bytes, read: Extraction) -> Extraction:
    """A picture inside a document (a logo, a seal, a photo) is read by OCR when it can be, and a
    mark found there refuses the message; one OCR cannot read is noted, not refused: the document
    around it is read, and real documents carry seals and signatures no OCR reads."""
    if not read.uninspectable or not content.startswith(_PICTURES):
        return read
    return Extraction(read.parts, (), read.attachments, read.size,
                      read.not_read + tuple(u.where for u in read.uninspectable))


def _skipped(member: _Member) -> bool:
    """Parts with no text a person reads in the document: package structure, fonts, printer
    settings, themes and style definitions, and picture renders of content that is read itself."""
    lowered = member.path.lower()
    if lowered in _STRUCTURE or lowered == "mimetype" or lowered.endswith(_SKIPPED_SUFFIXES):
        return True
    if any(t in member.content_type for t in _SKIPPED_TYPES) or "printersettings" in lowered:
        return True
    return lowered.startswith(_SKIPPED_FOLDERS)


def _is_xml(path: str, content: bytes) -> bool:
    head = content[:512].lstrip().lower()
    if path.lower().endswith((".htm", ".html", ".mht", ".mhtml")) or head.startswith((b"<!doctype html", b"<html")):
        return False  # an HTML alt chunk is read as HTML, not as XML
    return path.lower().endswith(_XML_SUFFIXES) or looks_like_xml(content)


def member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # names not flagged UTF-8 are usually cp437 bytes of UTF-8 or cp1258
        raw = name.encode("cp437", "replace")
        for encoding in ("utf-8", "cp1258"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name
