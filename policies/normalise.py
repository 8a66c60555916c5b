"""Text normalisation before matching: NFC, invisible characters out, letter-spaced words
rejoined, case folded with diacritics kept. Never strip diacritics: mặt, mất, mắt and mạt
would all become "mat"."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufeff\uffa0]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# A run of at least three single letters separated by one space, dot or hyphen: "M Ậ T", "M.Ậ.T".
_SPACED = re.compile(r"(?<!\w)(\w)(?:[ .\-·](\w)(?!\w)){2,}")


# Letters that look Latin but are Cyrillic or Greek: a known way to slip "МẬТ" past a filter.
_CONFUSABLES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y",
    "і": "i", "ј": "j", "ѕ": "s", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
})


def clean(text: str) -> str:
    """NFKC (full-width and other compatibility forms folded), look-alike Cyrillic and Greek letters
    made Latin, invisible and control characters removed (tabs and line breaks kept), spaces made plain."""
    text = unicodedata.normalize("NFKC", text).translate(_CONFUSABLES)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(lambda m: "\t" if m.group(0) == "\x07" else "", text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def rejoin_letter_spacing(line: str) -> str:
    """'T Ố I  M Ậ T' -> 'TỐI MẬT': single letters joined, a wider gap kept as a word break."""
    def join(match: re.Match[str]) -> str:
        return re.sub(r"[ .\-·]", "", match.group(0))

    words = re.split(r"( {2,}|\t)", line)
    return "".join(_SPACED.sub(join, part) if not part.isspace() else " " for part in words if part)


def fold(text: str) -> str:
    """Case-insensitive form that keeps every diacritic (Unicode case folding, then NFC)."""
    return unicodedata.normalize("NFC", text.casefold())


def normalise_line(line: str) -> str:
    return re.sub(r" +", " ", rejoin_letter_spacing(clean(line))).strip()
