"""Tables as offices save them: merged cells, hidden rows, formulas Excel never computed, apostrophes,
UTF-16 exports, two columns of one meaning, and a workbook that declares a million rows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from directory import InvalidInput, read_table

COLUMNS = {"date": ("ngày",), "start": ("giờ", "thời gian"), "content": ("nội dung",), "place": ("địa điểm",)}


def workbook(path: Path, rows: list[list[object]], merges: tuple[str, ...] = (), hidden: tuple[int, ...] = (),
             formulas: dict[str, str] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for area in merges:
        sheet.merge_cells(area)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    for cell, formula in (formulas or {}).items():
        sheet[cell] = formula
    book.save(path)
    return path


def values(path: Path, column: str) -> list[str]:
    return [row.get(column) for row in read_table(path, COLUMNS, required=("date", "content")).rows]


def test_a_cell_merged_down_fills_its_rows_and_one_merged_across_does_not(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [["LỊCH TUẦN", None, None, None], ["Ngày", "Giờ", "Nội dung", "Địa điểm"],
                                          ["07/12/2026", "8h", "Họp 1", "Phòng 1"], [None, "9h", "Họp 2", None],
                                          ["SÁNG", None, None, None]], merges=("A1:D1", "A3:A4", "D3:D4", "A5:D5"))
    assert values(path, "date") == ["07/12/2026", "07/12/2026", "SÁNG"]
    assert values(path, "place") == ["Phòng 1", "Phòng 1", ""]


def test_hidden_rows_are_left_out_and_an_uncomputed_formula_is_not_an_empty_cell(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [["Ngày", "Giờ", "Nội dung"], ["07/12/2026", "8h", "Họp cũ (đã hoãn)"],
                                          ["07/12/2026", "9h", "Họp"], [None, "10h", "Họp hôm sau"]],
                    hidden=(2,), formulas={"A4": "=A3+1"})
    assert values(path, "content") == ["Họp", "Họp hôm sau"]
    assert values(path, "date") == ["07/12/2026", "=A3+1"]


def test_a_workbook_that_declares_a_million_rows_is_refused_quickly(tmp_path: Path) -> None:
    plain = workbook(tmp_path / "plain.xlsx", [["Ngày", "Giờ", "Nội dung"], ["07/12/2026", "8h", "Họp"]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', data.decode())
                data = text.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
                                                    "</is></c></row></sheetData>").encode()
            target.writestr(item, data)
    with pytest.raises(InvalidInput, match="more than"):
        read_table(bomb, COLUMNS, required=("date", "content"))


def test_csv_as_clerks_save_it(tmp_path: Path) -> None:
    apostrophes = tmp_path / "a.csv"
    apostrophes.write_text("Ngày,Giờ,Nội dung\n07/12/2026,8h,'Họp với 'Ban A'\n07/12/2026,9h,'Tiếp dân\n"
                           "08/12/2026,9h,Họp' tổng kết\n", encoding="utf-8")
    assert values(apostrophes, "content") == ["'Họp với 'Ban A'", "'Tiếp dân", "Họp' tổng kết"]
    utf16 = tmp_path / "b.csv"
    utf16.write_bytes("Ngày\tGiờ\tNội dung\r\n07/12/2026\t8h\tHọp giao ban\r\n".encode("utf-16"))
    assert values(utf16, "content") == ["Họp giao ban"]
    doubled = tmp_path / "c.csv"
    doubled.write_text("Ngày,Giờ,Thời gian,Nội dung\n07/12/2026,8h30,Sáng,Họp\n", encoding="utf-8")
    table = read_table(doubled, COLUMNS, required=("date", "content"))
    assert table.rows[0].get("start") == "8h30" and any("Thời gian" in note for note in table.notes)
