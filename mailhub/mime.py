"""The email policy for every message mailhub writes. Python's header folder (3.11, 3.12) drops the
space between words when it splits a non-ASCII header into several encoded-words, and writes
encoded-words longer than RFC 2047's 75 characters: clients then show ``sơ kếtcông tác``. Unstructured
headers with non-ASCII text (Subject above all) are encoded here with ``email.header.Header``, whose
encoded-words keep every space inside them and stay within the limit, so the subject round-trips
exactly in every client."""

from __future__ import annotations

from email.header import Header
from email.policy import EmailPolicy
from typing import Any

UNSTRUCTURED = frozenset({"subject", "comments", "thread-topic", "x-mailhub-meeting-title"})


class ExactHeadersPolicy(EmailPolicy):
    def fold(self, name: str, value: Any) -> str:
        return self._exact(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        folded = self._exact(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _exact(self, name: str, value: Any) -> str | None:
        text = str(value)
        if name.lower() not in UNSTRUCTURED or text.isascii() or self.utf8:
            return None
        encoded = Header(text, "utf-8", header_name=name, maxlinelen=76).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}"


MAIL_POLICY = ExactHeadersPolicy(linesep="\r\n")
