"""PDF text layer (pypdf). A PDF with no text (a scan) or one that cannot be opened cannot be
inspected, and says so."""

from __future__ import annotations

import io
import logging

from policies.extract.office import DocumentError
from policies.types import TextPart

MAX_PAGES = 2000


def pdf_parts(data: bytes, where: str) -> list[TextPart]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentError("the PDF is encrypted (password protected)")
            except Exception as exc:
                raise DocumentError("the PDF is encrypted (password protected)") from exc
        if len(reader.pages) > MAX_PAGES:
            raise DocumentError(f"the PDF has more than {MAX_PAGES} pages")
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[str, object] = dict(reader.metadata or {})
        properties = "\n".join(f"{k.lstrip('/')}: {v}" for k, v in info.items() if isinstance(v, str))
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise DocumentError(f"the PDF is damaged ({type(exc).__name__})") from exc
    if pages and not any(p.strip() for p in pages):
        raise DocumentError("the PDF has no text layer (a scan): its content cannot be checked")
    parts = [TextPart(f"{where} (page {n})", text, "attachment") for n, text in enumerate(pages, start=1)]
    parts.append(TextPart(f"{where} (properties)", properties, "property"))
    return parts
