"""Shared constants and small builders of round two of the hostile corpus."""

from __future__ import annotations

import functools
import io

from PIL import Image

from tests.policies import scans
from tests.policies.hostile.common import PLAIN, _xml_escape

BOLD = scans.BOLD
HEADERS = "From: vanthu@khanhhoa.gov.vn\nTo: lanhdao@khanhhoa.gov.vn\nDate: Mon, 15 Dec 2025 08:00:00 +0700\n"

# The covering note a clerk writes, as one long sentence (the declaration is in its middle).
COVERING = ("Kính gửi đồng chí Chánh Văn phòng, Văn phòng UBND tỉnh xin gửi kèm theo thư này bản dự thảo "
            "Phương án bố trí nhân sự năm 2026; tài liệu gửi kèm thuộc bí mật nhà nước độ Tối mật, đề nghị "
            "đồng chí quản lý theo đúng quy định. Trân trọng.")

# The law's own words (Luật Bảo vệ bí mật nhà nước 2018, Điều 19), as a training handout quotes it.
LAW_ARTICLE_19 = (
    "Điều 19. Thời hạn bảo vệ bí mật nhà nước\n"
    "Thời hạn bảo vệ bí mật nhà nước là khoảng thời gian được tính từ ngày xác định độ mật của bí mật nhà nước "
    "đến hết thời hạn sau đây:\n"
    "30 năm đối với bí mật nhà nước độ Tuyệt mật;\n"
    "20 năm đối với bí mật nhà nước độ Tối mật;\n"
    "10 năm đối với bí mật nhà nước độ Mật.\n"
    "Thời hạn bảo vệ bí mật nhà nước về hoạt động có thể ngắn hơn thời hạn quy định tại khoản 1 Điều này "
    "và phải xác định cụ thể tại tài liệu, vật chứa bí mật nhà nước khi xác định độ mật.")

GIAY_MOI = (
    "UBND TỈNH KHÁNH HÒA\nSỞ NỘI VỤ\nSố: 215/GM-SNV\nKhánh Hòa, ngày 10 tháng 12 năm 2025\nGIẤY MỜI\n"
    "Dự hội nghị tập huấn công tác bảo vệ bí mật nhà nước năm 2025\n"
    "Sở Nội vụ trân trọng kính mời: Đại diện lãnh đạo và cán bộ phụ trách công tác bảo mật của các phòng, "
    "đơn vị trực thuộc.\nThời gian: 07 giờ 30, ngày 18/12/2025.\nĐịa điểm: Hội trường tầng 3, Sở Nội vụ.\n"
    "Đề nghị đại biểu không mang tài liệu mật vào hội trường; mật khẩu Wi-Fi sẽ được cung cấp tại hội nghị.\n"
    "Nơi nhận:\nNhư trên;\nLưu: VT, VP.\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Văn An")


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------

def _jpeg(image: Image.Image, quality: int = 85, dpi: int | None = None) -> bytes:
    out = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    image.convert("RGB").save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@functools.cache
def _small_stamp(level: str = "TỐI MẬT") -> Image.Image:
    """A red stamp cropped tight to its frame, as a clerk pastes it: about 330 x 100 px."""
    mark = scans.stamp(level, scans.RED, size=44, seed=4)
    paper = Image.new("RGB", mark.size, (255, 255, 255))
    paper.paste(mark, (0, 0), mark)
    return paper


def _docx_picture(picture: bytes, text: str = PLAIN, width_cm: float = 5.0) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    lines = text.split("\n")
    for line in lines[:2]:
        document.add_paragraph(line)
    document.add_picture(io.BytesIO(picture), width=Cm(width_cm))
    for line in lines[2:]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{_xml_escape(text)}</w:t></w:r>'


def _centred(runs: str) -> str:
    return f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{runs}</w:p>'


def _cell(text: str, width: int = 400) -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:tcMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" '
            f'w:type="dxa"/></w:tcMar></w:tcPr><w:p><w:pPr><w:jc w:val="{"right" if text == "M" else "left"}"/>'
            f"</w:pPr>{_run(text, '<w:b/>')}</w:p></w:tc>")
