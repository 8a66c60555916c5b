"""Round two: the cases (evasions, false positives, ideas the gate already handled)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator

from tests.policies import scans
from tests.policies.hostile.common import NOTICE, PLAIN, STAMPED, TRAINING, Case, _edit, _zip
from tests.policies.hostile.excel import xlsx
from tests.policies.hostile.mail import _crlf, _message, _wire
from tests.policies.hostile.pdf import pdf
from tests.policies.hostile.slides import pptx
from tests.policies.hostile.word import _docx_body, docx
from tests.policies.hostile_round2.common import (
    COVERING,
    GIAY_MOI,
    HEADERS,
    LAW_ARTICLE_19,
    _cell,
    _docx_picture,
    _jpeg,
    _small_stamp,
)
from tests.policies.hostile_round2.mail import (
    _b64,
    _flowed,
    _html_doc,
    _html_message,
    _wrap,
    eml_cte_unknown,
    eml_encoded_word_language,
    eml_filename_rfc2047,
    eml_filename_rfc2231,
    eml_inline_small_stamp,
    eml_message_global,
    eml_text_rtf_body,
    outlook_ics,
    smime_detached_signed,
    smime_opaque_signed,
)
from tests.policies.hostile_round2.office import (
    docx_deleted_filler,
    docx_dropdown_levels,
    docx_form_wingdings_boxes,
    docx_hidden_filler,
    docx_law_article_19,
    docx_ruby_filler,
    docx_stamp_split_cells,
    docx_symbol_letter,
    docx_training_caps_heading_table,
    docx_training_table_transposed,
    docx_with_logo_and_photos,
    odt_hidden_filler,
    odt_report_normal,
    pptx_levels_slide,
    xlsx_formula,
    xlsx_html_export,
    xlsx_level_validation_list,
    xlsx_staff_list,
    xlsx_white_filler,
)
from tests.policies.hostile_round2.ole import outlook_msg, word97_with_embedded_workbook
from tests.policies.hostile_round2.pdf import (
    jpeg_plus_zip_polyglot,
    pdf_blank_form,
    pdf_file_attachment_annotation,
    pdf_invisible_filler,
    pdf_plus_zip_polyglot,
    pdf_small_stamp_picture,
    pdf_stamp_outlines,
    pdf_tiny_filler,
    pdf_tounicode_lie,
    svg_stamp_outlines,
    zip_duplicate_member,
)
from tests.policies.hostile_round2.scanned import (
    _searchable_scan,
    scan_clean,
    scan_low_dpi_stamped,
    scan_page_turned,
    scan_stamp_rotated,
    scan_white_on_red,
)

# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------

def evasions() -> Iterator[Case]:
    # --- Hidden filler glued into the stamp: the reader sees the stamp, the gate reads more ---
    yield "r2-evade-docx-hidden-letter-in-stamp", "block", "bao-cao.docx", docx_hidden_filler()
    yield "r2-evade-docx-tracked-deletion-in-stamp", "block", "bao-cao.docx", docx_deleted_filler()
    yield "r2-evade-html-body-display-none-in-stamp", "block", "hidden.eml", _html_message(
        "Báo cáo", _html_doc('TỐI M<span style="display:none">x</span>ẬT'))
    yield "r2-evade-html-body-font-size-0-in-stamp", "block", "fs0.eml", _html_message(
        "Báo cáo", _html_doc('TỐI M<span style="font-size:0">x</span>ẬT'))
    yield "r2-evade-pdf-tiny-letter-in-stamp", "block", "bao-cao.pdf", pdf_tiny_filler()
    yield "r2-evade-pdf-invisible-letter-in-stamp", "block", "bao-cao.pdf", pdf_invisible_filler()
    yield "r2-evade-odt-hidden-letter-in-stamp", "block", "bao-cao.odt", odt_hidden_filler()
    yield "r2-evade-xlsx-white-1pt-letter-in-stamp", "block", "so-lieu.xlsx", xlsx_white_filler()
    yield "r2-evade-docx-ruby-guide-on-stamp", "block", "bao-cao.docx", docx_ruby_filler()
    # --- Covering notes and subjects as clerks write them ---
    yield "r2-evade-eml-covering-note-hard-wrapped", "block", "wrapped.eml", _flowed(
        "Dự thảo phương án nhân sự", [line.rstrip() for line in _wrap(COVERING)], flowed=False)
    yield "r2-evade-eml-covering-note-format-flowed", "block", "flowed.eml", _flowed(
        "Dự thảo phương án nhân sự", _wrap(COVERING), flowed=True)
    yield "r2-evade-pdf-covering-letter-wrapped", "block", "cong-van.pdf", pdf(
        "UBND TỈNH KHÁNH HÒA\nVĂN PHÒNG\nSố: 88/VP-TH\nV/v gửi dự thảo phương án\n"
        + "\n".join(line.rstrip() for line in _wrap(COVERING, 80)))
    yield "r2-evade-subject-reply-prefix-then-level", "block", "re.eml", _wire(_message(
        "RE: MẬT - Báo cáo chuyên đề", "Em gửi lại anh bản đã sửa."))
    yield "r2-evade-subject-tl-prefix-vietnamese-outlook", "block", "tl.eml", _wire(_message(
        "TL: TỐI MẬT: Phương án bố trí nhân sự", "Đã nhận, cảm ơn anh."))
    yield "r2-evade-subject-level-as-suffix", "block", "suffix.eml", _wire(_message(
        "Phương án bố trí nhân sự năm 2026 - TỐI MẬT", "Gửi anh xem trước."))
    yield "r2-evade-subject-ascii-tuyet-mat-tag", "block", "ascii.eml", _wire(_message(
        "[TUYET MAT] Ke hoach phong thu", "Gui anh ban ke hoach."))
    yield "r2-evade-file-name-ascii-toi-mat", "block", "TOI MAT - Phuong an nhan su.docx", docx(PLAIN)
    # --- Names and encodings of message parts ---
    yield "r2-evade-eml-text-rtf-part", "block", "rtf.eml", eml_text_rtf_body()
    yield "r2-evade-eml-unknown-transfer-encoding", "block", "gz64.eml", eml_cte_unknown()
    yield "r2-evade-txt-rtl-override-reversed-stamp", "block", "bao-cao.txt", (
        "UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\n\u202eTẬM IỐT\u202c\nBÁO CÁO\nPhương án bố trí nhân sự").encode()
    yield "r2-evade-html-bdo-reversed-stamp", "block", "bdo.eml", _html_message(
        "Báo cáo", _html_doc('<bdo dir="rtl">TẬM IỐT</bdo>'))
    yield "r2-evade-html-css-bidi-override", "block", "bidi.eml", _html_message(
        "Báo cáo", _html_doc('<span style="unicode-bidi:bidi-override;direction:rtl">TẬM IỐT</span>'))
    yield "r2-evade-html-outlook-conditional-comment", "block", "mso.eml", _html_message(
        "Báo cáo", _html_doc('<!--[if mso]><span style="color:red">TỐI MẬT</span><![endif]-->'))
    yield "r2-evade-html-css-content-attr", "block", "attr.html", (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>.dau::before{content:attr(data-dau);color:red}'
        "</style></head><body><p>UBND TỈNH KHÁNH HÒA</p><p>Số: 45/BC-UBND</p>"
        '<p class="dau" data-dau="TỐI MẬT"></p><p>BÁO CÁO</p></body></html>').encode()
    yield "r2-evade-html-css-content-escapes", "block", "esc.html", (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>.dau::before{content:"T\\1ED0 I M\\1EAC T"}'
        "</style></head><body><p>UBND TỈNH KHÁNH HÒA</p><p class=\"dau\"></p><p>BÁO CÁO</p></body></html>").encode()
    # --- Look-alike letters for I that are not letters ---
    for name, stamp in (("digit-one", "TỐ1 MẬT"), ("pipe", "TỐ| MẬT"), ("dental-click", "TỐ\u01c0 MẬT")):
        yield f"r2-evade-lookalike-i-{name}", "block", "bao-cao.txt", (
            f"UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\n{stamp}\nBÁO CÁO\nPhương án bố trí nhân sự").encode()
    # --- Word: letters that are not text ---
    yield "r2-evade-docx-symbol-field-letter", "block", "bao-cao.docx", docx_symbol_letter()
    yield "r2-evade-docx-stamp-split-across-cells", "block", "bao-cao.docx", docx_stamp_split_cells()
    # --- Excel: what Excel computes on opening ---
    yield "r2-evade-xlsx-upper-formula-no-cache", "block", "so-lieu.xlsx", xlsx_formula('=UPPER("tối mật")')
    yield "r2-evade-xlsx-unichar-formula-no-cache", "block", "so-lieu.xlsx", xlsx_formula(
        '="T"&UNICHAR(7888)&"I M"&UNICHAR(7852)&"T"')
    yield "r2-evade-xlsx-full-calc-on-load-cached-lie", "block", "so-lieu.xlsx", xlsx_formula(
        '=UPPER("tối mật")', cached="Thường", full_calc=True)
    # --- Stamps that are drawings or small pictures ---
    yield "r2-evade-pdf-stamp-as-vector-outlines", "block", "bao-cao.pdf", pdf_stamp_outlines()
    yield "r2-evade-svg-stamp-as-paths", "block", "dau.svg", svg_stamp_outlines()
    yield "r2-evade-docx-small-stamp-jpeg", "block", "bao-cao.docx", _docx_picture(_jpeg(_small_stamp()), PLAIN)
    yield "r2-evade-eml-inline-small-stamp-picture", "block", "inline.eml", eml_inline_small_stamp()
    yield "r2-evade-pdf-small-stamp-picture", "block", "bao-cao.pdf", pdf_small_stamp_picture()
    yield "r2-evade-pdf-tounicode-lie", "block", "bao-cao.pdf", pdf_tounicode_lie()
    # --- Parts the readers skip ---
    yield "r2-evade-pdf-file-attachment-annotation", "block", "bao-cao.pdf", pdf_file_attachment_annotation()
    word97 = word97_with_embedded_workbook()
    if word97 is not None:
        yield "r2-evade-doc97-embedded-workbook-objectpool", "block", "bao-cao.doc", word97
    yield "r2-evade-pdf-with-appended-docx", "block", "bao-cao.docx", pdf_plus_zip_polyglot()
    yield "r2-evade-jpeg-with-appended-zip", "block", "anh-hoi-nghi.jpg", jpeg_plus_zip_polyglot()
    yield "r2-evade-docx-duplicate-document-part", "block", "bao-cao.docx", zip_duplicate_member()
    # --- OCR ---
    yield "r2-evade-scan-stamp-pressed-at-12-degrees", "block", "scan.jpg", scan_stamp_rotated(12)
    yield "r2-evade-scan-white-on-red-stamp", "block", "scan.jpg", scan_white_on_red()
    yield "r2-evade-scan-100-dpi", "block", "scan.jpg", scan_low_dpi_stamped()
    yield "r2-evade-scan-page-upside-down", "block", "scan.jpg", scan_page_turned(180)
    yield "r2-evade-scan-page-sideways", "block", "scan.jpg", scan_page_turned(90)


def false_positives() -> Iterator[Case]:
    yield "r2-fp-docx-law-article-19-training", "pass", "tap-huan-dieu-19.docx", docx_law_article_19()
    yield "r2-fp-txt-law-article-19", "pass", "dieu-19.txt", LAW_ARTICLE_19.split("\n", 1)[1].encode()
    yield "r2-fp-docx-training-table-levels-across", "pass", "tap-huan.docx", docx_training_table_transposed()
    yield "r2-fp-pptx-slide-title-do-mat-bullets", "pass", "tap-huan.pptx", pptx_levels_slide()
    yield "r2-fp-docx-training-intro-sentence", "pass", "tap-huan.docx", docx(
        "TÀI LIỆU TẬP HUẤN\nTài liệu này giới thiệu các quy định về văn bản thuộc bí mật nhà nước độ Tuyệt mật, "
        "Tối mật và Mật, cách đóng dấu và quản lý.")
    yield "r2-fp-docx-form-wingdings-tick-boxes", "pass", "phieu-xu-ly.docx", docx_form_wingdings_boxes()
    yield "r2-fp-docx-level-drop-down-thuong", "pass", "mau-cong-van.docx", docx_dropdown_levels()
    yield "r2-fp-xls-html-table-export", "pass", "danh-sach-can-bo.xls", xlsx_html_export()
    yield "r2-fp-eml-smime-opaque-signed", "pass", "signed-opaque.eml", smime_opaque_signed()
    yield "r2-fp-msg-outlook-item-attached", "pass", "thu.eml", _wire(_message(
        "Fwd: thư mời", attachments=[("Thư mời họp.msg", outlook_msg("Thư mời họp giao ban", NOTICE),
                                      "application/vnd.ms-outlook")]))
    yield "r2-fp-file-name-mat-mia", "pass", "MẬT MÍA - Báo cáo giá thu mua.xlsx", xlsx(
        [["Loại", "Giá (đồng/kg)"], ["Mật mía", "4.500"], ["Đường RS", "18.000"]])


def already_handled() -> Iterator[Case]:
    """Ideas of this round that the gate handled when they were written."""
    yield "r2-ok-eml-attachment-name-rfc2231", "block", "n2231.eml", eml_filename_rfc2231()
    yield "r2-ok-eml-attachment-name-rfc2047", "block", "n2047.eml", eml_filename_rfc2047()
    yield "r2-ok-eml-message-global-forward", "block", "global.eml", eml_message_global()
    yield "r2-ok-eml-encoded-word-with-language", "block", "lang.eml", eml_encoded_word_language()
    # --- Display tricks ---
    yield "r2-ok-eml-alternative-only-html-stamped", "block", "alt-html.eml", _html_message(
        "Báo cáo", _html_doc("TỐI MẬT"))
    yield "r2-ok-eml-utf16-body", "block", "u16.eml", _crlf(
        f"{HEADERS}Subject: Báo cáo\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-16\n"
        "Content-Transfer-Encoding: base64\n\n") + _b64(STAMPED.encode("utf-16")).encode()
    yield "r2-ok-eml-qp-soft-break-in-stamp", "block", "qp.eml", _crlf(
        f"{HEADERS}Subject: Báo cáo\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\nSố: 45/BC-UBND\nT=E1=BB=90I M=\n=E1=BA=ACT\nBÁO CÁO\n"
        .replace("BÁO CÁO", "B=C3=81O C=C3=81O").replace("Số", "S=E1=BB=91"))
    yield "r2-ok-eml-winmail-dat", "block", "tnef.eml", _wire(_message(
        "Báo cáo", attachments=[("winmail.dat", b"\x78\x9f\x3e\x22" + bytes(200), "application/ms-tnef")]))
    yield "r2-ok-zip-gzip-member", "block", "ho-so.zip", _zip({"bao-cao.txt.gz": gzip.compress(STAMPED.encode(),
                                                                                               mtime=0)})
    yield "r2-ok-zip-traversal-name", "block", "ho-so.zip", _zip({"../../TỐI MẬT.txt": PLAIN})
    yield "r2-ok-html-entities-and-template", "block", "bao-cao.html", (
        "<!DOCTYPE html><html><head><title>T&#x1ED0;I M&#x1EAC;T</title></head><body><template><p>x</p></template>"
        "<noscript>Bật JavaScript</noscript><p>BÁO CÁO</p></body></html>").encode()
    yield "r2-ok-html-svg-inline-text", "block", "bao-cao.html", (
        '<!DOCTYPE html><html><body><p>BÁO CÁO</p><svg width="300" height="80"><rect x="2" y="2" width="296" '
        'height="76" fill="none" stroke="red"/><text x="40" y="55" fill="red">TỐI MẬT</text></svg></body></html>'
    ).encode()
    yield "r2-ok-txt-nbsp-thin-space-letter-spacing", "block", "bao-cao.txt", (
        "Số: 45/BC-UBND\nT\u2009Ố\u2009I\u00a0\u00a0M\u2009Ậ\u2009T\nBÁO CÁO").encode()
    yield "r2-ok-docx-stamp-split-tối-mật-cells", "block", "bao-cao.docx", _docx_body(
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="900"/><w:gridCol '
        f'w:w="900"/></w:tblGrid><w:tr>{_cell("TỐI", 900)}{_cell("MẬT", 900)}</w:tr></w:tbl><w:p/>')
    yield "r2-ok-xlsx-sheet-name", "block", "so-lieu.xlsx", xlsx(
        [["Danh sách"]], setup=lambda book: setattr(book.active, "title", "TỐI MẬT"))  # type: ignore[attr-defined]
    yield "r2-ok-pptx-chart-workbook", "block", "trinh-chieu.pptx", _edit(
        pptx("KẾ HOẠCH"), lambda p: p.__setitem__("ppt/embeddings/Microsoft_Excel_Worksheet.xlsx",
                                                 xlsx([["Số: 45/BC-UBND"], ["TỐI MẬT"]])))
    yield "r2-ok-targz-of-docx", "block", "ho-so.tar.gz", _targz({"bao-cao.docx": docx(STAMPED)})
    yield "r2-ok-subject-fwd-tag", "block", "fwdtag.eml", _wire(_message("Fwd: [TỐI MẬT] Phương án", "Chuyển tiếp."))
    yield "r2-ok-scan-searchable-pdf-english-ocr-layer", "block", "scan.pdf", _searchable_scan()
    yield "r2-ok-eml-smime-opaque-signed-stamped-refused", "block", "signed-stamped.eml", smime_opaque_signed(STAMPED)
    # ordinary documents that pass
    yield "r2-ok-docx-giay-moi", "pass", "giay-moi.docx", docx(GIAY_MOI)
    yield "r2-ok-docx-bao-cao-do-mat-thuong", "pass", "bao-cao.docx", docx(
        "UBND TỈNH KHÁNH HÒA\nSố: 301/BC-SNV\nĐộ mật: Thường\tĐộ khẩn: Thường\nBÁO CÁO\nKết quả công tác năm 2025")
    yield "r2-ok-odt-bao-cao-do-mat-thuong-table", "pass", "bao-cao.odt", odt_report_normal()
    yield "r2-ok-txt-law-levels-in-capitals-prose", "pass", "luat.txt", (
        "CÁC ĐỘ MẬT GỒM: TUYỆT MẬT, TỐI MẬT, MẬT.\nVăn bản có độ mật phải được đóng dấu độ mật theo quy định.").encode()
    yield "r2-ok-pptx-mức-độ-slash-list", "pass", "tap-huan.pptx", pptx(
        "Phân loại\nMức độ: Mật/Tối mật/Tuyệt mật\nThời hạn: 10/20/30 năm")
    yield "r2-ok-docx-training-caps-heading-table", "pass", "tap-huan.docx", docx_training_caps_heading_table()
    yield "r2-ok-xlsx-level-validation-list", "pass", "so-van-ban-di.xlsx", xlsx_level_validation_list()
    yield "r2-ok-xlsx-staff-password-notes", "pass", "danh-sach.xlsx", xlsx_staff_list()
    for name in ("Huong dan bao mat.docx", "MAT_BANG_TONG_THE.pdf", "Mẫu số 01 - Mật độ dân số.xlsx",
                 "BÁO CÁO CÔNG TÁC BẢO MẬT.docx", "Kế hoạch bảo mật thông tin.docx"):
        data = {".docx": lambda: docx(NOTICE), ".pdf": lambda: pdf(NOTICE),
                ".xlsx": lambda: xlsx([["Xã", "Mật độ dân số"], ["Vĩnh Lương", "812"]])}[name[name.rindex("."):]]()
        yield f"r2-ok-file-name-{name.lower().replace(' ', '-')}", "pass", name, data
    yield "r2-ok-scan-stamp-vertical-in-margin", "block", "scan.jpg", scan_stamp_rotated(90)
    yield "r2-ok-eml-smime-detached-signed", "pass", "signed.eml", smime_detached_signed()
    yield "r2-ok-eml-outlook-invitation", "pass", "invite.eml", _wire(_message(
        "Họp giao ban tuần 51", attachments=[("invite.ics", outlook_ics(), "text/calendar")]))
    yield "r2-ok-pdf-blank-form", "pass", "phieu-dang-ky.pdf", pdf_blank_form()
    yield "r2-ok-docx-logo-and-meeting-photos", "pass", "bao-cao-hoi-nghi.docx", docx_with_logo_and_photos()
    yield "r2-ok-jpeg-meeting-photo", "pass", "hoi-nghi.jpg", _jpeg(scans.photo(seed=33, size=(2400, 1600)), 85)
    yield "r2-ok-scan-clean-150dpi-seal-signature", "pass", "scan.jpg", scan_clean(0.75, angle=0.8)
    # passes, but because OCR's garbage from a sideways page counts as "read" (see r2-evade-scan-page-sideways)
    yield "r2-ok-scan-clean-landscape-rotated-90", "pass", "scan.jpg", scan_clean(0.75, rotate=90)
    yield "r2-ok-scan-clean-grayscale", "pass", "scan.jpg", scan_clean(0.75, gray=True)
    yield "r2-ok-eml-utf16-clean-body", "pass", "u16-clean.eml", _crlf(
        f"{HEADERS}Subject: Thông báo\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-16\n"
        "Content-Transfer-Encoding: base64\n\n") + _b64(NOTICE.encode("utf-16")).encode()
    yield "r2-ok-eml-subject-mat-khau", "pass", "mk.eml", _wire(_message("MẬT KHẨU - hướng dẫn đổi định kỳ",
                                                                         "Xem hướng dẫn kèm theo."))
    yield "r2-ok-eml-training-wrapped", "pass", "training-wrapped.eml", _flowed(
        "Tài liệu tập huấn", _wrap(TRAINING.replace("\n", " ")), flowed=True)


def _targz(files: dict[str, bytes]) -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1765760000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
