"""Which agency a roster cell means: its code or its name, however the clerk typed it
(any case, NFD, doubled spaces, even without diacritics when that is unambiguous)."""

from __future__ import annotations

import difflib

from directory.agencies import code_key, name_key
from directory.models import Agency
from directory.names import unaccented


class AgencyMatcher:
    """Agencies indexed once by code, name and unaccented name: a roster of 10,000 rows against
    3,300 communes must not compare every row with every agency."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.by_code: dict[str, Agency] = {}
        self.by_name: dict[str, Agency] = {}
        self.by_bare: dict[str, list[Agency]] = {}
        for agency in agencies:
            self.add(agency)

    def add(self, agency: Agency) -> None:
        self.by_code.setdefault(agency.code_key, agency)
        self.by_name.setdefault(agency.name_key, agency)
        for bare in {unaccented(agency.name), unaccented(agency.code)}:
            if bare:
                self.by_bare.setdefault(bare, []).append(agency)

    def find(self, value: str) -> Agency | None:
        found = self.by_code.get(code_key(value)) or self.by_name.get(name_key(value))
        if found is not None:
            return found
        candidates = {a.id: a for a in self.by_bare.get(unaccented(value), [])}
        return next(iter(candidates.values())) if len(candidates) == 1 else None

    def unknown(self, value: str) -> str:
        """Why ``value`` names no agency, with the nearest names when there are some."""
        names = {unaccented(a.name): a for a in self.by_name.values()}
        near = difflib.get_close_matches(unaccented(value), list(names), n=3, cutoff=0.75)
        hint = "; did you mean " + " or ".join(f"{names[n].name!r} ({names[n].code})" for n in near) if near else ""
        return (f"unknown agency {value!r}{hint}. Nothing was created: fix the cell, import agencies first "
                "(mailhub directory import-agencies), or give --parent CODE to create it there")
