"""SpreadsheetML worksheets, streamed: the cells that exist (never padded to the dimension a sheet
claims), one line per row with cells separated by tabs, shared strings resolved, formulas without
a cached value read for their literal text, and print headers and footers."""

from __future__ import annotations

import re

from policies.extract.base import Budget
from policies.extract.xmltext import feed, make_parser

_HEADER_FOOTER = frozenset({"oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"})
# &L &C &R start a section; &"font,style", &12 (size), &K0000FF (colour) and &P &N &D &T &F &A &B &I &U &S &X &Y &E
# are codes, not text.
_HF_SECTION = re.compile(r"&[LCR]")
_HF_CODE = re.compile(r'&"[^"]*"|&\d+|&K[0-9A-Fa-f]{6}|&K\d\d[+-]\d{3}|&[PNDTFABIUSXYEGZ]|&&')
_STRING = re.compile(r'"((?:[^"]|"")*)"')
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ONLY_LITERALS = re.compile(r'^=?\s*(?:CONCATENATE\(|CONCAT\()?\s*(?:"(?:[^"]|"")*"\s*[&,;]?\s*)+\)?\s*$', re.I)


def header_footer_text(code: str) -> str:
    """'&L&"Arial,Bold"UBND&CTỐI MẬT&R&P' -> 'UBND\\tTỐI MẬT\\t' (sections become cells)."""
    sections = _HF_SECTION.split(code.replace("&&", "\x00"))
    return "\t".join(_HF_CODE.sub("", s).replace("\x00", "&") for s in sections)


_CHAR_CALL = re.compile(r"(?:UNICHAR|CHAR|_xlfn\.UNICHAR)\(\s*(\d{1,7})\s*\)", re.I)
_CASE_CALL = re.compile(r"\b(?:_xlfn\.)?(UPPER|LOWER|PROPER)\(", re.I)


def formula_text(formula: str) -> str:
    """The text a formula of string literals shows ('="TỐI "&"MẬT"' -> 'TỐI MẬT', 'UPPER("tối mật")',
    'UNICHAR(7888)' as its letter); for any other formula, its literals side by side."""
    formula = _CHAR_CALL.sub(lambda m: '"' + chr(min(int(m.group(1)), 0x10FFFF)) + '"', formula)
    case = _CASE_CALL.search(formula)
    text = _literals(_CASE_CALL.sub("CONCAT(", formula))
    if case:
        text = {"UPPER": text.upper(), "LOWER": text.lower(), "PROPER": text.title()}[case.group(1).upper()]
    return text


def _literals(formula: str) -> str:
    literals = [m.group(1).replace('""', '"') for m in _STRING.finditer(formula)]
    if literals and _ONLY_LITERALS.match(formula.strip()):
        return "".join(literals)
    return "  ".join(literals)


class _Sheet:
    def __init__(self, shared: list[str], budget: Budget) -> None:
        self.shared = shared
        self.budget = budget
        self.lines: list[str] = []
        self.row: list[str] = []
        self.cell_type = ""
        self.value: list[str] = []
        self.formula: list[str] = []
        self.inline: list[str] = []
        self.header: list[str] = []
        self.other: list[str] = []
        self.where = ""  # the element whose character data is being collected

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "c":
            self.cell_type = attributes.get("t", "")
            self.value, self.formula, self.inline = [], [], []
        elif local in ("v", "f", "t") or local in _HEADER_FOOTER:
            self.where = local
            if local in _HEADER_FOOTER:
                self.header = []
        else:
            self.where = local
            self.other = []
        self.lines.extend(v for v in attributes.values() if _NON_ASCII.search(v))

    def end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local == "c":
            self.budget.cell()
            self.row.append(self._cell_text())
            self.budget.text(len(self.row[-1]))
        elif local == "row":
            if any(self.row):
                self.lines.append("\t".join(self.row))
            self.row = []
        elif local in _HEADER_FOOTER:
            self.lines.append(header_footer_text("".join(self.header)))
        elif local == self.where and "".join(self.other).strip():
            self.lines.append("".join(self.other))  # validation lists, names: text outside the cells
        if local == self.where:
            self.where = ""

    def data(self, text: str) -> None:
        if self.where == "v":
            self.value.append(text)
        elif self.where == "f":
            self.formula.append(text)
        elif self.where == "t":
            self.inline.append(text)
        elif self.where in _HEADER_FOOTER:
            self.header.append(text)
        elif self.where:
            self.other.append(text)

    def _cell_text(self) -> str:
        value = "".join(self.value)
        if self.cell_type == "s" and value.strip().isdigit():
            index = int(value)
            value = self.shared[index] if index < len(self.shared) else ""
        elif self.cell_type == "inlineStr":
            value = "".join(self.inline)
        formula = "".join(self.formula)
        if formula:
            literal = formula_text(formula)
            if not value:
                return literal
            if literal and literal != value:
                return f"{value}  {literal}"
        return value


def shared_strings(data: bytes, name: str) -> list[str]:
    """The shared string table in order: one entry per <si>, runs joined."""
    strings: list[str] = []
    current: list[str] = []
    depth = {"si": 0, "t": 0, "rPh": 0}

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local in depth:
            depth[local] += 1
        if local == "si":
            current.clear()

    def end(tag: str) -> None:
        local = tag.rpartition(" ")[2]
        if local in depth:
            depth[local] -= 1
        if local == "si":
            strings.append("".join(current))

    def text(text: str) -> None:
        if depth["si"] and depth["t"] and not depth["rPh"]:  # phonetic guides are read as lines below
            current.append(text)

    feed(make_parser(start, end, text), data, name)
    return strings


def sheet_lines(data: bytes, name: str, shared: list[str], budget: Budget) -> list[str]:
    sheet = _Sheet(shared, budget)
    feed(make_parser(sheet.start, sheet.end, sheet.data), data, name)
    return sheet.lines


