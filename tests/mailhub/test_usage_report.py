"""The six-monthly usage report: the figures a province signs, in PDF, DOCX and HTML."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlmodel import Session

from mailhub.app import App
from mailhub.config import Settings
from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee
from mailhub.store.models import ActivityEvent, AuditEvent
from mailhub.timeutil import document_date as date_line
from mailhub.usage.report.figures import Period, PeriodError, gather
from mailhub.usage.stats import aggregate
from tests.mailhub.conftest import NOW, TODAY, Invoke, seed_province, this_month


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> App:
    built = App.build(Settings(home=tmp_path / "h", database_url=sqlite_url))
    seed_province(built, tmp_path)  # BN > STTTT (vinhnq, vinhnq2), SYT (huongttt)
    with Session(built.engine) as session:
        session.add(ActivityEvent(at=this_month(0.7), address="vinhnq@bacninh.gov.vn", kind="login"))
        session.add(ActivityEvent(at=this_month(0.5), address="huongttt@bacninh.gov.vn", kind="mdn"))
        meeting = Meeting(uid="m1", title="Họp giao ban", starts_at=NOW, ends_at=NOW + timedelta(hours=1),
                          organizer="vpubnd@bacninh.gov.vn", organizer_service="vpubnd@lich.bacninh.gov.vn",
                          created_at=this_month(0.2))
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        for email in ("vinhnq@bacninh.gov.vn", "vinhnq2@bacninh.gov.vn", "huongttt@bacninh.gov.vn"):
            session.add(MeetingAttendee(meeting_id=meeting.id, email=email))
        for email, hours in (("vinhnq@bacninh.gov.vn", 2), ("huongttt@bacninh.gov.vn", 6)):
            session.add(MeetingAnswer(meeting_id=meeting.id, email=email, answer="accepted",
                                      stamped_at=this_month(0.2) + timedelta(hours=hours)))
        session.add(AuditEvent(at=this_month(0.9), event="blocked", rule="confidential-mark"))
        session.commit()
    aggregate(built.engine, NOW)
    yield built
    built.close()


def test_periods() -> None:
    assert (Period.parse("2026-h2").start, Period.parse("2026-H2").end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert Period.parse("2027-H1").previous() == Period(2026, 2) and Period(2026, 2).label == "6 tháng cuối năm 2026"
    for bad in ("2026", "2026-H3", "H2-2026", "1999-H1"):
        with pytest.raises(PeriodError):
            Period.parse(bad)


def test_date_line_of_nghi_dinh_30() -> None:
    assert date_line(date(2027, 1, 5)) == "ngày 05 tháng 01 năm 2027"
    assert date_line(date(2026, 7, 15)) == "ngày 15 tháng 7 năm 2026"


def test_figures_of_the_half_year(app: App) -> None:
    today = TODAY
    half = Period(today.year, 1 if today.month <= 6 else 2)
    figures = gather(app.engine, half, today=today, window_days=30)

    assert (figures.province.officials, figures.province.active, figures.province.share) == (3, 2, 66.7)
    assert {a.code: (a.active, a.dormant) for a in figures.agencies} == {"BN": (2, 1), "STTTT": (1, 1), "SYT": (1, 0)}
    assert figures.invitations.invited == 3 and figures.invitations.answered == 2
    assert figures.invitations.response_rate == 66.7 and figures.invitations.median_hours_to_answer == 4.0
    assert figures.refusals == {"confidential-mark": 1} and figures.previous_share is None
    assert figures.trend[-1].month == today.replace(day=1) and figures.trend[-1].active == 2


def _run(invoke: Invoke, app: App, tmp_path: Path, kind: str) -> tuple[Path, dict[str, object]]:
    env = {"MAILHUB_DATABASE_URL": app.engine.url.render_as_string(hide_password=False)}
    half = f"{NOW.year}-H{1 if NOW.month <= 6 else 2}"
    target = tmp_path / f"report.{kind}"
    result = invoke("report", "usage", "--period", half, "--format", kind, "--output", str(target), "--json",
                    env=env)
    assert result.exit_code == 0, result.output
    return target, json.loads(result.stdout)


def test_pdf_with_vietnamese_fonts_embedded_and_the_chart(invoke: Invoke, app: App, tmp_path: Path) -> None:
    target, figures = _run(invoke, app, tmp_path, "pdf")
    reader = PdfReader(target)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "BÁO CÁO" in text and "Tình hình sử dụng thư điện tử công vụ" in text and "Sở Y tế" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nơi nhận" in text and "66,7%" in text
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert any("/FontFile2" in font.get_object()["/FontDescriptor"] for font in fonts
               if "/FontDescriptor" in font.get_object())
    assert any(page.images for page in reader.pages)  # the trend chart
    assert figures["province_share"] == 66.7


def test_docx_opens_with_the_table_per_agency_and_the_chart(invoke: Invoke, app: App, tmp_path: Path) -> None:
    target, _ = _run(invoke, app, tmp_path, "docx")
    word = Document(io.BytesIO(target.read_bytes()))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    assert "BÁO CÁO\nTình hình sử dụng thư điện tử công vụ" in paragraphs
    cells = [[cell.text.strip() for cell in row.cells] for table in word.tables for row in table.rows]
    assert ["3", "Sở Y tế", "1", "1", "100,0%", "0"] in cells
    assert len(word.inline_shapes) == 1


def test_html_is_one_page_with_an_inline_chart(invoke: Invoke, app: App, tmp_path: Path) -> None:
    target, _ = _run(invoke, app, tmp_path, "html")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page and "<svg" in page
    assert "66,7%" in page and "Sở Thông tin và Truyền thông" in page and "Họp" not in page


def test_bad_period_is_one_line(invoke: Invoke, app: App) -> None:
    env = {"MAILHUB_DATABASE_URL": app.engine.url.render_as_string(hide_password=False)}
    for period in ("2026-H3", f"{NOW.year + 1}-H1"):
        result = invoke("report", "usage", "--period", period, env=env)
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1 and "--period" in result.stderr
