"""HTML to text with the structure kept: a block or row per line, cells separated by tabs."""

from __future__ import annotations

import base64
import binascii
import re
from html.parser import HTMLParser
from urllib.parse import unquote_to_bytes

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
           "section", "article", "header", "footer", "title", "ul", "ol", "hr", "center"}
_CELLS = {"td", "th"}
_SKIP = {"style"}
_SHOWN_ATTRIBUTES = {"alt", "title", "value", "placeholder", "aria-label", "label", "content", "summary"}
_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,", re.I)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TextParser(HTMLParser):
    def __init__(self, shown_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.shown_only = shown_only  # leave out elements a style hides (display:none, font-size:0)
        self.hidden: list[bool] = []
        self.out: list[str] = []
        self.skip = 0
        self.embedded: list[tuple[str, bytes]] = []  # (content type, bytes) of data: URIs

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.shown_only and tag not in _VOID:
            style = next((v for k, v in attrs if k == "style" and v), "")
            self.hidden.append(bool(_HIDES.search(style)) or (bool(self.hidden) and self.hidden[-1]))
        for name, value in attrs:
            if not value:
                continue
            if name in _SHOWN_ATTRIBUTES and value.strip():
                self.out.append(f"\n{value}\n")
            elif name == "srcdoc":  # an inline frame's own page
                shown, inline = html_read(value)
                self.out.append(f"\n{shown}\n")
                self.embedded.extend(inline)
            elif name == "style":
                self.out.extend(f"\n{text}\n" for text in _css_content(value))
            elif value.startswith(("data:", "DATA:")):
                self._data_uri(value)
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCKS:
            self.out.append("\n")
        elif tag in _CELLS:
            self.out.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if self.shown_only and tag not in _VOID and self.hidden:
            self.hidden.pop()
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_comment(self, data: str) -> None:
        if data.lstrip().lower().startswith("[if"):  # Outlook's conditional comments: Outlook shows them
            shown, inline = html_read(re.sub(r"^\s*\[if[^\]]*\]>|<!\[endif\]\s*$", "", data, flags=re.I))
            self.out.append(f"\n{shown}\n")
            self.embedded.extend(inline)

    def handle_data(self, data: str) -> None:
        if self.shown_only and self.hidden and self.hidden[-1]:
            return
        if self.skip:  # a style sheet: only the text it inserts (content: "…") is shown
            self.out.extend(f"\n{text}\n" for text in _css_content(data))
        else:
            self.out.append(" ".join(data.split(" ")).replace("\n", " "))


    def _data_uri(self, value: str) -> None:
        match = _DATA_URI.match(value)
        if not match:
            return
        payload = value[match.end():]
        try:
            data = base64.b64decode(re.sub(r"\s+", "", payload)) if match.group(3) else unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            data = b"\xff"  # undecodable: handed on as an unreadable binary, so it fails closed
        self.embedded.append(((match.group(1) or "text/plain").lower(), data))


_CSS_CONTENT = re.compile(r"""content\s*:\s*(["'])(.*?)\1""", re.S | re.I)
_CSS_CAPITALS = re.compile(r"text-transform\s*:\s*uppercase|font-variant(?:-caps)?\s*:\s*(?:all-)?small-caps", re.I)


_HIDES = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?\s*(?:px|pt|em|rem|%)?"
                    r"\s*(?:;|$|!|[\"'])", re.I)
_REVERSED = re.compile(r"<bdo\b[^>]*\brtl\b|bidi-override", re.I)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")


def _css_content(css: str) -> list[str]:
    """Text a style sheet inserts (content: "…", with CSS escapes such as \\1ED0 decoded)."""
    return [_CSS_ESCAPE.sub(lambda e: chr(min(int(e.group(1), 16), 0x10FFFF)), m.group(2))
            for m in _CSS_CONTENT.finditer(css)]


def html_read(html: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The text a browser shows (with alt and title texts, frames' pages, text that style sheets
    insert), and the files embedded as data: URIs. A page that shows text in capitals by style is
    read a second time in capitals."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = ("".join(parser.out)).split("\n")
    text = "\n".join(line.strip(" ") for line in lines if line.strip())
    if _CSS_CAPITALS.search(html):
        text += "\n" + text.upper()
    if _HIDES.search(html):  # read again as shown: hidden letters inside a stamp would break it apart
        shown = _TextParser(shown_only=True)
        shown.feed(html)
        shown.close()
        text += "\n" + "\n".join(line.strip(" ") for line in "".join(shown.out).split("\n") if line.strip())
    if _REVERSED.search(html):  # <bdo dir="rtl">, unicode-bidi: bidi-override: shown right to left
        text += "\n" + "\n".join(line[::-1] for line in text.split("\n"))
    return text, parser.embedded


def html_to_text(html: str) -> str:
    return html_read(html)[0]
