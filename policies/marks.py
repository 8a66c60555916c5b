"""State-secret marks (Luật Bảo vệ bí mật nhà nước; Nghị định 26/2020, Thông tư 24/2020): what
is a mark, as opposed to a mention.

A mark is the stamp itself: a line or table cell that IS "MẬT", "TỐI MẬT" or "TUYỆT MẬT" in
capitals; the subject tag "[MẬT]"; the field "Độ mật: Mật"; a covering note declaring the
attached document secret; the companion stamps. Prose that talks about secrets, passwords
(mật khẩu), security (bảo mật), density (mật độ) or urgency (KHẨN, HỎA TỐC) is not a mark.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from policies.legacy_vn import legacy_readings
from policies.normalise import clean, fold, normalise_cleaned, normalise_line
from policies.types import Finding, TextPart

LEVELS = ("tuyệt mật", "tối mật", "mật")
_LEVEL_KEYS = {level.replace(" ", ""): level for level in LEVELS}
_FRAME = " \t|[](){}<>«»“”\"'*_=~#+-–—:;.,!•·●○■□▪▫►◄※【】〔〕│┃║═─━┌┐└┘╔╗╚╝"
_NOT_LETTERS = re.compile(r"[\W_\d]+")
_CELL_SPLIT = re.compile(r"\t| {2,}| \| ")
_WIDE_SPLIT = re.compile(r"\t| {3,}| \| ")
_LEVEL = r"(tuyệt mật|tối mật|mật)"
_NOT_PROSE_AFTER = r"(?!\s*(khẩu|độ|mã|thư|thiết|báo|ong|ngọt|mía|lệnh|hiệu|thám|vụ|đàm|ước))"

_FIELD = re.compile(rf"(?:^|[\t|;,]\s*|\s{{2,}})(?:(?:mức|muc)\s+)?(?:độ|do)[\s_]+(?:mật|mat)\s*[:：=]\s*{_LEVEL}"
                    rf"{_NOT_PROSE_AFTER}(?=$|\W)")
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
_SUBJECT_PREFIX = re.compile(r"^\s*(TUYỆT MẬT|TỐI MẬT|MẬT|TUYET MAT|TOI MAT)\s*[:\-–—|/]")
_SUBJECT_SUFFIX = re.compile(r"\s[-–—|:/]\s*\(?(TUYỆT MẬT|TỐI MẬT|MẬT|TUYET MAT|TOI MAT)\)?\s*$")
_ASCII_TAG = re.compile(r"[\[(【«<{]\s*(TUYET MAT|TOI MAT|MAT)\s*[\])】»>}]")
# What mail clients put before a subject when answering or forwarding (English, Vietnamese Outlook, others)
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd|tl|tr|trả lời|chuyển tiếp|aw|wg|sv|vs|rv|r|i)\s*(?:\[\d+\])?\s*:\s*)+",
                           re.IGNORECASE)
_LEVEL_LIST_AFTER = re.compile(r"\s*(?:,|;|/|và|hoặc|hay)\s*(?:độ\s+)?(?:tuyệt mật|tối mật|mật)\b")
_ENVELOPE = re.compile(r"^chỉ người có tên mới được bóc bì\b")
_PROTECTION_TERM = re.compile(r"^thời hạn bảo vệ bí mật nhà nước\s*(:|đến|\d)")
_RECALL = re.compile(r"^tài liệu thu hồi$")
_COPY_NUMBER = re.compile(r"^bản số\s*[:.]?\s*\d+")


@dataclass(frozen=True)
class _Line:
    text: str  # normalised, original case
    folded: str
    legacy: bool
    cells: tuple[_Line, ...] = ()
    skipped: bool = False  # holds no mark word: only its words are kept, to join a sentence wrapped onto it


def _make(text: str, legacy: bool, cells: tuple[_Line, ...] = ()) -> _Line:
    return _Line(text, fold(text), legacy, cells)


_SQUEEZE = re.compile(r"[\s.\-·_*|]+")
_KEYWORDS = ("mật", "bócbì", "thuhồi", "bảnsố")


def _may_hold_a_mark(line: str) -> bool:
    """A cheap first look: every rule needs one of a few words, whatever the spacing. Each word has a
    letter beyond ASCII, and a line of ASCII alone has no legacy reading: such a line holds none."""
    if line.isascii():
        return False
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


_LONG_LINE = 4000


def _split_long(text: str) -> str:
    """A very long line (a whole file without line breaks) is cut at spaces into pieces that overlap,
    so every rule, each of which looks at most a few hundred characters, still sees every place."""
    if len(text) < _LONG_LINE or all(len(line) < _LONG_LINE for line in text.split("\n")):
        return text
    out: list[str] = []
    for line in text.split("\n"):
        start = 0
        while len(line) - start > _LONG_LINE:
            cut = line.rfind(" ", start + _LONG_LINE // 2, start + _LONG_LINE)
            cut = cut if cut > start else start + _LONG_LINE
            out.append(line[start:cut])
            start = max(start + 1, cut - 300)  # overlap: a field split by the cut is seen whole in the next piece
        out.append(line[start:])
    return "\n".join(out)


def _bare(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _lines(text: str, lenient: bool = False) -> Iterator[_Line]:
    """Each line twice over: as a whole (letter-spaced words rejoined), and as its cells
    (split at tabs and wide gaps, as tables and page layouts leave them)."""
    for cleaned in _split_long(clean(text)).split("\n"):
        if not cleaned.strip():
            continue
        if not _may_hold_a_mark(cleaned) and not (lenient and "MAT" in _bare(cleaned).upper()):
            yield _Line(cleaned, "", False, (), True)
            continue
        raw_cells = [c for c in _cell_split(cleaned).split(cleaned) if c.strip()]
        variants = [(normalise_cleaned(cleaned), [normalise_cleaned(c) for c in raw_cells], False)]
        for reading in legacy_readings(cleaned):
            variants.append((normalise_cleaned(reading), [
                normalise_cleaned(c) for c in _cell_split(reading).split(reading) if c.strip()], True))
        for whole, cells, legacy in variants:
            yield _make(whole, legacy, tuple(_make(c, legacy) for c in cells if c))


_PASSES_FOR_I = str.maketrans({"l": "I", "1": "I", "|": "I", "\u01c0": "I", "!": "I", "ı": "I"})


def _stamp_level(cell: _Line) -> str | None:
    """The level if this cell is a stamp: the level alone, in capitals, maybe framed."""
    core = cell.text.strip(_FRAME)
    key = _NOT_LETTERS.sub("", fold(core))
    if key not in _LEVEL_KEYS:
        # 'TỐl MẬT', 'TỐ1 MẬT', 'TỐ| MẬT': a small l, a one, a bar pass for a capital I
        key = _NOT_LETTERS.sub("", fold(core.translate(_PASSES_FOR_I)))
        if key not in _LEVEL_KEYS:
            return None
    letters = [ch for ch in core if ch.isalpha()]
    # A stamp is in capitals; "Mật" alone is a word in a list. Two capitals or more is a stamp, so
    # "MẬt" or "mẬT" do not slip through, and TCVN3 text (marks decoded lower-case) still counts.
    capitals = sum(ch.isupper() for ch in letters)
    return _LEVEL_KEYS[key] if capitals >= 2 or (cell.legacy and capitals >= 1 and letters[0].isupper()) else None


def _evidence(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


_NAME_SEPARATORS = re.compile(r"[_+]+")
_NAME_START = re.compile(rf"^\W*(TUYỆT MẬT|TỐI MẬT|MẬT){_NOT_PROSE_AFTER}(?=$|[\W_])", re.IGNORECASE)
_NAME_END = re.compile(r"(?:^|(\s[-–—:|/]\s?|[(\[{,;.]|\s{2,})\W*|(?<=[^\W\d_]) )(TUYỆT MẬT|TỐI MẬT|MẬT)\W*$")


def _file_name_marks(name: str) -> list[str]:
    """A file named for its stamp: 'TỐI MẬT.docx', 'MẬT - Kế hoạch.pdf', 'Báo cáo (MẬT).docx',
    'Kế hoạch TỐI MẬT.docx'. A name that merely mentions secrecy ('Quy chế bảo mật.docx',
    'QUY CHẾ BẢO MẬT.docx', 'Đổi mật khẩu.txt') is not one."""
    stem, dot, suffix = name.rpartition(".")
    stem = stem if dot and 0 < len(suffix) <= 8 and suffix.isalnum() else name
    line = normalise_line(_NAME_SEPARATORS.sub(" ", stem))
    hits = []
    start = _NAME_START.match(line)
    if (start and start.group(1).isupper()) or _SUBJECT_TAG.search(fold(line)):
        hits.append(line)
    end = _NAME_END.search(line)
    if end:
        before = line[: end.start(2)].rstrip(" -–—:|/([{,;.")
        last_word = before.split()[-1] if before.split() else ""
        # 'BẢO MẬT' in an all-capitals title is a word, not a stamp; after a lower-case word it stands out
        if end.group(2) != "MẬT" or not last_word or not last_word.isupper() or end.group(1):
            hits.append(line)
    return hits


def _ocr_stamp(cell: _Line) -> bool:
    """OCR often loses Vietnamese marks ('TOI MAT', 'TÔI MẬT'): in a scan, a line or cell that is the
    level alone, in capitals, with marks stripped, is read as the stamp."""
    core = cell.text.strip(_FRAME)
    letters = [ch for ch in core if ch.isalpha()]
    if len(letters) < 3 or sum(ch.isupper() for ch in letters) < len(letters) - 1:
        return False
    return _bare("".join(letters)).upper().replace("Đ", "D") in ("MAT", "TOIMAT", "TUYETMAT")


def _declared(folded: str) -> bool:
    """A covering note that declares the document secret, not a sentence listing the levels."""
    return any(not _LEVEL_LIST_AFTER.match(folded, m.end()) for m in _DECLARED.finditer(folded))


def _subject_mark(line: _Line) -> bool:
    """A subject (or a file name) tagged with a level: '[MẬT] …', 'RE: TỐI MẬT: …', '… - TỐI MẬT',
    '[TUYET MAT] …' (typed without marks: in a tag, in capitals, it is still the level)."""
    text = _REPLY_PREFIX.sub("", line.text)
    return bool(_SUBJECT_TAG.search(line.folded) or _SUBJECT_PREFIX.search(text) or _SUBJECT_SUFFIX.search(text)
                or _ASCII_TAG.search(text))


_LENIENT_KINDS = ("ocr", "subject", "filename")  # marks are often lost there: 'TOI MAT' is read as the level


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

    if part.kind == "filename":
        for line_text in _file_name_marks(clean(part.text)):
            hit("file-name-mark", line_text)
    lenient = part.kind in _LENIENT_KINDS
    if not lenient and part.text.isascii():
        return findings  # every rule needs a word with a letter beyond ASCII, and ASCII has no legacy reading
    label_line: str | None = None
    pending: str | None = None  # "Độ mật:" then "Tối mật" on the next line: a field, unless more levels follow
    previous = ""
    previous_skipped: str | None = None  # a skipped line's text, normalised only if the next line needs it
    for line in _lines(part.text, lenient=lenient):
        bare_level = not line.skipped and fold(line.text.strip(_FRAME)) in LEVELS
        if pending is not None and not bare_level:
            hit("classification-field", pending)
        pending = None
        if line.skipped:
            label_line, previous, previous_skipped = None, "", line.text
            continue
        if label_line is not None and bare_level:
            pending = f"{label_line} {line.text}"  # a list of the levels under a heading is not a field
        label_line = line.text if _FIELD_NAME.match(line.folded.strip()) else None
        if part.kind in ("subject", "filename") and _subject_mark(line):
            hit("subject-tag", line.text)
        cells = list(line.cells)
        if _stamp_level(line) or (part.kind == "ocr" and (_ocr_stamp(line) or any(map(_ocr_stamp, cells)))):
            hit("classification-stamp", line.text)
        for index, cell in enumerate(cells):
            level = _stamp_level(cell)
            if level:
                hit("classification-stamp", line.text)
            if _FIELD_NAME.match(cell.folded) and index + 1 < len(cells) and \
                    fold(cells[index + 1].text.strip(_FRAME)) in LEVELS and not (
                    index + 2 < len(cells) and fold(cells[index + 2].text.strip(_FRAME)) in LEVELS):
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
        if _declared(line.folded):
            hit("declared-secret", line.text)
        else:
            if previous_skipped is not None:
                previous = fold(normalise_cleaned(previous_skipped))
            if previous and _declared(f"{previous} {line.folded}"):
                hit("declared-secret", line.text)  # a covering note wrapped by the mail client mid-sentence
        previous, previous_skipped = line.folded, None
    if pending is not None:
        hit("classification-field", pending)
    if recall_line and copy_number:
        hit("companion-stamp", recall_line)
    return findings
