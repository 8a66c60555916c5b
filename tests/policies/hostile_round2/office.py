"""Round two: Word, Excel, ODF and PowerPoint builders (hidden filler, formulas, training tables)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from tests.policies import scans
from tests.policies.hostile.common import NOTICE, PLAIN, _edit, _sub, _xml_escape
from tests.policies.hostile.excel import xlsx
from tests.policies.hostile.slides import pptx
from tests.policies.hostile.word import _docx_body
from tests.policies.hostile_round2.common import BOLD, LAW_ARTICLE_19, _cell, _centred, _jpeg, _png_bytes, _run


def docx_hidden_filler() -> bytes:
    """TỐI M[hidden 'x']ẬT: Word hides the x (Font > Hidden); the reader sees TỐI MẬT."""
    red = '<w:b/><w:color w:val="FF0000"/>'
    return _docx_body(_centred(_run("TỐI M", red) + _run("x", red + "<w:vanish/>") + _run("ẬT", red)))


def docx_deleted_filler() -> bytes:
    """A tracked deletion inside the stamp: in Simple Markup / No Markup view the reader sees TỐI MẬT."""
    deleted = ('<w:del w:id="1" w:author="Văn thư" w:date="2025-12-15T08:00:00Z"><w:r><w:delText>x</w:delText>'
               "</w:r></w:del>")
    return _docx_body(_centred(_run("TỐI M") + deleted + _run("ẬT")))


def docx_symbol_letter() -> bytes:
    """The Ậ inserted as a symbol (w:sym, a Unicode font and a character code): Word draws MẬT."""
    sym = '<w:r><w:sym w:font="Times New Roman" w:char="1EAC"/></w:r>'
    return _docx_body(_centred(_run("M") + sym + _run("T")))


def docx_ruby_filler() -> bytes:
    """A phonetic guide (ruby) over the stamp: a 1-point guide letter the reader does not see."""
    ruby = ('<w:r><w:ruby><w:rubyPr><w:rubyAlign w:val="center"/><w:hps w:val="2"/><w:hpsRaise w:val="20"/>'
            '<w:hpsBaseText w:val="28"/><w:lid w:val="vi-VN"/></w:rubyPr><w:rt><w:r><w:rPr><w:sz w:val="2"/>'
            '</w:rPr><w:t>x</w:t></w:r></w:rt><w:rubyBase><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>TỐI MẬT</w:t>'
            "</w:r></w:rubyBase></w:ruby></w:r>")
    return _docx_body(_centred(ruby))


def docx_stamp_split_cells() -> bytes:
    """'M' | 'ẬT' in two borderless, margin-less cells side by side: the reader sees MẬT."""
    table = ('<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblBorders><w:top w:val="nil"/>'
             '<w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/>'
             '<w:insideV w:val="nil"/></w:tblBorders><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" '
             'w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="400"/><w:gridCol w:w="600"/>'
             f'</w:tblGrid><w:tr>{_cell("M")}{_cell("ẬT", 600)}</w:tr></w:tbl><w:p/>')
    return _docx_body(table)


def odt_hidden_filler() -> bytes:
    """LibreOffice's Hidden character attribute (text:display="none") on one letter inside the stamp."""
    from tests.policies.hostile.formats import odt

    style = ('<office:automatic-styles><style:style xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
             'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" style:name="T9" style:family="text">'
             '<style:text-properties text:display="none"/></style:style></office:automatic-styles>')

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "content.xml", "<office:automatic-styles/>", style)
        _sub(p, "content.xml", "<office:text>",
             '<office:text><text:p>TỐI M<text:span text:style-name="T9">x</text:span>ẬT</text:p>')
    return _edit(odt(PLAIN), edit)


def xlsx_white_filler() -> bytes:
    """A cell 'TỐI M' + 'x' in white 1-point type + 'ẬT' (rich text): Excel shows TỐI MẬT."""
    from tests.policies.hostile.excel import xlsx_with_one_shared_string

    return xlsx_with_one_shared_string(
        '<r><rPr><b/><color rgb="FFC00000"/></rPr><t>TỐI M</t></r><r><rPr><sz val="1"/><color rgb="FFFFFFFF"/>'
        '</rPr><t>x</t></r><r><rPr><b/><color rgb="FFC00000"/></rPr><t>ẬT</t></r>')


def xlsx_level_validation_list() -> bytes:
    """An empty register template whose 'Độ mật' column offers the levels in a drop-down (data validation)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def setup(book: object) -> None:
        sheet = book.active  # type: ignore[attr-defined]
        rule = DataValidation(type="list", formula1='"Thường,MẬT,TỐI MẬT,TUYỆT MẬT"', allow_blank=True,
                              promptTitle="Độ mật", prompt="Chọn độ mật của văn bản")
        rule.add("D3:D200")
        sheet.add_data_validation(rule)
    return xlsx([["SỔ ĐĂNG KÝ VĂN BẢN ĐI", "", "", ""], ["Số, ký hiệu", "Ngày", "Trích yếu", "Độ mật"]],
                setup=setup)


def xlsx_formula(formula: str, cached: str | None = None, full_calc: bool = False) -> bytes:
    """A cell with a formula Excel computes on opening; no cached value (as openpyxl and report
    generators write), or a cached value that lies and a workbook that asks for a full recalculation."""
    def setup(book: object) -> None:
        book.active["B7"] = formula  # type: ignore[attr-defined]

    def edit(p: dict[str, bytes]) -> None:
        sheet = p["xl/worksheets/sheet1.xml"]
        start = sheet.index(b'<c r="B7"')
        end = sheet.index(b"</c>", start)
        cell = sheet[start:end]
        cell = cell.replace(b"<v></v>", b"").replace(b"<v />", b"").replace(b"<v/>", b"")
        if cached is not None:
            cell = cell.replace(b' t="str"', b"").replace(b"<c r", b'<c t="str" r', 1) + \
                f"<v>{_xml_escape(cached)}</v>".encode()
        p["xl/worksheets/sheet1.xml"] = sheet[:start] + cell + sheet[end:]
        if full_calc:
            workbook = p["xl/workbook.xml"]
            if b"<calcPr" in workbook:
                start = workbook.index(b"<calcPr")
                end = workbook.index(b"/>", start) + 2
                p["xl/workbook.xml"] = workbook[:start] + b'<calcPr calcId="191029" fullCalcOnLoad="1"/>' + \
                    workbook[end:]
            else:
                _sub(p, "xl/workbook.xml", "</workbook>", '<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')
    from tests.policies.hostile.common import SCHEDULE
    return _edit(xlsx([*SCHEDULE, [], ["Số: 45/BC-UBND"]], setup=setup), edit)


# ---------------------------------------------------------------------------------------------
# False-positive material
# ---------------------------------------------------------------------------------------------

def _docx_paragraphs(xml: str, *, numbering: bool = False) -> bytes:
    """A DOCX whose body is ``xml``, optionally with an auto-numbered list definition (numId 1)."""
    from docx import Document

    document = Document()
    document.add_paragraph("x")
    out = io.BytesIO()
    document.save(out)

    def edit(p: dict[str, bytes]) -> None:
        body = p["word/document.xml"]
        start = body.index(b"<w:body>") + len(b"<w:body>")
        end = body.index(b"<w:sectPr")
        p["word/document.xml"] = body[:start] + xml.encode() + body[end:]
        if numbering:
            p["word/numbering.xml"] = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="http://schemas.'
                b'openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0">'
                b'<w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
                b"</w:lvl>"
                b'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/>'
                b'<w:lvlJc w:val="left"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/>'
                b"</w:num></w:numbering>")
            _sub(p, "word/_rels/document.xml.rels", "</Relationships>",
                 '<Relationship Id="rIdNum" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'numbering" Target="numbering.xml"/></Relationships>')
            _sub(p, "[Content_Types].xml", "</Types>",
                 '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.wordprocessingml.numbering+xml"/></Types>')
    return _edit(out.getvalue(), edit)


def _para(text: str, level: int | None = None, style: str | None = None) -> str:
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if level is not None:
        props += f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr>'
    return f'<w:p>{f"<w:pPr>{props}</w:pPr>" if props else ""}{_run(text)}</w:p>'


def docx_law_article_19() -> bytes:
    """The law's Article 19 in a training handout: clauses auto-numbered (the numbers are not text)."""
    lines = LAW_ARTICLE_19.split("\n")
    xml = _para(lines[0], style="Heading2") + _para(lines[1], level=0)
    xml += "".join(_para(line, level=1) for line in lines[2:5]) + _para(lines[5], level=0)
    return _docx_paragraphs(xml, numbering=True)


def _table(rows: list[list[str]], first_row_props: str = "") -> str:
    def cell(text: str, props: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p>{_run(text, props)}</w:p></w:tc>'
    body = "".join("<w:tr>" + "".join(cell(t, first_row_props if i == 0 else "") for t in row) + "</w:tr>"
                   for i, row in enumerate(rows))
    grid = '<w:gridCol w:w="2000"/>' * len(rows[0])
    return ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>")


def docx_training_table_transposed() -> bytes:
    """A training handout's comparison table, levels across the top row (the first cell names the row)."""
    rows = [["Độ mật", "Tuyệt mật", "Tối mật", "Mật"],
            ["Thời hạn bảo vệ", "30 năm", "20 năm", "10 năm"],
            ["Thẩm quyền cho phép sao, chụp", "Người đứng đầu cơ quan Trung ương", "Người đứng đầu cơ quan cấp tỉnh",
             "Cấp phòng trở lên"]]
    xml = (_para("PHÂN LOẠI BÍ MẬT NHÀ NƯỚC", style="Heading1") + _table(rows)
           + _para("Nguồn: Luật Bảo vệ bí mật nhà nước 2018 và Nghị định 26/2020/NĐ-CP."))
    return _docx_paragraphs(xml)


def docx_training_caps_heading_table() -> bytes:
    """Headings in Word's Heading 1 style made ALL CAPS by the style, and an ordinary table below."""
    style = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="TieuDe"><w:name w:val="Tieu de"/>'
             '<w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:caps/></w:rPr>'
             "</w:style>")
    rows = [["Độ mật", "Người có thẩm quyền xác định", "Thời hạn"],
            ["Tuyệt mật", "Bộ trưởng, Chủ tịch UBND tỉnh", "30 năm"],
            ["Tối mật", "Bộ trưởng, Chủ tịch UBND tỉnh", "20 năm"],
            ["Mật", "Người đứng đầu cơ quan, tổ chức", "10 năm"]]
    xml = (_para("Tài liệu tập huấn công tác bảo vệ bí mật nhà nước", style="TieuDe")
           + _para("Phần I. Các độ mật", style="TieuDe") + _table(rows, "<w:b/>")
           + _para("Không gửi văn bản mật qua thư điện tử công vụ."))

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/styles.xml", "</w:styles>", style + "</w:styles>")
    return _edit(_docx_paragraphs(xml), edit)


def docx_form_wingdings_boxes() -> bytes:
    """A 'Phiếu xử lý văn bản' with tick boxes inserted as Wingdings symbols (Insert > Symbol): the
    boxes are w:sym, so the row reads 'Độ mật:  Mật  Tối mật  Tuyệt mật' with nothing ticked."""
    box = '<w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>'

    def cell(runs: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p>{runs}</w:p></w:tc>'

    fields = (("Độ khẩn:", ("Thường", "Khẩn", "Hỏa tốc")), ("Độ mật:", ("Mật", "Tối mật", "Tuyệt mật")))
    rows = [cell(_run(label)) + "".join(cell(box + _run(f" {value}")) for value in values) for label, values in fields]
    table = ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>'
             + '<w:gridCol w:w="2000"/>' * 4 + "</w:tblGrid>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>")
    xml = (_para("UBND TỈNH KHÁNH HÒA") + _para("VĂN PHÒNG") + _para("PHIẾU XỬ LÝ VĂN BẢN ĐẾN")
           + _para("Số đến: ........ Ngày đến: ..../..../2025") + table
           + _para("Ý kiến của lãnh đạo: ..........................................................."))
    return _docx_paragraphs(xml)


def docx_dropdown_levels() -> bytes:
    """A template's content control for the level: a drop-down list whose options are the stamps, with
    'Thường' chosen (what Word shows)."""
    options = "".join(f'<w:listItem w:displayText="{v}" w:value="{v}"/>'
                      for v in ("Thường", "MẬT", "TỐI MẬT", "TUYỆT MẬT"))
    sdt = ('<w:p><w:r><w:t xml:space="preserve">Độ mật: </w:t></w:r><w:sdt><w:sdtPr><w:alias w:val="Độ mật"/>'
           f'<w:tag w:val="DoMat"/><w:id w:val="-1"/><w:dropDownList><w:listItem w:displayText="Chọn độ mật" '
           f'w:value=""/>{options}</w:dropDownList></w:sdtPr><w:sdtContent><w:r><w:t>Thường</w:t></w:r></w:sdtContent>'
           "</w:sdt></w:p>")
    xml = "".join(_para(line) for line in NOTICE.split("\n")[:4]) + sdt + "".join(
        _para(line) for line in NOTICE.split("\n")[4:])
    return _docx_paragraphs(xml)


def pptx_levels_slide() -> bytes:
    """A training slide: the title 'Độ mật', then the three levels as bullets (levels in the law's order)."""
    return pptx("Độ mật\nTuyệt mật\nTối mật\nMật",
                notes="Giải thích: ba độ mật theo Điều 8 Luật Bảo vệ bí mật nhà nước.")


def xlsx_html_export() -> bytes:
    """What web systems export as 'Excel': an HTML table named .xls (Excel opens it), with &nbsp; and
    attributes without quotes, as the HR and e-office systems of provinces write them."""
    rows = [("STT", "Họ và tên", "Chức vụ", "Ghi chú"), ("1", "Nguyễn Văn A", "Chánh Văn phòng", "&nbsp;"),
            ("2", "Trần Thị B", "Văn thư", "Mật khẩu đã đổi"), ("3", "Lê Văn C", "Chuyên viên", "&nbsp;")]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n<table border=1 cellpadding=2>\n'
            f"{body}</table>\n").encode()


def _logo() -> bytes:
    """An agency logo: a red disc with a yellow star and the agency's name around it, 300 x 300."""
    image = Image.new("RGB", (300, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), fill=(200, 20, 30))
    draw.regular_polygon((150, 140, 70), 5, fill=(250, 220, 0))
    font = ImageFont.truetype(BOLD, 22)
    draw.text((150, 250), "SỞ NỘI VỤ", font=font, fill=(250, 220, 0), anchor="mm")
    return _png_bytes(image)


def docx_with_logo_and_photos() -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(_logo()), width=Cm(2))
    for line in ("BÁO CÁO", "Kết quả hội nghị tổng kết công tác năm 2025", "Một số hình ảnh tại hội nghị:"):
        document.add_paragraph(line)
    for seed in (31, 32):
        document.add_picture(io.BytesIO(_jpeg(scans.photo(seed=seed, size=(1600, 1200)), 82)), width=Cm(14))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_staff_list() -> bytes:
    rows = [["DANH SÁCH CÁN BỘ ĐƯỢC CẤP HỘP THƯ CÔNG VỤ", "", "", ""], ["STT", "Họ và tên", "Hộp thư", "Ghi chú"],
            ["1", "Nguyễn Văn A", "nva@khanhhoa.gov.vn", "Mật khẩu đã đổi"],
            ["2", "Trần Thị B", "ttb@khanhhoa.gov.vn", "Mật khẩu đã đổi"],
            ["3", "Lê Văn C", "lvc@khanhhoa.gov.vn", "Chưa đổi mật khẩu"],
            ["4", "Phạm Thị D", "ptd@khanhhoa.gov.vn", "Mật"]]
    return xlsx(rows)


def odt_report_normal() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    for line in ("UBND TỈNH KHÁNH HÒA", "SỞ NỘI VỤ", "Số: 301/BC-SNV", "BÁO CÁO",
                 "Kết quả thực hiện công tác bảo vệ bí mật nhà nước năm 2025"):
        document.text.addElement(P(text=line))
    table = Table(name="ThongTin")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for key, value in (("Độ mật", "Thường"), ("Độ khẩn", "Thường"), ("Người ký", "Nguyễn Văn An")):
        row = TableRow()
        for text in (key, value):
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(P(text="Năm 2025, không để xảy ra lộ, mất bí mật nhà nước; 100% cán bộ được tập huấn."))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
