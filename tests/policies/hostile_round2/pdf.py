"""Round two: PDF builders (tiny and invisible filler, outlines, ToUnicode lies, polyglots, forms)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from tests.policies import scans
from tests.policies.hostile.common import NOTICE, PLAIN, STAMPED, _zip
from tests.policies.hostile.pdf import _font, _pdf_bytes, _pdf_writer, pdf
from tests.policies.hostile.word import docx
from tests.policies.hostile_round2.common import BOLD, _jpeg, _small_stamp

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
