"""Throughput of OCR on scans (policies/extract/images.py): A4 pages at 200 dpi, as PNG and JPEG
files and as image-only PDF pages (rendered by pdftoppm), with and without a red stamp. One
process, one page at a time, as the relay's check runs it; compare with policy_throughput.py.

    .venv/bin/python bench/ocr_throughput.py --seconds 20
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.extract.images import ImageReading, ocr_available, read_image, read_pdf_pages
from tests.policies import scans


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def samples() -> dict[str, tuple[int, int, Callable[[], ImageReading]]]:
    """name -> (size in bytes, pages per call, the call)."""
    plain = scans.page(None, angle=1.5, degrade=True)
    marked = scans.page("TỐI MẬT", "red", angle=-2, degrade=True)
    png, jpeg, photo = scans.png(plain), scans.jpeg(marked), scans.jpeg(scans.photo())
    pdf = scans.pdf([plain, marked, plain])
    return {
        "A4 PNG, clean": (len(png), 1, lambda: read_image(png, "scan.png")),
        "A4 JPEG, red stamp": (len(jpeg), 1, lambda: read_image(jpeg, "scan.jpg")),
        "PDF, 3 scanned pages": (len(pdf), 3, lambda: read_pdf_pages(pdf, [1, 2, 3], "scan.pdf")),
        "photo JPEG (not read)": (len(photo), 1, lambda: read_image(photo, "anh.jpg")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="per sample")
    args = parser.parse_args()
    if not ocr_available():
        sys.exit("tesseract with its Vietnamese model is not installed: apt-get install tesseract-ocr-vie")
    print(f"{'sample':22} {'size':>9} {'pages/s':>8} {'s/page':>7} {'cpu s/page':>10}")
    for name, (size, pages, call) in samples().items():
        count, start, cpu = 0, time.perf_counter(), _cpu()
        while time.perf_counter() - start < args.seconds or count == 0:
            result = call()
            assert not any("time" in u.reason for u in result.uninspectable)
            count += pages
        elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
        print(f"{name:22} {size:>9} {count / elapsed:>8.2f} {elapsed / count:>7.2f} {cpu / count:>10.2f}")


if __name__ == "__main__":
    main()
