"""Stamps written with look-alike letters (small capitals, Cherokee, Cyrillic, tag characters...)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from tests.policies.hostile.common import PASSWORD, Case


def lookalike_cases() -> Iterator[Case]:
    def doc(stamp: str) -> bytes:
        return f"UBND TỈNH KHÁNH HÒA\nSố: 45/BC-UBND\n{stamp}\nBÁO CÁO\nPhương án bố trí nhân sự".encode()

    yield "lookalike-small-capitals", "block", "bao-cao.txt", doc("ᴛỐɪ ᴍẬᴛ")
    yield "lookalike-small-capitals-mat", "block", "bao-cao.txt", doc("ᴍẬᴛ")
    yield "lookalike-cherokee", "block", "bao-cao.txt", doc("ᎢỐI ᎷẬᎢ")
    yield "lookalike-math-bold", "block", "bao-cao.txt", doc("𝐓𝐎̂́𝐈 𝐌𝐀̣̂𝐓")
    yield "lookalike-math-bold-mat", "block", "bao-cao.txt", doc("𝐌𝐀̣̂𝐓")
    yield "lookalike-cyrillic-and-small-capital", "block", "bao-cao.txt", doc("ТỐІ ᴍẬТ")
    yield "lookalike-cyrillic-a-combining", "block", "bao-cao.txt", doc("МА\u0323\u0302Т")
    yield "lookalike-circled-letters", "block", "bao-cao.txt", doc("ⓉỐⒾ ⓂẬⓉ")
    yield "lookalike-noncanonical-marks", "block", "bao-cao.txt", doc(unicodedata.normalize(
        "NFC", "TỐI ") + "MA\u0302\u0323T")
    yield "lookalike-variation-selectors", "block", "bao-cao.txt", doc("T\ufe0fỐ\ufe0fI M\ufe0fẬ\ufe0fT\ufe0f")
    yield "lookalike-tag-characters", "block", "bao-cao.txt", doc("TỐ\U000e0020I M\U000e0041ẬT")
    yield "lookalike-combining-underline", "block", "bao-cao.txt", doc(
        "".join(ch + "\u0332" if ch != " " else ch for ch in "TỐI MẬT"))
    yield "lookalike-greek-capital-iota", "block", "bao-cao.txt", doc("TỐ\u0399 MẬT")
    yield "lookalike-cyrillic-capital-i", "block", "bao-cao.txt", doc("TỐ\u0406 MẬT")
    yield "lookalike-latin-small-l-for-capital-i", "block", "bao-cao.txt", doc("TỐl MẬT")
    yield "lookalike-prose-password", "pass", "huong-dan.txt", PASSWORD.encode()
