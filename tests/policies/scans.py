"""Rendered scans for the OCR tests and bench: an A4 page at 200 dpi laid out as a Vietnamese
official document (Nghị định 30/2020, Phụ lục I), with or without a secrecy stamp under the
number, typed (black, double frame) or stamped (red ink, double frame); slightly rotated, noisy
and blurred as a scanner leaves it; and images that are not documents (a photo, a scribbled page).

Everything is drawn with Pillow and DejaVu (Debian's fonts-dejavu-core), deterministically.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
ITALIC = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"
A4 = (1654, 2339)  # 210 x 297 mm at 200 dpi
DPI = 200
RED = (205, 32, 40)
LEFT, RIGHT, TOP = 236, 157, 150  # margins: 30 mm left, 20 mm right, 19 mm top
LEVELS = ("MẬT", "TỐI MẬT", "TUYỆT MẬT")

BODY = (
    "Thực hiện Kế hoạch số 45/KH-UBND ngày 10 tháng 01 năm 2025 của Ủy ban nhân dân tỉnh về công tác "
    "cải cách hành chính, Sở Nội vụ báo cáo kết quả thực hiện nhiệm vụ quý I năm 2025 như sau. "
    "Trong quý, Sở đã tham mưu Ủy ban nhân dân tỉnh ban hành các văn bản chỉ đạo, điều hành; tổ chức "
    "kiểm tra tại mười hai cơ quan, đơn vị và hướng dẫn các huyện, thị xã, thành phố triển khai việc "
    "sắp xếp tổ chức bộ máy. Công tác tuyển dụng, đào tạo, bồi dưỡng cán bộ, công chức được thực hiện "
    "đúng quy định; đã mở ba lớp bồi dưỡng kiến thức quản lý nhà nước cho hai trăm học viên. "
    "Đề nghị các cơ quan, đơn vị tiếp tục phối hợp chặt chẽ, báo cáo kết quả trước ngày 20 tháng 6."
)


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _centred(draw: ImageDraw.ImageDraw, centre: int, y: int, text: str, font: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int] = (20, 20, 20)) -> int:
    """Draw a line centred on x=centre; returns its width."""
    width = int(draw.textlength(text, font=font))
    draw.text((centre - width // 2, y), text, font=font, fill=fill)
    return width


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def stamp(level: str, colour: tuple[int, int, int] = RED, size: int = 48, *, ink: bool = True,
          seed: int = 0) -> Image.Image:
    """A stamp as its own RGBA picture: the level in bold capitals in a double rectangular frame.
    With ``ink``, the red ink is uneven (a few specks missing), as a rubber stamp prints."""
    font = _font(BOLD, size)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), level, font=font)
    pad_x, pad_y = size // 2 + 12, size // 3 + 12
    width, height = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    picture = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(*colour, 255), width=5)
    draw.rectangle((10, 10, width - 11, height - 11), outline=(*colour, 255), width=2)
    draw.text((pad_x - left, pad_y - top), level, font=font, fill=(*colour, 255))
    if ink:
        rng = random.Random(seed)
        specks = ImageDraw.Draw(picture)
        for _ in range(width * height // 400):
            x, y = rng.randrange(width), rng.randrange(height)
            specks.ellipse((x, y, x + 2, y + 2), fill=(255, 255, 255, 0))
    return picture


def page(level: str | None = None, style: str = "typed", *, angle: float = 0.0, degrade: bool = False,
         seal: bool = True, seed: int = 1) -> Image.Image:
    """An RGB page. ``level``: None (no mark) or one of LEVELS; ``style``: "typed" (black bold
    capitals in a double frame under the number) or "red" (a red stamp pasted there). With
    ``seal``, the agency's round red seal over the signature, as on every signed document."""
    image = Image.new("RGB", A4, (252, 251, 247))
    draw = ImageDraw.Draw(image)
    regular, bold, italic = _font(FONT, 34), _font(BOLD, 34), _font(ITALIC, 32)
    left_centre, right_centre = LEFT + 300, 1120
    _centred(draw, left_centre, TOP, "UBND TỈNH KHÁNH HÒA", regular)
    rule = _centred(draw, left_centre, TOP + 48, "SỞ NỘI VỤ", bold)
    draw.line((left_centre - rule // 2, TOP + 94, left_centre + rule // 2, TOP + 94), fill=(20, 20, 20), width=2)
    _centred(draw, right_centre, TOP, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _font(BOLD, 30))
    rule = _centred(draw, right_centre, TOP + 48, "Độc lập - Tự do - Hạnh phúc", bold)
    draw.line((right_centre - rule // 2, TOP + 94, right_centre + rule // 2, TOP + 94), fill=(20, 20, 20), width=2)
    _centred(draw, left_centre, TOP + 130, "Số: 12/BC-SNV", regular)
    _centred(draw, right_centre, TOP + 130, "Khánh Hòa, ngày 15 tháng 3 năm 2025", italic)
    if level:
        mark = stamp(level, RED if style == "red" else (15, 15, 15), ink=style == "red", seed=seed)
        if style == "red":
            mark = mark.rotate(-1.5, resample=Image.Resampling.BICUBIC, expand=True)
        image.paste(mark, (left_centre - mark.width // 2, TOP + 200), mark)
    y = TOP + 390
    _centred(draw, A4[0] // 2, y, "BÁO CÁO", _font(BOLD, 40))
    _centred(draw, A4[0] // 2, y + 60, "Kết quả công tác cải cách hành chính quý I năm 2025", bold)
    y += 160
    for line in _wrap(draw, BODY, regular, A4[0] - LEFT - RIGHT):
        draw.text((LEFT, y), line, font=regular, fill=(20, 20, 20))
        y += 54
    y += 60
    _centred(draw, right_centre, y, "GIÁM ĐỐC", bold)
    _centred(draw, right_centre, y + 220, "Nguyễn Văn An", bold)
    if seal:
        mark = round_seal()
        image.paste(mark, (right_centre - mark.width // 2 - 90, y - 30), mark)
    return degraded(image, angle, seed) if degrade or angle else image


def round_seal(diameter: int = 300) -> Image.Image:
    """An agency's round seal in red ink (RGBA): two rings, a star, the agency's name across."""
    seal = Image.new("RGBA", (diameter, diameter), (255, 255, 255, 0))
    draw = ImageDraw.Draw(seal)
    ink = (*RED, 235)
    draw.ellipse((2, 2, diameter - 3, diameter - 3), outline=ink, width=6)
    draw.ellipse((40, 40, diameter - 41, diameter - 41), outline=ink, width=3)
    centre = diameter // 2
    draw.regular_polygon((centre, centre - 45, 28), 5, fill=ink)
    name = "SỞ NỘI VỤ"
    font = _font(BOLD, 30)
    width = int(draw.textlength(name, font=font))
    draw.text((centre - width // 2, centre + 5), name, font=font, fill=ink)
    return seal


def degraded(image: Image.Image, angle: float, seed: int = 1) -> Image.Image:
    """As a flatbed scanner leaves a page: a little rotated, blurred, with sensor noise."""
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(252, 251, 247))
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    random.seed(seed)  # effect_noise draws from C's rand(); this keeps the Python side repeatable
    noise = Image.effect_noise(image.size, 18).convert("RGB")
    return Image.blend(image, noise, 0.12).point(lambda v: min(255, int(v * 1.06)))


def red_stamp_image(level: str = "TỐI MẬT") -> Image.Image:
    """A photographed red stamp alone, about 400 x 150, on paper."""
    mark = stamp(level, RED, size=56, seed=3)
    background = Image.new("RGB", (max(400, mark.width + 40), 150), (250, 248, 242))
    background.paste(mark, ((background.width - mark.width) // 2, (150 - mark.height) // 2), mark)
    return background


def photo(seed: int = 5, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """Continuous tone and many colours, as a landscape photo: sky, hills, a house, sensor noise."""
    rng = random.Random(seed)
    width, height = size
    sky = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (sky.point(lambda v: 60 + v // 2), sky.point(lambda v: 110 + v // 3),
                                Image.new("L", size, 210)))
    draw = ImageDraw.Draw(image)
    for band in range(6):
        base = height // 2 + band * height // 12
        points = [(x, base + int(40 * rng.random())) for x in range(0, width + 60, 60)]
        green = (40 + 15 * band, 120 + 10 * band - rng.randrange(30), 40 + rng.randrange(40))
        draw.polygon([*points, (width, height), (0, height)], fill=green)
    draw.rectangle((700, 420, 950, 620), fill=(190, 150, 110))
    draw.polygon([(680, 430), (825, 330), (970, 430)], fill=(150, 50, 40))
    draw.ellipse((150, 80, 260, 190), fill=(250, 220, 120))
    image = image.filter(ImageFilter.GaussianBlur(3))
    random.seed(seed)
    noise = Image.effect_noise(size, 40).convert("RGB")
    return Image.blend(image, noise, 0.15)


def scribble_page(seed: int = 7) -> Image.Image:
    """A page that looks like a document (light paper, dark ink, lines of 'writing') that no OCR
    can read: scribbled strokes where the words would be."""
    rng = random.Random(seed)
    image = Image.new("RGB", A4, (250, 249, 245))
    draw = ImageDraw.Draw(image)
    y = TOP
    while y < A4[1] - 400:
        x = LEFT
        while x < A4[0] - RIGHT - 120:
            length = rng.randrange(60, 220)
            points = [(x + i * 7, y + rng.randrange(-14, 15)) for i in range(length // 7)]
            draw.line(points, fill=(25, 25, 30), width=3)
            x += length + rng.randrange(25, 50)
        y += rng.randrange(60, 90)
    return degraded(image, 0.0, seed)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)  # a noisy page compresses badly anyway: save time
    return buffer.getvalue()


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def pdf(images: Sequence[Image.Image], dpi: int = DPI) -> bytes:
    """An image-only PDF (no text layer), one page per image, as a scanner's "scan to PDF"."""
    buffer = io.BytesIO()
    first, *rest = [i.convert("RGB") for i in images]
    first.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return buffer.getvalue()


def tiff(images: Sequence[Image.Image]) -> bytes:
    """A multi-page TIFF, as fax servers and some scanners write."""
    buffer = io.BytesIO()
    first, *rest = list(images)
    first.save(buffer, "TIFF", save_all=True, append_images=rest, compression="tiff_deflate")
    return buffer.getvalue()


def portrait(seed: int = 11, size: tuple[int, int] = (900, 1200)) -> Image.Image:
    """A person photographed against a dark wall: skin tones (little saturation), soft shading."""
    width, height = size
    image = Image.new("RGB", size, (52, 48, 58))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.1, height * 0.62, width * 0.9, height * 1.3), fill=(236, 236, 232))  # shirt
    draw.polygon([(width * 0.47, height * 0.7), (width * 0.53, height * 0.7), (width * 0.55, height),
                  (width * 0.45, height)], fill=(40, 60, 140))  # tie
    draw.ellipse((width * 0.28, height * 0.12, width * 0.72, height * 0.66), fill=(214, 170, 140))  # face
    draw.chord((width * 0.26, height * 0.08, width * 0.74, height * 0.5), 180, 360, fill=(28, 22, 20))  # hair
    for x in (0.4, 0.6):
        draw.ellipse((width * x - 22, height * 0.36, width * x + 22, height * 0.39), fill=(50, 40, 35))
    light = Image.linear_gradient("L").rotate(90).resize(size).point(lambda v: 150 + v * 105 // 255)
    image = ImageChops.multiply(image, Image.merge("RGB", (light, light, light)))
    random.seed(seed)
    noise = Image.effect_noise(size, 30).convert("RGB")
    return Image.blend(image.filter(ImageFilter.GaussianBlur(4)), noise, 0.1)


def signature(size: tuple[int, int] = (500, 200)) -> Image.Image:
    """A handwritten signature, scanned for an e-mail footer: blue ink strokes, no letters to read."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).line([(20, 150), (80, 40), (120, 160), (170, 60), (220, 140), (300, 70), (420, 120)],
                               fill=(20, 30, 120), width=4, joint="curve")
    return image


def flow_diagram(words: Sequence[str] = ("Tiếp nhận", "Xử lý", "Trả kết quả")) -> Image.Image:
    """A small diagram: words in boxes joined by arrows (boxes hide text from Tesseract)."""
    image = Image.new("RGB", (800, 500), "white")
    draw = ImageDraw.Draw(image)
    font = _font(FONT, 22)
    for index, word in enumerate(words):
        x = 50 + index * 270
        draw.rectangle((x, 200, x + 160, 280), outline="black", width=3)
        draw.text((x + 10, 225), word, font=font, fill="black")
        if index < len(words) - 1:
            draw.line((x + 160, 240, x + 262, 240), fill="black", width=3)
            draw.polygon([(x + 270, 240), (x + 255, 232), (x + 255, 248)], fill="black")
    return image
