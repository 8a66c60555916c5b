"""Throughput of the confidentiality check on typical notices, so that it never becomes the
relay's bottleneck. Compare with the relay's rate from relay_throughput.py.

    .venv/bin/python bench/policy_throughput.py --seconds 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies import check_message
from tests.policies.corpus import docx, message, odt, pdf, rtf, xlsx, zipped

NOTICE = ("THÔNG BÁO\nSố: 45/TB-UBND\nKết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban tuần.\n" * 20)
SAMPLES = {
    "plain notice": message("Thông báo số 45/TB-UBND", NOTICE),
    "notice + DOCX": message("Thông báo", "Gửi kèm.", attachments=[
        ("thong-bao.docx", docx(NOTICE), "application/octet-stream")]),
    "invitation + PDF": message("Giấy mời", "Gửi kèm.", attachments=[
        ("giay-moi.pdf", pdf(NOTICE[:2000]), "application/pdf")]),
    "schedule + XLSX": message("Lịch công tác", "Gửi kèm.", attachments=[
        ("lich.xlsx", xlsx([["Thứ Hai", "08:00", "Họp giao ban", "Phòng họp 1"]] * 60), "application/octet-stream")]),
    "documents ZIP": message("Tài liệu họp", "Gửi kèm.", attachments=[
        ("tai-lieu.zip", zipped([(f"tl{i}.docx", docx(NOTICE)) for i in range(5)]), "application/zip")]),
    "notice + ODT": message("Thông báo", "Gửi kèm.", attachments=[
        ("thong-bao.odt", odt(NOTICE), "application/vnd.oasis.opendocument.text")]),
    "notice + RTF": message("Thông báo", "Gửi kèm.", attachments=[
        ("thong-bao.rtf", rtf(NOTICE), "application/rtf")]),
    "notice + HTML": message("Thông báo", "Xem nội dung.", html="<table>" + "".join(
        f"<tr><td>{line}</td></tr>" for line in NOTICE.splitlines()) + "</table>"),
    "forwarded notice": message("Fwd: Thông báo", "Chuyển tiếp.", forwarded=message("Thông báo số 45", NOTICE)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per sample")
    args = parser.parse_args()
    print(f"{'sample':20} {'size':>9} {'checks/s':>9} {'MB/s':>7}   (one process; the relay runs "
          "MAILHUB_POLICY_WORKERS of them)")
    for name, raw in SAMPLES.items():
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            assert not check_message(raw).blocked
            count += 1
        rate = count / (time.perf_counter() - start)
        print(f"{name:20} {len(raw):>9} {rate:>9.0f} {rate * len(raw) / 1e6:>7.1f}")


if __name__ == "__main__":
    main()
