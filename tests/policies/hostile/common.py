"""Shared constants and small builders of the hostile corpus (ZIP editing, pictures)."""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures"
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
