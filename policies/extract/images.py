"""Scanned pages and photographed stamps: which pictures are documents, and what OCR reads in them.

A picture that looks like a document (a page scan, a photo of a page, a stamp) is read twice
by Tesseract: once in grayscale, once with only its red ink (secrecy stamps are red). A picture
that does not (a photo of people or places, an icon) is not read, and is listed in ``not_read``
for the audit. A page-sized document-like picture in which OCR finds no words it is sure of
cannot be inspected, and says so; a smaller one (a handwritten signature, a diagram without
words) is noted in ``not_read``. Nothing here raises on bad input: what cannot be read is
reported.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from PIL import Image, ImageChops, UnidentifiedImageError

from policies.extract import cleanup, ocr
from policies.types import TextPart, Uninspectable

MAX_PIXELS = 50_000_000  # one page or frame: A4 at 600 dpi is 35 Mpx; more is refused, fast
MAX_PAGES = 50  # of a multi-page TIFF, or image-only pages of a PDF
MIN_SIDE = 40  # smaller pictures (icons, bullets) are not read
TEXT_SIDE = 120  # a picture with a shorter side is read only if it is elongated (a stamp, a line of text)
ELONGATED = 1.4  # the ratio of its sides: an icon or a logo is about square
TURN_WORDS = 10  # a page giving this many words, none readable, may be upside down or sideways
PAGE_SIDE = 1000  # a picture with a longer side is page-sized (a scan: A4 at 100 dpi is 827 x 1169)
PDF_DPI = 200
STEP_TIMEOUT = 60.0  # one Tesseract or pdftoppm run, when the caller gives no deadline

UNREADABLE = "the scanned image cannot be read by OCR"
OUT_OF_TIME = "OCR ran out of time"
TOO_MANY_PAGES = "too many pages to read"


@dataclass(frozen=True)
class ImageReading:
    parts: tuple[TextPart, ...] = ()  # OCR'd text, kind "ocr"
    uninspectable: tuple[Uninspectable, ...] = ()  # a document-like picture OCR could not read
    # ``where`` of photos, icons and blank pages, not read, and of small pictures with nothing readable
    # (a signature, a diagram): noted for the audit, not refused; what OCR gave of these is in parts
    not_read: tuple[str, ...] = ()


@dataclass
class _Collected:
    parts: list[TextPart] = field(default_factory=list)
    uninspectable: list[Uninspectable] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)

    def done(self) -> ImageReading:
        return ImageReading(tuple(self.parts), tuple(self.uninspectable), tuple(self.not_read))


def ocr_available() -> bool:
    """True when the tesseract binary and its Vietnamese model are installed."""
    return ocr.tesseract_binary() is not None


# --- Is it a document? ---------------------------------------------------------------------------

def document_likeness(image: Image.Image) -> str | None:
    """None if the picture looks like a document, else why it is not read.

    Measured on a copy of at most 800 px sampled with nearest-neighbour (so strokes keep their
    ink, no blending), and on that copy with the paper's shading flattened (see cleanup.flattened_gray):

    - size: both sides at least MIN_SIDE (40 px), and a picture with a side under TEXT_SIDE
      (120 px) elongated, as text is (a stamp cropped to its frame is 330 x 100, may be 60 px
      high): smaller or squarer is an icon, a logo or a bullet.
    - colour variety: at most 12 % of the pixels saturated (HSV saturation >= 90 of 255) other
      than red ink. Scans and photos of pages: under 1 % (yellowed paper stays under 90; a blue
      signature or a coloured logo is small). Landscapes and portraits: most of the picture.
    - light background: the 90th percentile of brightness is at least 150 (there is paper), and
      after flattening at least 60 % of the pixels are paper (>= 200), at most 25 % mid-tones
      (100-199): continuous tone is a photo's, a document is paper and ink with sharp edges.
      Red ink is left out of these shares (on a stamp 60 px high it is a third of the picture,
      and the flattening makes it a mid-tone).
      The shading is flattened no lower than 60 % of the paper's brightness, so that a dark
      background (a portrait's) stays dark and is not taken for paper.
    - ink: 0.1 % to 40 % of the pixels dark (< 100 after flattening) or red; a page with less
      is blank (nothing to read), a stamp photographed alone is about 20 % ink.
    """
    short, long = sorted(image.size)
    if short < MIN_SIDE or (short < TEXT_SIDE and long < ELONGATED * short):
        return "too small to be a document"
    sample = cleanup.nearest_sample(image, 800)
    count = sample.width * sample.height
    gray = sample.convert("L")
    histogram = gray.histogram()
    p90 = next(v for v, below in enumerate(accumulate(histogram)) if below >= 0.9 * count)
    red = cleanup.red_ink(sample)
    saturated = cleanup.saturated(sample)
    colourful = ImageChops.subtract(saturated, red).histogram()[255] / count
    if colourful > 0.12:
        return "a photo (many colours)"
    if p90 < 150:
        return "a photo (no light background)"
    flat = cleanup.flattened_gray(sample, floor=int(p90 * 0.6))
    reds = red.histogram()[255]
    histogram = ImageChops.lighter(flat, red).histogram()  # red ink is ink, not a tone: out of the shares
    rest = max(1, count - reds)
    paper, mid = (sum(histogram[200:]) - reds) / rest, sum(histogram[100:200]) / rest
    if paper < 0.6 or mid > 0.25:
        return "a photo (continuous tone)"
    ink = ImageChops.lighter(flat.point(lambda v: 255 if v < 100 else 0), red).histogram()[255] / count
    if ink < 0.001:
        return "blank"
    if ink > 0.4:
        return "a picture (mostly dark)"
    return None


# --- OCR of one picture --------------------------------------------------------------------------

def _step_timeout(deadline: float | None) -> float:
    if deadline is None:
        return STEP_TIMEOUT
    left = deadline - time.monotonic()
    if left < ocr.MIN_STEP_SECONDS:
        raise ocr.OcrTimeout
    return min(STEP_TIMEOUT, left)


def _gray_pass(scaled: Image.Image, small: bool, deadline: float | None) -> tuple[ocr.OcrText, Image.Image]:
    """Grayscale pass (flattened, levelled, binarised, frame lines out); also the binary image."""
    gray = cleanup.flattened_gray(scaled)
    gray, _ = cleanup.deskewed(gray, cleanup.binarised(gray))
    binary = cleanup.binarised(gray)
    cleaned = cleanup.without_lines(binary, *cleanup.line_lengths(binary.size, small))
    result = ocr.run_tesseract(cleaned, 6 if small else 3, _step_timeout(deadline))
    if small and not readable([result]):
        # A small picture's frame is taken to surround it (a stamp); if that reads nothing, it may be
        # a diagram, text in boxes: the page's shorter lines are removed as well, and read again.
        cleaned = cleanup.without_lines(binary, *cleanup.line_lengths(binary.size, False))
        retry = ocr.run_tesseract(cleaned, 6, _step_timeout(deadline))
        if retry.confident_words > result.confident_words:
            result = retry
    return result, binary


def _red_passes(scaled: Image.Image, deadline: float | None) -> list[ocr.OcrText]:
    """Each group of red ink read on its own (cleanup.red_ink_groups); a group whose reading is not
    clean is read again with its frame cut away harder, and the better reading is kept."""
    results = []
    for group, stricter in cleanup.red_ink_groups(scaled):
        red = ocr.run_tesseract(group, 6, _step_timeout(deadline))
        if stricter is not None and (not red.lettered or red.vietnamese < red.lettered
                                     or red.confident_words < red.words):
            # not clean: a frame's side may be left, glued to the text or read as a letter
            again = ocr.run_tesseract(stricter, 6, _step_timeout(deadline))
            red = max(red, again, key=lambda r: (r.vietnamese, r.confident_words - r.words))
        results.append(red)
    return results


def _turns(rows: bool) -> list[Image.Transpose]:
    """The turns to try: upside down if the ink lies in rows, else sideways, both ways."""
    if rows:
        return [Image.Transpose.ROTATE_180]
    return [Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_90]


def _passes(image: Image.Image, deadline: float | None) -> list[ocr.OcrText]:
    """Grayscale pass, the right way up (see below), then the red-ink pass.

    A page scanned upside down or sideways gives Tesseract's garbage, a good part of it
    "confident". When a page-sized picture's text is not readable although there are words
    (TURN_WORDS or more), the page is turned: by 180 degrees if its ink lies in rows, else by
    270 and then 90, until it reads; the turn that gives the most Vietnamese words is kept, and
    the red ink is read on it. A small picture (a stamp pasted upside down) in which nothing is
    readable is turned the same way, by 180 degrees if it is wider than high, and read again
    whole (it is small: a few tenths of a second). A picture read right at first costs nothing more."""
    small = max(image.size) < PAGE_SIDE
    scaled = cleanup.scaled_for_ocr(image)
    text, binary = _gray_pass(scaled, small, deadline)
    if small:
        results = [text, *_red_passes(scaled, deadline)]
        if readable(results) or not any(r.words for r in results):
            return results
        for turn in _turns(scaled.width >= scaled.height):
            turned = scaled.transpose(turn)
            whole = [_gray_pass(turned, small, deadline)[0], *_red_passes(turned, deadline)]
            if sum(r.vietnamese for r in whole) > sum(r.vietnamese for r in results):
                results = whole
            if readable(whole):
                break
        return results
    if text.words >= TURN_WORDS and not readable([text]):
        for turn in _turns(cleanup.rows_are_horizontal(binary)):
            turned = scaled.transpose(turn)
            again, _ = _gray_pass(turned, small, deadline)
            if again.vietnamese > text.vietnamese:
                text, scaled = again, turned
            if readable([again]):
                break
    return [text, *_red_passes(scaled, deadline)]


def readable(results: list[ocr.OcrText]) -> bool:
    """Read cleanly: some words Tesseract is sure of (CONFIDENT), not a few lucky ones among
    noise (at least 30 % of all words found, or 40 words), and words, not garbage: more than
    half of the confident words with letters are Vietnamese syllables, or 80 % of all words, 20
    or more, are confident (a page in English). A scribbled page gives a few confident
    two-letter "words" (VN, VI) among hundreds; a page read upside down or sideways, 37 %
    confident words of which 8 % are syllables; a page of Vietnamese text, 95 % confident,
    94 % syllables."""
    words = sum(r.words for r in results)
    confident = sum(r.confident_words for r in results)
    lettered = sum(r.lettered for r in results)
    vietnamese = sum(r.vietnamese for r in results)
    if confident < 1 or (confident < 40 and confident < 0.3 * words):
        return False
    return vietnamese > 0.5 * lettered or (confident >= 20 and confident >= 0.8 * words)


def _read_picture(image: Image.Image, where: str, label: str, deadline: float | None, out: _Collected) -> None:
    """OCR of one decoded picture (a frame, a page), appending what it gives to ``out``."""
    reason = document_likeness(image)
    if reason is not None:
        out.not_read.append(label)
        return
    if not ocr_available():
        out.uninspectable.append(Uninspectable(where, "OCR is not available (tesseract is not installed)"))
        return
    try:
        results = _passes(image, deadline)
    except OSError as exc:
        out.uninspectable.append(Uninspectable(where, f"OCR failed ({str(exc)[:120]})"))
        return
    text = "\n".join(line for r in results for line in r.lines)
    if text.strip():
        out.parts.append(TextPart(where, text, "ocr"))
    if readable(results):
        return
    # Unreadable. A page-sized picture is a scan whose content is unknown: it cannot be inspected.
    # A smaller one with no readable text is a handwritten signature, a diagram, a logo: it is
    # noted, not refused (refusing every e-mail signed with a picture would stop the relay).
    if max(image.size) >= PAGE_SIDE:
        out.uninspectable.append(Uninspectable(where, UNREADABLE))
    else:
        out.not_read.append(label)


# --- Decoding ------------------------------------------------------------------------------------

# What Pillow may decode here: raster formats only (never EPS, which would run Ghostscript).
# A camera's JPEG with several pictures opens as "MPO", through the JPEG plugin.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "DIB", "TIFF", "WEBP", "PPM", "ICO", "JPEG2000")
MULTI_PAGE = ("TIFF",)  # other formats with frames (GIF, WEBP, APNG, MPO) are animations: first frame
DECODE_ERRORS = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError,
                 MemoryError, Image.DecompressionBombError)


@lru_cache(maxsize=1)
def _formats() -> tuple[str, ...]:
    Image.init()
    return tuple(f for f in FORMATS if f in Image.OPEN)  # a Pillow built without WEBP lacks it


def _too_large(image: Image.Image) -> str | None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        return f"the image is too large to read ({width} x {height} pixels)"
    return None


def _as_rgb(frame: Image.Image) -> Image.Image:
    """RGB on white paper: transparency over white, 16-bit and float grays scaled to 8 bits."""
    if frame.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        frame = frame.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    if frame.mode == "RGB":  # convert() would copy it: a camera photo's 55 MB more
        frame.load()
        return frame
    return frame.convert("RGB")


def _decoded(image: Image.Image) -> Image.Image | str:
    """The current frame in RGB, or why it is not decoded. A large JPEG (a 24-50 Mpx camera
    photo) is decoded at a reduced scale by libjpeg itself (draft): OCR reduces it anyway."""
    if image.format in ("JPEG", "MPO") and max(image.size) > 2 * cleanup.MAX_SIDE:
        scale = cleanup.MAX_SIDE / max(image.size)
        image.draft("RGB", (int(image.width * scale), int(image.height * scale)))
    return _too_large(image) or _as_rgb(image)


def read_image(data: bytes, where: str, *, deadline: float | None = None) -> ImageReading:
    """Any raster image (PNG, JPEG, GIF, BMP, TIFF incl. multi-page, WEBP): OCR of the frames that
    look like documents. A multi-page TIFF is read page by page, ``where`` of each part
    f"{where} (page {n}, OCR)"; of other formats (animations) the first frame only, f"{where} (OCR)"."""
    try:
        image = Image.open(io.BytesIO(data), formats=_formats())
        frames = getattr(image, "n_frames", 1) if image.format in MULTI_PAGE else 1
    except Image.DecompressionBombError:
        return ImageReading(uninspectable=(Uninspectable(where, "the image is too large to read"),))
    except DECODE_ERRORS as exc:
        return ImageReading(uninspectable=(Uninspectable(where, f"not a readable image ({type(exc).__name__})"),))
    if frames > MAX_PAGES:
        return ImageReading(uninspectable=(Uninspectable(where, f"{TOO_MANY_PAGES} ({frames} pages, "
                                                                f"at most {MAX_PAGES})"),))
    out = _Collected()
    for index in range(frames):
        label = f"{where} (page {index + 1})" if frames > 1 else where
        page_where = f"{where} (page {index + 1}, OCR)" if frames > 1 else f"{where} (OCR)"
        try:
            image.seek(index)
            frame = _decoded(image)
        except DECODE_ERRORS as exc:
            frame = f"the image cannot be decoded ({type(exc).__name__})"
        if isinstance(frame, str):
            out.uninspectable.append(Uninspectable(page_where, frame))
            continue
        try:
            _read_picture(frame, page_where, label, deadline, out)
        except ocr.OcrTimeout:
            out.uninspectable.extend(Uninspectable(f"{where} (page {n}, OCR)" if frames > 1 else page_where,
                                                   OUT_OF_TIME) for n in range(index + 1, frames + 1))
            break
    return out.done()


# --- Image-only PDF pages ------------------------------------------------------------------------

def _page_dpi(pdf: bytes, page_numbers: list[int]) -> dict[int, float]:
    """Resolution per page: PDF_DPI, lowered so that a page's long side stays within MAX_SIDE
    (an A3 page at 170 dpi); a large-format page (A0) is not rendered to 100 million pixels."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        sizes = {n: reader.pages[n - 1].cropbox for n in page_numbers if n <= len(reader.pages)}
        return {n: min(PDF_DPI, cleanup.MAX_SIDE * 72 / max(float(box.width), float(box.height), 1.0))
                for n, box in sizes.items()}
    except Exception:  # a damaged PDF: pdftoppm decides, at a bounded size (_render)
        return {}


def _render(pdf: bytes, number: int, dpi: float | None, timeout: float) -> Image.Image:
    scale = ["-r", f"{dpi:.2f}"] if dpi else ["-scale-to", str(cleanup.MAX_SIDE)]
    try:
        done = subprocess.run(["pdftoppm", *scale, "-f", str(number), "-l", str(number), "-singlefile", "-"],
                              input=pdf, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ocr.OcrTimeout from exc
    if done.returncode != 0 or not done.stdout:
        errors = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(errors[-1][:120] if errors else "pdftoppm gave no image")
    return Image.open(io.BytesIO(done.stdout), formats=("PPM",))


def read_pdf_pages(pdf: bytes, page_numbers: list[int], where: str, *,
                   deadline: float | None = None) -> ImageReading:
    """OCR of the given 1-based pages of a PDF that have no text layer, rendered by poppler's
    pdftoppm at 200 dpi (any image codec a scanner uses: JBIG2, CCITT, JPEG, JPEG 2000)."""
    pages = sorted({n for n in page_numbers if n >= 1})
    if len(pages) > MAX_PAGES:
        return ImageReading(uninspectable=(Uninspectable(where, f"{TOO_MANY_PAGES} ({len(pages)} scanned pages, "
                                                                f"at most {MAX_PAGES})"),))
    if shutil.which("pdftoppm") is None:
        return ImageReading(uninspectable=(Uninspectable(where, "scanned pages cannot be rendered: pdftoppm "
                                                                "(poppler-utils) is not installed"),))
    out = _Collected()
    dpi = _page_dpi(pdf, pages)
    for index, number in enumerate(pages):
        page_where = f"{where} (page {number}, OCR)"
        try:
            try:
                rendered = _render(pdf, number, dpi.get(number), _step_timeout(deadline))
                frame: Image.Image | str = _too_large(rendered) or _as_rgb(rendered)
            except DECODE_ERRORS as exc:
                frame = f"the page cannot be rendered ({str(exc)[:120]})"
            if isinstance(frame, str):
                out.uninspectable.append(Uninspectable(page_where, frame))
                continue
            _read_picture(frame, page_where, f"{where} (page {number})", deadline, out)
        except ocr.OcrTimeout:
            out.uninspectable.extend(Uninspectable(f"{where} (page {n}, OCR)", OUT_OF_TIME) for n in pages[index:])
            break
    return out.done()
