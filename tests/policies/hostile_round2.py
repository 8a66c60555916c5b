"""Round two of the hostile corpus for the confidentiality gate (see hostile.py for the format).

Two directions:

- ``r2-evade-*`` (label "block"): an attacker who has read policies/ hides a mark where the gate
  reads something other than what the recipient sees (hidden filler glued into the stamp, text
  reversed for display, formulas Excel computes on opening, stamps drawn as vector outlines or
  as small pictures, parts of a file the reader skips), or a clerk's ordinary habits break a
  rule (a wrapped covering note, "RE:" before the subject tag).
- ``r2-fp-*`` (label "pass"): ordinary documents produced by the usual tools that a careless
  rule refuses (the law's own text, training tables, blank forms, signed mail, exports).
- ``r2-ok-*``: ideas of this round the gate already handled when they were written; kept as
  regression guards, with the label the gate should keep giving.

Scans are rendered with tests/policies/scans.py. Generation of the whole module takes a few
seconds; reading the OCR cases is the slow part of the test.
"""

from __future__ import annotations

import base64
import functools
import gzip
import io
import quopri
import struct
import zipfile
from collections.abc import Callable, Iterator

from PIL import Image, ImageDraw, ImageFont

from tests.policies import scans
from tests.policies.hostile import (
    DOCX_MIME,
    NOTICE,
    PLAIN,
    STAMPED,
    TRAINING,
    Case,
    _crlf,
    _docx_body,
    _edit,
    _font,
    _message,
    _pdf_bytes,
    _pdf_writer,
    _sub,
    _wire,
    _xml_escape,
    _zip,
    docx,
    pdf,
    pptx,
    xlsx,
)

BOLD = scans.BOLD
HEADERS = "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nDate: Mon, 15 Dec 2025 08:00:00 +0700\n"

# The covering note a clerk writes, as one long sentence (the declaration is in its middle).
COVERING = ("Kính gửi đồng chí Chánh Văn phòng, Văn phòng UBND tỉnh xin gửi kèm theo thư này bản dự thảo "
            "Phương án bố trí nhân sự năm 2026; tài liệu gửi kèm thuộc bí mật nhà nước độ Tối mật, đề nghị "
            "đồng chí quản lý theo đúng quy định. Trân trọng.")

# The law's own words (Luật Bảo vệ bí mật nhà nước 2018, Điều 19), as a training handout quotes it.
LAW_ARTICLE_19 = (
    "Điều 19. Thời hạn bảo vệ bí mật nhà nước\n"
    "Thời hạn bảo vệ bí mật nhà nước là khoảng thời gian được tính từ ngày xác định độ mật của bí mật nhà nước "
    "đến hết thời hạn sau đây:\n"
    "30 năm đối với bí mật nhà nước độ Tuyệt mật;\n"
    "20 năm đối với bí mật nhà nước độ Tối mật;\n"
    "10 năm đối với bí mật nhà nước độ Mật.\n"
    "Thời hạn bảo vệ bí mật nhà nước về hoạt động có thể ngắn hơn thời hạn quy định tại khoản 1 Điều này "
    "và phải xác định cụ thể tại tài liệu, vật chứa bí mật nhà nước khi xác định độ mật.")

GIAY_MOI = (
    "UBND TỈNH KHÁNH HÒA\nSỞ NỘI VỤ\nSố: 215/GM-SNV\nKhánh Hòa, ngày 10 tháng 12 năm 2025\nGIẤY MỜI\n"
    "Dự hội nghị tập huấn công tác bảo vệ bí mật nhà nước năm 2025\n"
    "Sở Nội vụ trân trọng kính mời: Đại diện lãnh đạo và cán bộ phụ trách công tác bảo mật của các phòng, "
    "đơn vị trực thuộc.\nThời gian: 07 giờ 30, ngày 18/12/2025.\nĐịa điểm: Hội trường tầng 3, Sở Nội vụ.\n"
    "Đề nghị đại biểu không mang tài liệu mật vào hội trường; mật khẩu Wi-Fi sẽ được cung cấp tại hội nghị.\n"
    "Nơi nhận:\nNhư trên;\nLưu: VT, VP.\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Văn An")


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------

def _jpeg(image: Image.Image, quality: int = 85, dpi: int | None = None) -> bytes:
    out = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    image.convert("RGB").save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@functools.cache
def _small_stamp(level: str = "TỐI MẬT") -> Image.Image:
    """A red stamp cropped tight to its frame, as a clerk pastes it: about 330 x 100 px."""
    mark = scans.stamp(level, scans.RED, size=44, seed=4)
    paper = Image.new("RGB", mark.size, (255, 255, 255))
    paper.paste(mark, (0, 0), mark)
    return paper


def _docx_picture(picture: bytes, text: str = PLAIN, width_cm: float = 5.0) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    lines = text.split("\n")
    for line in lines[:2]:
        document.add_paragraph(line)
    document.add_picture(io.BytesIO(picture), width=Cm(width_cm))
    for line in lines[2:]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{_xml_escape(text)}</w:t></w:r>'


def _centred(runs: str) -> str:
    return f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{runs}</w:p>'


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


def _cell(text: str, width: int = 400) -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:tcMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" '
            f'w:type="dxa"/></w:tcMar></w:tcPr><w:p><w:pPr><w:jc w:val="{"right" if text == "M" else "left"}"/>'
            f"</w:pPr>{_run(text, '<w:b/>')}</w:p></w:tc>")


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
    from tests.policies.hostile import odt

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
    from tests.policies.hostile import R_NS

    def edit(p: dict[str, bytes]) -> None:
        p["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            'main" count="1" uniqueCount="1"><si><r><rPr><b/><color rgb="FFC00000"/></rPr><t>TỐI M</t></r><r><rPr>'
            '<sz val="1"/><color rgb="FFFFFFFF"/></rPr><t>x</t></r><r><rPr><b/><color rgb="FFC00000"/></rPr>'
            "<t>ẬT</t></r></si></sst>").encode()
        _sub(p, "xl/worksheets/sheet1.xml", "<sheetData></sheetData>",
             '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')
        _sub(p, "xl/_rels/workbook.xml.rels", "</Relationships>",
             f'<Relationship Id="rIdSst" Type="{R_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        _sub(p, "[Content_Types].xml", "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return _edit(xlsx([]), edit)


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
    from tests.policies.hostile import SCHEDULE
    return _edit(xlsx([*SCHEDULE, [], ["Số: 45/BC-UBND"]], setup=setup), edit)


def _html_message(subject: str, html: str, text: str = "Kính gửi các đồng chí, xin gửi báo cáo.") -> bytes:
    return _wire(_message(subject, text, html=html))


def _html_doc(stamp_html: str) -> str:
    body = "".join(f"<p>{_xml_escape(line)}</p>" for line in PLAIN.split("\n")[:2])
    rest = "".join(f"<p>{_xml_escape(line)}</p>" for line in PLAIN.split("\n")[2:])
    return (f'<html><head><meta charset="utf-8"></head><body>{body}'
            f'<p align="center" style="color:red;font-weight:bold">{stamp_html}</p>{rest}</body></html>')


def _flowed(subject: str, lines: list[str], flowed: bool) -> bytes:
    """A plain-text message as Thunderbird sends it: format=flowed lines end in a space where the
    sender's paragraph goes on (the reader's client joins them), QP-encoded."""
    body = "\r\n".join(lines) + "\r\n"
    encoded = quopri.encodestring(body.encode()).decode()
    kind = 'text/plain; charset=UTF-8; format=flowed' if flowed else "text/plain; charset=UTF-8"
    return _crlf(f"{HEADERS}Subject: {subject}\nMessage-ID: <r2-flowed@khanhhoa.gov.vn>\nMIME-Version: 1.0\n"
                 f"Content-Type: {kind}\nContent-Transfer-Encoding: quoted-printable\n\n") + encoded.encode()


def _wrap(text: str, width: int = 72) -> list[str]:
    """Lines as a mail client wraps them at ``width`` columns, each line but the last keeping its space."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _raw_message(subject_header: str, body: str = "Kính gửi các đồng chí.\n",
                 content_type: str = "text/plain; charset=utf-8") -> bytes:
    return _crlf(f"{HEADERS}Subject: {subject_header}\nMIME-Version: 1.0\nContent-Type: {content_type}\n"
                 "Content-Transfer-Encoding: 8bit\n\n" + body)


def _attachment_message(parts: list[str], subject: str = "Tài liệu") -> bytes:
    """A multipart/mixed message written by hand: ``parts`` are whole MIME parts (headers, blank line, body)."""
    text = (f"{HEADERS}Subject: {subject}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"r2b\"\n\n"
            "--r2b\nContent-Type: text/plain; charset=utf-8\n\nKính gửi các đồng chí, xin gửi tài liệu kèm theo.\n")
    for part in parts:
        text += "--r2b\n" + part + "\n"
    return _crlf(text + "--r2b--\n")


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def eml_filename_rfc2047() -> bytes:
    """The attachment's name as Outlook and Gmail write a non-ASCII name: an RFC 2047 word in quotes."""
    word = "=?UTF-8?B?" + base64.b64encode("TỐI MẬT - Phương án nhân sự.docx".encode()).decode() + "?="
    return _attachment_message([f'Content-Type: {DOCX_MIME}; name="{word}"\nContent-Disposition: attachment; '
                                f'filename="{word}"\nContent-Transfer-Encoding: base64\n\n' + _b64(docx(PLAIN))])


def eml_filename_rfc2231() -> bytes:
    """The name as Thunderbird writes a long non-ASCII one: RFC 2231 continuations, percent-encoded UTF-8."""
    encoded = "".join(f"%{b:02X}" if b > 127 or b in b" %'*" else chr(b) for b in "TỐI MẬT - Kế hoạch.docx".encode())
    cut = encoded.index("%20-")  # between two escapes, never inside one
    halves = (encoded[:cut], encoded[cut:])
    return _attachment_message([f"Content-Type: {DOCX_MIME}\nContent-Disposition: attachment;\n"
                                f" filename*0*=utf-8''{halves[0]};\n filename*1*={halves[1]}\n"
                                "Content-Transfer-Encoding: base64\n\n" + _b64(docx(PLAIN))])


def eml_message_global() -> bytes:
    """A forwarded message as message/global (RFC 6532, UTF-8 headers): Thunderbird shows it as a message."""
    inner = ("From: truongphong@khanhhoa.gov.vn\nTo: vanthu@khanhhoa.gov.vn\nSubject: [TỐI MẬT] Phương án nhân sự\n"
             "Content-Type: text/plain; charset=utf-8\n\nGửi anh xem trước cuộc họp.\n")
    return _attachment_message(["Content-Type: message/global\nContent-Disposition: attachment\n\n" + inner],
                               "Fwd: Phương án")


def eml_text_rtf_body() -> bytes:
    """An RTF part sent as text/rtf without a file name (the recipient opens it in Word)."""
    rtf = ("{\\rtf1\\ansi\\ansicpg1258\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs26 "
           "UBND T\\u7880?NH KH\\u193?NH H\\u210?A\\par S\\u7889?: 45/BC-UBND\\par "
           "\\qc\\b T\\u7888?I M\\u7852?T\\b0\\par\\ql B\\u193?O C\\u193?O\\par}")
    return _attachment_message(["Content-Type: text/rtf; charset=us-ascii\n\n" + rtf])


def eml_cte_unknown() -> bytes:
    """An attachment in a transfer encoding the email package does not know (x-gzip64): it is read as the
    encoded text itself, which is clean ASCII."""
    payload = _b64(gzip.compress(docx(STAMPED), mtime=0))
    return _attachment_message([f'Content-Type: {DOCX_MIME}; name="bao-cao.docx"\nContent-Disposition: attachment; '
                                'filename="bao-cao.docx"\nContent-Transfer-Encoding: x-gzip64\n\n' + payload])


def eml_encoded_word_language() -> bytes:
    """RFC 2231 section 5: an encoded-word with a language tag (=?UTF-8*vi?B?...?=)."""
    word = "=?UTF-8*vi?B?" + base64.b64encode("[TỐI MẬT] Phương án nhân sự".encode()).decode() + "?="
    return _raw_message(word)


def eml_inline_small_stamp() -> bytes:
    """The stamp pasted into an HTML body as a small picture (multipart/related, cid:)."""
    m = _message("Báo cáo", PLAIN, html='<p>UBND TỈNH KHÁNH HÒA<br>Số: 45/BC-UBND</p>'
                 '<p><img src="cid:dau01@khanhhoa" width="220"></p><p>BÁO CÁO</p>')
    html_part = m.get_payload()[1]
    html_part.add_related(_jpeg(_small_stamp()), maintype="image", subtype="jpeg", cid="<dau01@khanhhoa>")
    return _wire(m)


# --- PDF --------------------------------------------------------------------------------------

def _pdf_canvas(draw: Callable[[object], None], text: str = PLAIN) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    y = 780
    for line in text.split("\n"):
        page.setFont(_font(), 12)
        page.drawString(72, y, line)
        y -= 20
    draw(page)
    page.save()
    return out.getvalue()


def pdf_tiny_filler() -> bytes:
    """TỐI M + a 0.1-point 'x' + ẬT on one line: the x is a speck nobody sees."""
    def draw(page: object) -> None:
        from reportlab.pdfgen.canvas import Canvas
        assert isinstance(page, Canvas)
        page.setFillColorRGB(0.8, 0, 0)
        text = page.beginText(220, 680)
        text.setFont(_font(), 22)
        text.textOut("TỐI M")
        text.setFont(_font(), 0.1)
        text.textOut("x")
        text.setFont(_font(), 22)
        text.textOut("ẬT")
        page.drawText(text)
    return _pdf_canvas(draw)


def pdf_invisible_filler() -> bytes:
    """TỐI M, then an 'x' in text render mode 3 (invisible), then ẬT drawn where it belongs."""
    def draw(page: object) -> None:
        from reportlab.pdfgen.canvas import Canvas
        assert isinstance(page, Canvas)
        page.setFillColorRGB(0.8, 0, 0)
        width = page.stringWidth("TỐI M", _font(), 22)
        text = page.beginText(220, 680)
        text.setFont(_font(), 22)
        text.textOut("TỐI M")
        text.setTextRenderMode(3)
        text.textOut("x")
        text.setTextRenderMode(0)
        text.setTextOrigin(220 + width, 680)
        text.textOut("ẬT")
        page.drawText(text)
    return _pdf_canvas(draw)


def _outline_rects(level: str, size: int = 44) -> tuple[list[tuple[int, int, int]], int, int]:
    """The stamp's letters as runs of pixels (x, y, length), from a bitmap: text 'converted to curves'."""
    font = ImageFont.truetype(BOLD, size)
    left, top, right, bottom = font.getbbox(level)
    mask = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(mask).text((2 - left, 2 - top), level, font=font, fill=255)
    pixels = mask.load()
    runs: list[tuple[int, int, int]] = []
    for y in range(mask.height):
        x = 0
        while x < mask.width:
            if pixels[x, y] >= 128:
                start = x
                while x < mask.width and pixels[x, y] >= 128:
                    x += 1
                runs.append((start, y, x - start))
            x += 1
    return runs, mask.width, mask.height


def pdf_stamp_outlines() -> bytes:
    """A typed page whose red stamp is vector outlines (text converted to curves, as a stamp made in
    CorelDRAW is pasted): no glyphs to extract, no picture to OCR."""
    runs, width, height = _outline_rects("TỐI MẬT")

    def draw(page: object) -> None:
        from reportlab.pdfgen.canvas import Canvas
        assert isinstance(page, Canvas)
        page.setFillColorRGB(0.8, 0, 0)
        page.setStrokeColorRGB(0.8, 0, 0)
        page.setLineWidth(2)
        x0, y0 = 200, 600
        page.rect(x0 - 14, y0 - 12, width + 28, height + 24, stroke=1, fill=0)
        path = page.beginPath()
        for x, y, length in runs:
            path.rect(x0 + x, y0 + height - y - 1, length, 1)
        page.drawPath(path, stroke=0, fill=1)
    return _pdf_canvas(draw)


def svg_stamp_outlines() -> bytes:
    runs, width, height = _outline_rects("TỐI MẬT", 40)
    d = "".join(f"M{x + 20} {y + 20}h{length}v1h-{length}z" for x, y, length in runs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" width="{width + 40}" '
            f'height="{height + 40}"><rect x="6" y="6" width="{width + 28}" height="{height + 28}" fill="none" '
            f'stroke="#c00" stroke-width="4"/><path fill="#c00" d="{d}"/></svg>').encode()


def pdf_tounicode_lie() -> bytes:
    """The embedded font's ToUnicode map says the glyph drawn as Ậ is Ặ: the page shows TỐI MẬT,
    extraction gives TỐI MẶT (a word that is not a level)."""
    import re

    writer = _pdf_writer(_pdf_canvas(lambda page: (page.setFont(_font(), 24), page.drawString(220, 680, "TỐI MẬT"))))
    for page in writer.pages:  # type: ignore[attr-defined]
        fonts = page["/Resources"]["/Font"]
        for key in fonts:
            font = fonts[key].get_object()
            cmap_ref = font.get("/ToUnicode")
            if cmap_ref is None:
                continue
            cmap = cmap_ref.get_object()
            data = cmap.get_data().decode("latin-1")
            data = re.sub(r"<1EAC>", "<1EB6>", data, flags=re.I)
            cmap.set_data(data.encode("latin-1"))
    return _pdf_bytes(writer)


def pdf_file_attachment_annotation() -> bytes:
    """A stamped DOCX attached with Acrobat's Attach File comment tool: a FileAttachment annotation
    (paper-clip icon on the page), not in the document's EmbeddedFiles list."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = _pdf_writer(pdf(PLAIN))
    stream = DecodedStreamObject()
    stream.set_data(docx(STAMPED))
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    reference = writer._add_object(stream)  # type: ignore[attr-defined]
    spec = DictionaryObject({NameObject("/Type"): NameObject("/Filespec"),
                             NameObject("/F"): TextStringObject("phu-luc.docx"),
                             NameObject("/UF"): TextStringObject("phu-luc.docx"),
                             NameObject("/EF"): DictionaryObject({NameObject("/F"): reference})})
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (500, 760, 520, 780)]),
        NameObject("/F"): NumberObject(4), NameObject("/Name"): NameObject("/PushPin"),
        NameObject("/FS"): writer._add_object(spec),  # type: ignore[attr-defined]
    })
    writer.add_annotation(page_number=0, annotation=annotation)  # type: ignore[attr-defined]
    return _pdf_bytes(writer)


def pdf_small_stamp_picture() -> bytes:
    """A typed page with the stamp pasted as a small picture (330 x 100 px, drawn 5.5 cm wide)."""
    from reportlab.lib.utils import ImageReader

    picture = _small_stamp()

    def draw(page: object) -> None:
        from reportlab.pdfgen.canvas import Canvas
        assert isinstance(page, Canvas)
        page.drawImage(ImageReader(picture), 90, 640, width=156, height=156 * picture.height / picture.width)
    return _pdf_canvas(draw)


def pdf_plus_zip_polyglot() -> bytes:
    """A clean PDF with a stamped DOCX appended: a ZIP reader (Word, LibreOffice, unzip) finds the
    DOCX through the central directory at the end; the gate sees %PDF- first."""
    return pdf(NOTICE) + docx(STAMPED)


def jpeg_plus_zip_polyglot() -> bytes:
    """A meeting photo with a ZIP appended (renamed .zip by the recipient, it opens)."""
    return _jpeg(scans.photo(seed=21, size=(800, 600)), 80) + _zip({"bao-cao.docx": docx(STAMPED)})


def zip_duplicate_member() -> bytes:
    """Two word/document.xml entries: the stamped one first, a clean one last (zipfile's getinfo
    returns the last; other readers take the first)."""
    stamped = docx(STAMPED)
    clean_document = zipfile.ZipFile(io.BytesIO(docx(NOTICE))).read("word/document.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(stamped)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        import warnings

        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.writestr("word/document.xml", clean_document)
    return buffer.getvalue()


# --- OCR -------------------------------------------------------------------------------------

def _degraded(image: Image.Image, angle: float, seed: int, scale: float = 0.75) -> Image.Image:
    """As a scanner leaves a page, at 150 dpi (``scale`` of the 200 dpi render): a little rotated, a
    little blurred, with sensor noise drawn from a seeded generator (scans.degraded uses C's rand(),
    which is not repeatable from run to run)."""
    import random

    from PIL import ImageFilter

    image = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=(252, 251, 247))
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.frombytes("L", image.size, random.Random(seed).randbytes(image.width * image.height))
    return Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.08)


def _page_with_stamp(stamp: Image.Image, dpi_scale: float = 1.0, seal: bool = True,
                     at: tuple[int, int] | None = None) -> Image.Image:
    page = scans.page(None, seal=seal)
    x, y = at or (scans.LEFT + 300 - stamp.width // 2, scans.TOP + 200)
    page.paste(stamp, (x, y), stamp if stamp.mode == "RGBA" else None)
    if dpi_scale != 1.0:
        page = page.resize((int(page.width * dpi_scale), int(page.height * dpi_scale)), Image.Resampling.LANCZOS)
    return page


def scan_stamp_rotated(angle: float) -> bytes:
    """The stamp pressed askew (by hand), or along the left margin (90 degrees)."""
    mark = scans.stamp("TỐI MẬT", scans.RED, seed=6).rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    at = (60, scans.TOP + 300) if angle == 90 else None
    return _jpeg(_degraded(_page_with_stamp(mark, at=at), 0.5, seed=3), 85)


def scan_page_turned(degrees: int) -> bytes:
    """A stamped page fed into the scanner sideways or upside down (any viewer turns it back)."""
    page = _degraded(scans.page("TỐI MẬT", "red", seed=3), 0.5, seed=3)
    return _jpeg(page.rotate(degrees, expand=True), 80)


def scan_white_on_red() -> bytes:
    """A stamp printed white on a red block (a label made in Word, printed, scanned)."""
    font = ImageFont.truetype(BOLD, 52)
    left, top, right, bottom = font.getbbox("TỐI MẬT")
    block = Image.new("RGBA", (right - left + 60, bottom - top + 40), (*scans.RED, 255))
    ImageDraw.Draw(block).text((30 - left, 20 - top), "TỐI MẬT", font=font, fill=(255, 255, 255, 255))
    return _jpeg(_degraded(_page_with_stamp(block), 0.0, seed=4), 85)


def scan_low_dpi_stamped() -> bytes:
    """The stamped page at 100 dpi (a fax or a scanner on its lowest setting): 827 x 1169."""
    page = scans.page("TỐI MẬT", "red", seed=2)
    return _jpeg(page.resize((827, 1169), Image.Resampling.LANCZOS), 75, dpi=100)


# ---------------------------------------------------------------------------------------------
# Compound (OLE) files: Outlook .msg and Word 97 with embedded objects
# ---------------------------------------------------------------------------------------------

def _cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file (MS-CFB version 3, 512-byte sectors) holding ``streams`` ('a/b/c' paths make
    storages). Streams under 4096 bytes go to the mini stream, as the specification wants."""
    sector = 512
    free, end_of_chain, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    # directory tree: each storage's children, as a list (red-black colour: all black, a simple chain)
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]
    index: dict[str, int] = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            if key in index:
                continue
            parent = index["/".join(parts[: depth - 1])]
            is_stream = depth == len(parts)
            entries.append({"name": parts[depth - 1], "type": 2 if is_stream else 1, "children": [],
                            "data": streams[path] if is_stream else b""})
            index[key] = len(entries) - 1
            entries[parent]["children"].append(len(entries) - 1)  # type: ignore[union-attr]

    mini = bytearray()
    minifat: list[int] = []
    big: list[tuple[int, bytes]] = []  # (entry, data) stored in regular sectors
    for number, entry in enumerate(entries):
        data = entry["data"]
        assert isinstance(data, bytes)
        if entry["type"] != 2:
            continue
        if len(data) < 4096:
            start = len(mini) // 64
            count = max(1, -(-len(data) // 64))
            mini += data.ljust(count * 64, b"\x00")
            minifat += [start + i + 1 for i in range(count - 1)] + [end_of_chain]
            entry["start"] = start if data else end_of_chain
        else:
            big.append((number, data))

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = max(1, -(-len(data) // sector))
        first = len(sectors)
        for i in range(count):
            sectors.append(data[i * sector:(i + 1) * sector].ljust(sector, b"\x00"))
            fat.append(first + i + 1 if i < count - 1 else end_of_chain)
        return first

    for number, data in big:
        entries[number]["start"] = place(data)
    entries[0]["start"] = place(bytes(mini)) if mini else end_of_chain
    entries[0]["data"] = bytes(mini)
    minifat_start = place(b"".join(struct.pack("<I", v) for v in minifat)) if minifat else end_of_chain
    minifat_count = -(-len(minifat) * 4 // sector) if minifat else 0

    def name_key(number: int) -> tuple[int, str]:
        name = str(entries[number]["name"])
        return len(name), name.upper()

    def encode(number: int) -> bytes:
        entry = entries[number]
        name = str(entry["name"]).encode("utf-16-le") + b"\x00\x00"
        children = sorted(entry["children"], key=name_key)  # type: ignore[arg-type]
        child = children[0] if children else free
        siblings = entry.get("siblings", (free, free))
        data = entry["data"]
        assert isinstance(data, bytes)
        return (name.ljust(64, b"\x00") + struct.pack("<HBB", len(name), int(entry["type"]), 1)  # type: ignore
                + struct.pack("<III", *siblings, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<I", int(entry.get("start", end_of_chain))) + struct.pack("<Q", len(data)))  # type: ignore

    for entry in entries:  # children of each storage as a right-leaning chain, in CFB name order
        children = sorted(entry["children"], key=name_key)  # type: ignore[arg-type]
        for position, number in enumerate(children):
            right = children[position + 1] if position + 1 < len(children) else free
            entries[number]["siblings"] = (free, right)
        entry["children"] = children[:1]
    directory = b"".join(encode(n) for n in range(len(entries)))
    directory = directory.ljust(-(-len(directory) // sector) * sector, b"\x00")
    directory_start = place(directory)
    # FAT sectors last: each holds 128 entries; the FAT must also describe its own sectors
    fat_count = 1
    while len(fat) + fat_count > fat_count * 128:
        fat_count += 1
    fat_start = len(sectors)
    fat += [fat_sector] * fat_count
    fat += [free] * (fat_count * 128 - len(fat))
    table = b"".join(struct.pack("<I", v) for v in fat)
    for i in range(fat_count):
        sectors.append(table[i * sector:(i + 1) * sector])
    difat = [fat_start + i for i in range(fat_count)] + [free] * (109 - fat_count)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, fat_count, directory_start, 0, 4096, minifat_start,
                                          minifat_count, end_of_chain, 0)
              + b"".join(struct.pack("<I", v) for v in difat))
    return header + b"".join(sectors)


def _msg_property(tag: str, value: str) -> tuple[str, bytes]:
    return f"__substg1.0_{tag}", value.encode("utf-16-le")


def outlook_msg(subject: str, body: str) -> bytes:
    """An Outlook item saved to disk (File > Save As, or dragged out of Outlook) and attached: .msg."""
    streams = dict([
        _msg_property("001A001F", "IPM.Note"), _msg_property("0037001F", subject),
        _msg_property("1000001F", body), _msg_property("0C1A001F", "Văn thư Sở Nội vụ"),
        _msg_property("0E04001F", "Lãnh đạo Văn phòng"),
    ])
    props = b"\x00" * 32 + b"".join(struct.pack("<IIQ", (int(tag[:4], 16) << 16) | int(tag[4:], 16), 6, 0)
                                    for tag in ("0E070003",))
    streams["__properties_version1.0"] = props
    return _cfb(streams)


def word97_with_embedded_workbook() -> bytes | None:
    """A clean Word 97 document (prose.doc) carrying an embedded Excel 97 workbook with the stamp in
    its ObjectPool, as Insert > Object > Excel worksheet leaves it."""
    import olefile

    from tests.policies.hostile import FIXTURES

    doc, xls = FIXTURES / "prose.doc", FIXTURES / "marked.xls"
    if not doc.exists() or not xls.exists():
        return None
    streams: dict[str, bytes] = {}
    with olefile.OleFileIO(str(doc)) as ole:
        for entry in ole.listdir():
            streams["/".join(entry)] = ole.openstream(entry).read()
    with olefile.OleFileIO(str(xls)) as ole:
        for entry in ole.listdir():
            streams["ObjectPool/_1234567890/" + "/".join(entry)] = ole.openstream(entry).read()
    return _cfb(streams)


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


def pdf_blank_form() -> bytes:
    """A fillable PDF form (Đăng ký tham dự tập huấn): text fields and a level drop-down set to 'Thường'."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    page.setFont(_font(), 14)
    page.drawString(150, 780, "PHIẾU ĐĂNG KÝ THAM DỰ TẬP HUẤN")
    page.setFont(_font(), 11)
    labels = [("Họ và tên:", "ho_ten"), ("Đơn vị:", "don_vi"), ("Chức vụ:", "chuc_vu"), ("Điện thoại:", "dien_thoai")]
    y = 730
    for label, name in labels:
        page.drawString(72, y, label)
        page.acroForm.textfield(name=name, x=170, y=y - 5, width=300, height=18, borderWidth=1, forceBorder=True)
        y -= 36
    page.drawString(72, y, "Độ mật của tài liệu mang theo:")
    page.save()
    return _pdf_choice_field(out.getvalue(), "do_mat", "Thường", ["Thường", "Mật", "Tối mật", "Tuyệt mật"],
                             (270, y - 5, 470, y + 13))


def _pdf_choice_field(data: bytes, name: str, value: str, options: list[str],
                      rect: tuple[float, float, float, float]) -> bytes:
    """A combo box (drop-down) added to the form, as Acrobat's form editor writes one."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject

    writer = _pdf_writer(data)
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Ch"), NameObject("/Ff"): NumberObject(1 << 17),
        NameObject("/T"): TextStringObject(name), NameObject("/V"): TextStringObject(value),
        NameObject("/Opt"): ArrayObject([TextStringObject(o) for o in options]),
        NameObject("/F"): NumberObject(4), NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
        NameObject("/DA"): TextStringObject("/Helv 11 Tf 0 g"),
    })
    added = writer.add_annotation(page_number=0, annotation=field)  # type: ignore[attr-defined]
    form = writer._root_object["/AcroForm"]  # type: ignore[attr-defined]
    form[NameObject("/Fields")].append(added.indirect_reference)
    return _pdf_bytes(writer)


def smime_opaque_signed(text: str = NOTICE) -> bytes:
    """A clean message signed by Outlook with 'opaque' signing (application/pkcs7-mime; smime-type=
    signed-data): the content is inside the signature, signed, not encrypted."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Van thu So Noi vu"),
                      x509.NameAttribute(NameOID.EMAIL_ADDRESS, "vanthu@khanhhoa.gov.vn")])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    inner = _crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + text + "\n")
    signed = (pkcs7.PKCS7SignatureBuilder().set_data(inner).add_signer(cert, key, hashes.SHA256())
              .sign(serialization.Encoding.DER, []))
    return _crlf(f"{HEADERS}Subject: Thông báo hội nghị tổng kết\nMIME-Version: 1.0\n"
                 'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\n'
                 'Content-Disposition: attachment; filename="smime.p7m"\nContent-Transfer-Encoding: base64\n\n'
                 + _b64(signed))


def smime_detached_signed() -> bytes:
    """Outlook's default: multipart/signed with a detached application/pkcs7-signature."""
    rng = bytes(range(256)) * 6
    inner = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + NOTICE + "\n"
    return _crlf(f"{HEADERS}Subject: Thông báo\nMIME-Version: 1.0\nContent-Type: multipart/signed; "
                 'protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"\n\n'
                 f"--sig\n{inner}--sig\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
                 'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7s"\n\n'
                 + _b64(rng) + "--sig--\n")


def outlook_ics() -> bytes:
    """An invitation as Outlook writes it: folded lines, escaped commas, an HTML X-ALT-DESC, CLASS."""
    alt = ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2//EN\">\\n<HTML>\\n<HEAD>\\n<META NAME=\"Generator\" "
           "CONTENT=\"MS Exchange Server version rmj.rmm.rup.rpr\">\\n<TITLE></TITLE>\\n</HEAD>\\n<BODY>\\n"
           "<P><FONT SIZE=2>Kính mời các đồng chí dự họp giao ban. Độ mật: Thường.</FONT></P>\\n</BODY>\\n</HTML>")
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
             "METHOD:REQUEST", "X-MS-OLK-FORCEINSPECTOROPEN:TRUE", "BEGIN:VTIMEZONE", "TZID:SE Asia Standard Time",
             "BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD",
             "END:VTIMEZONE", "BEGIN:VEVENT",
             "ATTENDEE;CN=\"Lãnh đạo Văn phòng\";RSVP=TRUE:mailto:lanhdao@khanhhoa.gov.vn",
             "CLASS:PUBLIC", "CREATED:20251215T010000Z",
             "DESCRIPTION:Kính mời các đồng chí dự họp giao ban tuần 51.\\nThành phần: Lãnh đạo Sở\\, Chánh Văn "
             "phòng.\\nĐộ mật: Thường\\n\\n", "DTEND;TZID=\"SE Asia Standard Time\":20251218T110000",
             "DTSTART;TZID=\"SE Asia Standard Time\":20251218T083000", "LOCATION:Phòng họp số 1\\, tầng 2",
             "ORGANIZER;CN=\"Văn thư\":mailto:vanthu@khanhhoa.gov.vn", "PRIORITY:5", "SEQUENCE:0",
             "SUMMARY;LANGUAGE=vi-VN:Họp giao ban tuần 51 – bảo mật thông tin và đổi mật khẩu hộp thư",
             "TRANSP:OPAQUE", "UID:040000008200E00074C5B7101A82E00800000000D0F1AC5A4F6DDC01000000000000000010000000",
             "X-ALT-DESC;FMTTYPE=text/html:" + alt, "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "X-MICROSOFT-CDO-IMPORTANCE:1",
             "BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "END:VALARM", "END:VEVENT",
             "END:VCALENDAR"]
    folded = []
    for line in lines:
        raw = line.encode()
        while len(raw) > 75:
            cut = 75
            while raw[cut] & 0xC0 == 0x80:  # never inside a UTF-8 sequence
                cut -= 1
            folded.append(raw[:cut].decode())
            raw = b" " + raw[cut:]
        folded.append(raw.decode())
    return "\r\n".join(folded).encode() + b"\r\n"


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


def scan_clean(dpi_scale: float = 1.0, angle: float = 0.0, quality: int = 80, gray: bool = False,
               rotate: int = 0) -> bytes:
    """The ordinary report (red round seal over the signature), scanned."""
    page = _degraded(scans.page(None, seal=True), angle, seed=8, scale=dpi_scale)
    if rotate:
        page = page.rotate(rotate, expand=True)
    if gray:
        page = page.convert("L")
    return _jpeg(page, quality)


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------

def evasions() -> Iterator[Case]:
    # --- Hidden filler glued into the stamp: the reader sees the stamp, the gate reads more ---
    yield "r2-evade-docx-hidden-letter-in-stamp", "block", "bao-cao.docx", docx_hidden_filler()
    yield "r2-evade-docx-tracked-deletion-in-stamp", "block", "bao-cao.docx", docx_deleted_filler()
    yield "r2-evade-html-body-display-none-in-stamp", "block", "hidden.eml", _html_message(
        "Báo cáo", _html_doc('TỐI M<span style="display:none">x</span>ẬT'))
    yield "r2-evade-html-body-font-size-0-in-stamp", "block", "fs0.eml", _html_message(
        "Báo cáo", _html_doc('TỐI M<span style="font-size:0">x</span>ẬT'))
    yield "r2-evade-pdf-tiny-letter-in-stamp", "block", "bao-cao.pdf", pdf_tiny_filler()
    yield "r2-evade-pdf-invisible-letter-in-stamp", "block", "bao-cao.pdf", pdf_invisible_filler()
    yield "r2-evade-odt-hidden-letter-in-stamp", "block", "bao-cao.odt", odt_hidden_filler()
    yield "r2-evade-xlsx-white-1pt-letter-in-stamp", "block", "so-lieu.xlsx", xlsx_white_filler()
    yield "r2-evade-docx-ruby-guide-on-stamp", "block", "bao-cao.docx", docx_ruby_filler()
    # --- Covering notes and subjects as clerks write them ---
    yield "r2-evade-eml-covering-note-hard-wrapped", "block", "wrapped.eml", _flowed(
        "Dự thảo phương án nhân sự", [line.rstrip() for line in _wrap(COVERING)], flowed=False)
    yield "r2-evade-eml-covering-note-format-flowed", "block", "flowed.eml", _flowed(
        "Dự thảo phương án nhân sự", _wrap(COVERING), flowed=True)
    yield "r2-evade-pdf-covering-letter-wrapped", "block", "cong-van.pdf", pdf(
        "UBND TỈNH KHÁNH HÒA\nVĂN PHÒNG\nSố: 88/VP-TH\nV/v gửi dự thảo phương án\n"
        + "\n".join(line.rstrip() for line in _wrap(COVERING, 80)))
    yield "r2-evade-subject-reply-prefix-then-level", "block", "re.eml", _wire(_message(
        "RE: MẬT - Báo cáo chuyên đề", "Em gửi lại anh bản đã sửa."))
    yield "r2-evade-subject-tl-prefix-vietnamese-outlook", "block", "tl.eml", _wire(_message(
        "TL: TỐI MẬT: Phương án bố trí nhân sự", "Đã nhận, cảm ơn anh."))
    yield "r2-evade-subject-level-as-suffix", "block", "suffix.eml", _wire(_message(
        "Phương án bố trí nhân sự năm 2026 - TỐI MẬT", "Gửi anh xem trước."))
    yield "r2-evade-subject-ascii-tuyet-mat-tag", "block", "ascii.eml", _wire(_message(
        "[TUYET MAT] Ke hoach phong thu", "Gui anh ban ke hoach."))
    yield "r2-evade-file-name-ascii-toi-mat", "block", "TOI MAT - Phuong an nhan su.docx", docx(PLAIN)
    # --- Names and encodings of message parts ---
    yield "r2-evade-eml-text-rtf-part", "block", "rtf.eml", eml_text_rtf_body()
    yield "r2-evade-eml-unknown-transfer-encoding", "block", "gz64.eml", eml_cte_unknown()
    yield "r2-evade-txt-rtl-override-reversed-stamp", "block", "bao-cao.txt", (
        "UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\n\u202eTẬM IỐT\u202c\nBÁO CÁO\nPhương án bố trí nhân sự").encode()
    yield "r2-evade-html-bdo-reversed-stamp", "block", "bdo.eml", _html_message(
        "Báo cáo", _html_doc('<bdo dir="rtl">TẬM IỐT</bdo>'))
    yield "r2-evade-html-css-bidi-override", "block", "bidi.eml", _html_message(
        "Báo cáo", _html_doc('<span style="unicode-bidi:bidi-override;direction:rtl">TẬM IỐT</span>'))
    yield "r2-evade-html-outlook-conditional-comment", "block", "mso.eml", _html_message(
        "Báo cáo", _html_doc('<!--[if mso]><span style="color:red">TỐI MẬT</span><![endif]-->'))
    yield "r2-evade-html-css-content-attr", "block", "attr.html", (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>.dau::before{content:attr(data-dau);color:red}'
        "</style></head><body><p>UBND TỈNH KHÁNH HÒA</p><p>Số: 45/BC-UBND</p>"
        '<p class="dau" data-dau="TỐI MẬT"></p><p>BÁO CÁO</p></body></html>').encode()
    yield "r2-evade-html-css-content-escapes", "block", "esc.html", (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>.dau::before{content:"T\\1ED0 I M\\1EAC T"}'
        "</style></head><body><p>UBND TỈNH KHÁNH HÒA</p><p class=\"dau\"></p><p>BÁO CÁO</p></body></html>").encode()
    # --- Look-alike letters for I that are not letters ---
    for name, stamp in (("digit-one", "TỐ1 MẬT"), ("pipe", "TỐ| MẬT"), ("dental-click", "TỐ\u01c0 MẬT")):
        yield f"r2-evade-lookalike-i-{name}", "block", "bao-cao.txt", (
            f"UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\n{stamp}\nBÁO CÁO\nPhương án bố trí nhân sự").encode()
    # --- Word: letters that are not text ---
    yield "r2-evade-docx-symbol-field-letter", "block", "bao-cao.docx", docx_symbol_letter()
    yield "r2-evade-docx-stamp-split-across-cells", "block", "bao-cao.docx", docx_stamp_split_cells()
    # --- Excel: what Excel computes on opening ---
    yield "r2-evade-xlsx-upper-formula-no-cache", "block", "so-lieu.xlsx", xlsx_formula('=UPPER("tối mật")')
    yield "r2-evade-xlsx-unichar-formula-no-cache", "block", "so-lieu.xlsx", xlsx_formula(
        '="T"&UNICHAR(7888)&"I M"&UNICHAR(7852)&"T"')
    yield "r2-evade-xlsx-full-calc-on-load-cached-lie", "block", "so-lieu.xlsx", xlsx_formula(
        '=UPPER("tối mật")', cached="Thường", full_calc=True)
    # --- Stamps that are drawings or small pictures ---
    yield "r2-evade-pdf-stamp-as-vector-outlines", "block", "bao-cao.pdf", pdf_stamp_outlines()
    yield "r2-evade-svg-stamp-as-paths", "block", "dau.svg", svg_stamp_outlines()
    yield "r2-evade-docx-small-stamp-jpeg", "block", "bao-cao.docx", _docx_picture(_jpeg(_small_stamp()), PLAIN)
    yield "r2-evade-eml-inline-small-stamp-picture", "block", "inline.eml", eml_inline_small_stamp()
    yield "r2-evade-pdf-small-stamp-picture", "block", "bao-cao.pdf", pdf_small_stamp_picture()
    yield "r2-evade-pdf-tounicode-lie", "block", "bao-cao.pdf", pdf_tounicode_lie()
    # --- Parts the readers skip ---
    yield "r2-evade-pdf-file-attachment-annotation", "block", "bao-cao.pdf", pdf_file_attachment_annotation()
    word97 = word97_with_embedded_workbook()
    if word97 is not None:
        yield "r2-evade-doc97-embedded-workbook-objectpool", "block", "bao-cao.doc", word97
    yield "r2-evade-pdf-with-appended-docx", "block", "bao-cao.docx", pdf_plus_zip_polyglot()
    yield "r2-evade-jpeg-with-appended-zip", "block", "anh-hoi-nghi.jpg", jpeg_plus_zip_polyglot()
    yield "r2-evade-docx-duplicate-document-part", "block", "bao-cao.docx", zip_duplicate_member()
    # --- OCR ---
    yield "r2-evade-scan-stamp-pressed-at-12-degrees", "block", "scan.jpg", scan_stamp_rotated(12)
    yield "r2-evade-scan-white-on-red-stamp", "block", "scan.jpg", scan_white_on_red()
    yield "r2-evade-scan-100-dpi", "block", "scan.jpg", scan_low_dpi_stamped()
    yield "r2-evade-scan-page-upside-down", "block", "scan.jpg", scan_page_turned(180)
    yield "r2-evade-scan-page-sideways", "block", "scan.jpg", scan_page_turned(90)


def false_positives() -> Iterator[Case]:
    yield "r2-fp-docx-law-article-19-training", "pass", "tap-huan-dieu-19.docx", docx_law_article_19()
    yield "r2-fp-txt-law-article-19", "pass", "dieu-19.txt", LAW_ARTICLE_19.split("\n", 1)[1].encode()
    yield "r2-fp-docx-training-table-levels-across", "pass", "tap-huan.docx", docx_training_table_transposed()
    yield "r2-fp-pptx-slide-title-do-mat-bullets", "pass", "tap-huan.pptx", pptx_levels_slide()
    yield "r2-fp-docx-training-intro-sentence", "pass", "tap-huan.docx", docx(
        "TÀI LIỆU TẬP HUẤN\nTài liệu này giới thiệu các quy định về văn bản thuộc bí mật nhà nước độ Tuyệt mật, "
        "Tối mật và Mật, cách đóng dấu và quản lý.")
    yield "r2-fp-docx-form-wingdings-tick-boxes", "pass", "phieu-xu-ly.docx", docx_form_wingdings_boxes()
    yield "r2-fp-docx-level-drop-down-thuong", "pass", "mau-cong-van.docx", docx_dropdown_levels()
    yield "r2-fp-xls-html-table-export", "pass", "danh-sach-can-bo.xls", xlsx_html_export()
    yield "r2-fp-eml-smime-opaque-signed", "pass", "signed-opaque.eml", smime_opaque_signed()
    yield "r2-fp-msg-outlook-item-attached", "pass", "thu.eml", _wire(_message(
        "Fwd: thư mời", attachments=[("Thư mời họp.msg", outlook_msg("Thư mời họp giao ban", NOTICE),
                                      "application/vnd.ms-outlook")]))
    yield "r2-fp-file-name-mat-mia", "pass", "MẬT MÍA - Báo cáo giá thu mua.xlsx", xlsx(
        [["Loại", "Giá (đồng/kg)"], ["Mật mía", "4.500"], ["Đường RS", "18.000"]])


def already_handled() -> Iterator[Case]:
    """Ideas of this round that the gate handled when they were written."""
    yield "r2-ok-eml-attachment-name-rfc2231", "block", "n2231.eml", eml_filename_rfc2231()
    yield "r2-ok-eml-attachment-name-rfc2047", "block", "n2047.eml", eml_filename_rfc2047()
    yield "r2-ok-eml-message-global-forward", "block", "global.eml", eml_message_global()
    yield "r2-ok-eml-encoded-word-with-language", "block", "lang.eml", eml_encoded_word_language()
    # --- Display tricks ---
    yield "r2-ok-eml-alternative-only-html-stamped", "block", "alt-html.eml", _html_message(
        "Báo cáo", _html_doc("TỐI MẬT"))
    yield "r2-ok-eml-utf16-body", "block", "u16.eml", _crlf(
        f"{HEADERS}Subject: Báo cáo\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-16\n"
        "Content-Transfer-Encoding: base64\n\n") + _b64(STAMPED.encode("utf-16")).encode()
    yield "r2-ok-eml-qp-soft-break-in-stamp", "block", "qp.eml", _crlf(
        f"{HEADERS}Subject: Báo cáo\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\nSố: 45/BC-UBND\nT=E1=BB=90I M=\n=E1=BA=ACT\nBÁO CÁO\n"
        .replace("BÁO CÁO", "B=C3=81O C=C3=81O").replace("Số", "S=E1=BB=91"))
    yield "r2-ok-eml-winmail-dat", "block", "tnef.eml", _wire(_message(
        "Báo cáo", attachments=[("winmail.dat", b"\x78\x9f\x3e\x22" + bytes(200), "application/ms-tnef")]))
    yield "r2-ok-zip-gzip-member", "block", "ho-so.zip", _zip({"bao-cao.txt.gz": gzip.compress(STAMPED.encode(),
                                                                                               mtime=0)})
    yield "r2-ok-zip-traversal-name", "block", "ho-so.zip", _zip({"../../TỐI MẬT.txt": PLAIN})
    yield "r2-ok-html-entities-and-template", "block", "bao-cao.html", (
        "<!DOCTYPE html><html><head><title>T&#x1ED0;I M&#x1EAC;T</title></head><body><template><p>x</p></template>"
        "<noscript>Bật JavaScript</noscript><p>BÁO CÁO</p></body></html>").encode()
    yield "r2-ok-html-svg-inline-text", "block", "bao-cao.html", (
        '<!DOCTYPE html><html><body><p>BÁO CÁO</p><svg width="300" height="80"><rect x="2" y="2" width="296" '
        'height="76" fill="none" stroke="red"/><text x="40" y="55" fill="red">TỐI MẬT</text></svg></body></html>'
    ).encode()
    yield "r2-ok-txt-nbsp-thin-space-letter-spacing", "block", "bao-cao.txt", (
        "Số: 45/BC-UBND\nT\u2009Ố\u2009I\u00a0\u00a0M\u2009Ậ\u2009T\nBÁO CÁO").encode()
    yield "r2-ok-docx-stamp-split-tối-mật-cells", "block", "bao-cao.docx", _docx_body(
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="900"/><w:gridCol '
        f'w:w="900"/></w:tblGrid><w:tr>{_cell("TỐI", 900)}{_cell("MẬT", 900)}</w:tr></w:tbl><w:p/>')
    yield "r2-ok-xlsx-sheet-name", "block", "so-lieu.xlsx", xlsx(
        [["Danh sách"]], setup=lambda book: setattr(book.active, "title", "TỐI MẬT"))  # type: ignore[attr-defined]
    yield "r2-ok-pptx-chart-workbook", "block", "trinh-chieu.pptx", _edit(
        pptx("KẾ HOẠCH"), lambda p: p.__setitem__("ppt/embeddings/Microsoft_Excel_Worksheet.xlsx",
                                                 xlsx([["Số: 45/BC-UBND"], ["TỐI MẬT"]])))
    yield "r2-ok-targz-of-docx", "block", "ho-so.tar.gz", _targz({"bao-cao.docx": docx(STAMPED)})
    yield "r2-ok-subject-fwd-tag", "block", "fwdtag.eml", _wire(_message("Fwd: [TỐI MẬT] Phương án", "Chuyển tiếp."))
    yield "r2-ok-scan-searchable-pdf-english-ocr-layer", "block", "scan.pdf", _searchable_scan()
    yield "r2-ok-eml-smime-opaque-signed-stamped-refused", "block", "signed-stamped.eml", smime_opaque_signed(STAMPED)
    # ordinary documents that pass
    yield "r2-ok-docx-giay-moi", "pass", "giay-moi.docx", docx(GIAY_MOI)
    yield "r2-ok-docx-bao-cao-do-mat-thuong", "pass", "bao-cao.docx", docx(
        "UBND TỈNH KHÁNH HÒA\nSố: 301/BC-SNV\nĐộ mật: Thường\tĐộ khẩn: Thường\nBÁO CÁO\nKết quả công tác năm 2025")
    yield "r2-ok-odt-bao-cao-do-mat-thuong-table", "pass", "bao-cao.odt", odt_report_normal()
    yield "r2-ok-txt-law-levels-in-capitals-prose", "pass", "luat.txt", (
        "CÁC ĐỘ MẬT GỒM: TUYỆT MẬT, TỐI MẬT, MẬT.\nVăn bản có độ mật phải được đóng dấu độ mật theo quy định.").encode()
    yield "r2-ok-pptx-mức-độ-slash-list", "pass", "tap-huan.pptx", pptx(
        "Phân loại\nMức độ: Mật/Tối mật/Tuyệt mật\nThời hạn: 10/20/30 năm")
    yield "r2-ok-docx-training-caps-heading-table", "pass", "tap-huan.docx", docx_training_caps_heading_table()
    yield "r2-ok-xlsx-level-validation-list", "pass", "so-van-ban-di.xlsx", xlsx_level_validation_list()
    yield "r2-ok-xlsx-staff-password-notes", "pass", "danh-sach.xlsx", xlsx_staff_list()
    for name in ("Huong dan bao mat.docx", "MAT_BANG_TONG_THE.pdf", "Mẫu số 01 - Mật độ dân số.xlsx",
                 "BÁO CÁO CÔNG TÁC BẢO MẬT.docx", "Kế hoạch bảo mật thông tin.docx"):
        data = {".docx": lambda: docx(NOTICE), ".pdf": lambda: pdf(NOTICE),
                ".xlsx": lambda: xlsx([["Xã", "Mật độ dân số"], ["Vĩnh Lương", "812"]])}[name[name.rindex("."):]]()
        yield f"r2-ok-file-name-{name.lower().replace(' ', '-')}", "pass", name, data
    yield "r2-ok-scan-stamp-vertical-in-margin", "block", "scan.jpg", scan_stamp_rotated(90)
    yield "r2-ok-eml-smime-detached-signed", "pass", "signed.eml", smime_detached_signed()
    yield "r2-ok-eml-outlook-invitation", "pass", "invite.eml", _wire(_message(
        "Họp giao ban tuần 51", attachments=[("invite.ics", outlook_ics(), "text/calendar")]))
    yield "r2-ok-pdf-blank-form", "pass", "phieu-dang-ky.pdf", pdf_blank_form()
    yield "r2-ok-docx-logo-and-meeting-photos", "pass", "bao-cao-hoi-nghi.docx", docx_with_logo_and_photos()
    yield "r2-ok-jpeg-meeting-photo", "pass", "hoi-nghi.jpg", _jpeg(scans.photo(seed=33, size=(2400, 1600)), 85)
    yield "r2-ok-scan-clean-150dpi-seal-signature", "pass", "scan.jpg", scan_clean(0.75, angle=0.8)
    # passes, but because OCR's garbage from a sideways page counts as "read" (see r2-evade-scan-page-sideways)
    yield "r2-ok-scan-clean-landscape-rotated-90", "pass", "scan.jpg", scan_clean(0.75, rotate=90)
    yield "r2-ok-scan-clean-grayscale", "pass", "scan.jpg", scan_clean(0.75, gray=True)
    yield "r2-ok-eml-utf16-clean-body", "pass", "u16-clean.eml", _crlf(
        f"{HEADERS}Subject: Thông báo\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-16\n"
        "Content-Transfer-Encoding: base64\n\n") + _b64(NOTICE.encode("utf-16")).encode()
    yield "r2-ok-eml-subject-mat-khau", "pass", "mk.eml", _wire(_message("MẬT KHẨU - hướng dẫn đổi định kỳ",
                                                                         "Xem hướng dẫn kèm theo."))
    yield "r2-ok-eml-training-wrapped", "pass", "training-wrapped.eml", _flowed(
        "Tài liệu tập huấn", _wrap(TRAINING.replace("\n", " ")), flowed=True)


def _targz(files: dict[str, bytes]) -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1765760000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _searchable_scan() -> bytes:
    """A scanner's 'searchable PDF': the page image, and an invisible OCR layer from an English engine
    that lost the Vietnamese letters (TOI MAT is not a mark the rules take from a text layer)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = scans.page("TỐI MẬT", "red", seed=5).resize((1240, 1754), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    page.drawImage(ImageReader(io.BytesIO(_jpeg(image, 80))), 0, 0, width=595, height=842)
    text = page.beginText(72, 780)
    text.setTextRenderMode(3)
    text.setFont("Helvetica", 11)
    for line in ("UBND TINH KHANH HOA", "So: 12/BC-SNV", "TOl MAT", "BAO CAO"):
        text.textLine(line)
    page.drawText(text)
    page.save()
    return out.getvalue()


GROUPS: tuple[Callable[[], Iterator[Case]], ...] = (evasions, false_positives, already_handled)


@functools.cache
def corpus() -> tuple[Case, ...]:
    built = tuple(case for group in GROUPS for case in group())
    names = [c[0] for c in built]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise AssertionError(f"duplicate case names: {sorted(duplicates)}")
    return built


if __name__ == "__main__":  # python -m tests.policies.hostile_round2: build, check each case, print the verdicts
    import sys
    import time

    from policies import check_document, check_message

    started = time.perf_counter()
    built = corpus()
    print(f"{len(built)} cases in {time.perf_counter() - started:.2f} s")
    only = sys.argv[1:]
    for name, label, filename, data in built:
        if only and not any(o in name for o in only):
            continue
        began = time.perf_counter()
        verdict = check_message(data) if filename.endswith(".eml") else check_document(filename, data)
        flag = "ok  " if verdict.action == label else "MISS"
        found = "; ".join(f"{f.rule}: {f.evidence[:70]}" for f in verdict.findings)[:200]
        print(f"{flag} {name} [{label}] -> {verdict.action} ({time.perf_counter() - began:.1f}s) {found}")
