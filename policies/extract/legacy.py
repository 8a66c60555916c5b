"""The binary and older formats provinces still exchange daily: Word 97-2003 (DOC),
Excel 97-2003 (XLS) and RTF."""

from __future__ import annotations

import io
import re
import struct

from policies.extract.office import DocumentError
from policies.types import TextPart

_FIELD_CODE = re.compile("\x13[^\x13\x14\x15]*\x14?")


def ole_parts(data: bytes, where: str) -> list[TextPart]:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError(f"the Office file is damaged ({type(exc).__name__})") from exc
    try:
        streams = {"/".join(entry) for entry in ole.listdir()}
        if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
            raise DocumentError("the Office document is encrypted (password protected)")
        if "WordDocument" in streams:
            return [TextPart(where, _word97_text(ole), "attachment")]
        if "Workbook" in streams or "Book" in streams:
            return [TextPart(where, _xls_text(data), "attachment")]
        raise DocumentError("an Office file of a kind that cannot be read (not DOC or XLS)")
    finally:
        ole.close()


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
    return [TextPart(where, text.replace("|", "\t"), "attachment")]
