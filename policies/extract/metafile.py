"""Text drawn in Windows metafiles (EMF, EMF+, WMF): the vector pictures Office pastes charts,
diagrams and text frames as. Text drawn as glyph indices has no characters to read: uninspectable."""

from __future__ import annotations

import struct

from policies.extract.base import DocumentError

EMF_SIGNATURE = b" EMF"
WMF_PLACEABLE = b"\xd7\xcd\xc6\x9a"
_EMR_EOF, _EMR_COMMENT, _EMR_TEXTA, _EMR_TEXTW = 14, 70, 83, 84
_ETO_GLYPH_INDEX = 0x10
_EMFPLUS_DRAWSTRING = 0x401C
_MAX_RECORDS = 2_000_000


def is_emf(data: bytes) -> bool:
    return len(data) >= 44 and data[40:44] == EMF_SIGNATURE and struct.unpack_from("<I", data, 0)[0] == 1


def is_wmf(data: bytes) -> bool:
    return data.startswith(WMF_PLACEABLE) or (len(data) >= 18 and data[:6] in (
        b"\x01\x00\x09\x00\x00\x03", b"\x02\x00\x09\x00\x00\x03"))


def emf_text(data: bytes) -> str:
    lines: list[str] = []
    offset, records = 0, 0
    while offset + 8 <= len(data) and records < _MAX_RECORDS:
        kind, size = struct.unpack_from("<II", data, offset)
        if size < 8 or offset + size > len(data):
            raise DocumentError("the metafile is damaged (a record runs past its end)")
        record = data[offset: offset + size]
        if kind in (_EMR_TEXTA, _EMR_TEXTW) and size >= 76:
            count, string_offset, options = struct.unpack_from("<III", record, 44)
            if options & _ETO_GLYPH_INDEX:
                raise DocumentError("the metafile draws text as glyph numbers, which cannot be read")
            width = 2 if kind == _EMR_TEXTW else 1
            raw = record[string_offset: string_offset + count * width]
            lines.append(raw.decode("utf-16-le" if width == 2 else "cp1258", "replace"))
        elif kind == _EMR_COMMENT and record[12:16] == b"EMF+":
            lines.extend(_emfplus_strings(record[16:]))
        elif kind == _EMR_EOF:
            break
        offset += size
        records += 1
    return "\n".join(lines)


def _emfplus_strings(block: bytes) -> list[str]:
    out: list[str] = []
    offset = 0
    while offset + 12 <= len(block):
        kind, _flags, size, data_size = struct.unpack_from("<HHII", block, offset)
        if size < 12:
            break
        if kind == _EMFPLUS_DRAWSTRING and data_size >= 28:
            length = struct.unpack_from("<I", block, offset + 12 + 8)[0]
            start = offset + 12 + 28
            out.append(block[start: start + 2 * length].decode("utf-16-le", "replace"))
        offset += size
    return out


def wmf_text(data: bytes) -> str:
    offset = 22 if data.startswith(WMF_PLACEABLE) else 0
    if len(data) < offset + 18:
        raise DocumentError("the metafile is damaged (no header)")
    offset += struct.unpack_from("<H", data, offset + 2)[0] * 2  # header size in 16-bit words
    lines: list[str] = []
    records = 0
    while offset + 6 <= len(data) and records < _MAX_RECORDS:
        words, function = struct.unpack_from("<IH", data, offset)
        if words < 3 or offset + words * 2 > len(data):
            raise DocumentError("the metafile is damaged (a record runs past its end)")
        params = data[offset + 6: offset + words * 2]
        if function == 0x0521 and len(params) >= 2:  # META_TEXTOUT: count, string, y, x
            count = struct.unpack_from("<H", params, 0)[0]
            lines.append(params[2: 2 + count].decode("cp1258", "replace"))
        elif function == 0x0A32 and len(params) >= 8:  # META_EXTTEXTOUT: y, x, count, options, [rect], string
            count, options = struct.unpack_from("<HH", params, 4)
            start = 8 + (8 if options & 0x0006 else 0)
            lines.append(params[start: start + count].decode("cp1258", "replace"))
        elif function == 0x0000:
            break
        offset += words * 2
        records += 1
    return "\n".join(lines)
