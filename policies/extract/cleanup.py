"""The clean-up that makes stamps and scans readable before OCR (Pillow only): pictures scaled to a
size Tesseract reads well, the paper's shading flattened, deskew, binarisation, red ink isolated
and grouped, long straight lines (stamp frames, table borders, underlines) removed."""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

MAX_SIDE = 2800  # pixels: an A4 page at 240 dpi; bigger pictures are reduced (OCR time grows with pixels)


def scaled_for_ocr(image: Image.Image) -> Image.Image:
    """Tesseract reads best with capitals 20-60 px high: small pictures (a stamp photographed
    alone) are enlarged up to 2.5 times to a long side near 1000 px, big ones (a 300 dpi scan, a
    12 Mpx phone photo of a page) reduced to MAX_SIDE, where body text is still 40 px high."""
    long_side = max(image.size)
    factor = 1.0
    if long_side < 1000:
        factor = min(2.5, 1000 / long_side)
    elif long_side > MAX_SIDE:
        factor = MAX_SIDE / long_side
    if factor == 1.0:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)


def nearest_sample(image: Image.Image, side: int) -> Image.Image:
    """``image.copy()`` thumbnailed to ``side`` px with nearest-neighbour, without the copy (55 MB
    for a camera photo, which a gate worker would hold beside the picture itself): the size Pillow's
    ``thumbnail`` gives, and the picture resized to it once."""
    width, height = image.size
    if side >= width and side >= height:
        return image.copy()
    aspect = width / height
    x, y = side, side
    if x / y >= aspect:
        x = _rounded(y * aspect, lambda n: abs(aspect - n / y))
    else:
        y = _rounded(x / aspect, lambda n: 0 if n == 0 else abs(aspect - x / n))
    return image.resize((x, y), Image.Resampling.NEAREST)  # a side was over ``side``: the size differs


def _rounded(number: float, error: Callable[[int], float]) -> int:
    return max(min(math.floor(number), math.ceil(number), key=error), 1)


def flattened_gray(image: Image.Image, floor: int = 0) -> Image.Image:
    """Grayscale with the paper's shading removed (a phone photo is darker at one edge): the
    local paper brightness (a max filter on a 1/16 copy, never below ``floor``) is subtracted,
    so paper becomes white and ink keeps its contrast with the paper around it."""
    gray = image.convert("L")
    small = gray.resize((max(1, gray.width // 16), max(1, gray.height // 16)), Image.Resampling.BOX)
    paper = small.filter(ImageFilter.MaxFilter(5)).resize(gray.size, Image.Resampling.BILINEAR)
    if floor:
        paper = ImageChops.lighter(paper, Image.new("L", gray.size, floor))
    return ImageOps.invert(ImageChops.subtract(paper, gray))


def otsu(gray: Image.Image) -> int:
    histogram = gray.histogram()
    total = sum(histogram)
    weighted = sum(i * n for i, n in enumerate(histogram))
    best, threshold, below, below_weighted = -1.0, 128, 0, 0.0
    for level in range(256):
        below += histogram[level]
        below_weighted += level * histogram[level]
        above = total - below
        if below == 0 or above == 0:
            continue
        between = below * above * (below_weighted / below - (weighted - below_weighted) / above) ** 2
        if between > best:
            best, threshold = between, level
    return threshold


def binarised(gray: Image.Image) -> Image.Image:
    """Ink black (0), paper white (255), at Otsu's threshold, in mode L."""
    threshold = otsu(gray)
    return gray.point(lambda v: 0 if v <= threshold else 255)


def skew_angle(binary: Image.Image, limit: int = 4) -> float:
    """The rotation (degrees, within +/-``limit``) that makes the text rows level: the angle at
    which the rows' ink profile is sharpest, tried every degree and then refined to 0.25, on a
    copy reduced to about 400 px. A page is scanned within 4 degrees; a stamp is pressed by hand,
    up to 15 degrees crooked (red_ink_groups)."""
    factor = max(1, max(binary.size) // 400)
    small = ImageOps.invert(binary).resize((max(1, binary.width // factor), max(1, binary.height // factor)),
                                           Image.Resampling.BOX)

    def sharpness(angle: float) -> float:
        profile = small.rotate(angle, Image.Resampling.BILINEAR).resize((1, small.height), Image.Resampling.BOX)
        rows = profile.tobytes()
        return float(sum((a - b) ** 2 for a, b in pairwise(rows)))

    best = max(range(-limit, limit + 1), key=sharpness)
    return max((best + a / 4 for a in range(-3, 4)), key=sharpness)


def deskewed(image: Image.Image, binary: Image.Image, limit: int = 4) -> tuple[Image.Image, float]:
    """``image`` turned level (white fills the corners) when ``binary`` shows it 0.3 degree off or more."""
    angle = skew_angle(binary, limit)
    if abs(angle) < 0.3:
        return image, 0.0
    white = 255 if image.mode == "L" else (255,) * len(image.getbands())
    return image.rotate(angle, Image.Resampling.BILINEAR, fillcolor=white), angle


def rows_are_horizontal(binary: Image.Image) -> bool:
    """True when the ink lies in horizontal rows (a page the right way up or upside down) rather
    than in columns (a page turned sideways): the sharper of the two ink profiles."""
    factor = max(1, max(binary.size) // 400)
    small = ImageOps.invert(binary).resize((max(1, binary.width // factor), max(1, binary.height // factor)),
                                           Image.Resampling.BOX)

    def sharpness(profile: Image.Image) -> float:
        values = profile.tobytes()
        return float(sum((a - b) ** 2 for a, b in pairwise(values))) / max(1, len(values))

    rows = sharpness(small.resize((1, small.height), Image.Resampling.BOX))
    columns = sharpness(small.resize((small.width, 1), Image.Resampling.BOX))
    return rows >= columns


def line_lengths(size: tuple[int, int], small: bool) -> tuple[int, int, int]:
    """The shortest horizontal and vertical ink runs taken for frame lines rather than strokes.
    A page: 4 % (horizontal) and 3.3 % (vertical) of its long side, about 94 and 77 px on A4 at
    200 dpi, where body text is 34 px high and a stamp's frame 250 x 100 px. A small picture (a
    stamp alone, enlarged): half its width and 60 % of its height, as the frame surrounds it.
    Third, the gap bridged in a line: 4 px on the A4 page (less than the space between two
    letters, so words do not become lines), 1/40 of the height of a small picture."""
    width, height = size
    if small:
        return int(width * 0.5), int(height * 0.6), max(2, height // 40)
    unit = max(size) / 100
    return int(4 * unit), int(3.3 * unit), max(2, int(unit / 6))


def _spread(image: Image.Image, length: int, horizontal: bool, op: str) -> Image.Image:
    """Min (op "darker": ink grows) or max ("lighter": ink shrinks) over a run of ``length``
    pixels, by doubling shifts: log2(length) full-image operations in C."""
    combine = ImageChops.darker if op == "darker" else ImageChops.lighter
    sign = 1 if op == "darker" else -1
    covered = 1
    while covered < length:
        step = min(covered, length - covered)
        shifted = ImageChops.offset(image, sign * step, 0) if horizontal else ImageChops.offset(image, 0, sign * step)
        image = combine(image, shifted)
        covered += step
    return image


def without_lines(binary: Image.Image, horizontal: int, vertical: int, gap: int,
                  vertical_gap: int | None = None) -> Image.Image:
    """Remove straight ink runs at least ``horizontal`` (resp. ``vertical``) pixels long, gaps of
    less than ``gap`` (``vertical_gap`` in vertical lines) pixels bridged (a rubber stamp prints
    unevenly): frames, borders and rules, which otherwise come out as letters (I, l, |) glued to
    the stamp's text."""
    result = binary
    for length, is_horizontal in ((horizontal, True), (vertical, False)):
        if length <= 1:
            continue
        bridged = gap if is_horizontal or vertical_gap is None else vertical_gap
        closed = _spread(_spread(binary, bridged, is_horizontal, "darker"), bridged, is_horizontal, "lighter")
        runs = _spread(_spread(closed, length, is_horizontal, "lighter"), length, is_horizontal, "darker")
        across = (0, 1) if is_horizontal else (1, 0)  # the line's fringe, one pixel each side, goes too
        grown = ImageChops.darker(runs, ImageChops.darker(ImageChops.offset(runs, *across),
                                                          ImageChops.offset(runs, -across[0], -across[1])))
        result = ImageChops.lighter(result, ImageOps.invert(grown))
    return result


def red_ink(image: Image.Image) -> Image.Image:
    """A mask of red ink (255 where red, 0 elsewhere): red well above both green and blue."""
    red, green, blue = image.convert("RGB").split()
    redness = ImageChops.darker(ImageChops.subtract(red, green), ImageChops.subtract(red, blue))
    return redness.point(lambda v: 255 if v >= 60 else 0)


RED_GROUP_HEIGHT = 200  # pixels: a red group lower than this (a stamp on a 100 dpi scan) is enlarged
RED_GROUP_SKEW = 15  # degrees: a stamp pressed by hand may be this crooked
SOLID = 0.45  # a red group whose box is more red than this is a block with letters cut out of it


def red_ink_groups(image: Image.Image, limit: int = 4) -> list[tuple[Image.Image, Image.Image | None]]:
    """The red ink of a picture, ready for OCR: each group of red ink (a stamp, the seal over the
    signature) cut out, levelled on its own (a stamp is pressed by hand, at its own angle, up to
    RED_GROUP_SKEW degrees) and its frame removed. Each group is read on its own: stacked on one
    sheet, a seal's rings made Tesseract miss the stamp's single word.

    A group lower than RED_GROUP_HEIGHT is cut from the colour picture and enlarged (at most 3
    times) before its red ink is taken, so that a stamp on a 100 dpi scan (letters 17 px high)
    reaches the size Tesseract reads. A solid group (white letters printed on a red block) is
    turned into its letters: what is not red inside the block.

    A frame line here is a run over half the group's width or 60 % of its height (the frame
    surrounds the stamp), and never shorter than on the whole page (see line_lengths), so the
    strokes of red letters without a frame stay; gaps up to 1/4 unit or 1/40 of the group's
    height (1/12 in vertical lines) are bridged, as stamp ink is patchy. Each group comes twice:
    so, and, if it is elongated as a stamp's frame is (not a round seal; else None), with vertical
    lines from 60 % of the height of the ink itself (not of the box, whose margins make a thin
    inner frame shorter than that) and the frame's band cleared: for when the first leaves a
    frame's side glued to the text ("lrối MẬT", "TỐI MẬT Ì")."""
    mask = red_ink(image)
    groups: list[tuple[Image.Image, Image.Image | None]] = []
    for box in ink_regions(mask, limit):
        factor = min(3.0, RED_GROUP_HEIGHT / max(1, box[3] - box[1]))
        if factor > 1.2:
            size = (round((box[2] - box[0]) * factor), round((box[3] - box[1]) * factor))
            ink = red_ink(image.crop(box).resize(size, Image.Resampling.BICUBIC))
        else:
            factor, ink = 1.0, mask.crop(box)
        ink = _letters_of_block(ink)
        unit = max(image.size) / 100 * factor
        crop = ImageOps.invert(ink)
        crop, angle = deskewed(crop, crop, RED_GROUP_SKEW)
        if angle:  # the box of the turned ink is larger than the stamp: back to the stamp's own box
            crop = crop.point(lambda v: 0 if v < 128 else 255)
            inner = ImageOps.invert(crop).getbbox()
            if inner is not None:
                margin = round(2 * 8 * factor)  # as ink_regions leaves
                crop = ImageOps.expand(crop.crop(inner), margin, fill=255)
        horizontal = max(int(crop.width * 0.5), int(4 * unit))
        gaps = (max(3, int(unit / 4), crop.height // 40), max(3, int(unit / 4), crop.height // 12))
        first = without_lines(crop, horizontal, max(int(crop.height * 0.6), int(3.3 * unit)), *gaps)
        inner = ImageOps.invert(crop).getbbox()
        if inner is None or inner[2] - inner[0] < 1.4 * (inner[3] - inner[1]):  # not a stamp's frame: a seal
            groups.append((first, None))
            continue
        stricter = without_lines(crop, horizontal, max(int((inner[3] - inner[1]) * 0.6), int(3.3 * unit)), *gaps)
        groups.append((first, _inside_frame(stricter, inner)))
    return groups


def _inside_frame(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """``image`` with the band where a stamp's double frame lies cleared: the outer 7 % of the ink's
    box on the left and right, 15 % at the top and bottom (a stamp's text begins at 11 % and 25 %,
    Nghị định 30/2020's stamps and ours alike)."""
    left, top, right, bottom = box
    band_x, band_y = round((right - left) * 0.07), round((bottom - top) * 0.15)
    inside = Image.new("L", image.size, 255)
    inside.paste(image.crop((left + band_x, top + band_y, right - band_x, bottom - band_y)),
                 (left + band_x, top + band_y))
    return inside


def _letters_of_block(ink: Image.Image) -> Image.Image:
    """A mask of red ink (255 = red) as it is, unless it is a solid block (more than SOLID of its
    box red): then the letters cut out of it, what is not red between the block's edges on each
    row, become the ink."""
    box = ink.getbbox()
    if box is None:
        return ink
    block = ink.crop(box)
    if block.histogram()[255] < SOLID * block.width * block.height:
        return ink
    inside = Image.new("L", block.size, 0)
    draw = ImageDraw.Draw(inside)
    for y in range(block.height):
        span = block.crop((0, y, block.width, y + 1)).getbbox()
        if span is not None:
            draw.line((span[0], y, span[2] - 1, y), fill=255)
    letters = Image.new("L", ink.size, 0)
    letters.paste(ImageChops.subtract(inside, block), box[:2])
    return letters


def saturated(image: Image.Image) -> Image.Image:
    """A mask of strongly coloured pixels (HSV saturation >= 90 of 255, not too dark to tell)."""
    _, saturation, value = image.convert("HSV").split()
    strong = saturation.point(lambda v: 255 if v >= 90 else 0)
    return ImageChops.darker(strong, value.point(lambda v: 255 if v >= 60 else 0))


def ink_regions(mask: Image.Image, limit: int = 8) -> list[tuple[int, int, int, int]]:
    """Boxes around separate groups of ink in a mask (255 = ink), e.g. a stamp under the number
    and the seal over the signature: a recursive cut along empty rows and columns (XY-cut), on a
    1/8 copy where specks (JPEG colour noise) fade out. At most ``limit`` boxes, biggest first."""
    factor = 8
    small = mask.resize((max(1, mask.width // factor), max(1, mask.height // factor)), Image.Resampling.BOX)
    small = small.point(lambda v: 255 if v >= 40 else 0)
    leaves: list[tuple[int, int, int, int]] = []

    def cut(box: tuple[int, int, int, int]) -> None:
        inner = small.crop(box).getbbox()
        if inner is None:
            return
        left, top = box[0] + inner[0], box[1] + inner[1]
        box = (left, top, box[0] + inner[2], box[1] + inner[3])
        for horizontal in (True, False):
            region = small.crop(box)
            length = region.height if horizontal else region.width
            profile = region.resize((1, length) if horizontal else (length, 1), Image.Resampling.BOX).tobytes()
            gap_start = next((i for i in range(1, length - 2) if not any(profile[i:i + 3])), None)
            if gap_start is not None:
                first = (box[0], box[1], box[2], top + gap_start) if horizontal else (box[0], box[1], left + gap_start,
                                                                                      box[3])
                rest = (box[0], top + gap_start, box[2], box[3]) if horizontal else (left + gap_start, box[1], box[2],
                                                                                     box[3])
                cut(first)
                cut(rest)
                return
        leaves.append(box)

    cut((0, 0, small.width, small.height))
    leaves.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
    margin = 2
    return [(max(0, (x0 - margin) * factor), max(0, (y0 - margin) * factor), min(mask.width, (x1 + margin) * factor),
             min(mask.height, (y1 + margin) * factor)) for x0, y0, x1, y1 in leaves[:limit]]
