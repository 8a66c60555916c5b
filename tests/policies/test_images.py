"""OCR of scanned pages and photographed stamps (policies/extract/images.py): a stamp on a scan
is found by the mark rules, a clean scan passes, a photo is not read, a page OCR cannot read
cannot be inspected, and bad or huge input is reported, fast, never raised.

The scans are rendered once per module (tests/policies/scans.py) and read on two threads: the
work is in Tesseract subprocesses, so the two cores are used.
"""

from __future__ import annotations

import os
import shutil
import struct
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from PIL import Image, ImageDraw, ImageFont

from policies.extract import images, ocr
from policies.extract.images import ImageReading, read_image, read_pdf_pages
from policies.marks import find_marks
from policies.types import TextPart
from tests.policies import scans


def _needs(tool: str) -> pytest.MarkDecorator:
    """Skipped on a developer machine without the tool; in CI (CI set) the tests run and fail."""
    return pytest.mark.skipif(shutil.which(tool) is None and not os.environ.get("CI"),
                              reason=f"{tool} is not installed (Debian: tesseract-ocr-vie, poppler-utils)")


needs_tesseract = _needs("tesseract")
needs_pdftoppm = _needs("pdftoppm")

# name -> the stamp its OCR text must show; each scan is read once, in the background.
MARKED = {
    "typed-toi-mat-rotated.png": "TỐI MẬT",
    "red-mat-rotated.jpg": "MẬT",
    "red-tuyet-mat-rotated.pdf": "TUYỆT MẬT",
    "red-stamp-alone.png": "TỐI MẬT",
}


def _jobs() -> dict[str, Callable[[], ImageReading]]:
    """Each job renders its scan and reads it (both in the worker thread)."""
    def pdf() -> ImageReading:
        pages = [scans.page("TUYỆT MẬT", "red", angle=-1.5, degrade=True), scans.page(None, angle=1, degrade=True)]
        return read_pdf_pages(scans.pdf(pages), [1, 2], "red-tuyet-mat-rotated.pdf")

    return {
        "red-tuyet-mat-rotated.pdf": pdf,
        "typed-toi-mat-rotated.png": lambda: read_image(
            scans.png(scans.page("TỐI MẬT", "typed", angle=-2, degrade=True)), "typed-toi-mat-rotated.png"),
        "red-mat-rotated.jpg": lambda: read_image(
            scans.jpeg(scans.page("MẬT", "red", angle=2.5, degrade=True)), "red-mat-rotated.jpg"),
        "plain-rotated.jpg": lambda: read_image(scans.jpeg(scans.page(None, angle=2, degrade=True)),
                                                "plain-rotated.jpg"),
        "scribble.png": lambda: read_image(scans.png(scans.scribble_page()), "scribble.png"),
        "red-stamp-alone.png": lambda: read_image(scans.png(scans.red_stamp_image("TỐI MẬT")), "red-stamp-alone.png"),
    }


@pytest.fixture(scope="module")
def reading() -> Iterator[Callable[[str], ImageReading]]:
    if not images.ocr_available() or shutil.which("pdftoppm") is None:
        def missing(name: str) -> ImageReading:
            if os.environ.get("CI"):
                pytest.fail("tesseract (with tesseract-ocr-vie) and pdftoppm must be installed in CI")
            pytest.skip("tesseract or pdftoppm is not installed")

        yield missing
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures: dict[str, Future[ImageReading]] = {name: pool.submit(job) for name, job in _jobs().items()}
        yield lambda name: futures[name].result()
        for future in futures.values():
            future.cancel()


def _bare(text: str) -> str:
    """Letters only, without Vietnamese marks: "| TUYẾT MẬT ." and "TUYỆT MẬT" both give TUYETMAT."""
    letters = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in letters if ch.isalpha() and not unicodedata.combining(ch)).upper()


def _stamps(reading: ImageReading) -> list[str]:
    return [f.evidence for part in reading.parts for f in find_marks(part) if f.rule == "classification-stamp"]


@needs_tesseract
@needs_pdftoppm
@pytest.mark.parametrize("name", list(MARKED))
def test_a_stamp_on_a_scan_is_found_by_the_mark_rules(reading: Callable[[str], ImageReading], name: str) -> None:
    result = reading(name)
    assert result.uninspectable == ()
    assert all(part.kind == "ocr" for part in result.parts)
    text = "\n".join(part.text for part in result.parts)
    assert _stamps(result), f"no stamp in the OCR text of {name}:\n{text}"
    assert _bare(MARKED[name]) in {_bare(evidence) for evidence in _stamps(result)}, text  # the right level


@needs_tesseract
@needs_pdftoppm
def test_pdf_pages_are_named_and_the_clean_page_passes(reading: Callable[[str], ImageReading]) -> None:
    result = reading("red-tuyet-mat-rotated.pdf")
    assert [p.where for p in result.parts] == ["red-tuyet-mat-rotated.pdf (page 1, OCR)",
                                               "red-tuyet-mat-rotated.pdf (page 2, OCR)"]
    page_one, page_two = result.parts
    assert find_marks(page_one) and not find_marks(page_two)
    assert "Độc lập - Tự do - Hạnh phúc" in page_two.text


@needs_tesseract
def test_a_clean_scan_reads_and_passes(reading: Callable[[str], ImageReading]) -> None:
    result = reading("plain-rotated.jpg")
    assert result.uninspectable == () and result.not_read == ()
    text = "\n".join(part.text for part in result.parts)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO" in text
    assert [f for part in result.parts for f in find_marks(part)] == []


@needs_tesseract
def test_a_scribbled_page_cannot_be_inspected(reading: Callable[[str], ImageReading]) -> None:
    result = reading("scribble.png")
    assert [u.reason for u in result.uninspectable] == [images.UNREADABLE]
    assert result.uninspectable[0].where == "scribble.png (OCR)"


@pytest.mark.parametrize("picture", [scans.photo, scans.portrait, lambda: scans.photo().convert("L")],
                         ids=["landscape", "portrait", "gray-photo"])
def test_photos_are_not_read(picture: Callable[[], Image.Image]) -> None:
    started = time.monotonic()
    result = read_image(scans.jpeg(picture()), "anh.jpg")
    assert result == ImageReading(not_read=("anh.jpg",))
    assert time.monotonic() - started < 2


def test_icons_and_blank_pages_are_not_read() -> None:
    icon = Image.new("RGB", (100, 60), "white")
    icon.paste((200, 0, 0), (10, 10, 90, 50))
    assert read_image(scans.png(icon), "logo.png") == ImageReading(not_read=("logo.png",))
    blank = scans.degraded(Image.new("RGB", (827, 1170), (250, 250, 246)), 0.5)  # A4 at 100 dpi
    assert read_image(scans.png(blank), "trang.png") == ImageReading(not_read=("trang.png",))


@needs_tesseract
def test_small_pictures_without_text_are_noted_not_refused() -> None:
    """A signature in an e-mail footer is ink on white, like a stamp, but has nothing to read:
    only a page-sized picture that OCR cannot read is refused (the scribbled page above)."""
    result = read_image(scans.png(scans.signature()), "chu-ky.png")
    assert result.uninspectable == () and result.not_read == ("chu-ky.png",)


@needs_tesseract
def test_text_in_boxes_is_read() -> None:
    result = read_image(scans.png(scans.flow_diagram()), "quy-trinh.png")
    assert result.uninspectable == () and result.not_read == ()
    assert "Tiếp nhận" in result.parts[0].text and "Trả kết quả" in result.parts[0].text


@pytest.mark.parametrize("picture", ["page", "stamp", "shaded", "yellowed"])
def test_documents_look_like_documents(picture: str) -> None:
    if picture == "stamp":
        assert images.document_likeness(scans.red_stamp_image()) is None
        return
    page = scans.page("MẬT", "red")
    shade = Image.linear_gradient("L").rotate(90).resize(scans.A4).point(lambda v: 150 + v * 105 // 255)
    made = {
        "page": lambda: page,
        "shaded": lambda: Image.composite(page, Image.new("RGB", scans.A4, "black"), shade),  # dim at one edge
        "yellowed": lambda: Image.merge("RGB", [c.point(lambda v, k=k: v * k // 100)
                                                for c, k in zip(page.split(), (96, 90, 72), strict=True)]),
    }
    assert images.document_likeness(made[picture]()) is None


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                                  scans.png(scans.red_stamp_image())[:300]])
def test_bad_input_is_uninspectable_not_raised(data: bytes) -> None:
    result = read_image(data, "hong.png")
    assert result.parts == () and len(result.uninspectable) == 1
    assert result.uninspectable[0].reason.startswith(("not a readable image", "the image cannot be decoded"))


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size, with one empty row of data: what a bomb looks like to open()."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1)))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(20_000, 20_000), (9_000, 8_000)], ids=["pillow-bomb", "over-our-limit"])
def test_a_decompression_bomb_is_refused_fast(size: tuple[int, int]) -> None:
    started = time.monotonic()
    result = read_image(_png_claiming(*size), "bom.png")
    assert time.monotonic() - started < 0.5
    assert result.parts == () and len(result.uninspectable) == 1
    assert result.uninspectable[0].reason.startswith("the image is too large to read")


def test_too_many_pages_are_not_read() -> None:
    pages = [Image.new("L", (200, 280), 255) for _ in range(images.MAX_PAGES + 1)]
    result = read_image(scans.tiff(pages), "fax.tif")
    assert [u.reason.split(" (")[0] for u in result.uninspectable] == [images.TOO_MANY_PAGES]
    result = read_pdf_pages(b"%PDF-1.4", list(range(1, 80)), "scan.pdf")
    assert [u.reason.split(" (")[0] for u in result.uninspectable] == [images.TOO_MANY_PAGES]


@needs_tesseract
def test_past_the_deadline_the_rest_is_uninspectable() -> None:
    stamp = scans.red_stamp_image()
    data = scans.tiff([stamp, stamp, stamp])
    result = read_image(data, "fax.tif", deadline=time.monotonic() - 1)
    assert [(u.where, u.reason) for u in result.uninspectable] == [
        (f"fax.tif (page {n}, OCR)", images.OUT_OF_TIME) for n in (1, 2, 3)]


@needs_tesseract
def test_multipage_tiff_reads_each_page() -> None:
    data = scans.tiff([scans.photo(), scans.red_stamp_image("MẬT")])
    result = read_image(data, "fax.tif")
    assert result.not_read == ("fax.tif (page 1)",)
    assert [p.where for p in result.parts] == ["fax.tif (page 2, OCR)"]
    assert _stamps(result)


def test_transparent_pictures_are_read_on_white() -> None:
    stamp = scans.stamp("TỐI MẬT", size=60, ink=False)  # RGBA: transparent but for the frame and letters
    flat = images._as_rgb(stamp)
    assert flat.getpixel((2, stamp.height // 2)) == scans.RED  # the outer frame
    assert flat.getpixel((7, stamp.height // 2)) == (255, 255, 255)  # between the two frames
    assert images.document_likeness(flat) is None


def test_wide_gaps_become_cells() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [header, "5\t1\t1\t1\t1\t1\t10\t10\t60\t30\t95\tSỞ", "5\t1\t1\t1\t1\t2\t80\t10\t60\t30\t95\tTÀI",
            "5\t1\t1\t1\t1\t3\t400\t10\t80\t30\t91\tMẬT", "5\t1\t1\t1\t2\t1\t10\t60\t60\t30\t20\tVN"]
    result = ocr.parse_tsv("\n".join(rows))
    assert result.lines == ("SỞ TÀI\tMẬT", "VN")
    assert (result.words, result.confident_words) == (4, 3)
    assert find_marks(TextPart("x", "\n".join(result.lines), "ocr"))


def test_readable_needs_enough_confident_words() -> None:
    assert images.readable([ocr.OcrText(("TỐI MẬT",), 2, 2, 2, 2)])
    assert not images.readable([ocr.OcrText(("VN VI",), 239, 10, 10, 0)])  # a scribbled page
    assert not images.readable([ocr.OcrText((), 0, 0)])
    assert images.readable([ocr.OcrText((), 300, 60, 60, 55)])  # text among the noise of a photo


def test_garbage_is_not_read() -> None:
    """A page read upside down: 37 % of its words confident, 8 % of them Vietnamese syllables."""
    assert not images.readable([ocr.OcrText(("Bued3 ÁeBu 3on4 enb oeq",), 199, 73, 70, 6)])
    assert images.readable([ocr.OcrText(("Dear Sir, please find the report",), 200, 190, 185, 40)])  # English
    assert [w for w in ("Buonp", "uenb", "ÁeBu", "oeq", "VN", "UBND") if ocr.is_syllable(w)] == []
    words = ("TỐI", "MẬT", "Tuyệt", "mật", "Khánh", "Hòa", "hoà", "Ủy", "ĐỘC", "nghiêng", "quý", "gì", "khuya",
             "Nguyễn", "thưởng")
    assert [w for w in words if not ocr.is_syllable(w)] == []


def test_tsv_counts_vietnamese_words() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    words = [("TỐI", 95), ("MẬT.", 93), ("uenb", 90), ("2025", 96), ("Bued3", 88), ("xy", 20)]
    rows = [header] + [f"5\t1\t1\t1\t1\t{n}\t{10 + 80 * n}\t10\t60\t30\t{conf}\t{word}"
                       for n, (word, conf) in enumerate(words, 1)]
    result = ocr.parse_tsv("\n".join(rows))
    assert (result.words, result.confident_words, result.lettered, result.vietnamese) == (6, 5, 4, 2)


def _small_stamp(level: str, size: int) -> Image.Image:
    """A red stamp cropped to its frame, as a clerk pastes it into a document: 44 pt is 275 x 109."""
    mark = scans.stamp(level, scans.RED, size=size, seed=4)
    paper = Image.new("RGB", mark.size, (255, 255, 255))
    paper.paste(mark, (0, 0), mark)
    return paper


@needs_tesseract
@pytest.mark.parametrize("size", [30, 44])
def test_a_small_stamp_picture_is_read(size: int) -> None:
    picture = _small_stamp("TỐI MẬT", size)
    assert min(picture.size) < 120
    result = read_image(scans.jpeg(picture), "dau.jpg")
    assert _bare("TỐI MẬT") in {_bare(evidence) for evidence in _stamps(result)}


@needs_tesseract
def test_a_small_urgency_stamp_passes() -> None:
    result = read_image(scans.jpeg(_small_stamp("KHẨN", 44)), "khan.jpg")
    assert result.uninspectable == () and _stamps(result) == []


def test_small_square_pictures_are_icons() -> None:
    icon = Image.new("RGB", (64, 64), "white")
    icon.paste((20, 20, 20), (20, 20, 44, 44))
    assert images.document_likeness(icon) == "too small to be a document"
    assert images.document_likeness(_small_stamp("MẬT", 22)) is None  # 60 px high, but wide


def _turned_page(degrees: int) -> bytes:
    page = scans.page("TỐI MẬT", "red", seed=3).resize((1240, 1754), Image.Resampling.LANCZOS)
    return scans.jpeg(page.rotate(degrees, expand=True))


@needs_tesseract
@pytest.mark.parametrize("degrees", [90, 180])
def test_a_page_scanned_the_wrong_way_up_is_turned_and_read(degrees: int) -> None:
    result = read_image(_turned_page(degrees), "scan.jpg")
    text = "\n".join(part.text for part in result.parts)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert _bare("TỐI MẬT") in {_bare(evidence) for evidence in _stamps(result)}


@needs_tesseract
def test_a_stamp_pressed_crooked_or_white_on_red_is_read() -> None:
    page = scans.page(None)
    mark = scans.stamp("TUYỆT MẬT", scans.RED, seed=6).rotate(-13, resample=Image.Resampling.BICUBIC, expand=True)
    page.paste(mark, (scans.LEFT + 300 - mark.width // 2, scans.TOP + 200), mark)
    block = Image.new("RGB", (300, 90), scans.RED)
    ImageDraw.Draw(block).text((30, 12), "MẬT", font=ImageFont.truetype(scans.BOLD, 52), fill="white")
    page.paste(block, (1000, 1900))
    result = read_image(scans.jpeg(page), "scan.jpg")
    assert {_bare(e) for e in _stamps(result)} >= {_bare("TUYỆT MẬT"), _bare("MẬT")}


@needs_tesseract
def test_a_stamp_on_a_100_dpi_scan_is_read() -> None:
    page = scans.page("MẬT", "red", seed=2).resize((827, 1169), Image.Resampling.LANCZOS)
    result = read_image(scans.jpeg(page, 75), "fax.jpg")
    assert _bare("MẬT") in {_bare(evidence) for evidence in _stamps(result)}


def test_the_sample_that_decides_if_a_picture_is_a_document_is_pillows_thumbnail() -> None:
    """``nearest_sample`` spares the copy of the whole picture that ``thumbnail`` works on: for any
    shape (tall, wide, square, smaller than the sample, a side of one pixel) it must give the
    same pixels."""
    import random

    from PIL import Image

    from policies.extract.cleanup import nearest_sample

    rng = random.Random(5)
    sizes = [(800, 800), (801, 800), (799, 3000), (3000, 1), (1, 3000), (40, 41), (4971, 3729), (1601, 801)]
    sizes += [(rng.randrange(1, 3000), rng.randrange(1, 3000)) for _ in range(60)]
    for size in sizes:
        picture = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
        expected = picture.copy()
        expected.thumbnail((800, 800), Image.Resampling.NEAREST)
        sample = nearest_sample(picture, 800)
        assert sample.size == expected.size and sample.tobytes() == expected.tobytes(), size
        assert sample is not picture
