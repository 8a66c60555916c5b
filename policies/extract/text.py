"""Text files: which bytes are text (and in which encoding), and files carried inside text
(uuencoded blocks in a plain body, base64 attachments inside iCalendar data)."""

from __future__ import annotations

import base64
import binascii
import re

_UU_BEGIN = re.compile(r"^begin(?:-base64)? [0-7]{3,4} (.+)$", re.M)
_ICS_ATTACH = re.compile(r"^ATTACH((?:;[^:\n]*)?):(.*)$", re.M | re.I)
_MIME_HEAD = re.compile(rb"^(?:[\w-]+:[^\n]*\n(?:[ \t][^\n]*\n)*)+\n", re.S)
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _codec(charset: str) -> str:
    value = charset.strip().lower()
    return {"windows-1258": "cp1258", "x-viet-vps": "cp1258", "tcvn": "cp1258", "unicode-1-1-utf-7": "utf-7"}.get(
        value, value)


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Every reading of ``data`` a mark could hide in, one after the other: the declared charset's and
    UTF-8's, each when the bytes decode cleanly in it. A label says nothing certain (one that names a
    charset in which any byte is valid, ISO-8859-1 or KOI8-R, turns UTF-8 text into other letters),
    and one broken byte must not turn a whole UTF-8 text into mojibake: when neither reads cleanly,
    UTF-8 with the broken bytes replaced, then the Vietnamese code page (cp1258)."""
    readings = []
    for encoding in filter(None, (charset, "utf-8")):
        try:
            readings.append(data.decode(_codec(encoding)))
        except (UnicodeDecodeError, LookupError, ValueError):  # ValueError: a label with a NUL in it
            continue
    if not readings:
        readings = [data.decode("utf-8", errors="replace"), data.decode("cp1258", errors="replace")]
    return "\n\n".join(dict.fromkeys(readings))


def sniff_text(data: bytes, content_type: str = "") -> str | None:
    """The text if these bytes are text (UTF-8, UTF-16 with a byte-order mark, or an 8-bit Vietnamese
    code page); None for a binary file, whatever its name or declared type says."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    sample = data[:1 << 16]
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if len(sample) > 64 and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):  # UTF-16, no BOM
            try:
                return data.decode("utf-16-le")
            except UnicodeDecodeError:
                return None
        return None
    charset = re.search(r"charset=\"?([\w.-]+)", content_type)
    text = decode_text(data, charset.group(1) if charset else None)
    controls = len(_BINARY_CONTROLS.findall(text[:1 << 16]))
    return text if controls <= max(2, len(text[:1 << 16]) // 200) else None


def looks_like_mime(data: bytes) -> bool:
    """A message or MHTML file: a header block naming a MIME type, then a blank line."""
    head = data[:8192].replace(b"\r\n", b"\n")
    match = _MIME_HEAD.match(head)
    if match is None:
        return False
    block = match.group(0).lower()
    return b"content-type:" in block and b"mime-version:" in block


def _uudecode(lines: list[str]) -> bytes:
    out = bytearray()
    for line in lines:
        if not line or line in ("`", " "):
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # some encoders pad badly: decode what the length byte announces
            count = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            out += binascii.a2b_uu(line[:count])
    return bytes(out)


def embedded_files(text: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of every uuencoded block and every base64 iCalendar ATTACH in a text."""
    found: list[tuple[str, bytes]] = []
    for match in _UU_BEGIN.finditer(text) if "begin" in text else ():  # (a quick test first)
        rest = text[match.end():].lstrip("\r\n").splitlines()
        body: list[str] = []
        for line in rest:
            if line.strip() == "end" or line.strip() == "====":
                break
            body.append(line.rstrip("\r"))
        name = match.group(1).strip() or "uuencoded"
        try:
            data = base64.b64decode("".join(body)) if match.group(0).startswith("begin-base64") else _uudecode(body)
        except (binascii.Error, ValueError):
            data = b"\x00\xff uudecode failed"  # handed on as an unreadable binary: it fails closed
        found.append((name, data))
    if "BEGIN:V" in text.upper():
        unfolded = re.sub(r"\r?\n[ \t]", "", text)
        for match in _ICS_ATTACH.finditer(unfolded):
            params = match.group(1).upper()
            if "BASE64" not in params:
                continue
            filename = re.search(r"(?:X-FILENAME|FILENAME)=\"?([^;\":]+)", match.group(1), re.I)
            try:
                data = base64.b64decode(re.sub(r"\s+", "", match.group(2)))
            except (binascii.Error, ValueError):
                data = b"\x00\xff base64 failed"
            found.append((filename.group(1) if filename else "calendar-attachment", data))
    return found


_ARMOUR = re.compile(r"-----BEGIN (PGP MESSAGE|PKCS7|ENCRYPTED[A-Z ]*|AGE ENCRYPTED FILE)-----")


def encrypted_block(text: str) -> str | None:
    """The kind of an armoured encrypted block in a text (inline PGP, PEM PKCS#7), if there is one."""
    match = _ARMOUR.search(text)
    return match.group(1) if match else None


def structured_lines(text: str, suffix: str, content_type: str) -> str | None:
    """CSV as tab-separated cells, JSON as 'key: value' lines, iCalendar properties as 'NAME: value'
    lines; None for other text. The rules read cells and fields the way a person sees them."""
    import csv
    import json

    if suffix in (".csv", ".tsv") or content_type in ("text/csv", "text/tab-separated-values"):
        dialect = "excel-tab" if "\t" in text[:4096] else ("excel" if text[:4096].count(",") >= text[:4096].count(
            ";") else None)
        rows = csv.reader(text.splitlines(), dialect) if dialect else csv.reader(text.splitlines(), delimiter=";")
        return "\n".join("\t".join(row) for row in rows)
    stripped = text.lstrip()
    if suffix == ".json" or content_type == "application/json" or stripped[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        lines: list[str] = []
        _flatten(data, "", lines)
        return "\n".join(lines)
    return None


def _flatten(value: object, key: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _flatten(item, str(name), lines)
    elif isinstance(value, list):
        for item in value:
            _flatten(item, key, lines)
    elif value is not None:
        lines.append(f"{key}: {value}" if key else str(value))
        lines.append(str(value))


_ICS_SUBJECT = re.compile(r"^(?:SUMMARY|DESCRIPTION|COMMENT|LOCATION|X-ALT-DESC)(?:;[^:\n]*)?:(.*)$", re.M | re.I)


def calendar_subjects(text: str) -> str:
    """The titles of events in iCalendar data: what a calendar shows as the subject."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    return "\n".join(m.group(1).replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
                     for m in _ICS_SUBJECT.finditer(unfolded) if m.group(0)[:7].upper() == "SUMMARY")
