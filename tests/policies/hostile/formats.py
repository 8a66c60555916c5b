"""Hostile files in other formats: ODF, XPS, XLSB, SVG, Word 2003 XML, MHT, HTML, RTF, text."""

from __future__ import annotations

import binascii
import io
import random
import struct
from collections.abc import Iterator
from email.message import EmailMessage

from tests.policies.hostile.common import (
    FIXTURES,
    NOTICE,
    PASSWORD,
    PLAIN,
    R_NS,
    STAMPED,
    Case,
    _edit,
    _png,
    _sub,
    _xml_escape,
    _zip,
)
from tests.policies.hostile.mail import _ics, _message, _wire
from tests.policies.hostile.slides import _rels

# ---------------------------------------------------------------------------------------------
# Other formats: ODF, XPS, XLSB, SVG, Word 2003 XML, flat ODT, MHT
# ---------------------------------------------------------------------------------------------

def odt(text: str) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for line in text.split("\n"):
        document.text.addElement(P(text=line))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def odt_image_title() -> bytes:
    frame = ('<text:p><draw:frame xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
             'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
             'xmlns:xlink="http://www.w3.org/1999/xlink" draw:name="Con dau" svg:width="4cm" svg:height="1cm">'
             '<draw:image xlink:href="Pictures/dau.png" xlink:type="simple" xlink:show="embed" '
             'xlink:actuate="onLoad"/><svg:title>TỐI MẬT</svg:title><svg:desc>TỐI MẬT</svg:desc></draw:frame>'
             "</text:p>")

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "content.xml", "</office:text>", frame + "</office:text>")
        p["Pictures/dau.png"] = _png("tiny")
    return _edit(odt(PLAIN), edit)


def xps(text: str) -> bytes:
    ns = "http://schemas.microsoft.com/xps/2005/06"
    glyphs = "".join(f'<Glyphs Fill="#ff000000" FontUri="/Resources/Fonts/font.odttf" FontRenderingEmSize="14" '
                     f'OriginX="96" OriginY="{96 + 24 * i}" UnicodeString="{_xml_escape(line)}"/>'
                     for i, line in enumerate(text.split("\n")))
    return _zip({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="fdseq" ContentType="application/vnd.ms-package.xps-fixeddocument'
            'sequence+xml"/><Default Extension="fdoc" ContentType="application/vnd.ms-package.xps-fixeddocument+xml"/>'
            '<Default Extension="fpage" ContentType="application/vnd.ms-package.xps-fixedpage+xml"/>'
            '<Default Extension="odttf" ContentType="application/vnd.ms-package.obfuscated-opentype"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            "</Types>"),
        "_rels/.rels": _rels(("R1", "http://schemas.microsoft.com/xps/2005/06/fixedrepresentation",
                              "/FixedDocSeq.fdseq")),
        "FixedDocSeq.fdseq": f'<FixedDocumentSequence xmlns="{ns}"><DocumentReference '
                             'Source="/Documents/1/FixedDoc.fdoc"/></FixedDocumentSequence>',
        "Documents/1/FixedDoc.fdoc": f'<FixedDocument xmlns="{ns}"><PageContent Source="Pages/1.fpage"/>'
                                     "</FixedDocument>",
        "Documents/1/Pages/1.fpage": f'<FixedPage Width="816" Height="1056" xmlns="{ns}" xml:lang="vi-VN">'
                                     f"{glyphs}</FixedPage>",
        "Resources/Fonts/font.odttf": bytes(range(256)) * 4,
    })


def _brt(record: int, payload: bytes = b"") -> bytes:
    """One BIFF12 record: type and size as 7-bit varints ([MS-XLSB] 2.1.4)."""
    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            byte = value & 0x7F
            value >>= 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)
    return varint(record) + varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def xlsb(values: list[str]) -> bytes:
    """An Excel binary workbook: shared strings in BIFF12 records, one cell per string in column A."""
    sst = _brt(159, struct.pack("<II", len(values), len(values)))
    sst += b"".join(_brt(19, b"\x00" + _wide(v)) for v in values) + _brt(160)
    rows = b"".join(_brt(0, struct.pack("<IIHHBI", r, 0, 300, 0, 0, 1) + struct.pack("<II", 0, 1))
                    + _brt(7, struct.pack("<II", 0, 0) + struct.pack("<I", r)) for r in range(len(values)))
    sheet = (_brt(129) + _brt(148, struct.pack("<IIII", 0, max(0, len(values) - 1), 0, 0)) + _brt(145) + rows
             + _brt(146) + _brt(130))
    book = (_brt(131) + _brt(143) + _brt(156, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Trang 1"))
            + _brt(144) + _brt(132))
    ct = "application/vnd.ms-excel"
    return _zip({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.'
            'binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.bin" ContentType="{ct}.worksheet"/>'
            f'<Override PartName="/xl/sharedStrings.bin" ContentType="{ct}.sharedStrings"/></Types>'),
        "_rels/.rels": _rels(("rId1", f"{R_NS}/officeDocument", "xl/workbook.bin")),
        "xl/_rels/workbook.bin.rels": _rels(("rId1", f"{R_NS}/worksheet", "worksheets/sheet1.bin"),
                                            ("rId2", f"{R_NS}/sharedStrings", "sharedStrings.bin")),
        "xl/workbook.bin": book, "xl/worksheets/sheet1.bin": sheet, "xl/sharedStrings.bin": sst,
    })


def svg(text: str) -> bytes:
    lines = "".join(f'<text x="40" y="{60 + 30 * i}" font-size="22" fill="#c00">{_xml_escape(line)}</text>'
                    for i, line in enumerate(text.split("\n")))
    return ('<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" width="600" '
            f'height="300" viewBox="0 0 600 300"><rect x="20" y="20" width="560" height="260" fill="none" '
            f'stroke="#c00" stroke-width="4"/>{lines}</svg>').encode()


def word2003_xml(text: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{_xml_escape(line)}</w:t></w:r></w:p>" for line in text.split("\n"))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<?mso-application progid="Word.Document"?>\n'
            '<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" '
            'xmlns:wx="http://schemas.microsoft.com/office/word/2003/auxHint" w:macrosPresent="no" '
            f'w:embeddedObjPresent="no" w:ocxPresent="no" xml:space="preserve"><w:body>{body}<w:sectPr/></w:body>'
            "</w:wordDocument>").encode()


def flat_odt(text: str) -> bytes:
    body = "".join(f"<text:p>{_xml_escape(line)}</text:p>" for line in text.split("\n"))
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:'
            'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" '
            f'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>{body}'
            "</office:text></office:body></office:document>").encode()


def mht(text: str) -> bytes:
    """A "single file web page" (MHTML) as Word and Internet Explorer save it: quoted-printable HTML."""
    html = ('<html xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8"></head><body>'
            + "".join(f'<p class="MsoNormal" align="center">{_xml_escape(line)}</p>' for line in text.split("\n"))
            + "</body></html>")
    m = EmailMessage()
    m["From"], m["Subject"] = "<Saved by Microsoft Word>", "bao-cao"
    m["Date"] = "Mon, 15 Dec 2025 08:00:00 +0700"
    m.set_content(html, subtype="html", cte="quoted-printable")
    m.make_related()
    m.set_param("type", "text/html")
    m.add_related(_png("tiny"), maintype="image", subtype="png", cid="<image001.png@01DC0000.00000000>")
    return _wire(m)


def html_file(kind: str) -> bytes:
    head = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Báo cáo</title>'
    body = "".join(f"<p>{line}</p>" for line in PLAIN.split("\n"))
    if kind == "iframe-srcdoc":
        return (head + "</head><body>" + body
                + '<iframe srcdoc="&lt;p style=&quot;color:red&quot;&gt;TỐI MẬT&lt;/p&gt;"></iframe></body></html>'
                ).encode()
    if kind == "css-content":
        return (head + '<style>.dau::before{content:"TỐI MẬT";color:red;font-weight:bold}</style></head><body>'
                '<p class="dau"></p>' + body + "</body></html>").encode()
    return (head + '</head><body><p style="text-transform:uppercase;color:red;font-weight:bold">tối mật</p>'
            + body + "</body></html>").encode()


def odt_text_transform() -> bytes:
    style = ('<office:automatic-styles><style:style xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
             'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" style:name="P9" '
             'style:family="paragraph"><style:text-properties fo:text-transform="uppercase" fo:color="#ff0000"/>'
             "</style:style></office:automatic-styles>")

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "content.xml", "<office:automatic-styles/>", style)
        _sub(p, "content.xml", "<office:text>", '<office:text><text:p text:style-name="P9">tối mật</text:p>')
    return _edit(odt(PLAIN), edit)


def rtf_caps() -> bytes:
    return (b"{\\rtf1\\ansi\\ansicpg1258\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs26 "
            b"UBND T\\u7880?NH KH\\u193?NH H\\u210?A\\par S\\u7889?: 45/BC-UBND\\par "
            b"\\qc{\\b\\caps t\\u7889?i m\\u7853?t}\\par\\ql B\\u193?O C\\u193?O\\par}")


def rtf_embedded_object() -> bytes:
    """An RTF with an embedded Excel 97 workbook (OLE1 objdata, hex): the workbook carries the stamp."""
    native = (FIXTURES / "marked.xls").read_bytes()
    class_name = b"Excel.Sheet.8\x00"
    ole1 = (struct.pack("<II", 0x00000501, 2) + struct.pack("<I", len(class_name)) + class_name
            + struct.pack("<II", 0, 0) + struct.pack("<I", len(native)) + native)
    hexdata = binascii.hexlify(ole1).decode()
    lines = "\n".join(hexdata[i:i + 128] for i in range(0, len(hexdata), 128))
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0 B\\u193?O C\\u193?O\\par "
            "{\\object\\objemb\\objw2000\\objh600{\\*\\objclass Excel.Sheet.8}{\\*\\objdata\n" + lines
            + "\n}{\\result {\\rtlch Bang so lieu}}}\\par}").encode()


def other_format_cases() -> Iterator[Case]:
    yield "bin-plain-text-stamp", "block", "bao-cao.bin", STAMPED.encode()
    yield "dat-plain-text-stamp", "block", "bao-cao.dat", STAMPED.encode()
    yield "dat-plain-text-clean", "pass", "ghi-chu.dat", NOTICE.encode()
    yield "bin-random-unreadable", "block", "du-lieu.bin", random.Random(9).randbytes(4096)
    yield "xlsb-stamp", "block", "so-lieu.xlsb", xlsb(["Số: 45/BC-UBND", "TỐI MẬT", "Danh sách nhân sự"])
    # Clean, but the gate cannot read XLSB: uninspectable (becomes "pass" only if XLSB support is added).
    yield "xlsb-clean-unreadable", "block", "lich.xlsb", xlsb(["Lịch công tác tuần 51", "Họp giao ban"])
    yield "xps-stamp", "block", "bao-cao.xps", xps(STAMPED)
    yield "xps-clean", "pass", "thong-bao.xps", xps(NOTICE)
    yield "svg-stamp", "block", "dau.svg", svg("TỐI MẬT")
    yield "svg-clean", "pass", "logo.svg", svg("UBND TỈNH KHÁNH HÒA")
    yield "word2003-xml-stamp", "block", "bao-cao.xml", word2003_xml(STAMPED)
    yield "word2003-xml-clean", "pass", "thong-bao.xml", word2003_xml(NOTICE)
    yield "word2003-xml-named-doc-clean", "pass", "thong-bao.doc", word2003_xml(NOTICE)
    yield "flat-odt-stamp", "block", "bao-cao.fodt", flat_odt(STAMPED)
    yield "mht-stamp", "block", "bao-cao.mht", mht(STAMPED)
    yield "mht-clean", "pass", "thong-bao.mht", mht(NOTICE)
    yield "odt-image-title", "block", "bao-cao.odt", odt_image_title()
    yield "odt-text-transform-uppercase", "block", "bao-cao.odt", odt_text_transform()
    yield "odt-clean", "pass", "thong-bao.odt", odt(NOTICE)
    yield "html-iframe-srcdoc", "block", "bao-cao.html", html_file("iframe-srcdoc")
    yield "html-css-content", "block", "bao-cao.html", html_file("css-content")
    yield "html-css-text-transform", "block", "bao-cao.html", html_file("text-transform")
    yield "rtf-caps-lowercase-text", "block", "bao-cao.rtf", rtf_caps()
    if (FIXTURES / "marked.xls").exists():
        yield "rtf-embedded-ole-object", "block", "bao-cao.rtf", rtf_embedded_object()
    yield "zip-eml-with-subject-tag", "block", "thu.zip", _zip({"thu-chuyen-tiep.eml": _wire(
        _message("[MẬT] Báo cáo chuyên đề", "Gửi anh."))})
    yield "txt-utf16-stamp", "block", "bao-cao.txt", b"\xff\xfe" + STAMPED.replace("\n", "\r\n").encode("utf-16-le")
    yield "txt-utf16-clean", "pass", "thong-bao.txt", b"\xff\xfe" + NOTICE.replace("\n", "\r\n").encode("utf-16-le")
    yield "json-field", "block", "ho-so.json", (
        '{\n  "so_ky_hieu": "45/BC-UBND",\n  "Độ mật": "Tối mật",\n  "trich_yeu": "Phương án nhân sự"\n}'
    ).encode()
    yield "csv-stamp-cell-mid-row", "block", "danh-sach.csv", (
        '"Số: 45/BC-UBND",TỐI MẬT,"Danh sách nhân sự"\n"1","Nguyễn Văn A","Phó Giám đốc"\n').encode()
    yield "csv-clean", "pass", "danh-ba.csv", (
        "Họ tên,Chức vụ,Điện thoại\nNguyễn Văn A,Chánh Văn phòng,0258 3822 000\n"
        "Trần Thị B,Văn thư,0258 3822 001\n").encode()
    yield "ics-summary-subject-tag", "block", "hop.ics", _ics("[MẬT] Họp Ban Chỉ đạo", "Thành phần theo giấy mời.")
    yield "ics-clean", "pass", "hop.ics", _ics("Họp giao ban tuần 51", "Chuẩn bị báo cáo tuần.")
    yield "png-photo-clean", "pass", "anh-hoi-nghi.png", _png("photo")
    yield "png-scanned-page-stamp", "block", "scan.png", _png("page-stamp")
    yield "png-scanned-page-clean", "pass", "scan.png", _png("page-clean")
    yield "file-name-doi-mat-khau-txt", "pass", "Đổi mật khẩu.txt", PASSWORD.encode()
