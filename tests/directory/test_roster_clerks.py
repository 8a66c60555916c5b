"""Rosters as offices really keep them: status words, titles before names, addresses elsewhere,
Excel's CSV with its BOM and semicolons, and files no office wrote."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlmodel import select

from directory import Directory, DirectoryOptions, NotFound, seed_demo
from directory.agencies import create_agency
from directory.importer import read_roster
from directory.models import Official
from directory.names import split_honorific
from directory.status import parse_status
from tests.directory.conftest import write

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


@pytest.mark.parametrize(("written", "works_here"), [
    ("Đang công tác", True), ("đang  CÔNG TÁC ", True), (NFD("Đang làm việc"), True), ("Nghỉ thai sản", True),
    ("Nghỉ hưu", False), ("Đã nghỉ hưu từ 01/2026", False), ("Thôi việc", False), ("Chuyển công tác", False),
    ("Đã chuyển công tác sang Sở Nội vụ", False), ("Từ trần", False), ("x", True), ("Không", False), ("", None),
    ("Nghỉ việc riêng", True), ("Tạm nghỉ", True), ("Nghỉ việc", False), ("Retired", False), ("Working", True),
])
def test_status_words(written: str, works_here: bool | None) -> None:
    assert parse_status(written) is works_here


@pytest.mark.parametrize(("written", "title", "name"), [
    ("TS. Nguyễn Văn Hùng", "TS.", "Nguyễn Văn Hùng"), ("PGS.TS. Lê Thị Hoa", "PGS.TS.", "Lê Thị Hoa"),
    ("PGS. TS.  Lê Thị Hoa", "PGS.TS.", "Lê Thị Hoa"), ("ThS.BS. Trần An Bình", "ThS.BS.", "Trần An Bình"),
    ("Ths Trần Văn Bình", "Ths", "Trần Văn Bình"), ("Bác sĩ Phạm Thị Lan", "Bác sĩ", "Phạm Thị Lan"),
    ("KS. Đỗ Minh", "KS.", "Đỗ Minh"), ("Nguyễn Văn Hùng", "", "Nguyễn Văn Hùng"), ("Ts. Hùng", "", "Ts. Hùng"),
])
def test_titles_before_a_name(written: str, title: str, name: str) -> None:
    assert split_honorific(written) == (title, name)


def test_status_words_and_titles_in_a_roster(province: Directory, tmp_path: Path) -> None:
    text = ("Họ và tên,Đơn vị,Tình trạng\n"
            "TS. Nguyễn Văn Hùng,STTTT,Đang công tác\n"
            "PGS.TS. Lê Thị Hoa,SYT,Nghỉ hưu\n"
            "BS. Trần Văn Bình,SYT,Thôi việc\n"
            "KS. Phạm Văn Toàn,STTTT,Chuyển công tác\n"
            "Vũ Thị Lan,STTTT,Đi chợ\n")
    report = province.import_roster(read_roster(write(tmp_path, "r.csv", text)))

    assert report.created == 4
    assert [(r.line, "status" in r.reason) for r in report.rejected] == [(6, True)]
    hung = province.official("hungnv@bacninh.gov.vn")
    assert (hung.full_name, hung.honorific, hung.active) == ("Nguyễn Văn Hùng", "TS.", True)
    assert {o.email: o.active for o in province.officials()} == {
        "hungnv@bacninh.gov.vn": True, "hoalt@bacninh.gov.vn": False, "binhtv@bacninh.gov.vn": False,
        "toanpv@bacninh.gov.vn": False}
    assert [o.email for o in province.officials(include_inactive=False)] == ["hungnv@bacninh.gov.vn"]

    again = province.import_roster(read_roster(write(tmp_path, "r2.csv", text.replace("TS. Nguyễn", "Nguyễn"))))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)  # same person, title kept


def test_an_excel_csv_from_a_careless_clerk(province: Directory, tmp_path: Path) -> None:
    text = ("DANH SÁCH CÁN BỘ;;;\r\n"
            ";;;\r\n"
            "STT ; HỌ VÀ TÊN ;Đơn vị ; Trạng thái \r\n"
            f"1;  {NFD('nguyễn   văn HÙNG')} ; stttt ;{NFD('Đang công tác')}  \r\n"
            f"2;{NFD('Trần Thị Thu Hương')};{NFD('Sở Y tế')} ;\r\n"
            "3;Lê Văn Tám;sở y tế;nghỉ hưu\r\n"
            ";;;\r\n")
    path = write(tmp_path, "ds.csv", text, encoding="utf-8-sig")
    report = province.import_roster(read_roster(path))

    assert (report.created, report.rejected) == (3, ())
    people = {o.email: (o.full_name, o.agency_code, o.active) for o in province.officials()}
    assert people == {"hungnv@bacninh.gov.vn": ("Nguyễn Văn Hùng", "STTTT", True),
                      "huongttt@bacninh.gov.vn": ("Trần Thị Thu Hương", "SYT", True),
                      "tamlv@bacninh.gov.vn": ("Lê Văn Tám", "SYT", False)}


def test_an_address_outside_the_province_is_imported_with_a_warning_and_no_relay(
        province: Directory, tmp_path: Path) -> None:
    text = "Họ và tên,Đơn vị,Email\nNguyễn Văn Hùng,STTTT,hung.nv@gmail.com\nLê Thị Hoa,SYT,hoalt@bacninh.gov.vn\n"
    report = province.import_roster(read_roster(write(tmp_path, "r.csv", text)))

    assert report.created == 2
    assert [(w.line, "gmail.com" in w.message) for w in report.warnings] == [(2, True)]
    assert province.official("hung.nv@gmail.com").agency_code == "STTTT"
    assert not province.may_send_as("hung.nv@gmail.com", "hung.nv@gmail.com")
    assert province.may_send_as("hoalt@bacninh.gov.vn", "hoalt@bacninh.gov.vn")
    province.grant_send_as("hung.nv@gmail.com", "stttt@bacninh.gov.vn")  # an operator's explicit grant still works
    assert province.may_send_as("hung.nv@gmail.com", "stttt@bacninh.gov.vn")


def test_a_domain_the_province_configures_is_its_own(province: Directory, tmp_path: Path) -> None:
    configured = Directory(province.engine, DirectoryOptions(own_domains=(" TinhUy.BacNinh.gov.vn ",)))
    text = "Họ và tên,Đơn vị,Email\nNguyễn Văn Hùng,STTTT,hungnv@tinhuy.bacninh.gov.vn\n"
    report = configured.import_roster(read_roster(write(tmp_path, "r.csv", text)))
    assert report.created == 1 and report.warnings == ()
    assert configured.may_send_as("hungnv@tinhuy.bacninh.gov.vn", "hungnv@tinhuy.bacninh.gov.vn")
    assert not province.may_send_as("hungnv@tinhuy.bacninh.gov.vn", "hungnv@tinhuy.bacninh.gov.vn")


def test_files_no_office_wrote_are_reported_not_a_traceback(province: Directory, tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan,\xc4\x90\xc6\xa1n v\xe1\xbb\x8b\n"
                     + b"\x00\x01\x02\xff,STTTT\n"
                     + b"A" * 300_000 + b",STTTT\n"
                     + b"Nguy\xe1\xbb\x85n V\xc4\x83n An,STTTT\n")
    report = province.import_roster(read_roster(junk))
    assert report.created == 1 and {r.line for r in report.rejected} == {2, 3}


def test_demo_seed_never_dies_on_what_is_already_there(directory: Directory) -> None:
    with directory.session() as session:  # an agency added by hand with the mailbox the demo would use
        root = create_agency(session, code="KH", name="Khánh Hòa", kind="province", domain="khanhhoa.gov.vn")
        create_agency(session, code="SOYTE", name="Sở Y tế tỉnh", parent=root, mailbox="syt@khanhhoa.gov.vn")
    for officials in (100, 300, 60):
        with directory.session() as session:
            seed_demo(session, officials)
    with directory.session() as session:
        seed_demo(session, 200, seed=7)
        assert len(session.exec(select(Official)).all()) == 300
    with pytest.raises(NotFound):
        directory.agency("SYT")  # the hand-made agency was used, not copied
    assert directory.officials("SOYTE")


def test_a_name_split_in_two_columns(province: Directory, tmp_path: Path) -> None:
    text = "STT,Họ và đệm,Tên,Đơn vị,Email công vụ\n1,Nguyễn Quang,Vinh,STTTT,\n2,Trần Thị Thu, Hương ,SYT,\n"
    report = province.import_roster(read_roster(write(tmp_path, "r.csv", text)))
    assert report.created == 2 and "two columns" in report.notes[-1]
    assert province.official("huongttt@bacninh.gov.vn").full_name == "Trần Thị Thu Hương"
    assert province.official("vinhnq@bacninh.gov.vn").agency_code == "STTTT"


def test_the_directorys_own_export_imports_back_unchanged(province: Directory, tmp_path: Path) -> None:
    from directory import csv_export

    text = "Họ và tên,Đơn vị,Chức vụ\nTS. Nguyễn Quang Vinh,STTTT,Giám đốc\nTrần Thị Thu Hương,SYT,Chuyên viên\n"
    province.import_roster(read_roster(write(tmp_path, "r.csv", text)))
    exported = write(tmp_path, "export.csv", csv_export(province.officials()))
    again = province.import_roster(read_roster(exported))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, ())
