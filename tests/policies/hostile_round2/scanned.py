"""Round two: scanned pages (rotated, low resolution, white-on-red stamps, clean scans)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from tests.policies import scans
from tests.policies.hostile_round2.common import BOLD, _jpeg

# --- OCR -------------------------------------------------------------------------------------

def _degraded(image: Image.Image, angle: float, seed: int, scale: float = 0.75) -> Image.Image:
    """As a scanner leaves a page, at 150 dpi (``scale`` of the 200 dpi render): a little rotated, a
    little blurred, with sensor noise drawn from a seeded generator (scans.degraded uses C's rand(),
    which is not repeatable from run to run)."""
    import random

    from PIL import ImageFilter

    image = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=(252, 251, 247))
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.frombytes("L", image.size, random.Random(seed).randbytes(image.width * image.height))
    return Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.08)


def _page_with_stamp(stamp: Image.Image, dpi_scale: float = 1.0, seal: bool = True,
                     at: tuple[int, int] | None = None) -> Image.Image:
    page = scans.page(None, seal=seal)
    x, y = at or (scans.LEFT + 300 - stamp.width // 2, scans.TOP + 200)
    page.paste(stamp, (x, y), stamp if stamp.mode == "RGBA" else None)
    if dpi_scale != 1.0:
        page = page.resize((int(page.width * dpi_scale), int(page.height * dpi_scale)), Image.Resampling.LANCZOS)
    return page


def scan_stamp_rotated(angle: float) -> bytes:
    """The stamp pressed askew (by hand), or along the left margin (90 degrees)."""
    mark = scans.stamp("TỐI MẬT", scans.RED, seed=6).rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    at = (60, scans.TOP + 300) if angle == 90 else None
    return _jpeg(_degraded(_page_with_stamp(mark, at=at), 0.5, seed=3), 85)


def scan_page_turned(degrees: int) -> bytes:
    """A stamped page fed into the scanner sideways or upside down (any viewer turns it back)."""
    page = _degraded(scans.page("TỐI MẬT", "red", seed=3), 0.5, seed=3)
    return _jpeg(page.rotate(degrees, expand=True), 80)


def scan_white_on_red() -> bytes:
    """A stamp printed white on a red block (a label made in Word, printed, scanned)."""
    font = ImageFont.truetype(BOLD, 52)
    left, top, right, bottom = font.getbbox("TỐI MẬT")
    block = Image.new("RGBA", (right - left + 60, bottom - top + 40), (*scans.RED, 255))
    ImageDraw.Draw(block).text((30 - left, 20 - top), "TỐI MẬT", font=font, fill=(255, 255, 255, 255))
    return _jpeg(_degraded(_page_with_stamp(block), 0.0, seed=4), 85)


def scan_low_dpi_stamped() -> bytes:
    """The stamped page at 100 dpi (a fax or a scanner on its lowest setting): 827 x 1169."""
    page = scans.page("TỐI MẬT", "red", seed=2)
    return _jpeg(page.resize((827, 1169), Image.Resampling.LANCZOS), 75, dpi=100)


def scan_clean(dpi_scale: float = 1.0, angle: float = 0.0, quality: int = 80, gray: bool = False,
               rotate: int = 0) -> bytes:
    """The ordinary report (red round seal over the signature), scanned."""
    page = _degraded(scans.page(None, seal=True), angle, seed=8, scale=dpi_scale)
    if rotate:
        page = page.rotate(rotate, expand=True)
    if gray:
        page = page.convert("L")
    return _jpeg(page, quality)


def _searchable_scan() -> bytes:
    """A scanner's 'searchable PDF': the page image, and an invisible OCR layer from an English engine
    that lost the Vietnamese letters (TOI MAT is not a mark the rules take from a text layer)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = scans.page("TỐI MẬT", "red", seed=5).resize((1240, 1754), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    page.drawImage(ImageReader(io.BytesIO(_jpeg(image, 80))), 0, 0, width=595, height=842)
    text = page.beginText(72, 780)
    text.setTextRenderMode(3)
    text.setFont("Helvetica", 11)
    for line in ("UBND TINH KHANH HOA", "So: 12/BC-SNV", "TOl MAT", "BAO CAO"):
        text.textLine(line)
    page.drawText(text)
    page.save()
    return out.getvalue()
