"""A hostile corpus for the confidentiality gate, built in code.

Every case is ``(name, label, filename, data)``: ``label`` is "block" or "pass"; a filename ending in
``.eml`` is a whole message (``check_message``), anything else a bare file (``check_document``).

The cases hide a state-secret mark where a careless reader does not look (relationship-only parts,
renamed or Strict OOXML parts, annotations, print headers, formulas without cached values,
forwarded messages in odd transfer encodings, look-alike letters, formats the gate does not know),
or they attack the reader itself (decompression and grid bombs). Clean twins check that nothing
ordinary is refused. Names starting with ``bomb-`` are resource attacks: the test runs them in a
child process with a memory ceiling and a wall-clock kill, so a regression cannot take the machine down.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from tests.policies.hostile.bombs import bomb_cases
from tests.policies.hostile.common import NOTICE, SCHEDULE, Case, _zip
from tests.policies.hostile.excel import xlsx, xlsx_cases
from tests.policies.hostile.formats import other_format_cases
from tests.policies.hostile.lookalikes import lookalike_cases
from tests.policies.hostile.mail import message_cases
from tests.policies.hostile.pdf import pdf_cases
from tests.policies.hostile.slides import pptx_cases
from tests.policies.hostile.word import docx, docx_cases


def controls() -> Iterator[Case]:
    yield "zip-clean-documents", "pass", "ho-so.zip", _zip({"thong-bao.docx": docx(NOTICE),
                                                            "lich.xlsx": xlsx(SCHEDULE)})


GROUPS: tuple[Callable[[], Iterator[Case]], ...] = (
    message_cases, docx_cases, xlsx_cases, pptx_cases, pdf_cases, other_format_cases, lookalike_cases,
    bomb_cases, controls)


@functools.cache
def corpus() -> tuple[Case, ...]:
    built = tuple(case for group in GROUPS for case in group())
    names = [c[0] for c in built]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise AssertionError(f"duplicate case names: {sorted(duplicates)}")
    return built


def cases() -> Iterator[Case]:
    yield from corpus()
