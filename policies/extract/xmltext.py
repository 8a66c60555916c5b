"""The text of any XML dialect, streamed (expat, no entities, no external references), one line
per paragraph-like element.

One reader serves WordprocessingML, DrawingML, SpreadsheetML comments and shared strings,
OpenDocument, SVG, XPS, Word 2003 XML and XHTML, in their Transitional and Strict namespaces
alike, because it goes by local names. Inside Office Open XML only run text (``t``, ``delText``)
joins a paragraph: other character data there (``posOffset``, field codes, cached numbers) is
put on a line of its own, so it can never glue onto the words of a stamp. Attribute values that
hold non-ASCII text (alt text ``descr``, ``title``, XPS ``UnicodeString``) are lines of their own:
a mark always has a non-ASCII letter (Ậ, Ố, Ệ, or a legacy or look-alike form of one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.parsers import expat

from policies.extract.base import DocumentError

OOXML_NAMESPACES = ("http://schemas.openxmlformats.org/", "http://purl.oclc.org/ooxml/",
                    "http://schemas.microsoft.com/office/")
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# Dialects whose elements are formatting, not data fields: their text is read as paragraphs only.
_TEXT_DIALECTS = ("urn:oasis:names:tc:opendocument:", "http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg",
                  "http://schemas.microsoft.com/xps/", "http://schemas.openxps.org/", *OOXML_NAMESPACES)
BLOCKS = frozenset({
    "p", "h", "si", "tr", "row", "Glyphs", "text", "title", "desc", "li", "comment", "pt", "txbxContent",
    "div", "caption", "td", "th", "tc", "table-cell", "dd", "dt", "note-citation", "tab-leader", "office-annotation",
    "annotation", "oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter", "property",
    "lpwstr", "lpstr", "bstr", "string", "label", "frame", "br-block",
})
BREAKS = frozenset({"br", "cr", "line-break"})
TABS = frozenset({"tab"})
RUN_TEXT = frozenset({"t", "delText"})
_CHUNK = 1 << 16
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


_QUOTED = re.compile(r'"([^"\n]{1,200})"')
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


_UNSHOWN_OPTIONS = frozenset({"listItem"})
_SYMBOL_FONTS = ("wingdings", "webdings", "symbol", "marlett", "zapf")


def _symbol(attributes: dict[str, str]) -> str:
    font = next((v for k, v in attributes.items() if k.endswith(" font")), "").lower()
    code = next((v for k, v in attributes.items() if k.endswith(" char")), "")
    try:
        char = chr(int(code, 16))
    except ValueError:
        return "□"
    if font.startswith(_SYMBOL_FONTS) or 0xE000 <= ord(char) <= 0xF8FF:
        return "□"
    return char


def _quoted(text: str) -> list[str]:
    return [m.group(1) for m in _QUOTED.finditer(text) if _NON_ASCII.search(m.group(1))]


def _element_name(local: str) -> str:
    """'Do_x0020_mat' -> 'Do mat': names as document-management systems escape them."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), local).replace("_", " ")


def _is_ooxml(namespace: str) -> bool:
    return namespace.startswith(OOXML_NAMESPACES)


_OFF = ("0", "false", "off")
_HIDDEN = frozenset({"vanish", "specVanish", "webHidden"})
_NOT_SHOWN = frozenset({"delText", "del", "rt", "moveFrom"})  # deleted (tracked) text, ruby guides


class _Collector:
    """``caps_styles``: the names of styles that show their text in capitals (Word's caps and
    smallCaps, OpenDocument's text-transform), so lower-case text a reader sees as 'TỐI MẬT' is
    read as it is shown."""

    def __init__(self, caps_styles: frozenset[str] = frozenset(), shown_only: bool = False,
                 hidden_styles: frozenset[str] = frozenset()) -> None:
        self.caps_styles = caps_styles
        self.hidden_styles = hidden_styles
        self.hidden_depth: list[bool] = []
        self.shown_only = shown_only  # leave out hidden runs, tracked deletions and ruby guides
        self.run_hidden = False
        self.skip_depth = 0
        self.paragraph_caps = False
        self.run_caps: bool | None = None
        self.caps_depth: list[bool] = []
        self.lines: list[str] = []
        self.block: list[str] = []
        self.stack: list[tuple[str, str, list[str] | None]] = []  # (namespace, local name, side text)
        self.children: list[int] = []  # child elements seen, per open element
        self.own: list[list[str]] = []  # each open element's own character data

    def flush(self) -> None:
        if self.block:
            text = "".join(self.block)
            if text.strip():
                self.lines.append(text)
            self.block = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if local == "sym":  # Word's inserted symbol: a letter in a text font, a box or tick in a symbol font
            self.block.append(_symbol(attributes))
        if local in _UNSHOWN_OPTIONS:
            attributes = {}  # a drop-down's choices are not shown; the chosen value is the control's text
        for value in attributes.values():
            if _NON_ASCII.search(value):
                self.lines.append(value)
                self.lines.extend(_quoted(value))  # number formats, field codes: '"TỐI MẬT"@' shows TỐI MẬT
        self._capitals(local, attributes)
        if local in BLOCKS:
            self.flush()
        elif local in BREAKS:
            self.block.append("\n")
        elif local in TABS:
            self.block.append("\t")
        elif local == "s" and namespace == ODF_TEXT:
            count = attributes.get(f"{ODF_TEXT} c", "1")
            self.block.append(" " * min(int(count) if count.isdigit() else 1, 64))
        self.stack.append((namespace, local, [] if _is_ooxml(namespace) and local not in RUN_TEXT else None))
        self.own.append([])
        self.children.append(0)
        if len(self.children) > 1:
            self.children[-2] += 1

    def _capitals(self, local: str, attributes: dict[str, str]) -> None:
        value = next((v for k, v in attributes.items() if k.endswith(" val")), "")
        style = next((v for k, v in attributes.items() if k.endswith(" style-name")), None)
        if local == "p":
            self.paragraph_caps = False
        elif local == "pStyle":
            self.paragraph_caps = value in self.caps_styles
        elif local == "r":
            self.run_caps = None
            self.run_hidden = False
        elif local in _HIDDEN and self.stack and self.stack[-1][1] == "rPr":
            self.run_hidden = value.lower() not in _OFF
        elif local == "rStyle" and value in self.caps_styles:
            self.run_caps = True
        elif local in ("caps", "smallCaps") and self.stack and self.stack[-1][1] == "rPr":
            self.run_caps = value.lower() not in _OFF
        elif local in ("rPr", "defRPr") and attributes.get("cap") in ("all", "small"):
            self.run_caps = True  # DrawingML (slides, shapes)
        self.caps_depth.append(style in self.caps_styles if style else False)
        self.hidden_depth.append(style in self.hidden_styles if style else False)
        if local in _NOT_SHOWN:
            self.skip_depth += 1

    def _shown(self, text: str) -> str:
        run = self.run_caps if self.run_caps is not None else self.paragraph_caps
        return text.upper() if run or any(self.caps_depth) else text

    def end(self, name: str) -> None:
        self.caps_depth.pop()
        self.hidden_depth.pop()
        if name.rpartition(" ")[2] in _NOT_SHOWN:
            self.skip_depth -= 1
        namespace, local, side = self.stack.pop()
        leaf = self.children.pop() == 0
        own = "".join(self.own.pop()).strip()
        if side:
            text = "".join(side)
            if text.strip():
                self.lines.append(text)
                self.lines.extend(_quoted(text))  # field codes: QUOTE "TỐI MẬT" shows TỐI MẬT
        elif leaf and own and not namespace.startswith(_TEXT_DIALECTS) and _NON_ASCII.search(own):
            # data-like XML (document-management fields, custom XML, XFA): 'Do_x0020_mat' = 'Tối mật'
            self.lines.extend((f"{_element_name(local)}: {own}", own))
        if local in BLOCKS:
            self.flush()

    def data(self, text: str) -> None:
        if self.shown_only and (self.run_hidden or self.skip_depth or any(self.hidden_depth)):
            return
        if self.caps_styles or self.run_caps:
            text = self._shown(text)
        if self.own:
            self.own[-1].append(text)
        if self.stack and self.stack[-1][2] is not None:
            self.stack[-1][2].append(text)
        else:
            self.block.append(text)


def _forbid_entities(*_: object) -> None:
    raise DocumentError("the XML declares entities (refused: a known way to make a parser explode)")


def make_parser(start: Callable[[str, dict[str, str]], None], end: Callable[[str], None],
                data: Callable[[str], None]) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _forbid_entities
    parser.ExternalEntityRefHandler = lambda *_: 0
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.buffer_text = True
    return parser


def feed(parser: expat.XMLParserType, data: bytes, name: str) -> None:
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.Parse(data[offset: offset + _CHUNK], False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise DocumentError(f"{name} is not well-formed XML ({exc.args[0] if exc.args else 'error'})") from exc


def xml_lines(data: bytes, name: str = "the XML", caps_styles: frozenset[str] = frozenset(),
              shown_only: bool = False, hidden_styles: frozenset[str] = frozenset()) -> list[str]:
    """Every line of text an XML document shows, and its non-ASCII attribute values. An ASCII
    document without character references cannot hold a mark (every mark has a non-ASCII letter):
    it is not parsed at all, which spares the large style and settings parts of every Office file."""
    if data.isascii() and b"&#" not in data:
        return []
    collector = _Collector(caps_styles, shown_only, hidden_styles)
    feed(make_parser(collector.start, collector.end, collector.data), data, name)
    collector.flush()
    return collector.lines


class _Root(Exception):
    pass


def xml_root(data: bytes) -> tuple[str, str]:
    """(namespace, local name) of the root element, reading no further than it."""
    found: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        found.append(name)
        raise _Root

    parser = make_parser(start, lambda name: None, lambda text: None)
    try:
        parser.Parse(data[:_CHUNK], len(data) <= _CHUNK)
    except _Root:
        pass
    except expat.ExpatError:
        return "", ""
    if not found:
        return "", ""
    namespace, _, local = found[0].rpartition(" ")
    return namespace, local


def looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return True
    return head.startswith((b"<?xml", b"<!--", b"<!DOCTYPE", b"<svg", b"<w:", b"<html", b"<HTML")) or bool(
        re.match(rb"<[A-Za-z_][\w.:-]*[\s>/]", head))


_CAPS = re.compile(rb"<(?:\w+:)?(?:caps|smallCaps)\b(?![^>]*val=\"(?:0|false|off)\")"
                   rb"|fo:text-transform=\"uppercase\"|fo:font-variant=\"small-caps\"")
_HIDDEN_STYLE = re.compile(rb"text:display=\"none\"|<(?:\w+:)?vanish\b(?![^>]*val=\"(?:0|false|off)\")")
_STYLE_NAME = re.compile(rb"(?:styleId|style:name)=\"([^\"]+)\"")


def capital_styles(parts: list[bytes]) -> frozenset[str]:
    """Names of the styles (Word or OpenDocument) that show text in capitals: for each capitals
    setting, the style whose definition it stands in."""
    return _styles_with(_CAPS, parts)


def hidden_styles(parts: list[bytes]) -> frozenset[str]:
    """Names of the styles that hide their text (OpenDocument's display none, Word's vanish)."""
    return _styles_with(_HIDDEN_STYLE, parts)


def _styles_with(setting: re.Pattern[bytes], parts: list[bytes]) -> frozenset[str]:
    names: set[str] = set()
    for data in parts:
        for match in setting.finditer(data):
            opening = max(data.rfind(b"<w:style ", 0, match.start()), data.rfind(b"<style:style ", 0, match.start()))
            if opening < 0 or data.rfind(b"style>", opening, match.start()) >= 0:
                continue  # not inside a style definition (document defaults, a run of its own)
            name = _STYLE_NAME.search(data, opening, match.start())
            if name:
                names.add(name.group(1).decode("utf-8", "replace"))
    return frozenset(names)


_HIDING = re.compile(rb"vanish|delText|moveFrom|<(?:\w+:)?rt\b|webHidden")


def has_hidden_text(data: bytes) -> bool:
    """Whether a Word part hides text (hidden runs, tracked deletions, ruby guides): then it is read
    twice, as stored and as shown, since hidden letters inside a stamp would otherwise break it."""
    return _HIDING.search(data) is not None
