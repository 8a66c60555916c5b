"""Hostile PowerPoint (PPTX) files: stamps in masters, layouts and notes."""

from __future__ import annotations

from collections.abc import Iterator

from tests.policies.hostile.common import PKG_RELS, R_NS, Case, _xml_escape, _zip

# ---------------------------------------------------------------------------------------------
# PPTX (written by hand: python-pptx is not a dependency)
# ---------------------------------------------------------------------------------------------

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PML = f'xmlns:a="{A_NS}" xmlns:r="{R_NS}" xmlns:p="{P_NS}"'
_CT_PML = "application/vnd.openxmlformats-officedocument.presentationml"


def _shape_tree(text: str, shape_id: int = 2) -> str:
    shapes = ""
    if text:
        paragraphs = "".join(f"<a:p><a:r><a:rPr lang=\"vi-VN\"/><a:t>{_xml_escape(line)}</a:t></a:r></a:p>"
                             for line in text.split("\n"))
        shapes = (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="TextBox {shape_id}"/><p:cNvSpPr txBox="1"/>'
                  '<p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="274638"/><a:ext cx="8229600" '
                  'cy="1143000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody>'
                  f"<a:bodyPr/><a:lstStyle/>{paragraphs}</p:txBody></p:sp>")
    return ('<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
            f"<p:grpSpPr/>{shapes}</p:spTree></p:cSld>")


def _rels(*items: tuple[str, str, str]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_RELS}">{body}'
            "</Relationships>")


def pptx(slide: str = "", *, layout: str = "", master: str = "", notes: str = "") -> bytes:
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    theme = (f'{decl}<a:theme xmlns:a="{A_NS}" name="Office"><a:themeElements><a:clrScheme name="Office">'
             + "".join(f"<a:{n}><a:srgbClr val=\"000000\"/></a:{n}>" for n in (
                 "dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                 "hlink", "folHlink"))
             + '</a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Arial"/><a:ea typeface=""/>'
             '<a:cs typeface=""/></a:majorFont><a:minorFont><a:latin typeface="Arial"/><a:ea typeface=""/>'
             '<a:cs typeface=""/></a:minorFont></a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst/>'
             "<a:lnStyleLst/><a:effectStyleLst/><a:bgFillStyleLst/></a:fmtScheme></a:themeElements></a:theme>")
    files: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            f'{decl}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/ppt/presentation.xml" ContentType="{_CT_PML}.presentation.main+xml"/>'
            f'<Override PartName="/ppt/slides/slide1.xml" ContentType="{_CT_PML}.slide+xml"/>'
            f'<Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="{_CT_PML}.slideLayout+xml"/>'
            f'<Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="{_CT_PML}.slideMaster+xml"/>'
            f'<Override PartName="/ppt/notesSlides/notesSlide1.xml" ContentType="{_CT_PML}.notesSlide+xml"/>'
            '<Override PartName="/ppt/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'theme+xml"/></Types>'),
        "_rels/.rels": _rels(("rId1", f"{R_NS}/officeDocument", "ppt/presentation.xml")),
        "ppt/presentation.xml": (
            f'{decl}<p:presentation {_PML}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/>'
            '</p:sldMasterIdLst><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="9144000" '
            'cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>'),
        "ppt/_rels/presentation.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideMaster", "slideMasters/slideMaster1.xml"),
            ("rId2", f"{R_NS}/slide", "slides/slide1.xml"), ("rId3", f"{R_NS}/theme", "theme/theme1.xml")),
        "ppt/slides/slide1.xml": f"{decl}<p:sld {_PML}>{_shape_tree(slide)}</p:sld>",
        "ppt/slides/_rels/slide1.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideLayout", "../slideLayouts/slideLayout1.xml"),
            ("rId2", f"{R_NS}/notesSlide", "../notesSlides/notesSlide1.xml")),
        "ppt/slideLayouts/slideLayout1.xml": f'{decl}<p:sldLayout {_PML} type="blank">{_shape_tree(layout)}'
                                             "</p:sldLayout>",
        "ppt/slideLayouts/_rels/slideLayout1.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideMaster", "../slideMasters/slideMaster1.xml")),
        "ppt/slideMasters/slideMaster1.xml": (
            f'{decl}<p:sldMaster {_PML}>{_shape_tree(master)}<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" '
            'accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" '
            'accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" '
            'r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>'),
        "ppt/slideMasters/_rels/slideMaster1.xml.rels": _rels(
            ("rId1", f"{R_NS}/slideLayout", "../slideLayouts/slideLayout1.xml"),
            ("rId2", f"{R_NS}/theme", "../theme/theme1.xml")),
        "ppt/notesSlides/notesSlide1.xml": f"{decl}<p:notes {_PML}>{_shape_tree(notes)}</p:notes>",
        "ppt/notesSlides/_rels/notesSlide1.xml.rels": _rels(("rId1", f"{R_NS}/slide", "../slides/slide1.xml")),
        "ppt/theme/theme1.xml": theme,
    }
    return _zip(files)


def pptx_cases() -> Iterator[Case]:
    title = "KẾ HOẠCH TRIỂN KHAI\nChuyển đổi số năm 2026"
    yield "pptx-stamp-in-master", "block", "trinh-chieu.pptx", pptx(title, master="TỐI MẬT")
    yield "pptx-stamp-in-layout", "block", "trinh-chieu.pptx", pptx(title, layout="TỐI MẬT")
    yield "pptx-stamp-in-notes", "block", "trinh-chieu.pptx", pptx(title, notes="TỐI MẬT")
    yield "pptx-clean", "pass", "trinh-chieu.pptx", pptx(title, notes="Trình bày trong 10 phút.")
