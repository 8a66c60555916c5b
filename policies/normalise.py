"""Text normalisation before matching: NFC, invisible characters out, letter-spaced words
rejoined, case folded with diacritics kept. Never strip diacritics: mặt, mất, mắt and mạt
would all become "mat"."""

from __future__ import annotations

import functools
import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# A run of at least three single letters separated by one space, dot or hyphen: "M Ậ T", "M.Ậ.T".
_SPACED = re.compile(r"(?<!\w)(\w)(?:[ .\-·](\w)(?!\w)){2,}")


@functools.cache
def _confusables() -> dict[int, str]:
    """Letters that look Latin but are not: Unicode's confusables data (UTS #39, through the
    confusable_homoglyphs package) gives each its Latin look-alike; Latin small capitals and modifier
    capitals (by their Unicode names) read as the capitals they look like. Latin letters with marks,
    which Vietnamese is written in, are never touched."""
    import json
    from importlib.resources import files

    data = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    table: dict[int, str] = {}
    for char, homoglyphs in data.items():
        if len(char) != 1 or char.isascii() or unicodedata.name(char, "").startswith("LATIN"):
            continue
        letters = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
        if letters:
            capital = "CAPITAL" in unicodedata.name(char, "")
            letters.sort(key=lambda c: c.isupper() != capital)
            # Unicode's skeleton of I is l; a capital that looks like l looks like I
            table[ord(char)] = "I" if capital and letters[0] == "l" else letters[0]
    for code in range(0x1D00, 0x1D80):
        name = unicodedata.name(chr(code), "")
        for marker in ("LATIN LETTER SMALL CAPITAL ", "MODIFIER LETTER CAPITAL "):
            if name.startswith(marker) and len(name) == len(marker) + 1:
                table[code] = name[-1]
    for code in (0x0280, 0x026A, 0x0262, 0x029C, 0x029F, 0x0274, 0x0276, 0x028F, 0x0299, 0x1D07):
        name = unicodedata.name(chr(code), "")
        if "SMALL CAPITAL " in name and len(name.rsplit(" ", 1)[-1]) == 1:
            table[code] = name[-1]
    return table


# Text that is all Latin, Vietnamese and common punctuation (nearly every text) needs neither of the
# two slower repairs below; one fast look decides.
_UNUSUAL = re.compile("[^\x00-\u02ff\u1e00-\u1eff\u2000-\u20cf]")
# Marks that Vietnamese is written with; any other combining mark (an underline, a strike-through, an
# enclosing circle) only decorates a letter and is dropped before matching.
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")
_DECORATION = re.compile("[" + "".join(
    re.escape(chr(c)) for block in ((0x0300, 0x0370), (0x0483, 0x048A), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00),
                                    (0x20D0, 0x2100), (0xFE20, 0xFE30))
    for c in range(*block) if chr(c) not in _VIETNAMESE_MARKS) + "]")


def clean(text: str) -> str:
    """NFKC (full-width, mathematical and other compatibility forms folded), look-alike letters of
    other scripts made Latin, invisible and control characters removed (tabs and line breaks kept),
    spaces made plain."""
    text = unicodedata.normalize("NFKC", text)
    if "\u202e" in text:  # RIGHT-TO-LEFT OVERRIDE: letters stored backwards are shown forwards
        text = _OVERRIDDEN.sub(lambda m: m.group(1)[::-1], text)
    if _UNUSUAL.search(text):
        text = text.translate(_confusables())  # made on first need: most text never needs it
        # NFKC has composed every letter it can: a combining mark still standing alone is a decoration
        text = _DECORATION.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
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
    return normalise_cleaned(clean(line))


def normalise_cleaned(line: str) -> str:
    """normalise_line for text that has been through clean() already."""
    return _RUNS_OF_SPACES.sub(" ", rejoin_letter_spacing(line)).strip()


_RUNS_OF_SPACES = re.compile(r" +")
_OVERRIDDEN = re.compile("\u202e([^\u202a-\u202e\n]*)(?:\u202c|$)", re.M)
