from __future__ import annotations

import csv
import io
from pathlib import Path

import vobject  # an independent vCard parser

from directory import Directory
from directory.demo import seed_demo
from directory.export import base_dn_for, csv_export, ldif_export, vcards
from directory.importer import read_roster
from tests.directory.conftest import write


def test_vcard_export_reads_back_with_an_independent_parser(province: Directory, tmp_path: Path) -> None:
    text = ("Họ và tên,Đơn vị,Chức vụ\n"
            "Nguyễn Thị Ngọc Ánh,BVT,\"Trưởng khoa Hồi sức tích cực, Chống độc; Phó Giám đốc\"\n")
    province.import_roster(read_roster(write(tmp_path, "r.csv", text)))

    cards = list(vobject.readComponents(vcards(province.officials(), province.agencies())))

    person = next(c for c in cards if c.contents.get("kind")[0].value == "individual")
    assert person.fn.value == "Nguyễn Thị Ngọc Ánh"
    assert person.email.value == "anhntn@bacninh.gov.vn"
    assert person.n.value.family == "Nguyễn" and person.n.value.given == "Ánh"
    assert person.title.value == "Trưởng khoa Hồi sức tích cực, Chống độc; Phó Giám đốc"
    assert person.org.value == ["Tỉnh Bắc Ninh", "Sở Y tế", "Bệnh viện tỉnh"]
    orgs = {c.email.value for c in cards if c.contents.get("kind")[0].value == "org"}
    assert "tamgiang.yenphong@bacninh.gov.vn" in orgs


def test_vcard_lines_are_folded_within_75_octets() -> None:
    from directory.types import OfficialInfo

    long_title = "Phó Trưởng phòng Quản lý Công nghệ thông tin và Chuyển đổi số, kiêm nhiệm Thư ký Hội đồng"
    info = OfficialInfo("a@b.gov.vn", "Nguyễn Văn A", long_title, "X", "Xã", True, False, (), ("Tỉnh", "Xã"))
    text = vcards([info])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert next(vobject.readComponents(text)).title.value == long_title


def test_csv_and_ldif_exports(province: Directory, tmp_path: Path) -> None:
    province.import_roster(read_roster(write(tmp_path, "r.csv", "Họ và tên,Đơn vị\nĐỗ Văn Nam,SYT\n")))
    officials = province.officials()

    rows = list(csv.DictReader(io.StringIO(csv_export(officials))))
    assert rows[0]["E-mail Address"] == "namdv@bacninh.gov.vn" and rows[0]["Display Name"] == "Đỗ Văn Nam"

    ldif = ldif_export(officials, base_dn_for("bacninh.gov.vn"))
    assert "dn: mail=namdv@bacninh.gov.vn,ou=people,dc=bacninh,dc=gov,dc=vn" in ldif
    assert "cn:: " in ldif  # non-ASCII values are base64 as RFC 2849 requires


def test_demo_province_is_realistic_and_reseeding_changes_nothing(directory: Directory) -> None:
    with directory.session() as session:
        report = seed_demo(session, 400)
    assert report.created == 400 and report.rejected == ()
    officials = directory.officials()
    assert sum(o.full_name.startswith("Nguyễn ") for o in officials) > 100  # about 38% of Vietnamese
    assert len({o.email for o in officials}) == 400
    assert directory.resolve("group:lanhdao-so").mailboxes
    kinds = {a.kind for a in directory.agencies()}
    assert {"province", "department", "commune"} <= kinds

    with directory.session() as session:
        again = seed_demo(session, 400)
    assert again.created == 0 and again.unchanged == 400
