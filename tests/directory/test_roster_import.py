from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook

from directory import Directory, NotFound
from directory.importer import read_roster
from tests.directory.conftest import write

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

ROSTER = (
    "STT,Họ và tên,Đơn vị,Chức vụ,Email\n"
    f"1,{NFD('Nguyễn Quang Vinh')},STTTT,Giám đốc,\n"
    f"2,{NFD('ngô  QUỐC vinh')},STTTT,Phó Giám đốc,\n"
    "3,Trần Thị Thu Hương,Sở Y tế,Chuyên viên,\n"
    "4,,STTTT,Chuyên viên,\n"
    "5,Lê Văn Bình,STTTT,Chuyên viên,binh@@bacninh.gov.vn\n"
    "6,Phạm Minh Tuấn,Sở Y tế,Chuyên viên,TuanPM@BacNinh.gov.vn\n"
    "7,Phạm Minh Tuấn,STTTT,Chuyên viên,tuanpm@bacninh.gov.vn\n"
)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Excel writes it: precomposed base letters, tone marks as combining characters."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            if len(marks) == 2:
                base, marks = unicodedata.normalize("NFC", base + marks[0]), marks[1:]
            out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return out


def import_text(directory: Directory, tmp_path: Path, text: str, name: str = "roster.csv",
                encoding: str = "utf-8-sig"):
    return directory.import_roster(read_roster(write(tmp_path, name, text, encoding)))


def test_roster_with_bom_nfd_collisions_and_bad_rows(province: Directory, tmp_path: Path) -> None:
    report = import_text(province, tmp_path, ROSTER)

    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    rejected = {r.line: r.reason for r in report.rejected}
    assert set(rejected) == {5, 6, 8}
    assert "full name" in rejected[5]
    assert "binh@@" in rejected[6]
    assert "line 7" in rejected[8]  # same address as the row on line 7

    people = {o.full_name: o for o in province.officials()}
    assert people["Nguyễn Quang Vinh"].email == "vinhnq@bacninh.gov.vn"
    assert people["Ngô Quốc Vinh"].email == "vinhnq2@bacninh.gov.vn"
    assert people["Trần Thị Thu Hương"].email == "huongttt@bacninh.gov.vn"
    assert people["Trần Thị Thu Hương"].agency_code == "SYT"
    assert people["Phạm Minh Tuấn"].email == "tuanpm@bacninh.gov.vn"
    assert all(unicodedata.is_normalized("NFC", name) for name in people)


def test_reimporting_the_same_roster_changes_nothing(province: Directory, tmp_path: Path) -> None:
    import_text(province, tmp_path, ROSTER)
    before = {o.email: o for o in province.officials()}

    again = import_text(province, tmp_path, ROSTER)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert {o.email: o for o in province.officials()} == before


def test_row_order_does_not_decide_identity(province: Directory, tmp_path: Path) -> None:
    # Without the conflicting duplicate of line 8: which of two conflicting rows wins is order, by nature.
    clean = "\n".join(ROSTER.strip().split("\n")[:-1]) + "\n"
    header, *rows = clean.strip().split("\n")
    import_text(province, tmp_path, clean)
    before = {(o.full_name, o.email) for o in province.officials()}
    random.Random(7).shuffle(rows)

    again = import_text(province, tmp_path, "\n".join([header, *reversed(rows)]) + "\n", "shuffled.csv")

    assert again.created == 0 and again.updated == 0
    assert {(o.full_name, o.email) for o in province.officials()} == before


def test_addresses_written_later_in_the_file_are_reserved_first(province: Directory, tmp_path: Path) -> None:
    text = ("Họ và tên,Đơn vị,Email\n"
            "Nguyễn Quang Vinh,STTTT,\n"
            "Ngô Quốc Vinh,STTTT,vinhnq@bacninh.gov.vn\n")
    report = import_text(province, tmp_path, text)

    assert report.rejected == ()
    emails = {o.full_name: o.email for o in province.officials()}
    assert emails == {"Ngô Quốc Vinh": "vinhnq@bacninh.gov.vn", "Nguyễn Quang Vinh": "vinhnq2@bacninh.gov.vn"}


def test_generated_address_avoids_agency_mailboxes_and_aliases(province: Directory, tmp_path: Path) -> None:
    import_text(province, tmp_path, "Họ và tên,Đơn vị\nTrần Sỹ,SYT\n")  # "syt", the agency's mailbox
    assert province.officials()[0].email == "syt2@bacninh.gov.vn"


def test_changed_title_counts_as_updated(province: Directory, tmp_path: Path) -> None:
    import_text(province, tmp_path, ROSTER)
    revised = ROSTER.replace("Trần Thị Thu Hương,Sở Y tế,Chuyên viên", "Trần Thị Thu Hương,Sở Y tế,Trưởng phòng")

    report = import_text(province, tmp_path, revised, "revised.csv")

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert province.official("huongttt@bacninh.gov.vn").title == "Trưởng phòng"


def test_new_address_in_roster_keeps_the_old_one_as_alias(province: Directory, tmp_path: Path) -> None:
    import_text(province, tmp_path, "Mã cán bộ,Họ và tên,Đơn vị\nCB01,Nguyễn Quang Vinh,STTTT\n")
    report = import_text(province, tmp_path,
                         "Mã cán bộ,Họ và tên,Đơn vị,Email\nCB01,Nguyễn Quang Vinh,STTTT,vinh.nq@bacninh.gov.vn\n",
                         "v2.csv")

    assert report.updated == 1
    info = province.official("vinhnq@bacninh.gov.vn")
    assert info.email == "vinh.nq@bacninh.gov.vn"
    assert "vinhnq@bacninh.gov.vn" in info.aliases
    assert [m.address for m in province.resolve("vinhnq@bacninh.gov.vn").mailboxes] == ["vinh.nq@bacninh.gov.vn"]


def test_an_unknown_agency_is_reported_with_its_line_never_created(province: Directory, tmp_path: Path) -> None:
    text = "Họ và tên,Đơn vị\nLê Văn Hải,Sở Tài chính\nĐỗ Văn Nam,Sở Y tế\nPhan Thị Mai,So Y Te\nVũ Văn Khoa,Sở Y Tá\n"
    report = import_text(province, tmp_path, text)

    assert report.created == 2 and report.agencies_created == ()
    reasons = {r.line: r.reason for r in report.rejected}
    assert set(reasons) == {2, 5}
    assert "unknown agency 'Sở Tài chính'" in reasons[2] and "--parent" in reasons[2]
    assert "did you mean 'Sở Y tế' (SYT)" in reasons[5]
    assert {a.code for a in province.agencies()} == {"BN", "STTTT", "SYT", "BVT", "X.TAMGIANG"}
    assert province.official("maipt@bacninh.gov.vn").agency_code == "SYT"  # typed without diacritics


def test_parent_option_creates_the_unknown_agency_there(province: Directory, tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "Họ và tên,Đơn vị\nLê Văn Hải,Sở Tài chính\n")
    report = province.import_roster(read_roster(path), create_agencies_under="BN")

    assert report.agencies_created == ("STC",)
    agency = province.agency("Sở Tài chính")
    assert agency.parent_code == "BN" and agency.domain == "bacninh.gov.vn"
    assert province.officials("STC")[0].email == "hailv@bacninh.gov.vn"


def test_unknown_agency_in_an_empty_directory_is_rejected(directory: Directory, tmp_path: Path) -> None:
    report = import_text(directory, tmp_path, "Họ và tên,Đơn vị\nLê Văn Hải,Sở Tài chính\n")
    assert report.created == 0
    assert report.rejected[0].line == 2 and "import agencies first" in report.rejected[0].reason


def test_semicolon_csv_from_windows_1258(province: Directory, tmp_path: Path) -> None:
    text = "Họ và tên;Đơn vị;Chức vụ\r\nĐỗ Thị Hương;SYT;Kế toán\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(to_cp1258(text))
    report = province.import_roster(read_roster(path))

    assert report.created == 1
    assert report.notes and "Windows-1258" in report.notes[0]
    assert province.official("huongdt@bacninh.gov.vn").full_name == "Đỗ Thị Hương"


def test_xlsx_with_a_title_block_above_the_header(province: Directory, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Đơn vị", "Chức vụ", "Email", "Thủ trưởng"])
    sheet.append([1, "Nguyễn Văn An", "STTTT", "Giám đốc", None, "x"])
    sheet.append([2, "Bùi Thị Lan", "STTTT", "Chuyên viên", None, None])
    sheet.append([3, "Bùi Thị Lan", "Sở Khoa học", "Chuyên viên", None, None])
    path = tmp_path / "roster.xlsx"
    book.save(path)

    report = province.import_roster(read_roster(path), create_agencies_under="BN")

    assert report.created == 3
    assert province.official("annv@bacninh.gov.vn").is_head
    assert province.resolve("lanbt2@bacninh.gov.vn").mailboxes[0].display_name == "Bùi Thị Lan"


def test_namesakes_in_one_agency_stay_two_people_across_reimports(province: Directory, tmp_path: Path) -> None:
    text = "STT,Họ và tên,Đơn vị\n1,Nguyễn Văn An,STTTT\n2,Nguyễn Văn An,STTTT\n"
    import_text(province, tmp_path, text)
    again = import_text(province, tmp_path, text)

    assert again.unchanged == 2
    assert sorted(o.email for o in province.officials()) == ["annv2@bacninh.gov.vn", "annv@bacninh.gov.vn"]


def test_disabling_through_the_status_column(province: Directory, tmp_path: Path) -> None:
    import_text(province, tmp_path, "Họ và tên,Đơn vị,Trạng thái\nNguyễn Văn An,STTTT,Đang làm việc\n")
    report = import_text(province, tmp_path, "Họ và tên,Đơn vị,Trạng thái\nNguyễn Văn An,STTTT,Nghỉ việc\n", "b.csv")

    assert report.updated == 1
    with pytest.raises(NotFound):
        province.resolve("annv@bacninh.gov.vn")


def test_dry_run_saves_nothing(province: Directory, tmp_path: Path) -> None:
    report = province.import_roster(read_roster(write(tmp_path, "r.csv", ROSTER)), dry_run=True)
    assert report.created == 4
    assert province.officials() == []


def test_file_without_the_needed_headers_is_an_error(province: Directory, tmp_path: Path) -> None:
    from directory import InvalidInput

    with pytest.raises(InvalidInput, match="no header row"):
        read_roster(write(tmp_path, "x.csv", "a,b\n1,2\n"))


def test_a_repeated_row_is_rejected_but_namesakes_with_other_titles_are_two_people(
        province: Directory, tmp_path: Path) -> None:
    text = ("STT,Họ và tên,Đơn vị,Chức vụ\n"
            "1,Nguyễn Văn An,STTTT,Chuyên viên\n"
            "1,Nguyễn Văn An,STTTT,Chuyên viên\n"
            "2,Nguyễn Văn An,STTTT,Trưởng phòng\n")
    report = import_text(province, tmp_path, text)
    assert report.created == 2
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "the same row as line 2")]


def test_excel_97_workbook_with_the_roster_on_its_second_sheet(province: Directory) -> None:
    table = read_roster(Path(__file__).parent / "fixtures" / "roster-two-sheets.xls")
    report = province.import_roster(table)
    assert report.created == 2 and "Danh sách" in report.notes[-1]
    assert province.official("annv@bacninh.gov.vn").title == "Giám đốc"
    assert province.official("bichtt@bacninh.gov.vn").agency_code == "SYT"
