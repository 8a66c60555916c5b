"""Vietnamese personal names: cleaning and unaccented mailbox names.

Names arrive from spreadsheets in NFC or NFD, with odd spacing and capitals.
Everything the directory stores is NFC; mailbox names are built from an
unaccented, lower-case form where Đ/đ becomes d before marks are stripped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean_text(value: str) -> str:
    """NFC, invisible characters removed, runs of white space folded to one space."""
    value = unicodedata.normalize("NFC", value.translate(_INVISIBLE))
    return _SPACES.sub(" ", value).strip()


def clean_full_name(value: str) -> str:
    """A person's name as it should be stored: NFC, single spaces, each word capitalised."""
    words = clean_text(value).split(" ")
    return " ".join(_capitalise(word) for word in words if word)


# Academic and professional titles written before a name (TS. Nguyễn Văn Hùng, PGS.TS. …, BSCKII. …).
HONORIFICS = frozenset({
    "gs", "pgs", "ts", "tskh", "ths", "bs", "bsck", "bscki", "bsckii", "bsnt", "ck", "cki", "ckii", "ks", "kts",
    "cn", "ds", "dsck", "dscki", "dsckii", "ls", "ncs", "ttut", "ttnd", "nsnd", "nsut", "ngut", "ngnd", "gv", "gvc",
})
HONORIFIC_WORDS = ("giáo sư", "phó giáo sư", "tiến sĩ", "tiến sỹ", "thạc sĩ", "thạc sỹ", "bác sĩ", "bác sỹ",
                   "dược sĩ", "dược sỹ", "kỹ sư", "kĩ sư", "kiến trúc sư", "luật sư", "cử nhân", "nghiên cứu sinh")
_DOTTED = re.compile(r"^((?:[^\W\d_]{1,7}\s*\.\s*)+)(?=\S)")


def split_honorific(value: str) -> tuple[str, str]:
    """('TS.', 'Nguyễn Văn Hùng') from 'TS. Nguyễn Văn Hùng'; ('', name) when no title leads the name.
    Abbreviations count with or without dots (TS, Ts., PGS.TS., ThS.BS.); spelled-out titles too
    (Tiến sĩ, Bác sĩ). What is left must still be two words or more: a title is never a whole name."""
    name = clean_text(value)
    prefix: list[str] = []
    while True:
        dotted = _DOTTED.match(name)
        parts = [p for p in re.split(r"[.\s]+", dotted.group(1)) if p] if dotted else []
        if dotted and all(unaccented(p) in HONORIFICS for p in parts) and len(name[dotted.end():].split()) >= 2:
            prefix.append(dotted.group(1).replace(" ", ""))
            name = name[dotted.end():].strip()
            continue
        words = name.split(" ")
        if len(words) >= 3 and words[0].isascii() and words[0].casefold() in HONORIFICS:
            prefix.append(words[0])
            name = " ".join(words[1:])
            continue
        folded = name.casefold()
        spelled = next((w for w in sorted(HONORIFIC_WORDS, key=len, reverse=True)
                        if folded.startswith(w + " ") and len(name[len(w):].split()) >= 2), None)
        if spelled:
            prefix.append(name[:len(spelled)])
            name = name[len(spelled):].strip()
            continue
        return " ".join(prefix), name


def _capitalise(word: str) -> str:
    # Hyphenated or apostrophe names keep each part capitalised ("Ê-Đê" style names).
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def unaccented(value: str) -> str:
    """Lower-case ASCII letters and digits only: 'Đỗ Thị Hương' -> 'dothihuong'."""
    value = unicodedata.normalize("NFC", value).replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]", "", stripped.lower())


@dataclass(frozen=True)
class NameParts:
    """A Vietnamese name split the usual way: surname first, given name last."""

    surname: str
    middle: tuple[str, ...]
    given: str

    @classmethod
    def of(cls, full_name: str) -> NameParts:
        words = [w for w in clean_full_name(full_name).replace("-", " ").split(" ") if w]
        if not words:
            raise ValueError("empty name")
        if len(words) == 1:
            return cls(surname="", middle=(), given=words[0])
        return cls(surname=words[0], middle=tuple(words[1:-1]), given=words[-1])

    def fields(self) -> dict[str, str]:
        """Unaccented placeholders for an address pattern."""
        surname = unaccented(self.surname)
        middle = [unaccented(m) for m in self.middle]
        middle_initials = "".join(m[:1] for m in middle)
        return {
            "given": unaccented(self.given),
            "surname": surname,
            "middle": "".join(middle),
            "surname_initial": surname[:1],
            "middle_initials": middle_initials,
            "initials": surname[:1] + middle_initials,
        }
