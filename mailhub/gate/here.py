"""The content check a listener may run itself, on its event loop, instead of handing the message to a
worker process: only for a short letter of plain text, and only when the policies could decide it
without opening any file.

What qualifies (``short_plain_letter``): at most ``HERE_LIMIT`` bytes, one part, ``text/plain`` (or no
Content-Type), written as it is read (no transfer encoding, or 7bit/8bit), no file name, not an
attachment, in a known charset, and not text a legacy Vietnamese font could have written (those are
read three ways, and marks in them cost the most to find). HTML, encoded bodies, multipart letters
and everything else go to the workers.

How it is checked (``check_here``): the same policies, under limits that allow no file at all (a
uuencoded block or anything else the readers would open inside the text makes the letter
"uninspectable" here) and little text. When the reading left anything uninspectable or found any
file, no verdict is given, whichever rules the chain runs: the workers decide that letter, under their
deadline and memory cap. Any other verdict is the one the workers would give: within these limits
everything was read, and a mark found is a mark.

``CheckClock`` measures what a check cost in CPU time of the calling thread, less the garbage
collections that ran in that thread meanwhile (they walk the whole server's objects, not the letter's).
"""

from __future__ import annotations

import codecs
import gc
import threading
import time
from email.parser import BytesHeaderParser
from email.policy import compat32

from policies import Limits, PolicyChain, Verdict, could_be_legacy, extract_message

HERE_LIMIT = 8 * 1024  # bytes of the whole message
HERE_LIMITS = Limits(max_parts=0, max_total_bytes=4 * HERE_LIMIT, max_text_chars=4 * HERE_LIMIT, max_ocr_pages=0,
                     max_seconds=1.0)
PLAIN_ENCODINGS = {"", "7bit", "8bit"}
HEADER_BLOCK_LIMIT = 4 * 1024  # bytes before the blank line that ends the header
PARAMETER_FIELDS = ("Content-Type", "Content-Disposition", "Content-Transfer-Encoding")
PARAMETER_FIELD_LIMIT = 200  # characters: "text/plain; charset=utf-8; format=flowed; delsp=yes" is 51


def _header_end(content: bytes) -> tuple[int, int] | None:
    """Where the header block ends and the body begins, when the header ends within ``HEADER_BLOCK_LIMIT``
    (a letter with no body goes to the workers). The first blank line, however its lines end."""
    window = content[:HEADER_BLOCK_LIMIT + 4]
    ends = [(found, found + len(blank)) for blank in (b"\r\n\r\n", b"\n\n") if (found := window.find(blank)) != -1]
    return min(ends) if ends else None


def short_plain_letter(content: bytes) -> bool:
    """Whether ``content`` is a letter ``check_here`` may decide (the module's note). Never raises.
    The header block and the fields that carry parameters are bounded before anything parses them: the
    email package reads a long run of quoted parameters in time that grows with its square."""
    ends = _header_end(content) if len(content) <= HERE_LIMIT else None
    if ends is None:
        return False
    try:
        header_end, body_start = ends
        headers = BytesHeaderParser(policy=compat32).parsebytes(content[:header_end + 2])  # not the body
        for name in PARAMETER_FIELDS:
            if any(len(str(value)) > PARAMETER_FIELD_LIMIT or str(value).count('"') > 4
                   for value in headers.get_all(name) or ()):
                return False
        if headers.is_multipart() or headers.get_content_type() != "text/plain" or headers.get_filename() is not None:
            return False
        if str(headers.get("Content-Disposition", "")).strip().lower().startswith("attachment") or \
                str(headers.get("Content-Transfer-Encoding", "")).strip().lower() not in PLAIN_ENCODINGS or \
                len(headers.get_all("Content-Type") or ()) > 1:
            return False
        charset = headers.get_content_charset() or "utf-8"
        codecs.lookup(charset)
        return not could_be_legacy(content[body_start:].decode(charset, "replace"))
    except Exception:  # headers the parser cannot take (or an odd charset): the workers read it
        return False


def check_here(content: bytes, chain: PolicyChain) -> Verdict | None:
    """The verdict on a ``short_plain_letter``, or None when the workers must decide it (something in it
    would have had to be opened or read beyond these limits)."""
    extraction = extract_message(content, HERE_LIMITS)
    if extraction.uninspectable or extraction.attachments or extraction.not_read:
        return None  # decided from what was read, whatever rules the chain has
    return chain.check(extraction)


class CheckClock:
    """CPU seconds of the calling thread, less its garbage collections (``gc.callbacks``)."""

    def __init__(self) -> None:
        self._collecting: dict[int, float] = {}  # thread -> when its collection started
        self._collected: dict[int, float] = {}  # thread -> seconds of collection so far
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        thread = threading.get_ident()
        if phase == "start":
            self._collecting[thread] = time.thread_time()
        elif thread in self._collecting:
            spent = time.thread_time() - self._collecting.pop(thread)
            self._collected[thread] = self._collected.get(thread, 0.0) + spent

    def now(self) -> float:
        return time.thread_time() - self._collected.get(threading.get_ident(), 0.0)


CLOCK = CheckClock()
