"""A labelled corpus built in code: marked documents in every container mailhub reads, with
the usual evasions, and government prose that talks about secrets without being one.

Each case is (name, label, message bytes); label "block" or "pass".
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

MARKED_TEXTS = {
    "stamp-under-number": "UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\nMẬT\nBÁO CÁO\nTình hình an ninh trật tự",
    "stamp-top-secret": "SỞ NỘI VỤ\nSố: 12/KH-SNV\nTỐI MẬT\nKẾ HOẠCH\nPhương án nhân sự",
    "stamp-most-secret": "BỘ CHỈ HUY QUÂN SỰ TỈNH\nTUYỆT MẬT\nPHƯƠNG ÁN\nBảo vệ mục tiêu",
    "stamp-framed": "Số: 7/TB-UBND\n[ MẬT ]\nTHÔNG BÁO\nKết luận của Chủ tịch UBND tỉnh",
    "stamp-in-column": "SỞ TÀI CHÍNH          MẬT\nSố: 88/BC-STC\nBáo cáo quyết toán",
    "field": "Số ký hiệu: 88/BC-UBND\nĐộ mật: Tối mật\nĐộ khẩn: Thường",
    "field-inline": "Số ký hiệu: 15/QĐ-UBND;  Độ mật: Mật;  Độ khẩn: Khẩn",
    "field-level-word": "Trích yếu: Phương án bảo vệ\nMức độ mật: Tuyệt mật",
    "declared": "Kính gửi các đồng chí,\nTài liệu đính kèm thuộc bí mật nhà nước độ Mật, đề nghị quản lý chặt chẽ.",
    "declared-this": "Văn bản này là tài liệu tối mật, chỉ lưu hành trong Ban Thường vụ.",
    "envelope": "Số: 3/CV-VP\nChỉ người có tên mới được bóc bì\nKính gửi: Đồng chí Chủ tịch",
    "protection-term": "QUYẾT ĐỊNH\nThời hạn bảo vệ bí mật nhà nước: 10 năm",
    "recall": "TÀI LIỆU THU HỒI\nBản số: 03\nBáo cáo tình hình",
    "nfd": unicodedata.normalize("NFD", "Số: 9/BC-CA\nTỐI MẬT\nBáo cáo chuyên đề"),
    "zero-width": "Số: 9/BC-CA\nM\u200bẬ\u200dT\nBáo cáo chuyên đề",
    "letter-spaced": "Số: 9/BC-CA\nT Ố I  M Ậ T\nBáo cáo chuyên đề",
    "letter-spaced-single": "Số: 10/BC-CA\nT U Y Ệ T M Ậ T\nBáo cáo",
    "dotted": "Số: 11/BC-CA\nM.Ậ.T\nBáo cáo",
    "cyrillic": "Số: 12/BC-CA\nМẬТ\nBáo cáo",  # Cyrillic Em and Te
    "fullwidth": "Số: 13/BC-CA\nＴＯÁＩ\nTỐI ＭẬＴ\nBáo cáo",
    "mixed-case": "Số: 14/BC-CA\nMẬt\nBáo cáo",
    "underscored": "Số: 15/BC-CA\nM_Ậ_T\nBáo cáo",
    "label-then-value": "Số ký hiệu: 16/BC-UBND\nĐộ mật:\nTối mật\nĐộ khẩn: Thường",
    "declared-level-field": "Tài liệu đính kèm có độ mật: Tối mật, đề nghị quản lý chặt chẽ.",
}

PROSE_TEXTS = {
    "password": "Đề nghị cán bộ đổi mật khẩu hộp thư trước ngày 15/12. Mật khẩu phải có ít nhất 8 ký tự.",
    "training": ("Tài liệu tập huấn Luật Bảo vệ bí mật nhà nước. Bí mật nhà nước được phân loại theo ba độ: "
                 "Tuyệt mật, Tối mật và Mật. Không gửi văn bản mật qua thư điện tử."),
    "training-table": "Độ mật\tVí dụ\nTuyệt mật\tVí dụ 1\nTối mật\tVí dụ 2\nMật\tVí dụ 3",
    "density": "Mật độ dân số của xã là 1.200 người/km2; mật độ xây dựng không quá 60%.",
    "friendly": "Thân mật mời các đồng chí dự buổi gặp mặt cuối năm.",
    "security": "Bảo mật thông tin là trách nhiệm của mỗi cán bộ. Cơ yếu và mật mã dân sự.",
    "honey": "Hội chợ đặc sản: mật ong Khánh Hòa, mật mía Quảng Ngãi.",
    "urgency": "HỎA TỐC\nTHƯỢNG KHẨN\nKHẨN\nGIẤY MỜI\nSố: 101/GM-UBND",
    "circulation": "LƯU HÀNH NỘI BỘ\nXEM XONG TRẢ LẠI\nBản tin nội bộ số 12",
    "field-normal": "Số ký hiệu: 88/BC-UBND\nĐộ mật: Thường\nĐộ khẩn: Khẩn",
    "regulation-title": "QUY CHẾ BẢO VỆ BÍ MẬT NHÀ NƯỚC CỦA UBND TỈNH\nĐiều 19. Thời hạn bảo vệ bí mật nhà nước",
    "catalogue-title": "Quyết định ban hành Danh mục bí mật nhà nước độ Tối mật của ngành Nội vụ.",
    "lost-and-face": "MẤT ĐIỆN\nMẶT TRẬN TỔ QUỐC\nMẮT BÃO\nMẠT CƯA",
    "copy-number": "Bản số: 02\nSao y bản chính",
    "recall-word": "Thông báo thu hồi tài liệu đã phát hành nhầm.",
    "secret-word-prose": "Đây không phải là tài liệu mật; tài liệu mật phải gửi bằng đường bưu chính.",
    "schedule": "LỊCH CÔNG TÁC TUẦN\nThứ Hai\t08:00\tHọp giao ban\tPhòng họp số 1",
    "level-word-list": "Các độ mật:\nTuyệt mật\nTối mật\nMật",
    "spaced-heading": "B Ộ  C Ô N G  A N\nQ U Y  C H Ế  B Ả O  V Ệ  B Í  M Ậ T  N H À  N Ư Ớ C",
    "levels-in-prose-caps": "CÁC ĐỘ MẬT: TUYỆT MẬT, TỐI MẬT VÀ MẬT ĐƯỢC QUY ĐỊNH TẠI ĐIỀU 8 CỦA LUẬT.",
    "ask-about-secret": "Đề nghị hướng dẫn: tài liệu có độ mật Mật thì gửi bằng hình thức nào?",
    "secret-santa": "Chương trình Ông già Noel bí mật của Đoàn thanh niên.",
}


def message(subject: str, body: str = "Kính gửi các đồng chí.", *, cte: str = "8bit", charset: str = "utf-8",
            html: str | None = None, attachments: list[tuple[str, bytes, str]] | None = None,
            forwarded: bytes | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "vanthu@khanhhoa.gov.vn", "lanhdao@khanhhoa.gov.vn", subject
    if charset == "utf-8":
        m.set_content(body, cte=cte)
    else:
        m.set_content(body.encode(charset, errors="strict"), maintype="text", subtype="plain", cte=cte,
                      params={"charset": charset})
    if html is not None:
        m.add_alternative(html, subtype="html")
    for name, data, mime in attachments or []:
        maintype, subtype = mime.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if forwarded is not None:
        from email import message_from_bytes
        from email.policy import default

        m.add_attachment(message_from_bytes(forwarded, policy=default))
    return m.as_bytes(policy=m.policy.clone(linesep="\r\n"))  # as it travels over SMTP


def docx(paragraphs: str, *, where: str = "body", table: list[list[str]] | None = None) -> bytes:
    from docx import Document

    document = Document()
    target = {"body": document, "header": document.sections[0].header}[where] if where != "textbox" else document
    for line in paragraphs.split("\n"):
        target.add_paragraph(line)
    if table:
        width = max(len(row) for row in table)
        grid = document.add_table(rows=len(table), cols=width)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_property(name: str, value: str) -> bytes:
    """A DOCX whose custom property (as document-management systems write) holds the level."""
    data = docx("Báo cáo tổng hợp\nNội dung chi tiết.")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
                                          b"</Types>")
            target.writestr(item, content)
        target.writestr("docProps/custom.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
            '2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="{name}"><vt:lpwstr>{value}'
            '</vt:lpwstr></property></Properties>').encode())
    return out.getvalue()


def docx_textbox(text: str) -> bytes:
    """A DOCX whose stamp sits in a text box (w:txbxContent inside a drawing)."""
    data = docx("Nội dung văn bản.")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    box = ('<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent>'
           f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                content = content.replace(b"<w:body>", b"<w:body>" + box.encode(), 1)
            target.writestr(item, content)
    return out.getvalue()


def xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def odt(text: str) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for line in text.split("\n"):
        document.text.addElement(P(text=line))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def pdf(text: str, *, encrypt: bool = False, letter_spacing: float = 0.0) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"  # enough for ASCII text; Vietnamese needs DejaVu
    if Path(FONT).exists():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
        font = "DejaVu"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt="mật-khẩu" if encrypt else None)
    y = 800
    for line in text.split("\n"):
        t = page.beginText(72, y)
        t.setFont(font, 12)
        t.setCharSpace(letter_spacing)
        t.textLine(line)
        page.drawText(t)
        y -= 20
    page.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only a picture (as a scanner makes it): no text layer at all."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = (FIXTURES / "stamp.png").read_bytes()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawImage(ImageReader(io.BytesIO(png)), 72, 600, width=200, height=60)
    page.save()
    return buffer.getvalue()


def zipped(files: list[tuple[str, bytes]], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    raw = bytearray(buffer.getvalue())
    if encrypted:  # mark every member encrypted, as a password-protected archive would be
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (index := raw.find(signature, start)) != -1:
                raw[index + offset] |= 0x01
                start = index + 4
    return bytes(raw)


def rtf(text: str) -> bytes:
    body = "".join(ch if ord(ch) < 128 else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?" for ch in text)
    body = body.replace("\n", "\\par\n")
    return ("{\\rtf1\\ansi\\ansicpg1258\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs26 " + body + "}").encode()


def _legacy_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


Case = tuple[str, str, bytes]
Builder = Callable[[str], bytes]


def cases() -> Iterator[Case]:
    containers: dict[str, Builder] = {
        "body-8bit": lambda t: message("Văn bản đến", t),
        "body-base64": lambda t: message("Văn bản đến", t, cte="base64"),
        "body-qp": lambda t: message("Văn bản đến", t, cte="quoted-printable"),
        "body-windows-1258": lambda t: message("Văn bản đến", unicodedata.normalize("NFD", t), charset="cp1258",
                                               cte="quoted-printable") if _cp1258_ok(t) else message("x", t),
        "html-table": lambda t: message("Văn bản đến", "Xem bản HTML.", html="<table>" + "".join(
            f"<tr><td>{line.replace(chr(9), '</td><td>')}</td></tr>" for line in t.split("\n")) + "</table>"),
        "docx": lambda t: message("Tài liệu", attachments=[("tai-lieu.docx", docx(t), _DOCX)]),
        "docx-header": lambda t: message("Tài liệu", attachments=[("bao-cao.docx", docx(t, where="header"), _DOCX)]),
        "docx-table": lambda t: message("Tài liệu", attachments=[
            ("bang.docx", docx("Bảng tổng hợp", table=[[*line.split("\t"), ""] for line in t.split("\n")]), _DOCX)]),
        "xlsx": lambda t: message("Bảng tính", attachments=[
            ("so-lieu.xlsx", xlsx([line.split("\t") for line in t.split("\n")]), _XLSX)]),
        "odt": lambda t: message("Tài liệu", attachments=[("van-ban.odt", odt(t),
                                                           "application/vnd.oasis.opendocument.text")]),
        "rtf": lambda t: message("Tài liệu", attachments=[("van-ban.rtf", rtf(t), "application/rtf")]),
        "zip": lambda t: message("Tài liệu", attachments=[("tai-lieu.zip", zipped([("bao-cao.docx", docx(t))]),
                                                           "application/zip")]),
        "zip-nested": lambda t: message("Tài liệu", attachments=[("ho-so.zip", zipped([
            ("ben-trong.zip", zipped([("van-ban.txt", t.encode())]))]), "application/zip")]),
        "forwarded": lambda t: message("Fwd: Văn bản", "Chuyển tiếp.", forwarded=message("Văn bản gốc", t)),
        "forwarded-docx": lambda t: message("Fwd: Văn bản", "Chuyển tiếp.", forwarded=message(
            "Văn bản gốc", attachments=[("goc.docx", docx(t), _DOCX)])),
    }
    if Path(FONT).exists():  # make test installs it; without it the PDF cases are left out, not faked
        containers["pdf"] = lambda t: message("Tài liệu", attachments=[("van-ban.pdf", pdf(t), "application/pdf")])
    for label, texts in (("block", MARKED_TEXTS), ("pass", PROSE_TEXTS)):
        for text_name, text in texts.items():
            for container, build in containers.items():
                if (text_name, container) == ("fullwidth", "pdf"):
                    continue  # DejaVu has no full-width glyphs: the fixture could not carry the text
                yield f"{label}-{text_name}-{container}", label, build(text)
    yield from special_cases()


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cp1258_ok(text: str) -> bool:
    try:
        unicodedata.normalize("NFD", text).encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def special_cases() -> Iterator[Case]:
    yield "block-subject-tag", "block", message("[TỐI MẬT] Danh sách nhân sự dự kiến")
    yield "block-subject-paren", "block", message("(Mật) Báo cáo tình hình")
    yield "block-subject-prefix", "block", message("MẬT - Kế hoạch bảo vệ")
    yield "block-subject-nfd", "block", message(unicodedata.normalize("NFD", "[MẬT] Báo cáo"))
    yield "block-docx-property", "block", message("Báo cáo", attachments=[
        ("bao-cao.docx", docx_with_property("Độ mật", "Mật"), _DOCX)])
    yield "block-docx-textbox", "block", message("Báo cáo", attachments=[
        ("bao-cao.docx", docx_textbox("TỐI MẬT"), _DOCX)])
    if Path(FONT).exists():
        yield "block-pdf-letter-spaced", "block", message("Tài liệu", attachments=[
            ("scan.pdf", pdf("Số: 4/BC-UBND\nMẬT\nBáo cáo", letter_spacing=6), "application/pdf")])
    yield "block-tcvn3-text", "block", message("Văn bản cũ", attachments=[
        ("van-ban.txt", "Sè: 12/BC-UBND\nMËT\nB¸o c¸o".encode("latin-1"), "text/plain")])
    yield "block-vni-text", "block", message("Văn bản cũ", attachments=[
        ("van-ban.txt", "Soá: 12/BC-UBND\nTOÁI MAÄT\nBaùo caùo".encode("latin-1"), "text/plain")])
    yield "block-encrypted-zip", "block", message("Tài liệu", attachments=[
        ("tai-lieu.zip", zipped([("a.docx", docx("Nội dung"))], encrypted=True), "application/zip")])
    yield "block-encrypted-pdf", "block", message("Tài liệu", attachments=[
        ("van-ban.pdf", pdf("Noi dung", encrypt=True), "application/pdf")])
    yield "block-scanned-pdf", "block", message("Tài liệu", attachments=[
        ("scan.pdf", scanned_pdf(), "application/pdf")])
    yield "block-corrupt-docx", "block", message("Tài liệu", attachments=[
        ("hong.docx", docx("Nội dung")[:400], _DOCX)])
    yield "block-rar", "block", message("Tài liệu", attachments=[
        ("tai-lieu.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 64, "application/x-rar")])
    for name in ("marked.doc", "marked.xls", "marked-tcvn3.doc"):
        if (FIXTURES / name).exists():
            yield f"block-legacy-{name}", "block", message("Văn bản", attachments=[
                (name, _legacy_fixture(name), "application/octet-stream")])
    for name in ("prose.doc", "prose.xls"):
        if (FIXTURES / name).exists():
            yield f"pass-legacy-{name}", "pass", message("Văn bản", attachments=[
                (name, _legacy_fixture(name), "application/octet-stream")])
    yield "block-tnef", "block", message("Tài liệu", attachments=[
        ("winmail.dat", b"\x78\x9f\x3e\x22" + b"\x00" * 64, "application/ms-tnef")])
    yield "pass-subject-password", "pass", message("Hướng dẫn đổi mật khẩu")
    yield "pass-subject-urgent", "pass", message("HỎA TỐC - Giấy mời họp giao ban")
    yield "pass-subject-security", "pass", message("Giấy mời tập huấn bảo mật thông tin")
    yield "pass-picture", "pass", message("Ảnh hội nghị", attachments=[
        ("anh.png", (FIXTURES / "stamp.png").read_bytes(), "image/png")])
