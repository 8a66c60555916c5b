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


def clean(text: str) -> str:
    """NFC, invisible and control characters removed (tabs and line breaks kept), odd spaces made plain."""
    text = unicodedata.normalize("NFC", text)
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
