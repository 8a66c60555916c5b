"""The report as a Word document (python-docx): Times New Roman 14, A4 with Nghị định 30's margins,
real tables and the chart as a picture; opens in Word and LibreOffice."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Length, Pt
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph

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

FONT = "Times New Roman"


def render_docx(document: ReportDocument) -> bytes:
    word = Document()
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = word.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    word.core_properties.title = document.title
    word.core_properties.language = "vi-VN"
    width = Length(Cm(21.0) - Cm(3) - Cm(1.5))
    for block in document.blocks:
        _block(word, block, width)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _text(paragraph: WordParagraph, text: str, *, bold: bool = False, italic: bool = False,
          underline: bool = False, size: float | None = None) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name = FONT
    if size:
        run.font.size = Pt(size)


def _widths(table: WordTable, widths: list[Length]) -> None:
    """Column widths that Word and LibreOffice both keep: on the grid and on every cell."""
    table.autofit = False
    for column, value in zip(table.columns, widths, strict=True):
        column.width = value
        for cell in column.cells:
            cell.width = value


def _block(word: WordDocument, block: Block, width: Length) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    if isinstance(block, Letterhead):
        table = word.add_table(rows=1, cols=2)
        _widths(table, [Length(int(width * 0.36)), Length(int(width * 0.64))])
        left, right = table.rows[0].cells
        left.paragraphs[0].alignment = right.paragraphs[0].alignment = center
        _text(left.paragraphs[0], block.parent + "\n", size=13)
        _text(left.paragraphs[0], block.office + "\n", bold=True, underline=True, size=13)
        _text(left.paragraphs[0], block.number, size=13)
        _text(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n", bold=True, size=12)
        _text(right.paragraphs[0], "Độc lập - Tự do - Hạnh phúc\n", bold=True, underline=True, size=13)
        _text(right.paragraphs[0], block.place_and_date, italic=True, size=13)
    elif isinstance(block, Title):
        paragraph = word.add_paragraph()
        paragraph.alignment = center
        _text(paragraph, block.kind + "\n", bold=True)
        _text(paragraph, block.subject, bold=True)
    elif isinstance(block, Heading):
        _text(word.add_paragraph(), block.text, bold=True)
    elif isinstance(block, Paragraph):
        paragraph = word.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Pt(36)
        _text(paragraph, block.text, italic=block.italic)
    elif isinstance(block, Table):
        table = word.add_table(rows=1 + len(block.rows), cols=len(block.headers))
        table.style = "Table Grid"
        for column, header in enumerate(block.headers):
            cell = table.rows[0].cells[column]
            cell.paragraphs[0].alignment = center
            _text(cell.paragraphs[0], header, bold=True, size=12)
        for number, row in enumerate(block.rows, start=1):
            for column, value in enumerate(row):
                _text(table.rows[number].cells[column].paragraphs[0], value, bold=number - 1 in block.bold_rows,
                      size=12)
        _widths(table, [Length(int(width * share)) for share in block.widths])
    elif isinstance(block, Figure):
        word.add_picture(io.BytesIO(block.chart.png), width=width)
        caption = word.add_paragraph()
        caption.alignment = center
        _text(caption, block.chart.caption, italic=True, size=12)
    elif isinstance(block, Closing):
        table = word.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        _text(left.paragraphs[0], "Nơi nhận:\n", bold=True, italic=True, size=12)
        _text(left.paragraphs[0], "\n".join(f"- {r};" for r in block.recipients), size=11)
        right.paragraphs[0].alignment = center
        _text(right.paragraphs[0], block.signer_title + "\n\n\n\n", bold=True)
        _text(right.paragraphs[0], block.signer_name, bold=True)
