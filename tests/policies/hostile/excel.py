"""Hostile Excel (XLSX) files: print headers, comments, formulas, charts, hidden sheets, grid bombs."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from tests.policies.hostile.common import PKG_RELS, R_NS, SCHEDULE, Case, _edit, _rename, _sub, _xml_escape

# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------

def xlsx(rows: list[list[str]], *, setup: Callable[[object], None] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Trang 1"
    for row in rows:
        sheet.append(row)
    if setup is not None:
        setup(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_header_footer() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "xl/worksheets/sheet1.xml", "</worksheet>",
             "<headerFooter><oddHeader>&amp;C TỐI MẬT</oddHeader></headerFooter></worksheet>")
    return _edit(xlsx(SCHEDULE), edit)


def xlsx_comment() -> bytes:
    from openpyxl.comments import Comment

    def setup(book: object) -> None:
        book.active["A1"].comment = Comment("TỐI MẬT", "Văn thư")  # type: ignore[attr-defined]
    return xlsx(SCHEDULE, setup=setup)


def xlsx_formula(formula: str) -> bytes:
    def setup(book: object) -> None:
        book.active["A7"] = formula  # type: ignore[attr-defined]

    def edit(p: dict[str, bytes]) -> None:  # no cached value at all, as a generator would leave it
        p["xl/worksheets/sheet1.xml"] = p["xl/worksheets/sheet1.xml"].replace(b"<v></v>", b"").replace(b"<v />", b"")
    return _edit(xlsx(SCHEDULE, setup=setup), edit)


def xlsx_chart_title() -> bytes:
    from openpyxl.chart import BarChart, Reference

    def setup(book: object) -> None:
        sheet = book.active  # type: ignore[attr-defined]
        for row in (["Quý", "Số văn bản"], ["I", 120], ["II", 135], ["III", 140]):
            sheet.append(row)
        chart = BarChart()
        chart.title = "TỐI MẬT"
        chart.add_data(Reference(sheet, min_col=2, min_row=6, max_row=9), titles_from_data=True)
        sheet.add_chart(chart, "E2")
    return xlsx(SCHEDULE, setup=setup)


def xlsx_drawing_textbox() -> bytes:
    drawing = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.'
        'org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<xdr:twoCellAnchor><xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>0</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3'
        '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" '
        'name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect"><a:avLst/>'
        '</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>TỐI MẬT</a:t></a:r></a:p>'
        '</xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')

    def edit(p: dict[str, bytes]) -> None:
        p["xl/drawings/drawing1.xml"] = drawing.encode()
        p["xl/worksheets/_rels/sheet1.xml.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_RELS}">'
            f'<Relationship Id="rId1" Type="{R_NS}/drawing" Target="../drawings/drawing1.xml"/></Relationships>'
        ).encode()
        _sub(p, "xl/worksheets/sheet1.xml", "</worksheet>", f'<drawing xmlns:r="{R_NS}" r:id="rId1"/></worksheet>')
        _sub(p, "[Content_Types].xml", "</Types>", '<Override PartName="/xl/drawings/drawing1.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
    return _edit(xlsx(SCHEDULE), edit)


def xlsx_with_one_shared_string(item: str) -> bytes:
    """A workbook whose cell A1 is one shared string, given as the XML inside its <si>."""
    def edit(p: dict[str, bytes]) -> None:
        p["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            f'main" count="1" uniqueCount="1"><si>{item}</si></sst>').encode()
        _sub(p, "xl/worksheets/sheet1.xml", "<sheetData></sheetData>",
             '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')
        _sub(p, "xl/_rels/workbook.xml.rels", "</Relationships>",
             f'<Relationship Id="rIdSst" Type="{R_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        _sub(p, "[Content_Types].xml", "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return _edit(xlsx([]), edit)


def xlsx_rich_text_split() -> bytes:
    return xlsx_with_one_shared_string('<r><t xml:space="preserve">TỐI </t></r><r><rPr><b/></rPr><t>MẬT</t></r>')


def xlsx_hidden_sheet() -> bytes:
    def setup(book: object) -> None:
        hidden = book.create_sheet("Sheet2")  # type: ignore[attr-defined]
        hidden.sheet_state = "veryHidden"
        hidden.append(["Số: 45/BC-UBND"])
        hidden.append(["TỐI MẬT"])
    return xlsx(SCHEDULE, setup=setup)


def xlsx_workbook_renamed() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _rename(p, "xl/workbook.xml", "xl/book.xml")
        _rename(p, "xl/_rels/workbook.xml.rels", "xl/_rels/book.xml.rels")
        _sub(p, "_rels/.rels", "xl/workbook.xml", "xl/book.xml")
        _sub(p, "[Content_Types].xml", "/xl/workbook.xml", "/xl/book.xml")
    return _edit(xlsx([["Số: 45/BC-UBND"], ["TỐI MẬT"], ["Danh sách nhân sự"]]), edit)


def _inline_row(r: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{_xml_escape(v)}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


def xlsx_dimension_bomb(far_cell: bool, stamp: bool = False) -> bytes:
    """~8 KB of clean sheet XML whose <dimension> claims the whole grid (16,384 x 1,048,576 cells)."""
    rows = [_inline_row(r, [f"Thứ {2 + r % 5}", f"{7 + r % 9:02}:00", "Họp giao ban"]) for r in range(1, 48)]
    if far_cell:
        text = "TỐI MẬT" if stamp else "Hết"
        rows.append(f'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>{text}</t></is></c></row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats'
             '.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>' + "".join(rows)
             + "</sheetData></worksheet>")

    def edit(p: dict[str, bytes]) -> None:
        p["xl/worksheets/sheet1.xml"] = sheet.encode()
    return _edit(xlsx([]), edit)


def xlsx_number_format_literal() -> bytes:
    """A cell holding 0 whose number format is the literal text "TỐI MẬT": Excel shows TỐI MẬT."""
    def setup(book: object) -> None:
        cell = book.active["A7"]  # type: ignore[attr-defined]
        cell.value = 0
        cell.number_format = '"TỐI MẬT"'
    return xlsx(SCHEDULE, setup=setup)


def xlsx_cases() -> Iterator[Case]:
    yield "xlsx-print-header", "block", "so-lieu.xlsx", xlsx_header_footer()
    yield "xlsx-cell-comment", "block", "so-lieu.xlsx", xlsx_comment()
    yield "xlsx-formula-literal-no-cache", "block", "so-lieu.xlsx", xlsx_formula('="TỐI MẬT"')
    yield "xlsx-formula-concat-no-cache", "block", "so-lieu.xlsx", xlsx_formula('="TỐI "&"MẬT"')
    yield "xlsx-chart-title", "block", "so-lieu.xlsx", xlsx_chart_title()
    yield "xlsx-drawing-textbox", "block", "so-lieu.xlsx", xlsx_drawing_textbox()
    yield "xlsx-rich-text-split", "block", "so-lieu.xlsx", xlsx_rich_text_split()
    yield "xlsx-very-hidden-sheet", "block", "so-lieu.xlsx", xlsx_hidden_sheet()
    yield "xlsx-workbook-part-renamed", "block", "so-lieu.xlsx", xlsx_workbook_renamed()
    yield "xlsx-number-format-literal", "block", "so-lieu.xlsx", xlsx_number_format_literal()
    yield "xlsx-clean-schedule", "pass", "lich-cong-tac.xlsx", xlsx(SCHEDULE)
    yield "xlsx-clean-level-column-normal", "pass", "so-van-ban.xlsx", xlsx(
        [["Số ký hiệu", "Trích yếu", "Độ mật", "Độ khẩn"], ["88/BC-UBND", "Báo cáo quý", "Thường", "Khẩn"]])
