"""The report as a document in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I): letterhead (issuing
office, number, place and date), title, body, recipients and signature. The wording is built once
here, as blocks; the HTML, DOCX and PDF renderers only lay the blocks out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mailhub.timeutil import document_date
from mailhub.usage.report.chart import Chart
from mailhub.usage.report.figures import DORMANT_DAYS, AgencyLine, ReportFigures

KIND_NAMES = {"province": "Cấp tỉnh", "department": "Sở, ban, ngành", "district": "Cấp huyện",
              "commune": "Cấp xã", "unit": "Đơn vị trực thuộc"}
BLANK_NUMBER = "\u2003\u2003"  # the clerk writes the number when the report is registered
OUTCOME_NAMES = {"delivered": "Đã chuyển", "deferred": "Chuyển chậm (thử lại)", "bounced": "Không chuyển được"}


@dataclass(frozen=True)
class Issuer:
    """Who issues the report: the parent body and the office, as they head the page."""

    parent: str  # UBND TỈNH KHÁNH HÒA
    office: str  # SỞ KHOA HỌC VÀ CÔNG NGHỆ
    office_abbreviation: str  # SKHCN, for the number 12/BC-SKHCN
    place: str  # Khánh Hòa, for "Khánh Hòa, ngày … tháng … năm …"
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str = ""
    number: str = ""  # left blank for the clerk to fill, as drafts are
    recipients: tuple[str, ...] = ("UBND tỉnh (để báo cáo)", "Lãnh đạo Sở", "Lưu: VT")


@dataclass(frozen=True)
class Letterhead:
    parent: str
    office: str
    number: str
    place_and_date: str


@dataclass(frozen=True)
class Title:
    kind: str
    subject: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # shares of the text width
    bold_rows: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Figure:
    chart: Chart


@dataclass(frozen=True)
class Closing:
    recipients: tuple[str, ...]
    signer_title: str
    signer_name: str


Block = Letterhead | Title | Heading | Paragraph | Table | Figure | Closing


@dataclass(frozen=True)
class ReportDocument:
    title: str
    blocks: tuple[Block, ...]


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "%"


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def _against_targets(share: float, targets: tuple[int, ...]) -> str:
    met = [t for t in targets if share >= t]
    if len(met) == len(targets):
        return f"đạt mục tiêu {targets[-1]}%"
    if met:
        return f"đạt mục tiêu {met[-1]}%, chưa đạt mục tiêu {targets[-1]}%"
    return f"chưa đạt mục tiêu {targets[0]}%"


def _agency_rows(agencies: tuple[AgencyLine, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple((str(n), "\u00a0\u00a0" * a.depth + a.name, _number(a.officials), _number(a.active), _pct(a.share),
                  _number(a.dormant)) for n, a in enumerate(agencies, start=1))


def build(figures: ReportFigures, issuer: Issuer, chart: Chart, issued_on: date) -> ReportDocument:
    period, province, targets = figures.period, figures.province, figures.targets
    subject = f"Tình hình sử dụng thư điện tử công vụ {period.label}"
    change = ""
    if figures.previous_share is not None:
        delta = province.share - figures.previous_share
        points = f"{abs(delta):.1f}".replace(".", ",")
        change = (f" So với kỳ trước ({_pct(figures.previous_share)}), tỷ lệ "
                  + (f"tăng {points} điểm phần trăm." if delta > 0 else f"giảm {points} điểm phần trăm." if delta < 0
                     else "không đổi."))
    invitations = figures.invitations
    median = (f"; thời gian trả lời trung vị {str(invitations.median_hours_to_answer).replace('.', ',')} giờ"
              if invitations.median_hours_to_answer is not None else "")
    number = issuer.number or BLANK_NUMBER
    blocks: list[Block] = [
        Letterhead(issuer.parent, issuer.office, f"Số: {number}/BC-{issuer.office_abbreviation}",
                   f"{issuer.place}, {document_date(issued_on)}"),
        Title("BÁO CÁO", subject),
        Heading("I. CÁCH TÍNH"),
        Paragraph(f"Số liệu tính đến hết ngày {figures.as_of:%d/%m/%Y}. Một cán bộ, công chức được tính là "
                  f"có sử dụng thư điện tử nếu trong {figures.window_days} ngày gần nhất hệ thống ghi nhận ít nhất "
                  "một lần: gửi thư có xác thực, trả lời giấy mời họp (iTIP REPLY), gửi xác nhận đã đọc (MDN) hoặc "
                  "đăng nhập hộp thư (nhật ký máy chủ thư). Mẫu số là số tài khoản đang hoạt động của đơn vị và các "
                  "đơn vị trực thuộc. Tài khoản không hoạt động là tài khoản không có dấu hiệu sử dụng trong "
                  f"{DORMANT_DAYS} ngày."),
        Heading("II. KẾT QUẢ SỬ DỤNG THƯ ĐIỆN TỬ"),
        Paragraph(f"1. Toàn tỉnh: {_number(province.active)}/{_number(province.officials)} cán bộ, công chức sử dụng "
                  f"thư điện tử, đạt {_pct(province.share)}, {_against_targets(province.share, targets)}.{change}"),
        Paragraph("2. Theo cấp:"),
        Table(("Cấp", "Số cán bộ", "Sử dụng", "Tỷ lệ", "So với mục tiêu"),
              tuple((KIND_NAMES.get(level.kind, level.kind), _number(level.officials), _number(level.active),
                     _pct(level.share), _against_targets(level.share, targets)) for level in figures.levels),
              (0.24, 0.16, 0.14, 0.12, 0.34)),
        Paragraph("3. Theo đơn vị (đơn vị trực thuộc lùi vào trong; số liệu của đơn vị gồm cả đơn vị trực thuộc):"),
        Table(("STT", "Đơn vị", "Số cán bộ", "Sử dụng", "Tỷ lệ", f"Không hoạt động {DORMANT_DAYS} ngày"),
              _agency_rows(figures.agencies), (0.08, 0.40, 0.12, 0.11, 0.13, 0.16),
              frozenset(n for n, a in enumerate(figures.agencies) if a.depth == 0)),
        Paragraph("4. Diễn biến theo tháng:"),
        Figure(chart),
        Heading("III. GỬI GIẤY MỜI, THÔNG BÁO, LỊCH CÔNG TÁC"),
        Paragraph(f"Gửi {_number(invitations.meetings)} giấy mời họp tới {_number(invitations.invited)} lượt "
                  f"người nhận; {_number(invitations.answered)} lượt trả lời, tỷ lệ "
                  f"{_pct(invitations.response_rate)}{median}. Gửi {_number(figures.notices_sent)} thông báo và "
                  f"{_number(figures.schedules_sent)} lịch công tác tuần."),
        Heading("IV. CHUYỂN PHÁT THƯ VÀ THƯ BỊ CHẶN"),
        Paragraph("Kết quả chuyển phát (lượt người nhận): " + ("; ".join(
            f"{OUTCOME_NAMES.get(k, k)}: {_number(v)}" for k, v in sorted(figures.deliveries.items()))
            or "không có") + "."),
        Paragraph("Thư bị từ chối do vi phạm quy định nội dung (chỉ ghi số lượng và quy tắc, không lưu nội dung): "
                  + ("; ".join(f"{rule or 'khác'}: {_number(n)}" for rule, n in sorted(figures.refusals.items()))
                     or "không có") + "."),
        Closing(issuer.recipients, issuer.signer_title, issuer.signer_name),
    ]
    return ReportDocument(f"BÁO CÁO {subject}", tuple(blocks))
