"""The report as a PDF (reportlab), with a Vietnamese serif font embedded: Liberation Serif (Times New
Roman's metrics, as Nghị định 30 asks) when the system has it, else the DejaVu Serif that matplotlib
ships, so a PDF never depends on fonts the reader's machine may lack."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.flowables import Flowable

from mailhub.usage.report.document import (
    Block,
    Closing,
    Figure,
    Heading,
    Letterhead,
    Paragraph,
    ReportDocument,
    Table,
    Title,
)

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/liberation")
FAMILY = "ReportSerif"
WIDTH = A4[0] - 3 * cm - 1.5 * cm
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    center: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle


VIETNAMESE_SAMPLE = "ẢẠẤẦẨẪẬẮẰẲẴẶẺẼẸẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸảạấầẩẫậắằẳẵặẻẽẹếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐđƠơƯư"
_STYLES = ("", "-Bold", "-Italic", "-BoldItalic")


def _font_files() -> dict[str, Path]:
    """The first family, of four styles, whose every style has every Vietnamese letter."""
    import matplotlib

    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    candidates = [
        {style: SYSTEM_FONTS / f"LiberationSerif{style or '-Regular'}.ttf" for style in _STYLES},
        {style: Path("/usr/share/fonts/truetype/dejavu") / f"DejaVuSerif{style}.ttf" for style in _STYLES},
        {style: bundled / f"DejaVuSerif{style}.ttf" for style in _STYLES},
    ]
    for family in candidates:
        if all(path.is_file() and _covers(path) for path in family.values()):
            return family
    return candidates[-1]


def _covers(path: Path) -> bool:
    widths = TTFont("probe", str(path)).face.charWidths
    return all(ord(letter) in widths for letter in VIETNAMESE_SAMPLE)


def _register_fonts() -> None:
    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return
    for suffix, path in _font_files().items():
        pdfmetrics.registerFont(TTFont(FAMILY + suffix, str(path)))  # TrueType fonts are embedded (subset)
    pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=f"{FAMILY}-Bold", italic=f"{FAMILY}-Italic",
                                  boldItalic=f"{FAMILY}-BoldItalic")


def render_pdf(document: ReportDocument) -> bytes:
    _register_fonts()
    styles = _Styles(
        body=ParagraphStyle("body", fontName=FAMILY, fontSize=13, leading=17, alignment=TA_JUSTIFY,
                            firstLineIndent=1.27 * cm, spaceAfter=4),
        center=ParagraphStyle("center", fontName=FAMILY, fontSize=13, leading=16, alignment=TA_CENTER),
        cell=ParagraphStyle("cell", fontName=FAMILY, fontSize=10, leading=12),
        small=ParagraphStyle("small", fontName=FAMILY, fontSize=11, leading=13),
    )
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=3 * cm, rightMargin=1.5 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=document.title, author="mailhub", lang="vi-VN")
    story: list[Flowable] = []
    for block in document.blocks:
        story.extend(_block(block, styles))
    pdf.build(story)
    return out.getvalue()


def _fit(text: str, width: float, largest: float) -> float:
    """The largest font size up to ``largest`` at which a bold line fits on one line of ``width``."""
    size = largest
    while size > 7 and pdfmetrics.stringWidth(text, f"{FAMILY}-Bold", size) > width - 14:
        size -= 0.5
    return size


def _p(text: str, style: ParagraphStyle) -> PdfParagraph:
    return PdfParagraph(text, style)


def _block(block: Block, s: _Styles) -> list[Flowable]:
    if isinstance(block, Letterhead):
        left_width, right_width = WIDTH * 0.44, WIDTH * 0.56
        office = _fit(block.office, left_width, 12)
        motto = _fit(MOTTO, right_width, 12)
        left = _p(f"<font size={office}>{escape(block.parent)}<br/><b><u>{escape(block.office)}</u></b><br/>"
                  f"{escape(block.number)}</font>", s.center)
        right = _p(f"<font size={motto}><b>{MOTTO}</b></font><br/><b><u>Độc lập - Tự do - Hạnh phúc</u></b><br/>"
                   f"<i>{escape(block.place_and_date)}</i>", s.center)
        head = PdfTable([[left, right]], colWidths=[left_width, right_width])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [head, Spacer(1, 0.6 * cm)]
    if isinstance(block, Title):
        return [_p(f"<b>{escape(block.kind)}</b><br/><b>{escape(block.subject)}</b>", s.center), Spacer(1, 0.5 * cm)]
    if isinstance(block, Heading):
        return [Spacer(1, 0.2 * cm), _p(f"<b>{escape(block.text)}</b>", s.body)]
    if isinstance(block, Paragraph):
        text = escape(block.text)
        return [_p(f"<i>{text}</i>" if block.italic else text, s.body)]
    if isinstance(block, Table):
        rows = [[_p(f"<b>{escape(h)}</b>", s.cell) for h in block.headers]]
        for number, row in enumerate(block.rows):
            bold = number in block.bold_rows
            rows.append([_p(f"<b>{escape(c)}</b>" if bold else escape(c), s.cell) for c in row])
        table = PdfTable(rows, colWidths=[WIDTH * w for w in block.widths], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
        return [table, Spacer(1, 0.3 * cm)]
    if isinstance(block, Figure):
        image = Image(io.BytesIO(block.chart.png), width=WIDTH, height=WIDTH * 3.0 / 6.4)
        return [image, _p(f"<i>{escape(block.chart.caption)}</i>", s.center), Spacer(1, 0.3 * cm)]
    if isinstance(block, Closing):
        recipients = "<br/>".join(f"- {escape(r)};" for r in block.recipients)
        left = _p(f"<b><i>Nơi nhận:</i></b><br/>{recipients}", s.small)
        right = _p(f"<b>{escape(block.signer_title)}</b><br/><br/><br/><br/><b>{escape(block.signer_name)}</b>",
                   s.center)
        closing = PdfTable([[left, right]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
        closing.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [Spacer(1, 0.6 * cm), closing]
    raise TypeError(f"no PDF for {type(block).__name__}")
