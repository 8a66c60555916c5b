"""A realistic demo province: the post-2025 two-level tree, Vietnamese names drawn from
published surname frequencies, heads and deputies in every agency.

Used by ``make run`` and by the benchmarks; deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlmodel import Session, select

from directory.agencies import create_agency, find_agency_by_code
from directory.groups import create_group
from directory.importer import ImportReport, ProgressCallback, import_roster
from directory.models import Agency, Group
from directory.service import address_taken
from directory.tables import Table, TableRow

# Share of the population per surname (per cent, rounded; Nguyễn alone is about 38%).
SURNAMES = {
    "Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 3.0, "Huỳnh": 2.1, "Phan": 4.5,
    "Vũ": 2.0, "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1.0,
    "Lý": 0.5, "Đinh": 0.5, "Trương": 0.5, "Lưu": 0.3, "Mai": 0.3, "Tô": 0.2, "Cao": 0.3, "Tạ": 0.1,
}
MIDDLE = {"m": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thanh", "Ngọc", "Xuân", "Quốc", "Anh", "Đình"],
          "f": ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Thị Thu", "Thị Kim"]}
GIVEN = {"m": ["Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khoa", "Long", "Minh", "Nam",
               "Phong", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Vũ"],
         "f": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan",
               "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Tuyết", "Vân", "Yến"]}

DEPARTMENTS = [
    ("VPUBND", "Văn phòng UBND tỉnh", "vpubnd"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "skhcn"),
    ("SNV", "Sở Nội vụ", "snv"),
    ("STC", "Sở Tài chính", "stc"),
    ("SYT", "Sở Y tế", "syt"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "sgddt"),
    ("SXD", "Sở Xây dựng", "sxd"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "snnmt"),
    ("SCT", "Sở Công Thương", "sct"),
    ("STP", "Sở Tư pháp", "stp"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "svhttdl"),
    ("TTRT", "Thanh tra tỉnh", "ttr"),
]
COMMUNES = ["Cam Lâm", "Diên Khánh", "Diên Điền", "Suối Dầu", "Ninh Hòa", "Vạn Ninh", "Đại Lãnh",
            "Khánh Vĩnh", "Khánh Sơn", "Nha Trang", "Bắc Nha Trang", "Tây Nha Trang", "Cam Ranh",
            "Ba Ngòi", "Cam Hiệp", "Suối Hiệp", "Vạn Thắng", "Tu Bông", "Hòa Trí", "Tân Định",
            "Ninh Phước", "Ninh Sơn", "Phan Rang", "Đô Vinh", "Bảo An", "Đông Hải", "Cà Ná", "Phước Hà"]
# Seat 0 is the head, seats 1-2 deputies, then staff drawn from the rest (repeats weight the draw).
DEPT_TITLES = ["Giám đốc", "Phó Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Phó Trưởng phòng",
               "Chuyên viên", "Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Văn thư"]
OFFICE_TITLES = ["Chánh Văn phòng", "Phó Chánh Văn phòng", "Phó Chánh Văn phòng", "Trưởng phòng",
                 "Phó Trưởng phòng", "Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Văn thư"]
COMMUNE_TITLES = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Phó Chủ tịch UBND", "Công chức Văn phòng - Thống kê",
                  "Công chức Tư pháp - Hộ tịch", "Công chức Địa chính - Xây dựng", "Công chức Tài chính - Kế toán",
                  "Công chức Văn hóa - Xã hội"]


@dataclass(frozen=True)
class DemoProvince:
    name: str = "Tỉnh Khánh Hòa"
    code: str = "KHANHHOA"
    domain: str = "khanhhoa.gov.vn"
    service_domain: str = "lich.khanhhoa.gov.vn"


def seed_demo(
    session: Session,
    officials: int = 300,
    *,
    seed: int = 2025,
    province: DemoProvince | None = None,
    address_pattern: str = "{given}{initials}",
    progress: ProgressCallback | None = None,
) -> ImportReport:
    province = province or DemoProvince()
    rng = random.Random(seed)
    agencies = _agencies(session, province, communes=max(3, min(len(COMMUNES), officials // 60)))
    rows = []
    for number in range(officials):
        agency = agencies[number % len(agencies)]
        seat = number // len(agencies)
        titles = COMMUNE_TITLES if agency.kind == "commune" else \
            OFFICE_TITLES if agency.name.casefold().startswith("văn phòng") else DEPT_TITLES
        title = titles[seat] if seat < 3 else rng.choice(titles[2:])
        rows.append(TableRow(line=number + 2, values={
            "full_name": _name(rng),
            "agency": agency.code,
            "title": title,
            "is_head": "x" if seat == 0 else "",
            "external_id": f"DEMO{number + 1:06d}",
        }))
    table = Table(columns=("full_name", "agency", "title", "is_head", "external_id"), rows=tuple(rows))
    report = import_roster(session, table, address_pattern=address_pattern, progress=progress)
    _groups(session, province)
    return report


def _name(rng: random.Random) -> str:
    sex = rng.choice("mf")
    surname = rng.choices(list(SURNAMES), weights=list(SURNAMES.values()))[0]
    return f"{surname} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _agencies(session: Session, province: DemoProvince, communes: int) -> list[Agency]:
    root = _ensure_agency(session, province.code, province.name, "province", None, f"ubnd@{province.domain}",
                          domain=province.domain)
    made = []
    for code, name, mailbox in DEPARTMENTS:
        made.append(_ensure_agency(session, code, name, "department", root, f"{mailbox}@{province.domain}"))
    for name in COMMUNES[:communes]:
        slug = "".join(word.lower() for word in _ascii(name).split())
        made.append(_ensure_agency(session, f"X.{slug.upper()}", f"UBND xã {name}", "commune", root,
                                   f"ubnd.{slug}@{province.domain}"))
    return made


def _ensure_agency(session: Session, code: str, name: str, kind: str, parent: Agency | None, mailbox: str,
                   domain: str | None = None) -> Agency:
    """The agency by its code, or the one that already has its mailbox (added by hand or by an import
    under another code); else a new one, without the mailbox when someone else already uses it."""
    found = find_agency_by_code(session, code)
    if found is None:
        found = session.exec(select(Agency).where(Agency.mailbox == mailbox)).first()
    if found is not None:
        return found
    free = not address_taken(session, mailbox)
    return create_agency(session, code=code, name=name, kind=kind, parent=parent, domain=domain,
                         mailbox=mailbox if free else None)


def _ascii(name: str) -> str:
    from directory.names import unaccented

    return " ".join(unaccented(word) for word in name.split())


def _groups(session: Session, province: DemoProvince) -> None:
    wanted = [
        ("lanhdao-so", "heads:department", "Lãnh đạo các sở, ban, ngành"),
        ("chutich-xa", "heads:commune", "Chủ tịch UBND các xã, phường"),
        ("toan-tinh", f"agency:{province.code}", "Toàn bộ cán bộ, công chức của tỉnh"),
    ]
    for name, rule, description in wanted:
        if session.exec(select(Group).where(Group.name == name)).first() is None:
            address = f"{name.replace('-', '')}@{province.service_domain}"
            create_group(session, name, rule=rule, description=description,
                         address=None if address_taken(session, address) else address)
