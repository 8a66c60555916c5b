"""Content policies: pure functions from a parsed message to a verdict.

Knows nothing of SMTP, the database or the CLI. ``check_message(raw)`` extracts the text of
every readable part and runs the configured chain; a blocked verdict carries each finding
(rule, where, evidence).
"""

from policies.chain import BUILTIN, DEFAULT_ORDER, Policy, PolicyChain, check_document, check_message
from policies.extract import Limits, extract_document, extract_message
from policies.legacy_vn import could_be_legacy
from policies.normalise import fold
from policies.types import BLOCK, PASS, Extraction, Finding, TextPart, Verdict

__all__ = [
    "BLOCK", "BUILTIN", "DEFAULT_ORDER", "PASS", "Extraction", "Finding", "Limits", "Policy", "PolicyChain",
    "TextPart", "Verdict", "check_document", "check_message", "could_be_legacy", "extract_document", "extract_message",
    "fold",
]
