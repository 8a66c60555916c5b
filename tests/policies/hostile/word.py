"""Hostile Word (DOCX) files: renamed and Strict parts, alt chunks, embeddings, fields."""

from __future__ import annotations

import io
from collections.abc import Iterator

from tests.policies.hostile.common import (
    FIXTURES,
    NOTICE,
    PLAIN,
    R_NS,
    STAMPED,
    TRAINING,
    W_NS,
    XLSX_MIME,
    Case,
    _edit,
    _members,
    _png,
    _rename,
    _sub,
)
from tests.policies.hostile.excel import xlsx

# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

def docx(text: str = PLAIN, *, header: str | None = None, comment: str | None = None,
         picture: bool = False, split_runs: str | None = None) -> bytes:
    from docx import Document

    document = Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    if header is not None:
        document.sections[0].header.add_paragraph(header)
    if comment is not None:
        paragraph = document.paragraphs[1]
        document.add_comment(paragraph.runs, text=comment, author="Văn thư", initials="VT")
    if picture:
        document.add_picture(io.BytesIO(_png("tiny")))
    if split_runs is not None:
        paragraph = document.add_paragraph()
        for piece in split_runs:
            paragraph.add_run(piece)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_header_renamed() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _rename(p, "word/header1.xml", "word/hdrX.xml")
        _sub(p, "word/_rels/document.xml.rels", 'Target="header1.xml"', 'Target="hdrX.xml"')
        _sub(p, "[Content_Types].xml", "/word/header1.xml", "/word/hdrX.xml")
    return _edit(docx(PLAIN, header="TỐI MẬT"), edit)


def docx_main_renamed(decoy: bool = False) -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _rename(p, "word/document.xml", "word/main.xml")
        _rename(p, "word/_rels/document.xml.rels", "word/_rels/main.xml.rels")
        _sub(p, "_rels/.rels", 'Target="word/document.xml"', 'Target="word/main.xml"')
        _sub(p, "[Content_Types].xml", "/word/document.xml", "/word/main.xml")
        if decoy:  # an unreferenced clean part where a naive reader looks first
            p["word/document.xml"] = _members(docx(NOTICE))["word/document.xml"]
    return _edit(docx(STAMPED), edit)


def docx_strict() -> bytes:
    swaps = {W_NS: "http://purl.oclc.org/ooxml/wordprocessingml/main",
             R_NS: "http://purl.oclc.org/ooxml/officeDocument/relationships",
             "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main"}

    def edit(p: dict[str, bytes]) -> None:
        for name in list(p):
            if name.endswith((".xml", ".rels")):
                for old, new in swaps.items():
                    p[name] = p[name].replace(old.encode(), new.encode())
        _sub(p, "word/document.xml", "<w:document ", '<w:document w:conformance="strict" ', 1)
    return _edit(docx(STAMPED), edit)


def _docx_with_part(part: str, content: bytes, content_type: str, rel_type: str, body_xml: str) -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        p[f"word/{part}"] = content
        _sub(p, "word/_rels/document.xml.rels", "</Relationships>",
             f'<Relationship Id="rIdHostile" Type="{rel_type}" Target="{part}"/></Relationships>')
        _sub(p, "[Content_Types].xml", "</Types>",
             f'<Override PartName="/word/{part}" ContentType="{content_type}"/></Types>')
        _sub(p, "word/document.xml", "<w:sectPr", body_xml + "<w:sectPr", 1)
    return _edit(docx(PLAIN), edit)


def docx_altchunk(kind: str, text: str = "TỐI MẬT") -> bytes:
    if kind == "html":  # ordinary HTML (not XHTML), as HTML-to-DOCX tools write it
        chunk = (f'<html><head><meta charset="utf-8"></head><body><p align="center">{text}<br></p></body>'
                 "</html>").encode()
        part, content_type = "afchunk.htm", "text/html"
    else:
        chunk = b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0 T\\u7888?I M\\u7852?T\\par}"
        part, content_type = "afchunk.rtf", "application/rtf"
    return _docx_with_part(part, chunk, content_type, f"{R_NS}/aFChunk", '<w:altChunk r:id="rIdHostile"/>')


def docx_embedded(kind: str) -> bytes:
    if kind == "xlsx":
        data, part = xlsx([["Số: 45/BC-UBND"], ["TỐI MẬT"], ["Danh sách nhân sự"]]), "embeddings/Bang_tinh1.xlsx"
        content_type, rel, prog = XLSX_MIME, f"{R_NS}/package", "Excel.Sheet.12"
    else:
        data, part = (FIXTURES / "marked.doc").read_bytes(), "embeddings/Van_ban1.doc"
        content_type, rel, prog = "application/msword", f"{R_NS}/package", "Word.Document.8"
    body = ('<w:p><w:r><w:object w:dxaOrig="1440" w:dyaOrig="960"><o:OLEObject xmlns:o="urn:schemas-microsoft-com:'
            f'office:office" Type="Embed" ProgID="{prog}" ShapeID="_x0000_i1025" DrawAspect="Icon" ObjectID="_1" '
            'r:id="rIdHostile"/></w:object></w:r></w:p>')
    return _docx_with_part(part, data, content_type, rel, body)


def docx_alt_text() -> bytes:
    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", 'name="Picture 1"', 'name="Con dấu" descr="TỐI MẬT" title="TỐI MẬT"')
    return _edit(docx(PLAIN, picture=True), edit)


def docx_textbox() -> bytes:
    """A DrawingML (wps) text box, as Word 2010+ writes it, with no VML fallback."""
    box = ('<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<mc:Choice xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" Requires="wps">'
           '<w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1" distT="0" '
           'distB="0" distL="0" distR="0"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="page">'
           '<wp:posOffset>4500000</wp:posOffset></wp:positionH><wp:positionV relativeFrom="page"><wp:posOffset>'
           '900000</wp:posOffset></wp:positionV><wp:extent cx="1500000" cy="400000"/><wp:wrapNone/>'
           '<wp:docPr id="5" name="Text Box 5"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
           'main"><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
           '<wps:cNvSpPr txBox="1"/><wps:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr><wps:txbx>'
           '<w:txbxContent><w:p><w:r><w:t>TỐI MẬT</w:t></w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/>'
           '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice></mc:AlternateContent>'
           '</w:r></w:p>')

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", "<w:sectPr", box + "<w:sectPr", 1)
    return _edit(docx(PLAIN), edit)


def docx_billion_laughs() -> bytes:
    dtd = ('<!DOCTYPE w:document [<!ENTITY a "TỐI MẬT "><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
           '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
           '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>')

    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", "<w:document ", dtd + "<w:document ", 1)
        _sub(p, "word/document.xml", "<w:sectPr", "<w:p><w:r><w:t>&h;</w:t></w:r></w:p><w:sectPr", 1)
    return _edit(docx(PLAIN), edit)


def docx_huge_xml() -> bytes:
    """A clean DOCX whose document.xml is 49 MB (just under the 50 MB part limit) but zips to ~100 KB."""
    paragraph = ("<w:p><w:r><w:t>Điều 3. Chánh Văn phòng, Giám đốc các sở, ban, ngành và Chủ tịch UBND các "
                 "huyện chịu trách nhiệm thi hành quyết định này.</w:t></w:r></w:p>").encode()
    count = (49 * 1024 * 1024) // len(paragraph)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
                .encode() + paragraph * count + b"</w:body></w:document>")

    def edit(p: dict[str, bytes]) -> None:
        p["word/document.xml"] = document
    return _edit(docx(PLAIN), edit)


# ---------------------------------------------------------------------------------------------
# Second round: formatting that makes lower case show as capitals, fields without results,
# metadata parts, formats inside formats, and more resource attacks
# ---------------------------------------------------------------------------------------------

def _docx_body(xml: str, *, styles: str | None = None, extra: dict[str, bytes] | None = None,
               rels: str = "", types: str = "") -> bytes:
    """PLAIN as a DOCX, with ``xml`` (WordprocessingML paragraphs) added at the end of the body."""
    def edit(p: dict[str, bytes]) -> None:
        _sub(p, "word/document.xml", "<w:sectPr", xml + "<w:sectPr", 1)
        if styles:
            _sub(p, "word/styles.xml", "</w:styles>", styles + "</w:styles>")
        for name, content in (extra or {}).items():
            p[name] = content
        if rels:
            _sub(p, "word/_rels/document.xml.rels", "</Relationships>", rels + "</Relationships>")
        if types:
            _sub(p, "[Content_Types].xml", "</Types>", types + "</Types>")
    return _edit(docx(PLAIN), edit)


def docx_caps(kind: str) -> bytes:
    """Lower-case "tối mật" that Word shows in capitals: run-level <w:caps/>, or a paragraph style."""
    if kind == "run":
        return _docx_body('<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:caps/></w:rPr>'
                          "<w:t>tối mật</w:t></w:r></w:p>")
    style = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="DoMat"><w:name w:val="Do mat"/>'
             '<w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:caps/>'
             '<w:color w:val="FF0000"/></w:rPr></w:style>')
    return _docx_body('<w:p><w:pPr><w:pStyle w:val="DoMat"/></w:pPr><w:r><w:t>tối mật</w:t></w:r></w:p>',
                      styles=style)


def docx_field_without_result() -> bytes:
    """A QUOTE field whose result Word computes on opening: no cached result in the file."""
    return _docx_body('<w:p><w:fldSimple w:instr=" QUOTE &quot;TỐI MẬT&quot; \\* Upper "/></w:p>'
                      '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
                      'QUOTE "TỐI MẬT" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                      '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def docx_customxml_field() -> bytes:
    """Document-management metadata (SharePoint/eOffice style) in a custom XML part: Độ mật = Tối mật."""
    item = ('<?xml version="1.0" encoding="utf-8"?><p:properties xmlns:p="http://schemas.microsoft.com/office/2006/'
            'metadata/properties"><documentManagement><So_x0020_ky_x0020_hieu>45/BC-UBND</So_x0020_ky_x0020_hieu>'
            "<Do_x0020_mat>Tối mật</Do_x0020_mat><Do_x0020_khan>Thường</Do_x0020_khan></documentManagement>"
            "</p:properties>")

    def edit(p: dict[str, bytes]) -> None:
        p["customXml/item1.xml"] = item.encode()
    return _edit(docx(PLAIN), edit)


def docx_glossary_stamp() -> bytes:
    """A clean document carrying a building-block library (glossary) with stamp quick parts, as an office
    template gives every clerk: the stamps are not shown anywhere in the document."""
    glossary = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:glossaryDocument xmlns:w="{W_NS}">'
                "<w:docParts>" + "".join(
                    f'<w:docPart><w:docPartPr><w:name w:val="Dau {n}"/><w:category><w:name w:val="Con dau"/>'
                    '<w:gallery w:val="autoTxt"/></w:category></w:docPartPr><w:docPartBody><w:p><w:r>'
                    f"<w:t>{level}</w:t></w:r></w:p></w:docPartBody></w:docPart>"
                    for n, level in enumerate(("MẬT", "TỐI MẬT", "TUYỆT MẬT"), start=1))
                + "</w:docParts></w:glossaryDocument>")
    return _docx_body("", extra={"word/glossary/document.xml": glossary.encode()},
                      rels=f'<Relationship Id="rIdGloss" Type="{R_NS}/glossaryDocument" '
                           'Target="glossary/document.xml"/>',
                      types='<Override PartName="/word/glossary/document.xml" ContentType="application/vnd.'
                            'openxmlformats-officedocument.wordprocessingml.document.glossary+xml"/>')


def docx_cases() -> Iterator[Case]:
    yield "docx-header-nonstandard-part-name", "block", "bao-cao.docx", docx_header_renamed()
    yield "docx-main-part-renamed", "block", "bao-cao.docx", docx_main_renamed()
    yield "docx-main-part-renamed-clean-decoy", "block", "bao-cao.docx", docx_main_renamed(decoy=True)
    yield "docx-strict-ooxml", "block", "bao-cao.docx", docx_strict()
    yield "docx-altchunk-html", "block", "bao-cao.docx", docx_altchunk("html")
    yield "docx-altchunk-rtf", "block", "bao-cao.docx", docx_altchunk("rtf")
    yield "docx-altchunk-html-clean", "pass", "thong-bao.docx", docx_altchunk("html", "Thông báo lịch họp tuần 51")
    yield "docx-embedded-xlsx", "block", "bao-cao.docx", docx_embedded("xlsx")
    if (FIXTURES / "marked.doc").exists():
        yield "docx-embedded-doc97", "block", "bao-cao.docx", docx_embedded("doc")
    yield "docx-picture-alt-text", "block", "bao-cao.docx", docx_alt_text()
    yield "docx-wps-textbox", "block", "bao-cao.docx", docx_textbox()
    yield "docx-comment", "block", "bao-cao.docx", docx(PLAIN, comment="TỐI MẬT")
    yield "docx-stamp-split-runs", "block", "bao-cao.docx", docx(PLAIN, split_runs=["T", "Ố", "I M", "Ậ", "T"])
    yield "docx-billion-laughs", "block", "bao-cao.docx", docx_billion_laughs()
    yield "docx-caps-run-lowercase-text", "block", "bao-cao.docx", docx_caps("run")
    yield "docx-caps-paragraph-style", "block", "bao-cao.docx", docx_caps("style")
    yield "docx-quote-field-without-result", "block", "bao-cao.docx", docx_field_without_result()
    yield "docx-customxml-dms-field", "block", "bao-cao.docx", docx_customxml_field()
    # Judgment call: stamp quick parts in a glossary are never shown in the document itself.
    yield "docx-glossary-stamp-building-blocks", "pass", "thong-bao.docx", docx_glossary_stamp()
    yield "docx-clean-notice", "pass", "thong-bao.docx", docx(NOTICE)
    yield "docx-clean-training", "pass", "tap-huan.docx", docx(TRAINING)
    yield "file-name-toi-mat-docx", "block", "TỐI MẬT.docx", docx(PLAIN)
    yield "file-name-quy-che-bao-mat-docx", "pass", "Quy chế bảo mật.docx", docx(TRAINING)
