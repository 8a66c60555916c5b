from __future__ import annotations

from pathlib import Path

import pytest

from directory import Directory, InvalidInput, NotFound
from directory import agencies as ops
from directory.agency_import import read_agencies
from tests.directory.conftest import write

AGENCIES = (
    "Mã đơn vị,Tên đơn vị,Đơn vị cấp trên,Loại,Tên miền\n"
    "X.TAMGIANG,UBND xã Tam Giang,H.YENPHONG,xã,\n"  # its parent comes later in the file
    "BN,Tỉnh Bắc Ninh,,province,bacninh.gov.vn\n"
    "STTTT,Sở Thông tin và Truyền thông,BN,department,\n"
    "H.YENPHONG,Huyện Yên Phong,BN,district,\n"
    "SYT,Sở Y tế,NOWHERE,department,\n"
    ",Không có mã,BN,unit,\n"
    "BAD,Tên miền sai,BN,unit,bac ninh.gov.vn\n"
)


def test_agencies_import_with_parents_in_any_order(directory: Directory, tmp_path: Path) -> None:
    report = directory.import_agencies(read_agencies(write(tmp_path, "a.csv", AGENCIES)))

    assert report.created == 4
    assert [(r.line, "NOWHERE" in r.reason or "code" in r.reason or "domain" in r.reason)
            for r in report.rejected] == [(6, True), (7, True), (8, True)]
    commune = directory.agency("X.TAMGIANG")
    assert commune.kind == "commune"
    assert commune.domain == "bacninh.gov.vn"  # inherited from the parent's parent
    assert commune.path == ("Tỉnh Bắc Ninh", "Huyện Yên Phong", "UBND xã Tam Giang")
    assert directory.agency("stttt").mailbox == "stttt@bacninh.gov.vn"


def test_agencies_reimport_is_idempotent(directory: Directory, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", AGENCIES)
    directory.import_agencies(read_agencies(path))
    again = directory.import_agencies(read_agencies(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_english_headers(directory: Directory, tmp_path: Path) -> None:
    text = "code,name,parent,kind,domain\nHCM,Thành phố Hồ Chí Minh,,province,tphcm.gov.vn\n"
    report = directory.import_agencies(read_agencies(write(tmp_path, "a.csv", text)))
    assert report.created == 1 and directory.agency("HCM").kind == "province"


def test_2025_reform_commune_reparented_when_district_abolished(province: Directory) -> None:
    with province.session() as session:
        district = ops.create_agency(session, code="H.YP", name="Huyện Yên Phong", kind="district",
                                     parent=ops.require_agency(session, "BN"))
        ops.move_agency(session, "X.TAMGIANG", "H.YP")
    assert province.agency("X.TAMGIANG").parent_code == "H.YP"
    del district

    with province.session() as session:
        ops.move_agency(session, "X.TAMGIANG", "BN")
        ops.require_agency(session, "H.YP").active = False
    commune = province.agency("X.TAMGIANG")
    assert commune.parent_code == "BN"
    assert commune.mailbox == "tamgiang.yenphong@bacninh.gov.vn"  # the old address keeps working


def test_cannot_move_an_agency_under_itself(province: Directory) -> None:
    with pytest.raises(InvalidInput), province.session() as session:
        ops.move_agency(session, "SYT", "BVT")


def test_merging_keeps_the_old_mailbox_as_alias(province: Directory, tmp_path: Path) -> None:
    province.import_roster(__import__("directory.importer", fromlist=["x"]).read_roster(
        write(tmp_path, "r.csv", "Họ và tên,Đơn vị\nLê Văn Hải,STTTT\n")))
    with province.session() as session:
        target, moved = ops.merge_agency(session, "STTTT", "SYT")
    assert moved == 1 and target.code == "SYT"

    resolution = province.resolve("stttt@bacninh.gov.vn")
    assert [m.address for m in resolution.mailboxes] == ["syt@bacninh.gov.vn"]
    assert province.official("hailv@bacninh.gov.vn").agency_code == "SYT"
    assert not province.agency("STTTT").active


def test_merged_province_keeps_its_old_domain(province: Directory, tmp_path: Path) -> None:
    from directory.importer import read_roster

    province.import_roster(read_roster(write(tmp_path, "r.csv", "Họ và tên,Đơn vị\nLê Văn Hải,STTTT\n")))
    with province.session() as session:
        ops.add_domain_alias(session, "bacgiang.gov.vn", "bacninh.gov.vn")

    assert province.resolve("HaiLV@BacGiang.gov.vn").mailboxes[0].address == "hailv@bacninh.gov.vn"
    with pytest.raises(NotFound):
        province.resolve("nobody@bacgiang.gov.vn")
