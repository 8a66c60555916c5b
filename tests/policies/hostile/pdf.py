"""Hostile PDF files: annotations, form fields, encryption, embedded files, flate bombs."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any

from tests.policies.hostile.common import FONT, NOTICE, PLAIN, STAMPED, TRAINING, Case, _png

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


def _typed_page(out: io.BytesIO) -> Any:
    """An A4 canvas with the plain notice typed on it, for a test to draw more on."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(out, pagesize=(595, 842))
    y = 780
    for line in PLAIN.split("\n"):
        page.setFont(_font(), 12)
        page.drawString(72, y, line)
        y -= 20
    return page


def pdf_glyphs_out_of_order() -> bytes:
    """The stamp's glyphs drawn in scrambled order, each placed where it belongs: it reads TỐI MẬT."""
    out = io.BytesIO()
    page = _typed_page(out)
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
    out = io.BytesIO()
    page = _typed_page(out)
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
