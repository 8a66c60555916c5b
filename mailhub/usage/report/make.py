"""One call from a period to a finished document: figures, chart, wording, rendering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from directory import AgencyInfo
from mailhub.dispatch.letterhead import authority_name, place_of
from mailhub.usage.report.chart import trend_chart
from mailhub.usage.report.document import Issuer, ReportDocument, build
from mailhub.usage.report.figures import Period, ReportFigures, gather

FORMATS = ("pdf", "docx", "html")


def issuer_for(root: AgencyInfo | None, *, office: str, abbreviation: str, number: str = "",
               signer_title: str = "GIÁM ĐỐC", signer_name: str = "") -> Issuer:
    """The letterhead of a report from ``office`` of the province at the directory's root."""
    return Issuer(parent=authority_name(root) if root else "UBND TỈNH", office=office.upper(),
                  office_abbreviation=abbreviation, place=place_of(root.name) if root else "",
                  signer_title=signer_title, signer_name=signer_name, number=number)


def renderer(kind: str) -> Callable[[ReportDocument], bytes]:
    if kind == "html":
        from mailhub.usage.report.render_html import render_html

        return render_html
    if kind == "docx":
        from mailhub.usage.report.render_docx import render_docx

        return render_docx
    from mailhub.usage.report.render_pdf import render_pdf

    return render_pdf


def usage_report(engine: Engine, period: Period, issuer: Issuer, *, today: date, window_days: int,
                 kind: str) -> tuple[ReportFigures, bytes]:
    figures = gather(engine, period, today=today, window_days=window_days)
    document = build(figures, issuer, trend_chart(figures.trend, figures.targets), issued_on=today)
    return figures, renderer(kind)(document)
