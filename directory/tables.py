"""Reading the spreadsheets offices keep: CSV (as Excel saves it) and XLSX.

Headers may be English or Vietnamese and may sit below a title block; every row
keeps the line number a person sees in Excel or a text editor.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from directory.errors import InvalidInput
from directory.names import clean_text, unaccented

HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class TableRow:
    line: int
    values: dict[str, str]
    cells: tuple[str, ...] = ()  # every cell as written, mapped or not (STT, date of birth, …)

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    ignored_headers: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def header_key(text: str) -> str:
    """'Họ và tên' -> 'hovaten': headers are matched without marks, spaces or punctuation."""
    return unaccented(text)


def read_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    """Rows of a CSV or XLSX file mapped onto canonical column names.

    ``aliases`` maps each canonical column to the header spellings that mean it;
    ``required`` columns must be present in the header row.
    """
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(path)
    elif suffix == ".xls":
        sheets = _xls_sheets(path)
    else:
        sheets = [("", _csv_rows(path, notes))]
    lookup = {header_key(alias): column for column, spellings in aliases.items() for alias in spellings}
    lookup.update({header_key(column): column for column in aliases})
    for number, (sheet, raw_rows) in enumerate(sheets):
        table = _table(raw_rows, lookup, required, notes)
        if table is not None:
            if number:
                table = Table(table.columns, table.rows, table.ignored_headers,
                              (*table.notes, f"read the sheet {sheet!r}, the first with the needed columns"))
            return table
    wanted = ", ".join(f"{c} ({' / '.join(aliases[c][:2])})" for c in required)
    raise InvalidInput(f"{path}: no header row with the columns {wanted} in the first {HEADER_SEARCH_ROWS} rows")


def _table(raw_rows: list[tuple[int, list[str]]], lookup: dict[str, str], required: tuple[str, ...],
           notes: list[str]) -> Table | None:
    for index, (_line, cells) in enumerate(raw_rows):
        if index >= HEADER_SEARCH_ROWS:
            break
        mapping: dict[int, str] = {}
        for i, c in enumerate(cells):  # two headers for one column: the first is read, the other reported
            if header_key(c) in lookup and lookup[header_key(c)] not in mapping.values():
                mapping[i] = lookup[header_key(c)]
        if all(col in mapping.values() for col in required):
            ignored = tuple(c for i, c in enumerate(cells) if i not in mapping and clean_text(c))
            doubles = [c for i, c in enumerate(cells) if i not in mapping and header_key(c) in lookup]
            if doubles:
                notes.append(f"column{'s' if len(doubles) > 1 else ''} {', '.join(doubles)} not read: another "
                             "column of the same meaning comes first")
            rows = []
            for row_line, row_cells in raw_rows[index + 1:]:
                if not any(clean_text(c) for c in row_cells):
                    continue
                values = {
                    column: clean_text(row_cells[i]) if i < len(row_cells) else ""
                    for i, column in mapping.items()
                }
                rows.append(TableRow(line=row_line, values=values,
                                     cells=tuple(clean_text(c) for c in row_cells)))
            return Table(tuple(mapping.values()), tuple(rows), ignored, tuple(notes))
    return None


def _csv_rows(path: Path, notes: list[str]) -> list[tuple[int, list[str]]]:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode Text" export
        data = data.decode("utf-16", errors="replace").encode("utf-8")
        notes.append(f"{path.name} is UTF-16 (Excel's Unicode Text); read as such")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", errors="replace")
        damaged = text.count("\ufffd")
        if damaged >= sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd"):
            # Excel's plain "CSV" on a Vietnamese Windows saves in Windows-1258.
            text = data.decode("cp1258", errors="replace")
            notes.append(f"{path.name} is not UTF-8; read it as Windows-1258 (save as 'CSV UTF-8' to be sure)")
        else:  # UTF-8 with a few damaged bytes: the rows they are in are reported, the rest imports
            notes.append(f"{path.name}: {damaged} bytes that are not UTF-8 were replaced by \ufffd")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        # only '"' quotes a cell: a cell that starts with an apostrophe must not swallow the rows below it
        dialect = type("Sniffed", (csv.Dialect,), {
            "delimiter": dialect.delimiter, "quotechar": '"', "doublequote": True, "skipinitialspace": False,
            "lineterminator": "\r\n", "quoting": csv.QUOTE_MINIMAL})
    except csv.Error:
        dialect = csv.excel
    # A runaway cell is one bad row (reported with its line), not a file that cannot be read.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"{path}: line {reader.line_num}: {exc}") from exc
    return rows


Sheet = tuple[str, list[tuple[int, list[str]]]]


MAX_COLUMNS = 256  # a sheet that declares 16,384 columns is read this wide, not padded to that
MAX_ROWS = 200_000
FULL_READ_BYTES = 8 * 1024 * 1024  # the layout (merged cells, hidden rows) of smaller workbooks is read too


def _xlsx_sheets(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:  # the values and the formulas streamed side by side; the layout (merges, hidden rows) when small
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
        layout = load_workbook(path, read_only=False) if path.stat().st_size <= FULL_READ_BYTES else None
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInput(f"{path}: cannot read as XLSX ({exc})") from exc
    try:
        return [(sheet.title, _sheet_rows(path, sheet, formulas[sheet.title],
                                          layout[sheet.title] if layout is not None else None))
                for sheet in values.worksheets]
    finally:
        values.close()
        formulas.close()


def _sheet_rows(path: Path, sheet: Any, formulas: Any, layout: Any) -> list[tuple[int, list[str]]]:
    """The rows as text: a cell merged down several rows fills them (a date, a leader or a place written
    once for several rows), hidden rows are left out, and a formula Excel never computed (no saved
    value) reads as its formula, so that it is reported instead of taken for an empty cell. The size a
    file declares is never trusted: at most MAX_COLUMNS columns and MAX_ROWS rows are read."""
    merged: dict[tuple[int, int], object] = {}
    hidden: set[int] = set()
    if layout is not None:
        for area in layout.merged_cells.ranges:  # down a column only: a heading merged across is one cell
            for row in range(area.min_row + 1, min(area.max_row, MAX_ROWS) + 1):
                merged[(row, area.min_col)] = layout.cell(area.min_row, area.min_col).value
        hidden = {number for number, dimension in layout.row_dimensions.items() if dimension.hidden}
    merged_rows = {row for row, _ in merged}
    for worksheet in (sheet, formulas):
        worksheet.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    streams = zip(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS),
                  formulas.iter_rows(values_only=True, max_col=MAX_COLUMNS), strict=False)
    for number, (cached, written) in enumerate(streams, start=1):
        if number > MAX_ROWS:
            raise InvalidInput(f"{path}: more than {MAX_ROWS} rows in the sheet {sheet.title!r}")
        if number in hidden or (number not in merged_rows and cached.count(None) == len(cached)
                                and written.count(None) == len(written)):
            continue  # hidden, or empty (tuple.count: a declared million empty rows pass in a second)
        cells = []
        for column, value in enumerate(cached, start=1):
            if value is None and (number, column) in merged:
                value = merged[(number, column)]
            formula = written[column - 1] if column - 1 < len(written) else None
            if value is None and isinstance(formula, str) and formula.startswith("="):
                value = formula
            cells.append(_cell_text(value))
        rows.append((number, cells))
    return rows


def _xls_sheets(path: Path) -> list[Sheet]:
    """Excel 97-2003 workbooks, which offices still keep."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:
        raise InvalidInput(f"{path}: cannot read as XLS ({exc})") from exc
    sheets: list[Sheet] = []
    for sheet in book.sheets():
        rows = []
        for number in range(sheet.nrows):
            cells = []
            for cell in sheet.row(number):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(_cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                else:
                    cells.append(_cell_text(cell.value if cell.value != "" else None))
            rows.append((number + 1, cells))
        sheets.append((sheet.name, rows))
    return sheets


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


_TRUE = {"1", "x", "true", "yes", "y", "co", "dung", "active", "dang lam viec", "hoat dong"}
_FALSE = {"0", "false", "no", "n", "khong", "sai", "inactive", "nghi", "da nghi", "nghi viec", "ngung"}


def parse_flag(value: str) -> bool | None:
    """'x', 'Có', 'yes', '1' -> True; 'Không', 'no', '0' -> False; '' -> None; else InvalidInput."""
    key = re.sub(r"\s+", " ", unaccented_words(value))
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidInput(f"cannot read {value!r} as yes/no")


def unaccented_words(value: str) -> str:
    return " ".join(unaccented(word) for word in value.split())
