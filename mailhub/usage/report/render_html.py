"""The report as one self-contained HTML page (the chart inline as SVG), printable on A4."""

from __future__ import annotations

from html import escape

from mailhub.usage.report.document import (
    Closing,
    Figure,
    Heading,
    Letterhead,
    Paragraph,
    ReportDocument,
    Table,
    Title,
)

STYLE = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 14px;
       max-width: 170mm; margin: 2em auto; line-height: 1.4; }
.letterhead { width: 100%; border-collapse: collapse; text-align: center; }
.letterhead td { vertical-align: top; width: 50%; }
.office, .motto { font-weight: bold; text-decoration: underline; }
.place { font-style: italic; }
h1 { text-align: center; font-size: 15px; margin: 1.5em 0 0; }
.subject { text-align: center; font-weight: bold; margin: 0 0 1.5em; }
h2 { font-size: 14px; margin: 1.2em 0 0.4em; }
p { text-align: justify; margin: 0.4em 0; text-indent: 1.27cm; }
table.data { width: 100%; border-collapse: collapse; font-size: 12px; margin: 0.5em 0; }
table.data th, table.data td { border: 1px solid #000; padding: 2px 4px; }
table.data td.n { text-align: right; }
tr.top { font-weight: bold; }
figure { text-align: center; margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
.closing { width: 100%; margin-top: 2em; } .closing td { vertical-align: top; width: 50%; }
.recipients { font-size: 12px; } .signer { text-align: center; font-weight: bold; }
"""


def render_html(document: ReportDocument) -> bytes:
    parts = [f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{escape(document.title)}</title>'
             f"<style>{STYLE}</style></head><body>"]
    for block in document.blocks:
        parts.append(_block(block))
    parts.append("</body></html>\n")
    return "".join(parts).encode("utf-8")


def _block(block: object) -> str:
    if isinstance(block, Letterhead):
        return (f'<table class="letterhead"><tr><td>{escape(block.parent)}<br><span class="office">'
                f"{escape(block.office)}</span><br>{escape(block.number)}</td>"
                '<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><span class="motto">Độc lập - Tự do - Hạnh phúc'
                f'</span><br><span class="place">{escape(block.place_and_date)}</span></td></tr></table>')
    if isinstance(block, Title):
        return f'<h1>{escape(block.kind)}</h1><div class="subject">{escape(block.subject)}</div>'
    if isinstance(block, Heading):
        return f"<h2>{escape(block.text)}</h2>"
    if isinstance(block, Paragraph):
        return f"<p><i>{escape(block.text)}</i></p>" if block.italic else f"<p>{escape(block.text)}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
        rows = "".join(
            f'<tr{" class=top" if n in block.bold_rows else ""}>'
            + "".join(f'<td{" class=n" if _numeric(cell) else ""}>{escape(cell)}</td>' for cell in row) + "</tr>"
            for n, row in enumerate(block.rows))
        return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    if isinstance(block, Figure):
        svg = block.chart.svg[block.chart.svg.find("<svg"):]
        return f"<figure>{svg}<figcaption><i>{escape(block.chart.caption)}</i></figcaption></figure>"
    if isinstance(block, Closing):
        recipients = "<br>".join(f"- {escape(r)};" for r in block.recipients)
        return (f'<table class="closing"><tr><td class="recipients"><b><i>Nơi nhận:</i></b><br>{recipients}</td>'
                f'<td class="signer">{escape(block.signer_title)}<br><br><br><br>{escape(block.signer_name)}</td>'
                "</tr></table>")
    raise TypeError(f"no HTML for {type(block).__name__}")


def _numeric(cell: str) -> bool:
    return bool(cell) and cell.replace(".", "").replace(",", "").rstrip("%").isdigit()
