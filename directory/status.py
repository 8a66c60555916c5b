"""The status column of a roster: whether the person still works here (an active account).

Offices write it in words: ``Đang công tác``, ``Nghỉ hưu``, ``Thôi việc``, ``Chuyển công tác``…, or as
a yes/no flag. Someone away for a while (leave, maternity, training, secondment) still works here.
"""

from __future__ import annotations

import re

from directory.errors import InvalidInput
from directory.tables import parse_flag, unaccented_words

# Matched on unaccented words, as phrases inside the cell ("Đã nghỉ hưu từ 01/2026" is retired).
# Away for a while, read first: "Nghỉ việc riêng" is a day off, not "Nghỉ việc" (quit).
AWAY = ("nghi viec rieng", "nghi khong luong", "tam nghi", "nghi phep", "nghi om", "nghi thai san", "on leave")
GONE = ("nghi huu", "huu tri", "nghi che do", "thoi viec", "nghi viec", "chuyen cong tac", "chuyen di",
        "chuyen don vi", "chuyen cong viec", "dieu dong", "luan chuyen di", "da chuyen", "buoc thoi viec",
        "cham dut", "het hop dong", "tu tran", "qua doi", "da mat", "khoa tai khoan", "vo hieu",
        "ngung hoat dong", "ngung cong tac", "da nghi", "khong con cong tac", "giai the", "dinh chi",
        "retired", "resigned", "transferred", "deceased", "disabled", "left")
PRESENT = ("dang cong tac", "dang lam viec", "con cong tac", "cong tac", "lam viec", "dang hoat dong",
           "hoat dong", "binh thuong", "thai san", "di hoc", "dao tao", "biet phai", "tap su", "thu viec",
           "moi tuyen", "tiep nhan", "chinh thuc", "dang lam", "con lam viec", "working", "enabled", "on duty")


def parse_status(value: str) -> bool | None:
    """True for someone who works here, False for someone gone, None for an empty cell; else InvalidInput."""
    try:
        return parse_flag(value)
    except InvalidInput:
        pass
    key = " " + re.sub(r"[^a-z0-9]+", " ", unaccented_words(value)).strip() + " "
    if any(f" {phrase} " in key for phrase in AWAY):
        return True
    if any(f" {phrase} " in key for phrase in GONE):
        return False
    if any(f" {phrase} " in key for phrase in PRESENT):
        return True
    raise InvalidInput(f"cannot read the status {value!r} (e.g. Đang công tác, Nghỉ hưu, Thôi việc, Chuyển công tác)")
