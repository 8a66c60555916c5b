"""A hostile corpus for the confidentiality gate, built in code.

Every case is ``(name, label, filename, data)``: ``label`` is "block" or "pass"; a filename ending in
``.eml`` is a whole message (``check_message``), anything else a bare file (``check_document``).

The cases hide a state-secret mark where a careless reader does not look (relationship-only parts,
renamed or Strict OOXML parts, annotations, print headers, formulas without cached values,
forwarded messages in odd transfer encodings, look-alike letters, formats the gate does not know),
or they attack the reader itself (decompression and grid bombs). Clean twins check that nothing
ordinary is refused. Names starting with ``bomb-`` are resource attacks: the test runs them in a
child process with a memory ceiling and a wall-clock kill, so a regression cannot take the machine down.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import random
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

Case = tuple[str, str, str, bytes]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

# What the visible document says when the mark is hidden somewhere else.
PLAIN = "UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\nBÁO CÁO\nTình hình thực hiện nhiệm vụ quý IV năm 2025"
# The same document with the stamp where it belongs (ô số 10a, under the number).
STAMPED = "UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\nTỐI MẬT\nBÁO CÁO\nPhương án bố trí nhân sự"
NOTICE = ("UBND TỈNH KHÁNH HÒA\nSỞ NỘI VỤ\nSố: 123/TB-SNV\nTHÔNG BÁO\n"
          "Về việc tổ chức hội nghị tổng kết công tác năm 2025\n"
          "Thời gian: 08 giờ 00, ngày 20/12/2025. Địa điểm: Hội trường tầng 3, Sở Nội vụ.")
TRAINING = ("TÀI LIỆU TẬP HUẤN LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC\n"
            "Bí mật nhà nước được phân loại theo ba độ: Tuyệt mật, Tối mật và Mật.\n"
            "Không soạn thảo, lưu giữ văn bản mật trên máy tính kết nối Internet.\n"
            "Cán bộ phải đổi mật khẩu hộp thư định kỳ và bảo mật thông tin cá nhân.")
PASSWORD = ("HƯỚNG DẪN ĐỔI MẬT KHẨU\nBước 1: Đăng nhập hộp thư công vụ.\n"
            "Bước 2: Chọn Cài đặt > Bảo mật > Đổi mật khẩu.\nMật khẩu phải có ít nhất 12 ký tự.")
SCHEDULE = [["LỊCH CÔNG TÁC TUẦN 51", "", ""], ["Thứ", "Giờ", "Nội dung"],
            ["Thứ Hai", "08:00", "Họp giao ban Ban Giám đốc"], ["Thứ Ba", "14:00", "Tiếp công dân định kỳ"],
            ["Thứ Tư", "08:30", "Hội nghị tổng kết công tác năm"]]


# ---------------------------------------------------------------------------------------------
# Small builders
# ---------------------------------------------------------------------------------------------

def _zip(files: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _edit(data: bytes, edit: Callable[[dict[str, bytes]], None]) -> bytes:
    """Unpack an OOXML/ODF package, let ``edit`` change its parts in place, pack it again."""
    parts = _members(data)
    edit(parts)
    first = ["mimetype"] if "mimetype" in parts else []  # ODF wants it first and stored
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in first:
            archive.writestr(name, parts[name], compress_type=zipfile.ZIP_STORED)
        for name, content in parts.items():
            if name not in first:
                archive.writestr(name, content)
    return buffer.getvalue()


def _sub(parts: dict[str, bytes], name: str, old: str, new: str, count: int = -1) -> None:
    content = parts[name]
    if old.encode() not in content:
        raise AssertionError(f"{old!r} not in {name}")
    parts[name] = content.replace(old.encode(), new.encode(), count)


def _rename(parts: dict[str, bytes], old: str, new: str) -> None:
    parts[new] = parts.pop(old)


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    """Raw deflate, CRC and size: a member ready for ``_raw_zip`` (compressed once, copied cheaply)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def _raw_zip(entries: list[tuple[str, tuple[bytes, int, int]]]) -> bytes:
    """A ZIP written by hand from pre-compressed members (fast for bombs; sizes may lie)."""
    body, central = bytearray(), bytearray()
    for name, (compressed, crc, size) in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(compressed), size,
                            len(encoded), 0) + encoded + compressed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(compressed),
                               size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return bytes(body + central + end)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@functools.cache
def _png(kind: str = "tiny") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    if kind == "tiny":
        image = Image.new("RGB", (60, 20), (200, 30, 30))
    elif kind == "photo":  # a photo-like picture: gradient sky, noise, no text
        rng = random.Random(7)
        image = Image.new("RGB", (320, 200))
        pixels = image.load()
        for y in range(200):
            for x in range(320):
                n = rng.randint(-12, 12)
                pixels[x, y] = (max(0, min(255, 80 + y // 2 + n)), max(0, min(255, 120 + x // 4 + n)),
                                max(0, min(255, 200 - y // 3 + n)))
    elif kind.startswith("page"):  # a scanned A4 page at 150 dpi: black text, and a red stamp on "page-stamp"
        image = Image.new("RGB", (1240, 1754), "white")
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(FONT, 34) if Path(FONT).exists() else ImageFont.load_default()
        y = 140
        for line in (PLAIN if kind == "page-stamp" else NOTICE).split("\n"):
            draw.text((150, y), line[:60], fill=(20, 20, 20), font=font)
            y += 70
        if kind == "page-stamp":
            big = ImageFont.truetype(FONT, 60) if Path(FONT).exists() else font
            draw.rectangle((160, 700, 560, 800), outline=(200, 0, 0), width=6)
            draw.text((190, 713), "TỐI MẬT", fill=(200, 0, 0), font=big)
    else:  # a scanned red stamp: the words are pixels, not text
        image = Image.new("RGB", (420, 120), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((6, 6, 414, 114), outline=(200, 0, 0), width=6)
        font = ImageFont.truetype(FONT, 64) if Path(FONT).exists() else ImageFont.load_default()
        draw.text((40, 22), "TỐI MẬT", fill=(200, 0, 0), font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

def _message(subject: str, body: str = "Kính gửi các đồng chí,\nXin gửi tài liệu kèm theo.", *,
             attachments: list[tuple[str, bytes, str]] | None = None,
             forward: EmailMessage | None = None, html: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "vanthu@khanhhoa.gov.vn", "lanhdao@khanhhoa.gov.vn", subject
    m["Date"], m["Message-ID"] = "Mon, 15 Dec 2025 08:00:00 +0700", "<hostile@khanhhoa.gov.vn>"
    m.set_content(body)
    if html is not None:
        m.add_alternative(html, subtype="html")
    for name, data, mime in attachments or []:
        maintype, subtype = mime.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if forward is not None:
        m.add_attachment(forward)
    return m


def _wire(m: EmailMessage) -> bytes:
    return m.as_bytes(policy=m.policy.clone(linesep="\r\n"))


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _forward_base64() -> bytes:
    """A forward whose message/rfc822 part is base64 (RFC 2046 forbids it; some clients do it anyway)."""
    inner = _wire(_message("[TỐI MẬT] Phương án nhân sự", "Gửi anh xem trước cuộc họp."))
    encoded = base64.encodebytes(inner).decode()
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Fwd: Tài liệu\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "Chuyển tiếp thư bên dưới.\n"
        "--b1\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=\"fw.eml\"\n\n" + encoded + "--b1--\n")


def _uuencode(name: str, data: bytes) -> str:
    lines = [f"begin 644 {name}"]
    for start in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[start:start + 45]).decode().rstrip("\n"))
    lines += ["`", "end"]
    return "\n".join(lines)


def _x_uuencode_attachment() -> bytes:
    payload = _uuencode("baocao.txt", STAMPED.encode())
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Báo cáo\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: text/plain; charset=utf-8\n\nGửi kèm báo cáo.\n"
        "--b1\nContent-Type: text/plain; charset=utf-8; name=\"baocao.txt\"\n"
        "Content-Transfer-Encoding: x-uuencode\nContent-Disposition: attachment; filename=\"baocao.txt\"\n\n"
        + payload + "\n--b1--\n")


def _split_subject() -> bytes:
    """The tag split across two encoded-words in the middle of a UTF-8 sequence (lenient clients join them)."""
    raw = "[TỐI MẬT] Danh sách nhân sự".encode()
    cut = raw.index("Ố".encode()) + 1
    words = " ".join(f"=?UTF-8?B?{base64.b64encode(chunk).decode()}?=" for chunk in (raw[:cut], raw[cut:]))
    return _crlf(f"From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: {words}\n"
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nKính gửi các đồng chí.\n")


def _message_partial() -> bytes:
    """Fragment 2 of 2 of a message/partial split (RFC 2046 5.2.2): on its own, nothing can be decoded."""
    secret = _wire(_message("Báo cáo", attachments=[("bao-cao.docx", docx(STAMPED), DOCX_MIME)]))
    tail = secret[len(secret) // 2:].decode("ascii", "replace")
    return _crlf("From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Báo cáo (phần 2/2)\n"
                 "MIME-Version: 1.0\nContent-Type: message/partial; id=\"bc45@khanhhoa.gov.vn\"; number=2; total=2\n\n"
                 + tail)


def _inline_pgp() -> bytes:
    rng = random.Random(3)
    blob = base64.encodebytes(bytes(rng.randrange(256) for _ in range(600))).decode()
    body = ("Gửi anh tài liệu đã mã hóa, mật khẩu gửi qua Zalo.\n\n-----BEGIN PGP MESSAGE-----\n\n"
            + blob + "=x1Qm\n-----END PGP MESSAGE-----\n")
    return _wire(_message("Tài liệu", body))


def _pgp_mime() -> bytes:
    rng = random.Random(4)
    blob = base64.encodebytes(bytes(rng.randrange(256) for _ in range(400))).decode()
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Tài liệu\nMIME-Version: 1.0\n"
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
        "--b1\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\n"
        "-----BEGIN PGP MESSAGE-----\n\n" + blob + "-----END PGP MESSAGE-----\n--b1--\n")


def _smime() -> bytes:
    rng = random.Random(5)
    blob = base64.encodebytes(bytes(rng.randrange(256) for _ in range(500))).decode()
    return _crlf(
        "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nSubject: Tài liệu\nMIME-Version: 1.0\n"
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n"
        "Content-Disposition: attachment; filename=\"smime.p7m\"\nContent-Transfer-Encoding: base64\n\n" + blob)


def _ics(summary: str, description: str) -> bytes:
    return _crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//UBND tinh Khanh Hoa//Lich hop//VI\nMETHOD:REQUEST\n"
        "BEGIN:VEVENT\nUID:hop-51@khanhhoa.gov.vn\nDTSTAMP:20251215T010000Z\nDTSTART:20251218T013000Z\n"
        f"DTEND:20251218T040000Z\nSUMMARY:{summary}\nDESCRIPTION:{description}\n"
        "LOCATION:Phòng họp số 1\nORGANIZER:mailto:vanthu@khanhhoa.gov.vn\nEND:VEVENT\nEND:VCALENDAR\n")


def _deep_forward(depth: int, innermost_subject: str) -> bytes:
    m = _message(innermost_subject, "Nội dung thư gốc.")
    for level in range(depth):
        m = _message(f"Fwd: chuyển tiếp lần {depth - level}", "Chuyển tiếp.", forward=m)
    return _wire(m)


def _deep_forward_raw(depth: int) -> bytes:
    """``depth`` nested message/rfc822 parts written directly (the email package recurses to build them)."""
    head = ("From: a@khanhhoa.gov.vn\nSubject: Fwd\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"b{n}\"\n\n--b{n}\nContent-Type: message/rfc822\n\n")
    text = "".join(head.format(n=n) for n in range(depth))
    text += "From: a@khanhhoa.gov.vn\nSubject: Thư gốc\nContent-Type: text/plain; charset=utf-8\n\nLời chào.\n"
    text += "".join(f"--b{n}--\n" for n in reversed(range(depth)))
    return _crlf(text)


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

def docx(text: str = PLAIN, *, header: str | None = None, comment: str | None = None,
         picture: bool = False, split_runs: str | None = None) -> bytes:
    from docx import Document

    document = Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    if header is not None:
        document.sections[0].header.add_paragraph(header)
    if comment is not None:
        paragraph = document.paragraphs[1]
        document.add_comment(paragraph.runs, text=comment, author="Văn thư", initials="VT")
    if picture:
        document.add_picture(io.BytesIO(_png("tiny")))
    if split_runs is not None:
        paragraph = document.add_paragraph()
        for piece in split_runs:
            paragraph.add_run(piece)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_header_renamed() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _rename(p, "word/header1.xml", "word/hdrX.xml")
        _sub(p, "word/_rels/document.xml.rels", 'Target="header1.xml"', 'Target="hdrX.xml"')
        _sub(p, "[Content_Types].xml", "/word/header1.xml", "/word/hdrX.xml")
    return _edit(docx(PLAIN, header="TỐI MẬT"), edit)


def docx_main_renamed(decoy: bool = False) -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _rename(p, "word/document.xml", "word/main.xml")
        _rename(p, "word/_rels/document.xml.rels", "word/_rels/main.xml.rels")
        _sub(p, "_rels/.rels", 'Target="word/document.xml"', 'Target="word/main.xml"')
        _sub(p, "[Content_Types].xml", "/word/document.xml", "/word/main.xml")
        if decoy:  # an unreferenced clean part where a naive reader looks first
            p["word/document.xml"] = _members(docx(NOTICE))["word/document.xml"]
    return _edit(docx(STAMPED), edit)


def docx_strict() -> bytes:
    swaps = {W_NS: "http://purl.oclc.org/ooxml/wordprocessingml/main",
             R_NS: "http://purl.oclc.org/ooxml/officeDocument/relationships",
             "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main"}

    def edit(p: dict[str, bytes]) -> None:
        for name in list(p):
            if name.endswith((".xml", ".rels")):
                for old, new in swaps.items():
                    p[name] = p[name].replace(old.encode(), new.encode())
        _sub(p, "word/document.xml", "<w:document ", '<w:document w:conformance="strict" ', 1)
    return _edit(docx(STAMPED), edit)


def _docx_with_part(part: str, content: bytes, content_type: str, rel_type: str, body_xml: str) -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        p[f"word/{part}"] = content
        _sub(p, "word/_rels/document.xml.rels", "</Relationships>",
             f'<Relationship Id="rIdHostile" Type="{rel_type}" Target="{part}"/></Relationships>')
        _sub(p, "[Content_Types].xml", "</Types>",
             f'<Override PartName="/word/{part}" ContentType="{content_type}"/></Types>')
        _sub(p, "word/document.xml", "<w:sectPr", body_xml + "<w:sectPr", 1)
    return _edit(docx(PLAIN), edit)


def docx_altchunk(kind: str, text: str = "TỐI MẬT") -> bytes:
    if kind == "html":  # ordinary HTML (not XHTML), as HTML-to-DOCX tools write it
        chunk = (f'<html><head><meta charset="utf-8"></head><body><p align="center">{text}<br></p></body>'
                 "</html>").encode()
        part, content_type = "afchunk.htm", "text/html"
    else:
        chunk = b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0 T\\u7888?I M\\u7852?T\\par}"
        part, content_type = "afchunk.rtf", "application/rtf"
    return _docx_with_part(part, chunk, content_type, f"{R_NS}/aFChunk", '<w:altChunk r:id="rIdHostile"/>')


def docx_embedded(kind: str) -> bytes:
    if kind == "xlsx":
        data, part = xlsx([["Số: 45/BC-UBND"], ["TỐI MẬT"], ["Danh sách nhân sự"]]), "embeddings/Bang_tinh1.xlsx"
        content_type, rel, prog = XLSX_MIME, f"{R_NS}/package", "Excel.Sheet.12"
    else:
        data, part = (FIXTURES / "marked.doc").read_bytes(), "embeddings/Van_ban1.doc"
        content_type, rel, prog = "application/msword", f"{R_NS}/package", "Word.Document.8"
    body = ('<w:p><w:r><w:object w:dxaOrig="1440" w:dyaOrig="960"><o:OLEObject xmlns:o="urn:schemas-microsoft-com:'
            f'office:office" Type="Embed" ProgID="{prog}" ShapeID="_x0000_i1025" DrawAspect="Icon" ObjectID="_1" '
            'r:id="rIdHostile"/></w:object></w:r></w:p>')
    return _docx_with_part(part, data, content_type, rel, body)


def docx_alt_text() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", 'name="Picture 1"', 'name="Con dấu" descr="TỐI MẬT" title="TỐI MẬT"')
    return _edit(docx(PLAIN, picture=True), edit)


def docx_textbox() -> bytes:
    """A DrawingML (wps) text box, as Word 2010+ writes it, with no VML fallback."""
    box = ('<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<mc:Choice xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" Requires="wps">'
           '<w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1" distT="0" '
           'distB="0" distL="0" distR="0"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="page">'
           '<wp:posOffset>4500000</wp:posOffset></wp:positionH><wp:positionV relativeFrom="page"><wp:posOffset>'
           '900000</wp:posOffset></wp:positionV><wp:extent cx="1500000" cy="400000"/><wp:wrapNone/>'
           '<wp:docPr id="5" name="Text Box 5"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
           'main"><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
           '<wps:cNvSpPr txBox="1"/><wps:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr><wps:txbx>'
           '<w:txbxContent><w:p><w:r><w:t>TỐI MẬT</w:t></w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/>'
           '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice></mc:AlternateContent>'
           '</w:r></w:p>')

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", "<w:sectPr", box + "<w:sectPr", 1)
    return _edit(docx(PLAIN), edit)


def docx_billion_laughs() -> bytes:
    dtd = ('<!DOCTYPE w:document [<!ENTITY a "TỐI MẬT "><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
           '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
           '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>')

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", "<w:document ", dtd + "<w:document ", 1)
        _sub(p, "word/document.xml", "<w:sectPr", "<w:p><w:r><w:t>&h;</w:t></w:r></w:p><w:sectPr", 1)
    return _edit(docx(PLAIN), edit)


def docx_huge_xml() -> bytes:
    """A clean DOCX whose document.xml is 49 MB (just under the 50 MB part limit) but zips to ~100 KB."""
    paragraph = ("<w:p><w:r><w:t>Điều 3. Chánh Văn phòng, Giám đốc các sở, ban, ngành và Chủ tịch UBND các "
                 "huyện chịu trách nhiệm thi hành quyết định này.</w:t></w:r></w:p>").encode()
    count = (49 * 1024 * 1024) // len(paragraph)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
                .encode() + paragraph * count + b"</w:body></w:document>")

    def edit(p: dict[str, bytes]) -> None:
        p["word/document.xml"] = document
    return _edit(docx(PLAIN), edit)


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


def xlsx_rich_text_split() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        p["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            'main" count="1" uniqueCount="1"><si><r><t xml:space="preserve">TỐI </t></r><r><rPr><b/></rPr>'
            '<t>MẬT</t></r></si></sst>').encode()
        _sub(p, "xl/worksheets/sheet1.xml", "<sheetData></sheetData>",
             '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')
        _sub(p, "xl/_rels/workbook.xml.rels", "</Relationships>",
             f'<Relationship Id="rIdSst" Type="{R_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        _sub(p, "[Content_Types].xml", "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return _edit(xlsx([]), edit)


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


# ---------------------------------------------------------------------------------------------
# PPTX (written by hand: python-pptx is not a dependency)
# ---------------------------------------------------------------------------------------------

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PML = f'xmlns:a="{A_NS}" xmlns:r="{R_NS}" xmlns:p="{P_NS}"'
_CT_PML = "application/vnd.openxmlformats-officedocument.presentationml"


def _shape_tree(text: str, shape_id: int = 2) -> str:
    shapes = ""
    if text:
        paragraphs = "".join(f"<a:p><a:r><a:rPr lang=\"vi-VN\"/><a:t>{_xml_escape(line)}</a:t></a:r></a:p>"
                             for line in text.split("\n"))
        shapes = (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="TextBox {shape_id}"/><p:cNvSpPr txBox="1"/>'
                  '<p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="274638"/><a:ext cx="8229600" '
                  'cy="1143000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody>'
                  f"<a:bodyPr/><a:lstStyle/>{paragraphs}</p:txBody></p:sp>")
    return ('<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
            f"<p:grpSpPr/>{shapes}</p:spTree></p:cSld>")


def _rels(*items: tuple[str, str, str]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_RELS}">{body}'
            "</Relationships>")


def pptx(slide: str = "", *, layout: str = "", master: str = "", notes: str = "") -> bytes:
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    theme = (f'{decl}<a:theme xmlns:a="{A_NS}" name="Office"><a:themeElements><a:clrScheme name="Office">'
             + "".join(f"<a:{n}><a:srgbClr val=\"000000\"/></a:{n}>" for n in (
                 "dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                 "hlink", "folHlink"))
             + '</a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Arial"/><a:ea typeface=""/>'
             '<a:cs typeface=""/></a:majorFont><a:minorFont><a:latin typeface="Arial"/><a:ea typeface=""/>'
             '<a:cs typeface=""/></a:minorFont></a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst/>'
             "<a:lnStyleLst/><a:effectStyleLst/><a:bgFillStyleLst/></a:fmtScheme></a:themeElements></a:theme>")
    files: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            f'{decl}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/ppt/presentation.xml" ContentType="{_CT_PML}.presentation.main+xml"/>'
            f'<Override PartName="/ppt/slides/slide1.xml" ContentType="{_CT_PML}.slide+xml"/>'
            f'<Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="{_CT_PML}.slideLayout+xml"/>'
            f'<Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="{_CT_PML}.slideMaster+xml"/>'
            f'<Override PartName="/ppt/notesSlides/notesSlide1.xml" ContentType="{_CT_PML}.notesSlide+xml"/>'
            '<Override PartName="/ppt/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'theme+xml"/></Types>'),
        "_rels/.rels": _rels(("rId1", f"{R_NS}/officeDocument", "ppt/presentation.xml")),
        "ppt/presentation.xml": (
            f'{decl}<p:presentation {_PML}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/>'
            '</p:sldMasterIdLst><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="9144000" '
            'cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>'),
        "ppt/_rels/presentation.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideMaster", "slideMasters/slideMaster1.xml"),
            ("rId2", f"{R_NS}/slide", "slides/slide1.xml"), ("rId3", f"{R_NS}/theme", "theme/theme1.xml")),
        "ppt/slides/slide1.xml": f"{decl}<p:sld {_PML}>{_shape_tree(slide)}</p:sld>",
        "ppt/slides/_rels/slide1.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideLayout", "../slideLayouts/slideLayout1.xml"),
            ("rId2", f"{R_NS}/notesSlide", "../notesSlides/notesSlide1.xml")),
        "ppt/slideLayouts/slideLayout1.xml": f'{decl}<p:sldLayout {_PML} type="blank">{_shape_tree(layout)}'
                                             "</p:sldLayout>",
        "ppt/slideLayouts/_rels/slideLayout1.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideMaster", "../slideMasters/slideMaster1.xml")),
        "ppt/slideMasters/slideMaster1.xml": (
            f'{decl}<p:sldMaster {_PML}>{_shape_tree(master)}<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" '
            'accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" '
            'accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" '
            'r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>'),
        "ppt/slideMasters/_rels/slideMaster1.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideLayout", "../slideLayouts/slideLayout1.xml"),
            ("rId2", f"{R_NS}/theme", "../theme/theme1.xml")),
        "ppt/notesSlides/notesSlide1.xml": f"{decl}<p:notes {_PML}>{_shape_tree(notes)}</p:notes>",
        "ppt/notesSlides/_rels/notesSlide1.xml.rels": _rels(("rId1", f"{R_NS}/slide", "../slides/slide1.xml")),
        "ppt/theme/theme1.xml": theme,
    }
    return _zip(files)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------

def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    return "DejaVu"


def pdf(text: str = PLAIN, *, image_page: bool = False, size: tuple[float, float] = (595, 842),
        frame: bool = False) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=size)
    if frame:
        page.setStrokeColorRGB(0.8, 0, 0)
        page.setFillColorRGB(0.8, 0, 0)
        page.rect(4, 4, size[0] - 8, size[1] - 8)
    y = size[1] - 60 if not frame else 20
    x = 72 if not frame else 24
    for line in text.split("\n"):
        t = page.beginText(x, y)
        t.setFont(_font(), 12 if not frame else 20)
        t.textLine(line)
        page.drawText(t)
        y -= 20
    if image_page:
        page.showPage()
        page.drawImage(ImageReader(io.BytesIO(_png("stamp"))), 150, 600, width=280, height=80)
    page.save()
    return out.getvalue()


def _pdf_writer(data: bytes) -> object:
    from pypdf import PdfReader, PdfWriter

    return PdfWriter(clone_from=PdfReader(io.BytesIO(data)))


def _pdf_bytes(writer: object) -> bytes:
    out = io.BytesIO()
    writer.write(out)  # type: ignore[attr-defined]
    return out.getvalue()


def pdf_annotation(subtype: str, *, contents: bool = True, appearance: bool = False) -> bytes:
    from pypdf import PdfReader
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
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject(f"/{subtype}"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (360, 700, 560, 760)]),
        NameObject("/F"): NumberObject(4), NameObject("/T"): TextStringObject("Văn thư"),
    })
    if contents:
        annotation[NameObject("/Contents")] = TextStringObject("TỐI MẬT")
    if subtype == "FreeText":
        annotation[NameObject("/DA")] = TextStringObject("/Helv 14 Tf 1 0 0 rg")
    if subtype == "Stamp":
        annotation[NameObject("/Name")] = NameObject("/Confidential")
    if appearance:  # the stamp is drawn by its appearance stream (a form XObject) only
        source = PdfReader(io.BytesIO(pdf("TỐI MẬT", size=(200, 60), frame=True))).pages[0]
        form = DecodedStreamObject()
        form.set_data(source.get_contents().get_data())
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = ArrayObject([FloatObject(v) for v in (0, 0, 200, 60)])
        form[NameObject("/Resources")] = source["/Resources"].clone(writer)  # type: ignore[arg-type]
        reference = writer._add_object(form)  # type: ignore[attr-defined]
        annotation[NameObject("/AP")] = DictionaryObject({NameObject("/N"): reference})
    writer.add_annotation(page_number=0, annotation=annotation)  # type: ignore[attr-defined]
    return _pdf_bytes(writer)


def pdf_form_field() -> bytes:
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = _pdf_writer(pdf(PLAIN))
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("do_mat"),
        NameObject("/V"): TextStringObject("TỐI MẬT"), NameObject("/F"): NumberObject(4),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (360, 700, 560, 730)]),
        NameObject("/DA"): TextStringObject("/Helv 12 Tf 0 g"),
    })
    added = writer.add_annotation(page_number=0, annotation=field)  # type: ignore[attr-defined]
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({  # type: ignore[attr-defined]
        NameObject("/Fields"): ArrayObject([added.indirect_reference]),
        NameObject("/NeedAppearances"): BooleanObject(True),
        NameObject("/DA"): TextStringObject("/Helv 12 Tf 0 g"),
    })
    return _pdf_bytes(writer)


def pdf_encrypted(user_password: str, text: str) -> bytes:
    writer = _pdf_writer(pdf(text))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="AES-128")  # type: ignore
    return _pdf_bytes(writer)


def pdf_embedded_file() -> bytes:
    writer = _pdf_writer(pdf(PLAIN))
    writer.add_attachment("bao-cao-chi-tiet.txt", STAMPED.encode())  # type: ignore[attr-defined]
    return _pdf_bytes(writer)


def pdf_metadata_field() -> bytes:
    writer = _pdf_writer(pdf(PLAIN))
    metadata = {"/Subject": "Độ mật: Tối mật", "/Keywords": "Độ mật: Tối mật; Độ khẩn: Thường"}
    writer.add_metadata(metadata)  # type: ignore[attr-defined]
    return _pdf_bytes(writer)


def pdf_flate_bomb(megabytes: int = 100) -> bytes:
    """One page whose clean content stream inflates to ``megabytes`` MB (mostly whitespace)."""
    content = b"BT /F1 12 Tf 72 760 Td (Bao cao tong ket cong tac nam 2025) Tj ET\n" + b" " * (megabytes << 20)
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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


# ---------------------------------------------------------------------------------------------
# Bombs
# ---------------------------------------------------------------------------------------------

def bomb_42zip() -> bytes:
    """42.zip in miniature: 4 levels of 16 copies; each archive is within the per-archive limits
    (the deepest holds 16 x 10 MB = 160 MB), but all of it unpacks to 16**4 x 10 MB = 640 GB."""
    leaf = _deflate(b"\x00" * (10 << 20))
    level = _raw_zip([(f"{i:x}.bin", leaf) for i in range(16)])
    for _ in range(3):
        member = _deflate(level)
        level = _raw_zip([(f"lib {i:x}.zip", member) for i in range(16)])
    return level


def bomb_nested_total() -> bytes:
    """Ten nested archives, each with 19 x 10 MB of clean log text (190 MB, under the 200 MB per-archive
    limit): 1.9 GB of text in all."""
    line = "2025-12-15 08:00:01 Nhật ký vận hành hệ thống thư điện tử: hoạt động bình thường.\n".encode()
    text = (line * ((10 << 20) // len(line) + 1))[: 10 << 20]
    leaf = _deflate(text)
    inner = _deflate(_raw_zip([(f"nhat-ky-{i:02}.log", leaf) for i in range(19)]))
    return _raw_zip([(f"thang-{m:02}.zip", inner) for m in range(1, 11)])


def bomb_many_members(count: int = 5000) -> bytes:
    return _zip({f"ghi-chu/{i:04}.txt": f"Ghi chú số {i}: họp giao ban tuần." for i in range(count)})


def bomb_deep_zip(levels: int = 20) -> bytes:
    data = _zip({"ghi-chu.txt": "Ghi chú họp giao ban."})
    for level in range(levels):
        data = _zip({f"cap-{level}.zip": data})
    return data


def bomb_lying_size() -> bytes:
    """A member that says 1 KB but inflates to 100 MB."""
    real = b"\x00" * (100 << 20)
    compressed, crc, _ = _deflate(real)
    return _raw_zip([("bao-cao.txt", (compressed, crc, 1024))])


# ---------------------------------------------------------------------------------------------
# Second round: formatting that makes lower case show as capitals, fields without results,
# metadata parts, formats inside formats, and more resource attacks
# ---------------------------------------------------------------------------------------------

def _docx_body(xml: str, *, styles: str | None = None, extra: dict[str, bytes] | None = None,
               rels: str = "", types: str = "") -> bytes:
    """PLAIN as a DOCX, with ``xml`` (WordprocessingML paragraphs) added at the end of the body."""
    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", "<w:sectPr", xml + "<w:sectPr", 1)
        if styles:
            _sub(p, "word/styles.xml", "</w:styles>", styles + "</w:styles>")
        for name, content in (extra or {}).items():
            p[name] = content
        if rels:
            _sub(p, "word/_rels/document.xml.rels", "</Relationships>", rels + "</Relationships>")
        if types:
            _sub(p, "[Content_Types].xml", "</Types>", types + "</Types>")
    return _edit(docx(PLAIN), edit)


def docx_caps(kind: str) -> bytes:
    """Lower-case "tối mật" that Word shows in capitals: run-level <w:caps/>, or a paragraph style."""
    if kind == "run":
        return _docx_body('<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:caps/></w:rPr>'
                          "<w:t>tối mật</w:t></w:r></w:p>")
    style = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="DoMat"><w:name w:val="Do mat"/>'
             '<w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:caps/>'
             '<w:color w:val="FF0000"/></w:rPr></w:style>')
    return _docx_body('<w:p><w:pPr><w:pStyle w:val="DoMat"/></w:pPr><w:r><w:t>tối mật</w:t></w:r></w:p>',
                      styles=style)


def docx_field_without_result() -> bytes:
    """A QUOTE field whose result Word computes on opening: no cached result in the file."""
    return _docx_body('<w:p><w:fldSimple w:instr=" QUOTE &quot;TỐI MẬT&quot; \\* Upper "/></w:p>'
                      '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
                      'QUOTE "TỐI MẬT" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                      '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def docx_customxml_field() -> bytes:
    """Document-management metadata (SharePoint/eOffice style) in a custom XML part: Độ mật = Tối mật."""
    item = ('<?xml version="1.0" encoding="utf-8"?><p:properties xmlns:p="http://schemas.microsoft.com/office/2006/'
            'metadata/properties"><documentManagement><So_x0020_ky_x0020_hieu>45/BC-UBND</So_x0020_ky_x0020_hieu>'
            "<Do_x0020_mat>Tối mật</Do_x0020_mat><Do_x0020_khan>Thường</Do_x0020_khan></documentManagement>"
            "</p:properties>")

    def edit(p: dict[str, bytes]) -> None:
        p["customXml/item1.xml"] = item.encode()
    return _edit(docx(PLAIN), edit)


def docx_glossary_stamp() -> bytes:
    """A clean document carrying a building-block library (glossary) with stamp quick parts, as an office
    template gives every clerk: the stamps are not shown anywhere in the document."""
    glossary = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:glossaryDocument xmlns:w="{W_NS}">'
                "<w:docParts>" + "".join(
                    f'<w:docPart><w:docPartPr><w:name w:val="Dau {n}"/><w:category><w:name w:val="Con dau"/>'
                    '<w:gallery w:val="autoTxt"/></w:category></w:docPartPr><w:docPartBody><w:p><w:r>'
                    f"<w:t>{level}</w:t></w:r></w:p></w:docPartBody></w:docPart>"
                    for n, level in enumerate(("MẬT", "TỐI MẬT", "TUYỆT MẬT"), start=1))
                + "</w:docParts></w:glossaryDocument>")
    return _docx_body("", extra={"word/glossary/document.xml": glossary.encode()},
                      rels=f'<Relationship Id="rIdGloss" Type="{R_NS}/glossaryDocument" '
                           'Target="glossary/document.xml"/>',
                      types='<Override PartName="/word/glossary/document.xml" ContentType="application/vnd.'
                            'openxmlformats-officedocument.wordprocessingml.document.glossary+xml"/>')


def xlsx_number_format_literal() -> bytes:
    """A cell holding 0 whose number format is the literal text "TỐI MẬT": Excel shows TỐI MẬT."""
    def setup(book: object) -> None:
        cell = book.active["A7"]  # type: ignore[attr-defined]
        cell.value = 0
        cell.number_format = '"TỐI MẬT"'
    return xlsx(SCHEDULE, setup=setup)


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


def pdf_glyphs_out_of_order() -> bytes:
    """The stamp's glyphs drawn in scrambled order, each placed where it belongs: it reads TỐI MẬT."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    y = 780
    for line in PLAIN.split("\n"):
        page.setFont(_font(), 12)
        page.drawString(72, y, line)
        y -= 20
    page.setFont(_font(), 20)
    page.setFillColorRGB(0.8, 0, 0)
    x = 240.0
    positions = []
    for ch in "TỐI MẬT":
        positions.append((ch, x))
        x += page.stringWidth(ch, _font(), 20)
    for index in (5, 0, 3, 6, 2, 4, 1):
        ch, at = positions[index]
        page.drawString(at, 700 - (index % 2) * 0.4, ch)
    page.save()
    return out.getvalue()


def pdf_text_with_stamp_picture() -> bytes:
    """A typed page with the red stamp pasted onto the same page as a picture (a clerk's usual way)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    y = 780
    for line in PLAIN.split("\n"):
        page.setFont(_font(), 12)
        page.drawString(72, y, line)
        y -= 20
    page.drawImage(ImageReader(io.BytesIO(_png("stamp"))), 90, 640, width=210, height=60)
    page.save()
    return out.getvalue()


def pdf_many_pages(count: int = 2999) -> bytes:
    """``count`` pages (just under the gate's 3000) sharing one clean content stream: a 300 KB file."""
    content = (b"BT /F1 11 Tf 72 760 Td (UBND TINH KHANH HOA - SO NOI VU) Tj 0 -16 Td (Thong bao lich cong tac "
               b"tuan 51: hop giao ban, tiep cong dan, hoi nghi tong ket.) Tj ET")
    first_page = 5
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (first_page + i) for i in range(count))
               + b"] /Count %d >>" % count,
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
                b"/Contents 3 0 R >>"] * count
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def bomb_text_zip(megabytes: int, line: str, *, one_line: bool = False, members: int = 1) -> bytes:
    """One ZIP of ``members`` clean text files adding up to ``megabytes`` MB (a few hundred KB zipped)."""
    unit = line.encode() if one_line else (line + "\n").encode()
    size = (megabytes << 20) // members
    text = (unit * (size // len(unit) + 1))[:size]
    leaf = _deflate(text)
    return _raw_zip([(f"van-ban-{i:02}.txt", leaf) for i in range(members)])


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

def message_cases() -> Iterator[Case]:
    secret_fwd = _message("[TỐI MẬT] Phương án nhân sự", "Gửi anh xem trước cuộc họp.")
    yield "eml-fwd-rfc822-subject-tag", "block", "fwd.eml", _wire(
        _message("Fwd: Tài liệu", "Chuyển tiếp thư bên dưới.", forward=secret_fwd))
    yield "eml-fwd-rfc822-base64", "block", "fwd-b64.eml", _forward_base64()
    yield "eml-fwd-nested-2-levels", "block", "fwd2.eml", _deep_forward(2, "[TỐI MẬT] Phương án nhân sự")
    yield "eml-fwd-nested-12-levels", "block", "fwd12.eml", _deep_forward(12, "[MẬT] Báo cáo chuyên đề")
    yield "eml-uuencode-in-body", "block", "uu.eml", _wire(_message(
        "Báo cáo", "Gửi anh bản báo cáo (giải mã bằng uudecode):\n\n" + _uuencode("baocao.txt", STAMPED.encode())))
    yield "eml-cte-x-uuencode", "block", "xuu.eml", _x_uuencode_attachment()
    yield "eml-subject-split-multibyte", "block", "split.eml", _split_subject()
    yield "eml-message-partial-2of2", "block", "partial.eml", _message_partial()
    yield "eml-inline-pgp", "block", "pgp-inline.eml", _inline_pgp()
    yield "eml-pgp-mime", "block", "pgp-mime.eml", _pgp_mime()
    yield "eml-smime-enveloped", "block", "smime.eml", _smime()
    yield "eml-html-img-alt", "block", "alt.eml", _wire(_message(
        "Báo cáo", PLAIN, html=f"<p>{PLAIN.replace(chr(10), '<br>')}</p><p><img alt=\"TỐI MẬT\" src=\"cid:dau\"></p>"))
    yield "eml-octet-stream-no-extension", "block", "octet.eml", _wire(_message(
        "Tài liệu", attachments=[("bao-cao", STAMPED.encode(), "application/octet-stream")]))
    yield "eml-name-toi-mat-docx", "block", "name1.eml", _wire(_message(
        "Tài liệu", attachments=[("TỐI MẬT.docx", docx(PLAIN), DOCX_MIME)]))
    yield "eml-name-mat-tag-pdf", "block", "name2.eml", _wire(_message(
        "Tài liệu", attachments=[("[MẬT] Báo cáo.pdf", pdf(PLAIN), "application/pdf")]))
    yield "eml-name-quy-che-bao-mat-docx", "pass", "name3.eml", _wire(_message(
        "Quy chế", attachments=[("Quy chế bảo mật.docx", docx(TRAINING), DOCX_MIME)]))
    yield "eml-name-doi-mat-khau-txt", "pass", "name4.eml", _wire(_message(
        "Hướng dẫn", attachments=[("Đổi mật khẩu.txt", PASSWORD.encode(), "text/plain")]))
    yield "eml-fwd-clean", "pass", "fwd-clean.eml", _wire(_message(
        "Fwd: Giấy mời", "Chuyển tiếp.", forward=_message("Giấy mời họp", NOTICE)))
    yield "eml-ics-invitation-clean", "pass", "invite.eml", _wire(_message(
        "Giấy mời họp giao ban", attachments=[("invite.ics", _ics("Họp giao ban tuần 51", "Chuẩn bị báo cáo tuần."),
                                               "text/calendar")]))
    yield "eml-training-prose", "pass", "training.eml", _wire(_message("Tài liệu tập huấn bảo mật", TRAINING))


def docx_cases() -> Iterator[Case]:
    yield "docx-header-nonstandard-part-name", "block", "bao-cao.docx", docx_header_renamed()
    yield "docx-main-part-renamed", "block", "bao-cao.docx", docx_main_renamed()
    yield "docx-main-part-renamed-clean-decoy", "block", "bao-cao.docx", docx_main_renamed(decoy=True)
    yield "docx-strict-ooxml", "block", "bao-cao.docx", docx_strict()
    yield "docx-altchunk-html", "block", "bao-cao.docx", docx_altchunk("html")
    yield "docx-altchunk-rtf", "block", "bao-cao.docx", docx_altchunk("rtf")
    yield "docx-altchunk-html-clean", "pass", "thong-bao.docx", docx_altchunk("html", "Thông báo lịch họp tuần 51")
    yield "docx-embedded-xlsx", "block", "bao-cao.docx", docx_embedded("xlsx")
    if (FIXTURES / "marked.doc").exists():
        yield "docx-embedded-doc97", "block", "bao-cao.docx", docx_embedded("doc")
    yield "docx-picture-alt-text", "block", "bao-cao.docx", docx_alt_text()
    yield "docx-wps-textbox", "block", "bao-cao.docx", docx_textbox()
    yield "docx-comment", "block", "bao-cao.docx", docx(PLAIN, comment="TỐI MẬT")
    yield "docx-stamp-split-runs", "block", "bao-cao.docx", docx(PLAIN, split_runs=["T", "Ố", "I M", "Ậ", "T"])
    yield "docx-billion-laughs", "block", "bao-cao.docx", docx_billion_laughs()
    yield "docx-caps-run-lowercase-text", "block", "bao-cao.docx", docx_caps("run")
    yield "docx-caps-paragraph-style", "block", "bao-cao.docx", docx_caps("style")
    yield "docx-quote-field-without-result", "block", "bao-cao.docx", docx_field_without_result()
    yield "docx-customxml-dms-field", "block", "bao-cao.docx", docx_customxml_field()
    # Judgment call: stamp quick parts in a glossary are never shown in the document itself.
    yield "docx-glossary-stamp-building-blocks", "pass", "thong-bao.docx", docx_glossary_stamp()
    yield "docx-clean-notice", "pass", "thong-bao.docx", docx(NOTICE)
    yield "docx-clean-training", "pass", "tap-huan.docx", docx(TRAINING)
    yield "file-name-toi-mat-docx", "block", "TỐI MẬT.docx", docx(PLAIN)
    yield "file-name-quy-che-bao-mat-docx", "pass", "Quy chế bảo mật.docx", docx(TRAINING)


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


def pptx_cases() -> Iterator[Case]:
    title = "KẾ HOẠCH TRIỂN KHAI\nChuyển đổi số năm 2026"
    yield "pptx-stamp-in-master", "block", "trinh-chieu.pptx", pptx(title, master="TỐI MẬT")
    yield "pptx-stamp-in-layout", "block", "trinh-chieu.pptx", pptx(title, layout="TỐI MẬT")
    yield "pptx-stamp-in-notes", "block", "trinh-chieu.pptx", pptx(title, notes="TỐI MẬT")
    yield "pptx-clean", "pass", "trinh-chieu.pptx", pptx(title, notes="Trình bày trong 10 phút.")


def pdf_cases() -> Iterator[Case]:
    yield "pdf-stamp-annotation-contents", "block", "bao-cao.pdf", pdf_annotation("Stamp")
    yield "pdf-stamp-annotation-appearance-only", "block", "bao-cao.pdf", pdf_annotation(
        "Stamp", contents=False, appearance=True)
    yield "pdf-freetext-annotation", "block", "bao-cao.pdf", pdf_annotation("FreeText")
    yield "pdf-text-annotation", "block", "bao-cao.pdf", pdf_annotation("Text")
    yield "pdf-acroform-field-value", "block", "bao-cao.pdf", pdf_form_field()
    # block-or-ocr: the scanned second page cannot be shown clean unless OCR reads it.
    yield "pdf-typed-page-plus-image-page", "block", "bao-cao.pdf", pdf(PLAIN, image_page=True)
    yield "pdf-encrypted-user-password", "block", "bao-cao.pdf", pdf_encrypted("mat-khau-123", PLAIN)
    yield "pdf-owner-password-only-stamp", "block", "bao-cao.pdf", pdf_encrypted("", STAMPED)
    yield "pdf-embedded-file", "block", "bao-cao.pdf", pdf_embedded_file()
    yield "pdf-metadata-field", "block", "bao-cao.pdf", pdf_metadata_field()
    yield "pdf-glyphs-drawn-out-of-order", "block", "bao-cao.pdf", pdf_glyphs_out_of_order()
    # block-or-ocr: the stamp is a picture on a page that also has a text layer.
    yield "pdf-typed-page-with-stamp-picture", "block", "bao-cao.pdf", pdf_text_with_stamp_picture()
    yield "pdf-clean-text", "pass", "thong-bao.pdf", pdf(NOTICE)
    yield "pdf-clean-training", "pass", "tap-huan.pdf", pdf(TRAINING)


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


def lookalike_cases() -> Iterator[Case]:
    def doc(stamp: str) -> bytes:
        return f"UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\n{stamp}\nBÁO CÁO\nPhương án bố trí nhân sự".encode()

    yield "lookalike-small-capitals", "block", "bao-cao.txt", doc("ᴛỐɪ ᴍẬᴛ")
    yield "lookalike-small-capitals-mat", "block", "bao-cao.txt", doc("ᴍẬᴛ")
    yield "lookalike-cherokee", "block", "bao-cao.txt", doc("ᎢỐI ᎷẬᎢ")
    yield "lookalike-math-bold", "block", "bao-cao.txt", doc("𝐓𝐎̂́𝐈 𝐌𝐀̣̂𝐓")
    yield "lookalike-math-bold-mat", "block", "bao-cao.txt", doc("𝐌𝐀̣̂𝐓")
    yield "lookalike-cyrillic-and-small-capital", "block", "bao-cao.txt", doc("ТỐІ ᴍẬТ")
    yield "lookalike-cyrillic-a-combining", "block", "bao-cao.txt", doc("МА\u0323\u0302Т")
    yield "lookalike-circled-letters", "block", "bao-cao.txt", doc("ⓉỐⒾ ⓂẬⓉ")
    yield "lookalike-noncanonical-marks", "block", "bao-cao.txt", doc(unicodedata.normalize(
        "NFC", "TỐI ") + "MA\u0302\u0323T")
    yield "lookalike-variation-selectors", "block", "bao-cao.txt", doc("T\ufe0fỐ\ufe0fI M\ufe0fẬ\ufe0fT\ufe0f")
    yield "lookalike-tag-characters", "block", "bao-cao.txt", doc("TỐ\U000e0020I M\U000e0041ẬT")
    yield "lookalike-combining-underline", "block", "bao-cao.txt", doc(
        "".join(ch + "\u0332" if ch != " " else ch for ch in "TỐI MẬT"))
    yield "lookalike-greek-capital-iota", "block", "bao-cao.txt", doc("TỐ\u0399 MẬT")
    yield "lookalike-cyrillic-capital-i", "block", "bao-cao.txt", doc("TỐ\u0406 MẬT")
    yield "lookalike-latin-small-l-for-capital-i", "block", "bao-cao.txt", doc("TỐl MẬT")
    yield "lookalike-prose-password", "pass", "huong-dan.txt", PASSWORD.encode()


def bomb_cases() -> Iterator[Case]:
    yield "bomb-42zip-nested", "block", "tai-lieu.zip", bomb_42zip()
    yield "bomb-nested-zips-huge-total", "block", "nhat-ky.zip", bomb_nested_total()
    yield "bomb-zip-5000-members", "block", "ghi-chu.zip", bomb_many_members()
    yield "bomb-zip-20-levels-deep", "block", "ho-so.zip", bomb_deep_zip()
    yield "bomb-zip-lying-size", "block", "bao-cao.zip", bomb_lying_size()
    # Clean: must be read quickly and pass.
    yield "bomb-xlsx-dimension-whole-grid", "pass", "lich.xlsx", xlsx_dimension_bomb(far_cell=False)
    yield "bomb-xlsx-dimension-plus-far-cell", "pass", "lich.xlsx", xlsx_dimension_bomb(far_cell=True)
    yield "bomb-xlsx-dimension-far-cell-stamp", "block", "lich.xlsx", xlsx_dimension_bomb(far_cell=True, stamp=True)
    yield "bomb-docx-49mb-document-xml", "block", "quyet-dinh.docx", docx_huge_xml()
    yield "bomb-pdf-flate-100mb-stream", "block", "bao-cao.pdf", pdf_flate_bomb()
    yield "bomb-eml-forward-2000-deep", "block", "fwd-deep.eml", _deep_forward_raw(2000)
    # Clean, but over the per-message text budget (6 million characters): refused as uninspectable, fast.
    yield "bomb-zip-240mb-clean-text", "block", "nhat-ky.zip", bomb_text_zip(
        240, "2025-12-15 08:00:01 Nhật ký vận hành hệ thống thư điện tử: hoạt động bình thường.", members=24)
    yield "bomb-zip-100mb-password-prose", "block", "huong-dan.zip", bomb_text_zip(
        100, "Đề nghị cán bộ đổi mật khẩu hộp thư; mật khẩu phải có ít nhất 12 ký tự.", members=10)
    yield "bomb-zip-40mb-one-line", "block", "mot-dong.zip", bomb_text_zip(
        40, "Đề nghị đổi mật khẩu định kỳ. ", one_line=True)
    yield "bomb-pdf-2999-pages", "pass", "lich.pdf", pdf_many_pages()


def controls() -> Iterator[Case]:
    yield "zip-clean-documents", "pass", "ho-so.zip", _zip({"thong-bao.docx": docx(NOTICE),
                                                            "lich.xlsx": xlsx(SCHEDULE)})


GROUPS: tuple[Callable[[], Iterator[Case]], ...] = (
    message_cases, docx_cases, xlsx_cases, pptx_cases, pdf_cases, other_format_cases, lookalike_cases,
    bomb_cases, controls)


@functools.cache
def corpus() -> tuple[Case, ...]:
    built = tuple(case for group in GROUPS for case in group())
    names = [c[0] for c in built]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise AssertionError(f"duplicate case names: {sorted(duplicates)}")
    return built


def cases() -> Iterator[Case]:
    yield from corpus()


def _self_check() -> None:
    """Sanity of the generated files (not of the gate): the OOXML/ODF/XPS ones open as ZIPs, the messages parse."""
    for name, _label, filename, data in corpus():
        if name.startswith("bomb-"):
            continue
        if filename.endswith(".eml"):
            message_from_bytes(data, policy=default_policy)
        elif data[:2] == b"PK":
            _members(data)


if __name__ == "__main__":  # python -m tests.policies.hostile DIR: write the corpus out to look at it
    import sys
    import time

    started = time.perf_counter()
    built = corpus()
    print(f"{len(built)} cases in {time.perf_counter() - started:.2f} s")
    _self_check()
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        for name, label, filename, data in built:
            (target / f"{label}--{name}{Path(filename).suffix}").write_bytes(data)
