"""Round two of the hostile corpus for the confidentiality gate (see tests/policies/hostile for the format).

Two directions:

- ``r2-evade-*`` (label "block"): an attacker who has read policies/ hides a mark where the gate
  reads something other than what the recipient sees (hidden filler glued into the stamp, text
  reversed for display, formulas Excel computes on opening, stamps drawn as vector outlines or
  as small pictures, parts of a file the reader skips), or a clerk's ordinary habits break a
  rule (a wrapped covering note, "RE:" before the subject tag).
- ``r2-fp-*`` (label "pass"): ordinary documents produced by the usual tools that a careless
  rule refuses (the law's own text, training tables, blank forms, signed mail, exports).
- ``r2-ok-*``: ideas of this round the gate already handled when they were written; kept as
  regression guards, with the label the gate should keep giving.

Scans are rendered with tests/policies/scans.py. Generation of the whole module takes a few
seconds; reading the OCR cases is the slow part of the test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from tests.policies.hostile.common import Case
from tests.policies.hostile_round2.cases import already_handled, evasions, false_positives
from tests.policies.hostile_round2.ole import outlook_msg

__all__ = ["GROUPS", "corpus", "outlook_msg"]

GROUPS: tuple[Callable[[], Iterator[Case]], ...] = (evasions, false_positives, already_handled)


@functools.cache
def corpus() -> tuple[Case, ...]:
    built = tuple(case for group in GROUPS for case in group())
    names = [c[0] for c in built]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise AssertionError(f"duplicate case names: {sorted(duplicates)}")
    return built
