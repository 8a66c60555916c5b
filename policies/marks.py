"""State-secret marks (Luật Bảo vệ bí mật nhà nước; Nghị định 26/2020, Thông tư 24/2020): what
is a mark, as opposed to a mention.

A mark is the stamp itself: a line or table cell that IS "MẬT", "TỐI MẬT" or "TUYỆT MẬT" in
capitals; the subject tag "[MẬT]"; the field "Độ mật: Mật"; a covering note declaring the
attached document secret; the companion stamps. Prose that talks about secrets, passwords
(mật khẩu), security (bảo mật), density (mật độ) or urgency (KHẨN, HỎA TỐC) is not a mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from policies.legacy_vn import legacy_readings
from policies.normalise import clean, fold, normalise_line
from policies.types import Finding, TextPart

LEVELS = ("tuyệt mật", "tối mật", "mật")
_LEVEL_KEYS = {level.replace(" ", ""): level for level in LEVELS}
_FRAME = " \t|[](){}<>«»“”\"'*_=~#+-–—:;.,!•·●○■□▪▫►◄※【】〔〕│┃║═─━┌┐└┘╔╗╚╝"
_NOT_LETTERS = re.compile(r"[\W_\d]+")
_CELL_SPLIT = re.compile(r"\t| {2,}| \| ")
_WIDE_SPLIT = re.compile(r"\t| {3,}| \| ")
_LEVEL = r"(tuyệt mật|tối mật|mật)"
_NOT_PROSE_AFTER = r"(?!\s*(khẩu|độ|mã|thư|thiết|báo|ong|ngọt))"

_FIELD = re.compile(rf"(?:^|[\t|;,]\s*|\s{{2,}})(?:mức\s+)?độ\s+mật\s*[:：=]\s*{_LEVEL}{_NOT_PROSE_AFTER}(?=$|\W)")
_FIELD_NAME = re.compile(r"^(?:mức\s+)?độ\s+mật\s*[:：]?$")
_DECLARED = re.compile(
    r"(tài liệu|văn bản|hồ sơ|báo cáo|tệp|file|nội dung|thông tin)\s+(này|đính kèm|kèm theo|gửi kèm)\b"
    rf".{{0,80}}?\b(thuộc|là|có|mang|ở)\s+(danh mục\s+)?(bí mật nhà nước|bmnn)\b.{{0,30}}?"
    rf"\b(độ|mức độ|mức|cấp độ)\s+{_LEVEL}{_NOT_PROSE_AFTER}(?=$|\W)"
    rf"|(tài liệu|văn bản|hồ sơ)\s+(này|đính kèm|kèm theo|gửi kèm)\s+(là|thuộc)\s+(tài liệu|văn bản)\s+"
    rf"(?:độ\s+)?{_LEVEL}{_NOT_PROSE_AFTER}(?=$|\W)"
    rf"|(tài liệu|văn bản|hồ sơ)\s+(này|đính kèm|kèm theo|gửi kèm)\b.{{0,40}}?\b(có|mang|ở)\s+(mức\s+)?độ\s+mật"
    rf"\s*[:：]?\s*{_LEVEL}{_NOT_PROSE_AFTER}(?=$|\W)"
)
_SUBJECT_TAG = re.compile(rf"[\[(【«<{{]\s*{_LEVEL}\s*[\])】»>}}]")
_SUBJECT_PREFIX = re.compile(r"^\s*(TUYỆT MẬT|TỐI MẬT|MẬT)\s*[:\-–—|/]")
_ENVELOPE = re.compile(r"^chỉ người có tên mới được bóc bì\b")
_PROTECTION_TERM = re.compile(r"^thời hạn bảo vệ bí mật nhà nước\s*(:|đến|là|\d)")
_RECALL = re.compile(r"^tài liệu thu hồi$")
_COPY_NUMBER = re.compile(r"^bản số\s*[:.]?\s*\d+")


@dataclass(frozen=True)
class _Line:
    text: str  # normalised, original case
    folded: str
    legacy: bool
    cells: tuple[_Line, ...] = ()


def _make(text: str, legacy: bool, cells: tuple[_Line, ...] = ()) -> _Line:
    return _Line(text, fold(text), legacy, cells)


_SQUEEZE = re.compile(r"[\s.\-·_*|]+")
_KEYWORDS = ("mật", "bócbì", "thuhồi", "bảnsố")


def _may_hold_a_mark(line: str) -> bool:
    """A cheap first look: every rule needs one of a few words, whatever the spacing."""
    for reading in (line, *legacy_readings(line)):
        squeezed = _SQUEEZE.sub("", fold(reading))
        if any(keyword in squeezed for keyword in _KEYWORDS):
            return True
    return False


def _cell_split(line: str) -> re.Pattern[str]:
    """Two spaces separate cells, except in a letter-spaced line, where they separate words."""
    tokens = line.split()
    letter_spaced = len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) / len(tokens) > 0.6
    return _WIDE_SPLIT if letter_spaced else _CELL_SPLIT


_SKIPPED = _Line("", "", False)  # a line with no mark in it: it only breaks "label, then value" pairs


def _lines(text: str) -> Iterator[_Line]:
    """Each line twice over: as a whole (letter-spaced words rejoined), and as its cells
    (split at tabs and wide gaps, as tables and page layouts leave them)."""
    for raw in text.split("\n"):
        cleaned = clean(raw)
        if not cleaned.strip():
            continue
        if not _may_hold_a_mark(cleaned):
            yield _SKIPPED
            continue
        raw_cells = [c for c in _cell_split(cleaned).split(cleaned) if c.strip()]
        variants = [(normalise_line(cleaned), [normalise_line(c) for c in raw_cells], False)]
        for reading in legacy_readings(cleaned):
            variants.append((normalise_line(reading), [normalise_line(c) for c in _cell_split(reading).split(reading)
                                                       if c.strip()], True))
        for whole, cells, legacy in variants:
            yield _make(whole, legacy, tuple(_make(c, legacy) for c in cells if c))


def _stamp_level(cell: _Line) -> str | None:
    """The level if this cell is a stamp: the level alone, in capitals, maybe framed."""
    core = cell.text.strip(_FRAME)
    key = _NOT_LETTERS.sub("", fold(core))
    if key not in _LEVEL_KEYS:
        return None
    letters = [ch for ch in core if ch.isalpha()]
    # A stamp is in capitals; "Mật" alone is a word in a list. Two capitals or more is a stamp, so
    # "MẬt" or "mẬT" do not slip through, and TCVN3 text (marks decoded lower-case) still counts.
    capitals = sum(ch.isupper() for ch in letters)
    return _LEVEL_KEYS[key] if capitals >= 2 or (cell.legacy and capitals >= 1 and letters[0].isupper()) else None


def _evidence(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


def find_marks(part: TextPart) -> list[Finding]:
    """Every mark in one readable part, with the line that shows it."""
    findings: list[Finding] = []
    recall_line: str | None = None
    copy_number = False
    seen: set[tuple[str, str]] = set()

    def hit(rule: str, evidence: str) -> None:
        if (rule, evidence) not in seen:
            seen.add((rule, evidence))
            findings.append(Finding(rule, part.where, _evidence(evidence)))

    label_line: str | None = None
    for line in _lines(part.text):
        if line is _SKIPPED:
            label_line = None
            continue
        if label_line is not None and fold(line.text.strip(_FRAME)) in LEVELS:
            hit("classification-field", f"{label_line} {line.text}")
        label_line = line.text if _FIELD_NAME.match(line.folded.strip()) else None
        if part.kind == "subject" and (_SUBJECT_TAG.search(line.folded) or _SUBJECT_PREFIX.search(line.text)):
            hit("subject-tag", line.text)
        cells = list(line.cells)
        if _stamp_level(line):
            hit("classification-stamp", line.text)
        for index, cell in enumerate(cells):
            level = _stamp_level(cell)
            if level:
                hit("classification-stamp", line.text)
            if _FIELD_NAME.match(cell.folded) and index + 1 < len(cells) and \
                    fold(cells[index + 1].text.strip(_FRAME)) in LEVELS:
                hit("classification-field", line.text)
            if _ENVELOPE.match(cell.folded) or _PROTECTION_TERM.match(cell.folded):
                hit("companion-stamp", line.text)
            if _RECALL.match(cell.folded.strip(_FRAME)) and cell.text.isupper():
                recall_line = line.text
            if _COPY_NUMBER.match(cell.folded):
                copy_number = True
            if _FIELD.search(cell.folded):
                hit("classification-field", line.text)
        if _FIELD.search(line.folded):
            hit("classification-field", line.text)
        if _DECLARED.search(line.folded):
            hit("declared-secret", line.text)
    if recall_line and copy_number:
        hit("companion-stamp", recall_line)
    return findings
