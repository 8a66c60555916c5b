"""Tesseract OCR of one picture, and the clean-up that makes stamps readable: flattened
background, deskew, binarisation, red ink isolated, and long straight lines (stamp frames, table
borders, underlines) removed. Pillow only; Tesseract runs as a subprocess with a timeout.

Why the ``tesseract`` binary and not pytesseract: pytesseract is itself a thin wrapper around the
same subprocess, writing temporary files; calling the binary directly (image on stdin, TSV on
stdout) is a few lines, needs no extra dependency, and gives full control of the timeout and the
kill. ``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads make one page slower on a small
machine (one page with vie+eng: 1.3 s single-threaded, 3.7 s with threads on 2 cores) and would compete
with the relay's other work.

Language: ``vie`` alone, not ``vie+eng``. With English loaded, Tesseract reads words in capitals
with the English model and drops their diacritics: the same clean scan gives "TUYET MAT" with
vie+eng and "TUYỆT MẬT" with vie (and "TOI MAT" for "TỐI MẬT" on a red stamp), while the mark
rules must not strip diacritics (mặt, mất, mắt are not mật). The Vietnamese model has the whole
Latin alphabet: English text, e-mail addresses and numbers read the same. It is also faster
(about 1.0 s against 1.3 s for a page).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from statistics import median

from PIL import Image, ImageChops, ImageFilter, ImageOps

LANGUAGES = "vie"  # see above: not vie+eng
CONFIDENT = 60.0  # a word Tesseract is this sure of (0-100) counts as read
MIN_STEP_SECONDS = 1.0  # no Tesseract run is started with less time than this left
MAX_SIDE = 2800  # pixels: an A4 page at 240 dpi; bigger pictures are reduced (OCR time grows with pixels)


class OcrTimeout(Exception):
    """Tesseract did not finish before the deadline."""


@dataclass(frozen=True)
class OcrText:
    lines: tuple[str, ...]
    words: int
    confident_words: int  # words of two letters or digits or more read with CONFIDENT or more


@lru_cache(maxsize=1)
def tesseract_binary() -> str | None:
    """The tesseract binary, if it is installed with the Vietnamese model (Debian's tesseract-ocr-vie)."""
    binary = shutil.which("tesseract")
    if not binary:
        return None
    try:
        listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    languages = set(listing.stdout.split()) | set(listing.stderr.split())
    return binary if set(LANGUAGES.split("+")) <= languages else None


def run_tesseract(image: Image.Image, psm: int, timeout: float) -> OcrText:
    """OCR of a prepared (binary or grayscale) image; raises OcrTimeout, or OSError if it fails."""
    binary = tesseract_binary()
    if binary is None:
        raise OSError(f"tesseract with the {LANGUAGES} model is not installed")
    buffer = io.BytesIO()
    image.save(buffer, "PPM")  # PBM/PGM: no compression to spend time on, Leptonica reads it
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    args = [binary, "stdin", "stdout", "-l", LANGUAGES, "--psm", str(psm), "-c", "preserve_interword_spaces=1",
            "tsv"]
    try:
        done = subprocess.run(args, input=buffer.getvalue(), capture_output=True, timeout=timeout, env=env,
                              check=False)
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child before raising
        raise OcrTimeout from exc
    if done.returncode != 0:
        raise OSError(f"tesseract failed: {done.stderr.decode('utf-8', 'replace')[-200:]}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> OcrText:
    """Words grouped into Tesseract's lines; a wide gap between two words (a layout column, a
    table cell) becomes a tab, so that a stamp beside other text still stands alone in its cell."""
    lines: dict[tuple[str, ...], list[tuple[int, int, int, str]]] = {}
    confident = total = 0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            left, width, height, conf = int(cols[6]), int(cols[8]), int(cols[9]), float(cols[10])
        except ValueError:
            continue
        word = cols[11].strip()
        total += 1
        lines.setdefault(tuple(cols[1:5]), []).append((left, left + width, height, word))
        if conf >= CONFIDENT and sum(ch.isalnum() for ch in word) >= 2:
            confident += 1
    out: list[str] = []
    for words in lines.values():
        words.sort()
        gap_limit = 1.5 * median(h for _, _, h, _ in words)
        text = words[0][3]
        for (_, end, _, _), (start, _, _, word) in pairwise(words):
            text += ("\t" if start - end > gap_limit else " ") + word
        out.append(text)
    return OcrText(tuple(out), total, confident)


# --- Preparation -------------------------------------------------------------------------------

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


def skew_angle(binary: Image.Image) -> float:
    """The rotation (degrees, within +/-4) that makes the text rows level: the angle at which
    the rows' ink profile is sharpest, tried every degree and then refined to 0.25, on a copy
    reduced to about 400 px."""
    factor = max(1, max(binary.size) // 400)
    small = ImageOps.invert(binary).resize((max(1, binary.width // factor), max(1, binary.height // factor)),
                                           Image.Resampling.BOX)

    def sharpness(angle: float) -> float:
        profile = small.rotate(angle, Image.Resampling.BILINEAR).resize((1, small.height), Image.Resampling.BOX)
        rows = profile.tobytes()
        return float(sum((a - b) ** 2 for a, b in pairwise(rows)))

    best = max(range(-4, 5), key=sharpness)
    return max((best + a / 4 for a in range(-3, 4)), key=sharpness)


def deskewed(image: Image.Image, binary: Image.Image) -> tuple[Image.Image, float]:
    """``image`` turned level (white fills the corners) when ``binary`` shows it 0.3 degree off or more."""
    angle = skew_angle(binary)
    if abs(angle) < 0.3:
        return image, 0.0
    white = 255 if image.mode == "L" else (255,) * len(image.getbands())
    return image.rotate(angle, Image.Resampling.BILINEAR, fillcolor=white), angle


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


def without_lines(binary: Image.Image, horizontal: int, vertical: int, gap: int) -> Image.Image:
    """Remove straight ink runs at least ``horizontal`` (resp. ``vertical``) pixels long, gaps of
    less than ``gap`` pixels bridged (a rubber stamp prints unevenly): frames, borders and rules,
    which otherwise come out as letters (I, l, |) glued to the stamp's text."""
    result = binary
    for length, is_horizontal in ((horizontal, True), (vertical, False)):
        if length <= 1:
            continue
        closed = _spread(_spread(binary, gap, is_horizontal, "darker"), gap, is_horizontal, "lighter")
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


def red_ink_groups(image: Image.Image, limit: int = 4) -> list[Image.Image]:
    """The red ink of a picture, ready for OCR: each group of red ink (a stamp, the seal over the
    signature) cut out, levelled on its own (a stamp is pressed by hand, at its own angle) and
    its frame removed. Each group is read on its own: stacked on one sheet, a seal's rings made
    Tesseract miss the stamp's single word.

    A frame line here is a run over half the group's width or 60 % of its height (the frame
    surrounds the stamp), and never shorter than on the whole page (see line_lengths), so the
    strokes of red letters without a frame stay; gaps up to 1/4 unit or 1/40 of the group's
    height are bridged, as stamp ink is patchy."""
    mask = red_ink(image)
    unit = max(image.size) / 100
    groups: list[Image.Image] = []
    for box in ink_regions(mask, limit):
        crop = ImageOps.invert(mask.crop(box))
        crop, angle = deskewed(crop, crop)
        if angle:
            crop = crop.point(lambda v: 0 if v < 128 else 255)
        lengths = (max(int(crop.width * 0.5), int(4 * unit)), max(int(crop.height * 0.6), int(3.3 * unit)))
        groups.append(without_lines(crop, *lengths, max(3, int(unit / 4), crop.height // 40)))
    return groups


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
