"""Other readings of header text whose label may lie. An encoded word (RFC 2047) or an RFC 2231
parameter names the charset of its bytes, and a sender can name one in which any byte is valid
(ISO-8859-1, KOI8-R): UTF-8 text then reads as other letters and a mark in it is not seen. Wherever
such bytes are valid UTF-8, their UTF-8 reading is checked too."""

from __future__ import annotations

import email.header
import email.utils
from email.message import Message
from email.policy import compat32


def _read(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "ascii", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def utf8_reading(raw: str) -> str:
    """``raw`` (a header value as sent) with its encoded words read as UTF-8 where their bytes are valid
    UTF-8; "" when that changes nothing against the charsets they name."""
    try:
        pieces = email.header.decode_header(raw)
    except Exception:  # a malformed encoded word: the value is read as it is elsewhere
        return ""
    out, changed = [], False
    for data, charset in pieces:
        if isinstance(data, str):
            out.append(data)
            continue
        declared = _read(data, charset)
        try:
            as_utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            out.append(declared)
            continue
        changed = changed or as_utf8 != declared
        out.append(as_utf8)
    return "".join(out) if changed else ""


def header_utf8_readings(message: Message, name: str) -> list[str]:
    """``utf8_reading`` of each ``name`` field that has one."""
    return [reading for key, value in message.raw_items() if key.lower() == name.lower()
            for reading in [utf8_reading(str(value))] if reading]


def filename_utf8_readings(part: Message) -> list[str]:
    """A part's file name read as UTF-8, when its label (an encoded word in the name, or an RFC 2231
    charset) names another charset and the bytes are valid UTF-8."""
    readings: list[str] = []
    for header in ("Content-Disposition", "Content-Type"):
        raw = next((str(v) for k, v in part.raw_items() if k.lower() == header.lower()), None)
        if raw is None:
            continue
        holder = Message(policy=compat32)
        holder[header] = raw
        for param in ("filename", "name"):
            value = holder.get_param(param, header=header)
            if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded text)
                data = value[2].encode("latin-1", errors="replace")  # compat32 gives the bytes as Latin-1 letters
                try:
                    as_utf8 = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if as_utf8 != _read(data, value[0]):
                    readings.append(as_utf8)
            elif isinstance(value, str):
                reading = utf8_reading(email.utils.unquote(value))
                if reading:
                    readings.append(reading)
    return list(dict.fromkeys(readings))
