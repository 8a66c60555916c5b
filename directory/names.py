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
