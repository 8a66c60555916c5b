"""The schedule reader takes what offices type, and reports with its line what it cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from mailhub.dispatch.schedules.reader import ScheduleFileError, read_schedule

WEEK = "2026-W50"  # Monday 07/12/2026 to Sunday 13/12/2026


def times_of(path: Path) -> list[tuple[str, str, str, str]]:
    return [(f"{e.day:%d/%m}", f"{e.start:%H:%M}", f"{e.end:%H:%M}", e.content) for e in read_schedule(path, WEEK)]


def test_the_forms_offices_type(tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text(
        "\"Thứ, ngày\",Thời gian,Lãnh đạo,Nội dung,Địa điểm\n"
        "\"Thứ Hai, 07/12\",14 giờ 30,Chủ tịch,Họp A,Phòng 1\n"
        ",7h30 - 9h00,Phó Chủ tịch,Họp B,Phòng 2\n"           # the date above holds (a merged cell)
        "08/12/2026,14:30-16:30,Chủ tịch,Họp C,\n"
        "09/12,Sáng,Chủ tịch,Tiếp dân,\n"
        ",Chiều 2h00,Chủ tịch,Họp D,\n"
        "T5 10/12,Cả ngày,Phó Chủ tịch,Đi cơ sở,\n"
        "2026-12-11,từ 8h đến 10h,Chủ tịch,Họp E,\n",
        encoding="utf-8")
    assert times_of(path) == [
        ("07/12", "07:30", "09:00", "Họp B"), ("07/12", "14:30", "15:30", "Họp A"),
        ("08/12", "14:30", "16:30", "Họp C"), ("09/12", "07:30", "11:30", "Tiếp dân"),
        ("09/12", "14:00", "15:00", "Họp D"), ("10/12", "07:30", "17:00", "Đi cơ sở"),
        ("11/12", "08:00", "10:00", "Họp E")]


def test_merged_date_cells_and_morning_and_afternoon_rows_in_a_workbook(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["LỊCH CÔNG TÁC TUẦN 50"])
    sheet.append(["Ngày", "Giờ", "Lãnh đạo", "Nội dung", "Địa điểm"])
    sheet.append(["Thứ Ba 08/12/2026", "Sáng", None, None, None])  # a heading row: the day and its morning
    sheet.append([None, "8h00", "Chủ tịch", "Giao ban", "Phòng 1"])
    sheet.append([None, "Chiều", None, None, None])
    sheet.append([None, "3h", "Chủ tịch", "Làm việc với Sở Y tế", "Sở Y tế"])
    sheet.merge_cells("A3:A6")
    path = tmp_path / "lich.xlsx"
    book.save(path)
    assert times_of(path) == [("08/12", "08:00", "09:00", "Giao ban"),
                              ("08/12", "15:00", "16:00", "Làm việc với Sở Y tế")]


@pytest.mark.parametrize(("cell", "reason"), [
    ("25:00", "not a time of day"), ("8h75", "not a time of day"), ("sáng mai", "cannot read"),
    ("8h - 9h - 10h", "more than a start and an end")])
def test_what_cannot_be_read_is_reported_with_its_line(tmp_path: Path, cell: str, reason: str) -> None:
    path = tmp_path / "lich.csv"
    path.write_text(f"Ngày,Giờ,Lãnh đạo,Nội dung\n07/12/2026,08:00,A,Họp\n07/12/2026,{cell},B,Họp\n",
                    encoding="utf-8")
    with pytest.raises(ScheduleFileError) as error:
        read_schedule(path, WEEK)
    assert [p.line for p in error.value.problems] == [3] and reason in str(error.value)


def test_a_weekday_that_disagrees_with_the_date_and_a_row_without_a_date(tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text("Ngày,Giờ,Lãnh đạo,Nội dung\n,08:00,A,Họp\n\"Thứ Ba, 07/12\",08:00,A,Họp\n", encoding="utf-8")
    with pytest.raises(ScheduleFileError) as error:
        read_schedule(path, WEEK)
    assert [p.line for p in error.value.problems] == [2, 3]
    assert "no date" in str(error.value) and "not that day of the week" in str(error.value)


def read_rows(tmp_path: Path, rows: str) -> list[tuple[str, str, str]] | list[int]:
    """The entries as (day, start, end), or the lines reported."""
    path = tmp_path / "lich.csv"
    path.write_text("Ngày,Thời gian,Lãnh đạo,Nội dung,Địa điểm\n" + rows, encoding="utf-8")
    try:
        return [(f"{e.day:%d/%m}", f"{e.start:%H:%M}", f"{e.end:%H:%M}") for e in read_schedule(path, WEEK)]
    except ScheduleFileError as error:
        return [p.line for p in error.problems]


@pytest.mark.parametrize(("rows", "expected"), [
    ("07/12/2026,từ 8h tới 10h,A,Họp,P1\n", [("07/12", "08:00", "10:00")]),  # 'tới' is 'until', not Tối
    ("\"Thứ Bảy, 12/12\",8h00,A,Trực,P1\n", [("12/12", "08:00", "09:00")]),
    ("07/12/2026,Trưa 1h,A,Họp,P1\n", [("07/12", "13:00", "14:00")]),
    ("07/12/2026,08:00:00,A,Họp,P1\n", [("07/12", "08:00", "09:00")]),  # an Excel time cell
    ("07/12/2026,2026-12-07 14:30,A,Họp,P1\n", [("07/12", "14:30", "15:30")]),
    ("Thứ 2 - 07/12,8h,A,Họp,P1\n", [("07/12", "08:00", "09:00")]),
    ("07/12/2026,,,,\nSÁNG,,,,\n,8h,A,Họp,P1\nCHIỀU,,,,\n,2h,B,Họp,-\n",
     [("07/12", "08:00", "09:00"), ("07/12", "14:00", "15:00")]),
    ("07/12/2026,,,,\n,Chiều,,,\n,8h,A,Họp,P1\n,11h,B,Họp,P1\n", [4, 5]),  # 20h and 23h were never meant
    ("07/12/2026,Sáng 2h,A,Họp,P1\n08/12/2026,3h,B,Họp,P1\n", [2, 3]),
    ("07/12/2026,\"8h00\n14h00\",A,\"Họp A\nHọp B\",P1\n07/12/2026,\"9h, 15h\",B,Họp,P1\n", [2, 5]),  # lines 2-4, 5
    ("07/12/2026 (Thứ Ba),8h,A,Họp,P1\n", [2]),
    ("07/12/2026,25h,A,Họp,P1\n,9h,B,Họp,P1\n", [2]),  # the day above holds for the next row all the same
])
def test_what_offices_type_and_what_is_reported(tmp_path: Path, rows: str, expected: object) -> None:
    assert read_rows(tmp_path, rows) == expected


def test_a_dash_in_a_cell_is_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text("Ngày,Giờ,Lãnh đạo,Nội dung,Địa điểm,Thành phần\n07/12/2026,8h,A,Họp,-,—\n", encoding="utf-8")
    [entry] = read_schedule(path, WEEK)
    assert (entry.location, entry.participants) == ("", "")


def test_a_range_in_the_end_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text("Ngày,Giờ,Kết thúc,Lãnh đạo,Nội dung\n07/12/2026,8h,9h30 - 10h,A,Họp\n", encoding="utf-8")
    with pytest.raises(ScheduleFileError, match="end column holds a range"):
        read_schedule(path, WEEK)
