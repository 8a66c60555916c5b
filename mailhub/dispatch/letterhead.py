"""The parts of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I) that every letter
mailhub writes carries: the parent authority above the issuing office, the number, the place and
date line, the recipients list (Nơi nhận) and the signer block. Values come from the directory and
may be given on the command line; empty ones are left out of the letter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from directory import AgencyInfo, Directory, DirectoryError
from mailhub.timeutil import LOCAL, document_date

_PEOPLES_COMMITTEE = re.compile(r"^(ủy|uỷ) ban nhân dân\s+", re.IGNORECASE)
_PLACE_PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Signer:
    authority: str = ""  # TL. CHỦ TỊCH, KT. GIÁM ĐỐC, TM. ỦY BAN NHÂN DÂN
    title: str = ""  # CHÁNH VĂN PHÒNG
    name: str = ""


@dataclass(frozen=True)
class Letterhead:
    office: str  # the issuing office, upper case: SỞ Y TẾ, VĂN PHÒNG
    parent: str = ""  # its parent authority, upper case: UBND TỈNH KHÁNH HÒA ("" at the top)
    place: str = ""  # địa danh: Khánh Hòa
    number: str = ""  # 45/GM-UBND (printed as "Số: 45/GM-UBND")
    signer: Signer = field(default_factory=Signer)
    recipients_note: tuple[str, ...] = ()  # Nơi nhận, one line each

    def date_line(self, when: datetime) -> str:
        """'Khánh Hòa, ngày 05 tháng 01 năm 2027': days below 10 and months 1 and 2 take a leading zero."""
        text = document_date(when.astimezone(LOCAL).date())
        return f"{self.place}, {text}" if self.place else text[0].upper() + text[1:]

    def with_options(self, *, number: str = "", signer: Signer | None = None,
                     recipients_note: tuple[str, ...] = ()) -> Letterhead:
        chosen = self.signer
        if signer is not None:
            chosen = Signer(signer.authority.strip().upper() or chosen.authority,
                            signer.title.strip().upper() or chosen.title, signer.name.strip() or chosen.name)
        return replace(self, number=number.strip() or self.number, signer=chosen,
                       recipients_note=recipients_note or self.recipients_note)


def short_name(name: str) -> str:
    """'Ủy ban nhân dân tỉnh Khánh Hòa' -> 'UBND TỈNH KHÁNH HÒA', as letterheads write it."""
    return _PEOPLES_COMMITTEE.sub("UBND ", name.strip()).upper()


def place_of(province: str) -> str:
    """'Tỉnh Khánh Hòa' -> 'Khánh Hòa': the địa danh of the date line."""
    return _PLACE_PREFIX.sub("", province.strip()).strip()


def authority_name(agency: AgencyInfo) -> str:
    """The name on a letterhead; a province (or district) issues as its People's Committee."""
    name = short_name(agency.name)
    if agency.kind in ("province", "district", "commune") and not name.startswith("UBND"):
        return "UBND " + name
    return name


def letterhead_for(directory: Directory, agency_code: str) -> Letterhead:
    """From the directory: the agency, its parent, the province's name for the place, and the
    agency's head (Thủ trưởng) as signer."""
    agency = directory.agency(agency_code)
    parent = _parent(directory, agency)
    root_name = _root_name(directory, agency)
    signer = Signer()
    heads = directory.heads(agency.code)  # its own head, not a department's below it
    if heads:
        signer = Signer(title=heads[0].title.upper(), name=heads[0].full_name)
    return Letterhead(office=authority_name(agency), parent=authority_name(parent) if parent else "",
                      place=place_of(root_name), signer=signer)


def _parent(directory: Directory, agency: AgencyInfo) -> AgencyInfo | None:
    if not agency.parent_code:
        return None
    try:
        return directory.agency(agency.parent_code)
    except DirectoryError:
        return None


def _root_name(directory: Directory, agency: AgencyInfo) -> str:
    return agency.path[0] if agency.path else agency.name
