"""Text typed in the legacy Vietnamese encodings of older documents, recognised again.

TCVN3 (ABC, TCVN 5712) stores each accented letter as one byte of a custom font; read as
Windows-1252 it looks like "MËT". VNI puts a base letter and a second "mark" byte: "MAÄT".
Either way the text a person saw is "MẬT"; these decoders give it back in Unicode.
"""

from __future__ import annotations

import re

# TCVN3 lower-case letters, by the character their byte shows as in Windows-1252 / Latin-1.
# Upper-case letters with tone marks were drawn with a separate "H" font from the same bytes,
# so after decoding they come back lower-case; callers compare case-insensitively.
_TCVN3 = {
    "µ": "à", "¶": "ả", "·": "ã", "¸": "á", "¹": "ạ",
    "¨": "ă", "»": "ằ", "¼": "ẳ", "½": "ẵ", "¾": "ắ", "Æ": "ặ",
    "©": "â", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ê": "ấ", "Ë": "ậ",
    "®": "đ", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ð": "é", "Ñ": "ẹ",
    "ª": "ê", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Õ": "ế", "Ö": "ệ",
    "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Ý": "í", "Þ": "ị",
    "ß": "ò", "á": "ỏ", "â": "õ", "ã": "ó", "ä": "ọ",
    "«": "ô", "å": "ồ", "æ": "ổ", "ç": "ỗ", "è": "ố", "é": "ộ",
    "¬": "ơ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "í": "ớ", "î": "ợ",
    "ï": "ù", "ñ": "ủ", "ò": "ũ", "ó": "ú", "ô": "ụ",
    "\u00ad": "ư", "õ": "ừ", "ö": "ử", "÷": "ữ", "ø": "ứ", "ù": "ự",
    "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "ý": "ý", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI Windows: a base letter followed by a mark character (two characters for one letter).
_VNI_MARKS_LOWER = {
    "a": {"ø": "à", "ù": "á", "û": "ả", "õ": "ã", "ï": "ạ", "â": "â", "à": "ầ", "á": "ấ", "å": "ẩ", "ã": "ẫ",
          "ä": "ậ", "ê": "ă", "è": "ằ", "é": "ắ", "ú": "ẳ", "ü": "ẵ", "ë": "ặ"},
    "e": {"ø": "è", "ù": "é", "û": "ẻ", "õ": "ẽ", "ï": "ẹ", "â": "ê", "à": "ề", "á": "ế", "å": "ể", "ã": "ễ",
          "ä": "ệ"},
    "o": {"ø": "ò", "ù": "ó", "û": "ỏ", "õ": "õ", "ï": "ọ", "â": "ô", "à": "ồ", "á": "ố", "å": "ổ", "ã": "ỗ",
          "ä": "ộ"},
    "ô": {"ø": "ờ", "ù": "ớ", "û": "ở", "õ": "ỡ", "ï": "ợ"},
    "u": {"ø": "ù", "ù": "ú", "û": "ủ", "õ": "ũ", "ï": "ụ"},
    "ö": {"ø": "ừ", "ù": "ứ", "û": "ử", "õ": "ữ", "ï": "ự"},
    "y": {"ø": "ỳ", "ù": "ý", "û": "ỷ", "õ": "ỹ"},
}
_VNI_SINGLE = {"ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "ô": "ơ", "ö": "ư", "î": "ỵ", "ñ": "đ",
               "Ì": "Ì", "Í": "Í", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Ô": "Ơ", "Ö": "Ư", "Î": "Ỵ", "Ñ": "Đ"}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for base, marks in _VNI_MARKS_LOWER.items():
        for mark, letter in marks.items():
            pairs[base + mark] = letter
            pairs[base.upper() + mark.upper()] = letter.upper()
    return pairs


_VNI_PAIRS = _vni_pairs()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI_PAIRS), key=len, reverse=True))
                          + "|[" + re.escape("".join(_VNI_SINGLE)) + "]")


_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
_HIGH_LATIN1 = re.compile(r"[\xa0-\xff]")


def could_be_legacy(text: str) -> bool:
    """Legacy-encoded text never holds a Unicode Vietnamese letter beyond Latin-1, but does hold high bytes."""
    if text.isascii():
        return False
    return _BEYOND_LATIN1.search(text) is None and _HIGH_LATIN1.search(text) is not None


def from_tcvn3(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


def from_vni(text: str) -> str:
    return _VNI_PATTERN.sub(lambda m: _VNI_PAIRS.get(m.group(0)) or _VNI_SINGLE[m.group(0)], text)


def legacy_readings(text: str) -> list[str]:
    """The text as TCVN3 and as VNI, when it could be either; otherwise nothing."""
    if not could_be_legacy(text):
        return []
    return [reading for reading in (from_tcvn3(text), from_vni(text)) if reading != text]
