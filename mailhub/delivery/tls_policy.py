"""Outbound TLS policy per destination (Postfix's smtp_tls_policy_maps, simplified):
``MAILHUB_TLS_POLICY=may`` (the default: STARTTLS when offered, certificate not checked), or a
list ``khanhhoa.gov.vn=verify,.gov.vn=encrypt,*=may``:

- ``may``: TLS when the server offers it; the certificate is not verified (and the log says so);
- ``encrypt``: TLS or no delivery (deferred with the reason); the certificate is not verified;
- ``verify``: TLS with a certificate that chains to the system's CAs or ``MAILHUB_TLS_CA_FILE`` (the
  province's own CA) and names the host connected to; otherwise deferred with the reason;
- ``dane``: as ``verify`` until DNSSEC-validated TLSA lookups are available here (documented).

A domain matches its own entry, then ``.parent`` entries from the nearest, then ``*``."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODES = ("none", "may", "encrypt", "verify", "dane")


@dataclass(frozen=True)
class TlsRequirement:
    mode: str

    @property
    def required(self) -> bool:
        return self.mode in ("encrypt", "verify", "dane")

    @property
    def verified(self) -> bool:
        return self.mode in ("verify", "dane")


def parse_policy(text: str) -> dict[str, str]:
    """'may' or 'a.vn=verify,.gov.vn=encrypt,*=may' -> {domain or '.suffix' or '*': mode}."""
    table: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        target, sep, mode = item.rpartition("=")
        target, mode = (target.strip().lower() or "*") if sep else "*", mode.strip().lower()
        if mode not in MODES:
            raise ValueError(f"TLS policy {item!r}: the mode is one of {', '.join(MODES)}")
        table[target] = mode
    return table


class TlsPolicy:
    def __init__(self, spec: str = "may", ca_file: Path | None = None) -> None:
        self.table = parse_policy(spec or "may")
        self.ca_file = ca_file

    def for_domain(self, domain: str) -> TlsRequirement:
        domain = domain.lower().rstrip(".")
        if domain in self.table:
            return TlsRequirement(self.table[domain])
        labels = domain.split(".")
        for index in range(1, len(labels)):
            suffix = "." + ".".join(labels[index:])
            if suffix in self.table:
                return TlsRequirement(self.table[suffix])
        return TlsRequirement(self.table.get("*", "may"))

    def context(self, requirement: TlsRequirement) -> ssl.SSLContext | None:
        if requirement.mode == "none":
            return None
        return verifying_context(str(self.ca_file) if self.ca_file else "") if requirement.verified \
            else _opportunistic()


@cache
def _opportunistic() -> ssl.SSLContext:
    """Encrypt, verify nothing (Postfix's ``may``): no CA store to load (that takes most of a second
    on a small machine, in the event loop)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


@cache
def verifying_context(ca_file: str = "") -> ssl.SSLContext:
    """The system's CAs, and ``ca_file`` (the province's own CA) beside them; made once."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def describe(version: str | None, verified: bool) -> str:
    """What the delivery log says of a connection: 'TLSv1.3, verified', 'TLSv1.3, not verified', 'no TLS'."""
    if not version:
        return "no TLS"
    return f"{version}, {'verified' if verified else 'not verified'}"
