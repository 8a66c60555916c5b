"""The binary and older formats provinces still exchange daily: Word 97-2003 (DOC),
Excel 97-2003 (XLS) and RTF."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable

from policies.extract.base import DocumentError, merge, shown_name
from policies.types import Extraction, TextPart

# Recursion into the reader of an embedded file's own kind: (name, data, where, content type) -> Extraction
ReadEmbedded = Callable[[str, bytes, str, str], Extraction]

_FIELD_CODE = re.compile("\x13[^\x13\x14\x15]*\x14?")


def ole_read(data: bytes, where: str, read_embedded: ReadEmbedded) -> Extraction:
    """A compound (OLE) file: Word 97-2003, Excel 97-2003, or an object Office embedded (a file
    packaged by Windows' Packager, an OOXML package, a PDF); anything else cannot be read."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError(f"the Office file is damaged ({type(exc).__name__})") from exc
    try:
        streams = {"/".join(entry) for entry in ole.listdir()}
        if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
            raise DocumentError("the Office document is encrypted (password protected)")
        if any(s.startswith("__substg1.0_") for s in streams):
            return _outlook_item(ole, streams, where, read_embedded)
        if "WordDocument" in streams:
            text = Extraction((TextPart(where, _word97_text(ole), "attachment"),))
            return _join(text, _object_pool(ole, streams, where, read_embedded))
        if "Workbook" in streams or "Book" in streams:
            return Extraction((TextPart(where, _xls_text(data), "attachment"),))
        if "\x01Ole10Native" in streams:
            name, payload = _ole10_native(ole.openstream("\x01Ole10Native").read())
            inner = f"{where}/{shown_name(name)}"
            filename = Extraction((TextPart(inner, name, "filename"),))
            return _join(filename, read_embedded(name, payload, inner, ""))
        for stream in ("Package", "CONTENTS"):
            if stream in streams:
                return read_embedded(stream.lower(), ole.openstream(stream).read(), where, "")
        raise DocumentError("an Office file of a kind that cannot be read (not DOC, XLS or an embedded file)")
    finally:
        ole.close()


_OBJECT_METADATA = {"\x01CompObj", "\x01Ole", "\x03ObjInfo", "\x05SummaryInformation",
                    "\x05DocumentSummaryInformation", "\x03EPRINT", "\x03META", "\x02OlePres000", "\x03PIC",
                    "\x01Ole10ItemName"}


def _object_pool(ole: object, streams: set[str], where: str, read_embedded: ReadEmbedded) -> Extraction:
    """Objects embedded in a Word 97-2003 document (its ObjectPool): each is read, or the document
    cannot be checked."""
    pool: dict[str, set[str]] = {}
    for stream in streams:
        parts = stream.split("/")
        if len(parts) == 3 and parts[0] == "ObjectPool":
            pool.setdefault(parts[1], set()).add(parts[2])
    result = Extraction(())
    for number, (storage, names) in enumerate(sorted(pool.items()), start=1):
        inner = f"{where} (object {number})"

        def read(name: str, storage: str = storage) -> bytes:
            return bytes(ole.openstream(f"ObjectPool/{storage}/{name}").read())  # type: ignore[attr-defined]

        if "Workbook" in names or "Book" in names:
            result = _join(result, Extraction((TextPart(inner, _xls_text(read(
                "Workbook" if "Workbook" in names else "Book")), "attachment"),)))
        elif "\x01Ole10Native" in names:
            name, payload = _ole10_native(read("\x01Ole10Native"))
            result = _join(result, read_embedded(name, payload, inner, ""))
        elif names & {"Package", "CONTENTS"}:
            result = _join(result, read_embedded("object", read(sorted(names & {"Package", "CONTENTS"})[0]), inner, ""))
        elif names - _OBJECT_METADATA:
            raise DocumentError("the Word document embeds an object of a kind that cannot be read")
    return result


def _join(first: Extraction, second: Extraction) -> Extraction:
    return merge([first, second])


def _ole10_native(stream: bytes) -> tuple[str, bytes]:
    """Windows Packager's wrapper: size, flags, label, path, …, then the file's own bytes."""
    try:
        position = 6
        label_end = stream.index(b"\x00", position)
        label = stream[position:label_end].decode("cp1252", "replace")
        position = stream.index(b"\x00", label_end + 1) + 1 + 4  # source path, then reserved
        temp_size = struct.unpack_from("<I", stream, position)[0]
        position += 4 + temp_size
        size = struct.unpack_from("<I", stream, position)[0]
        payload = stream[position + 4: position + 4 + size]
    except (ValueError, struct.error) as exc:
        raise DocumentError("an embedded object is damaged") from exc
    if len(payload) != size:
        raise DocumentError("an embedded object is damaged (cut short)")
    return label or "embedded", payload


def _word97_text(ole: object) -> str:
    """Text of a Word 97-2003 document through its piece table ([MS-DOC] 2.4.1)."""
    word = ole.openstream("WordDocument").read()  # type: ignore[attr-defined]
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    if flags & 0x0100:
        raise DocumentError("the Word document is encrypted (password protected)")
    table_name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(table_name):  # type: ignore[attr-defined]
        raise DocumentError("the Word document is damaged (no table stream)")
    table = ole.openstream(table_name).read()  # type: ignore[attr-defined]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
    clx = table[fc_clx: fc_clx + lcb_clx]
    position = 0
    while position < len(clx) and clx[position] == 0x01:  # Prc entries come first
        position += 3 + struct.unpack_from("<H", clx, position + 1)[0]
    if position >= len(clx) or clx[position] != 0x02:
        raise DocumentError("the Word document is damaged (no piece table)")
    size = struct.unpack_from("<I", clx, position + 1)[0]
    plc = clx[position + 5: position + 5 + size]
    count = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces: list[str] = []
    for index in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        length = cps[index + 1] - cps[index]
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            pieces.append(word[start: start + length].decode("cp1252", "replace"))
        else:
            pieces.append(word[fc: fc + 2 * length].decode("utf-16-le", "replace"))
    text = _FIELD_CODE.sub("", "".join(pieces)).replace("\x15", "")
    return text.replace("\r", "\n").replace("\x07", "\t").replace("\x0b", "\n").replace("\x0c", "\n")


def _xls_text(data: bytes) -> str:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        message = str(exc).lower()
        if "encrypt" in message or "password" in message:
            raise DocumentError("the workbook is encrypted (password protected)") from exc
        raise DocumentError(f"the workbook is damaged ({type(exc).__name__})") from exc
    lines: list[str] = []
    for sheet in book.sheets():
        lines.append(sheet.name)
        for row in range(sheet.nrows):
            cells = [str(v) if v not in (None, "") else "" for v in sheet.row_values(row)]
            if any(cells):
                lines.append("\t".join(cells))
    return "\n".join(lines)


def rtf_parts(data: bytes, where: str) -> list[TextPart]:
    from striprtf.striprtf import rtf_to_text

    head = data[:4096].decode("latin-1")
    codepage = re.search(r"\\ansicpg(\d+)", head)
    encoding = f"cp{codepage.group(1)}" if codepage else "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception as exc:
        raise DocumentError(f"the RTF file is damaged ({type(exc).__name__})") from exc
    parts = [TextPart(where, text.replace("|", "\t"), "attachment")]
    if re.search(rb"\\s?caps(?![0-9a-z])", data):  # text shown in capitals by formatting
        parts.append(TextPart(f"{where} (as shown in capitals)", text.upper().replace("|", "\t"), "attachment"))
    return parts


_OBJDATA = re.compile(rb"\\objdata\s*((?:[0-9a-fA-F]|\s)+)")


def rtf_objects(data: bytes, where: str, read_embedded: ReadEmbedded) -> list[Extraction]:
    """Objects embedded in an RTF file (``\\objdata``: an OLE 1.0 object, hex-encoded): a packaged
    file, or an Office document stored as a compound file."""
    results = []
    for index, match in enumerate(_OBJDATA.finditer(data), start=1):
        inner_where = f"{where} (object {index})"
        try:
            raw = bytes.fromhex(re.sub(rb"\s+", b"", match.group(1)).decode("ascii"))
            class_name, native = _ole1_native(raw)
        except (ValueError, struct.error) as exc:
            raise DocumentError("an embedded object in the RTF file is damaged") from exc
        if class_name.lower().startswith("package"):
            name, payload = _ole10_native(b"\x00\x00\x00\x00" + native)
            results.append(Extraction((TextPart(inner_where, name, "filename"),)))
            results.append(read_embedded(name, payload, inner_where, ""))
        else:
            results.append(read_embedded(class_name or "object", native, inner_where, ""))
    return results


def _ole1_native(raw: bytes) -> tuple[str, bytes]:
    """OLE 1.0 ObjectHeader ([MS-OLEDS] 2.2.4): version, format, class, topic, item, then native data."""
    position = 8
    names = []
    for _ in range(3):
        length = struct.unpack_from("<I", raw, position)[0]
        names.append(raw[position + 4: position + 4 + length].rstrip(b"\x00").decode("cp1252", "replace"))
        position += 4 + length
    size = struct.unpack_from("<I", raw, position)[0]
    native = raw[position + 4: position + 4 + size]
    if len(native) != size:
        raise ValueError("cut short")
    return names[0], native


_MSG_STRING_TYPES = {"001F": "utf-16-le", "001E": "cp1252"}


def _msg_strings(ole: object, streams: set[str], folder: str) -> dict[str, str]:
    """Property id -> text, for the string properties stored directly in one storage of a .msg file."""
    found: dict[str, str] = {}
    for stream in streams:
        head, _, name = stream.rpartition("/")
        if head != folder or not name.startswith("__substg1.0_") or name[-4:] not in _MSG_STRING_TYPES:
            continue
        raw = ole.openstream(stream).read()  # type: ignore[attr-defined]
        found[name[12:16]] = raw.decode(_MSG_STRING_TYPES[name[-4:]], "replace").rstrip("\x00")
    return found


def _outlook_item(ole: object, streams: set[str], where: str, read_embedded: ReadEmbedded) -> Extraction:
    """An Outlook item (.msg, [MS-OXMSG]): subject, bodies, every other text property, attachments."""
    from policies.extract.html import html_read

    strings = _msg_strings(ole, streams, "")
    parts = [TextPart(f"{where} (subject)", strings.pop("0037", ""), "subject"),
             TextPart(where, "\n".join(strings.values()), "attachment")]
    html = "__substg1.0_10130102"
    if html in streams:
        parts.append(TextPart(f"{where} (html)", html_read(ole.openstream(html).read().decode(  # type: ignore
            "utf-8", "replace"))[0], "attachment"))
    elif "1000" not in strings and "__substg1.0_10090102" in streams:
        raise DocumentError("an Outlook item whose only body is compressed RTF cannot be checked")
    results = [Extraction(tuple(parts))]
    folders = sorted({s.split("/")[0] for s in streams if s.startswith("__attach_version1.0_")})
    for number, folder in enumerate(folders, start=1):
        if f"{folder}/__substg1.0_3701000D" in {"/".join(s.split("/")[:2]) for s in streams}:
            raise DocumentError("an Outlook item attached inside an Outlook item cannot be checked")
        names = _msg_strings(ole, streams, folder)
        name = names.get("3707") or names.get("3704") or f"attachment-{number}"
        data_stream = f"{folder}/__substg1.0_37010102"
        if data_stream not in streams:
            continue  # a link or a reference: no content in the item
        inner = f"{where}/{shown_name(name)}"
        results.append(Extraction((TextPart(inner, name, "filename"),)))
        results.append(read_embedded(name, ole.openstream(data_stream).read(), inner, ""))  # type: ignore
    return merge(results)
