"""DKIM signatures on what mailhub queues: relaxed/relaxed, the headers a reader relies on signed,
From oversigned (a second From added later breaks the signature instead of being shown)."""

from __future__ import annotations

import logging
import time

import dkim

from mailhub.signing.keys import ED25519, DkimKey, KeyStore

log = logging.getLogger("mailhub.signing")

SIGNED_HEADERS = (b"from", b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"reply-to", b"in-reply-to",
                  b"references", b"mime-version", b"content-type", b"content-transfer-encoding", b"content-class",
                  b"auto-submitted")


class DkimSigner:
    def __init__(self, keys: KeyStore, cache_seconds: float = 10.0) -> None:
        self.keys = keys
        self.cache_seconds = cache_seconds
        self._active: dict[str, tuple[float, list[DkimKey]]] = {}

    def active_keys(self, domain: str) -> list[DkimKey]:
        """Read from disk at most every few seconds (a key activated by the CLI is used soon after)."""
        domain = domain.lower()
        cached = self._active.get(domain)
        if cached is None or time.monotonic() - cached[0] > self.cache_seconds:
            cached = (time.monotonic(), self.keys.active_keys(domain))
            if len(self._active) > 10_000:
                self._active.clear()
            self._active[domain] = cached
        return cached[1]

    def signatures(self, content: bytes, domain: str) -> bytes:
        """DKIM-Signature fields for ``content`` by every active key of ``domain`` (b"" when it has none)."""
        added = b""
        for key in self.active_keys(domain):
            try:
                added += dkim.sign(content, key.selector.encode(), key.domain.encode(), key.private,
                                   canonicalize=(b"relaxed", b"relaxed"), include_headers=list(SIGNED_HEADERS),
                                   signature_algorithm=b"ed25519-sha256" if key.algorithm == ED25519
                                   else b"rsa-sha256", linesep=b"\r\n")
            except dkim.DKIMException as exc:  # a damaged key must not stop mail: sent unsigned, and said
                log.error("DKIM signing for %s with selector %s failed: %s", key.domain, key.selector, exc)
        return added
