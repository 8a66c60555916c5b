"""Resource attacks: ZIP bombs (nested, many members, deep, lying sizes, huge text)."""

from __future__ import annotations

from collections.abc import Iterator

from tests.policies.hostile.common import Case, _deflate, _raw_zip, _zip
from tests.policies.hostile.excel import xlsx_dimension_bomb
from tests.policies.hostile.mail import _deep_forward_raw
from tests.policies.hostile.pdf import pdf_flate_bomb, pdf_many_pages
from tests.policies.hostile.word import docx_huge_xml

# ---------------------------------------------------------------------------------------------
# Bombs
# ---------------------------------------------------------------------------------------------

def bomb_42zip() -> bytes:
    """42.zip in miniature: 4 levels of 16 copies; each archive is within the per-archive limits
    (the deepest holds 16 x 10 MB = 160 MB), but all of it unpacks to 16**4 x 10 MB = 640 GB."""
    leaf = _deflate(b"\x00" * (10 << 20))
    level = _raw_zip([(f"{i:x}.bin", leaf) for i in range(16)])
    for _ in range(3):
        member = _deflate(level)
        level = _raw_zip([(f"lib {i:x}.zip", member) for i in range(16)])
    return level


def bomb_nested_total() -> bytes:
    """Ten nested archives, each with 19 x 10 MB of clean log text (190 MB, under the 200 MB per-archive
    limit): 1.9 GB of text in all."""
    line = "2025-12-15 08:00:01 Nhật ký vận hành hệ thống thư điện tử: hoạt động bình thường.\n".encode()
    text = (line * ((10 << 20) // len(line) + 1))[: 10 << 20]
    leaf = _deflate(text)
    inner = _deflate(_raw_zip([(f"nhat-ky-{i:02}.log", leaf) for i in range(19)]))
    return _raw_zip([(f"thang-{m:02}.zip", inner) for m in range(1, 11)])


def bomb_many_members(count: int = 5000) -> bytes:
    return _zip({f"ghi-chu/{i:04}.txt": f"Ghi chú số {i}: họp giao ban tuần." for i in range(count)})


def bomb_deep_zip(levels: int = 20) -> bytes:
    data = _zip({"ghi-chu.txt": "Ghi chú họp giao ban."})
    for level in range(levels):
        data = _zip({f"cap-{level}.zip": data})
    return data


def bomb_lying_size() -> bytes:
    """A member that says 1 KB but inflates to 100 MB."""
    real = b"\x00" * (100 << 20)
    compressed, crc, _ = _deflate(real)
    return _raw_zip([("bao-cao.txt", (compressed, crc, 1024))])


def bomb_text_zip(megabytes: int, line: str, *, one_line: bool = False, members: int = 1) -> bytes:
    """One ZIP of ``members`` clean text files adding up to ``megabytes`` MB (a few hundred KB zipped)."""
    unit = line.encode() if one_line else (line + "\n").encode()
    size = (megabytes << 20) // members
    text = (unit * (size // len(unit) + 1))[:size]
    leaf = _deflate(text)
    return _raw_zip([(f"van-ban-{i:02}.txt", leaf) for i in range(members)])


def bomb_cases() -> Iterator[Case]:
    yield "bomb-42zip-nested", "block", "tai-lieu.zip", bomb_42zip()
    yield "bomb-nested-zips-huge-total", "block", "nhat-ky.zip", bomb_nested_total()
    yield "bomb-zip-5000-members", "block", "ghi-chu.zip", bomb_many_members()
    yield "bomb-zip-20-levels-deep", "block", "ho-so.zip", bomb_deep_zip()
    yield "bomb-zip-lying-size", "block", "bao-cao.zip", bomb_lying_size()
    # Clean: must be read quickly and pass.
    yield "bomb-xlsx-dimension-whole-grid", "pass", "lich.xlsx", xlsx_dimension_bomb(far_cell=False)
    yield "bomb-xlsx-dimension-plus-far-cell", "pass", "lich.xlsx", xlsx_dimension_bomb(far_cell=True)
    yield "bomb-xlsx-dimension-far-cell-stamp", "block", "lich.xlsx", xlsx_dimension_bomb(far_cell=True, stamp=True)
    yield "bomb-docx-49mb-document-xml", "block", "quyet-dinh.docx", docx_huge_xml()
    yield "bomb-pdf-flate-100mb-stream", "block", "bao-cao.pdf", pdf_flate_bomb()
    yield "bomb-eml-forward-2000-deep", "block", "fwd-deep.eml", _deep_forward_raw(2000)
    # Clean, but over the per-message text budget (6 million characters): refused as uninspectable, fast.
    yield "bomb-zip-240mb-clean-text", "block", "nhat-ky.zip", bomb_text_zip(
        240, "2025-12-15 08:00:01 Nhật ký vận hành hệ thống thư điện tử: hoạt động bình thường.", members=24)
    yield "bomb-zip-100mb-password-prose", "block", "huong-dan.zip", bomb_text_zip(
        100, "Đề nghị cán bộ đổi mật khẩu hộp thư; mật khẩu phải có ít nhất 12 ký tự.", members=10)
    yield "bomb-zip-40mb-one-line", "block", "mot-dong.zip", bomb_text_zip(
        40, "Đề nghị đổi mật khẩu định kỳ. ", one_line=True)
    yield "bomb-pdf-2999-pages", "pass", "lich.pdf", pdf_many_pages()
