"""One DNS client for everything mailhub asks (SPF, DKIM keys, DMARC policies, MX): the system's
resolver, or the servers of ``MAILHUB_DNS_NAMESERVERS`` (a local resolver, or a test stand-in).

Answers are of three kinds and never confused: records; "there are none" (NXDOMAIN, no data),
which is an answer; and "could not ask" (timeout, SERVFAIL), which raises DnsTemporaryError so
that callers reply 451 instead of passing the message as if nothing were published."""

from __future__ import annotations

import dns.exception
import dns.nameserver
import dns.resolver

from mailhub.config import Nameserver, parse_nameservers

__all__ = ["DnsLookup", "DnsTemporaryError", "Nameserver", "dkim_public_key", "parse_nameservers"]


MAX_KEY_BYTES = 600  # an RSA-4096 public key is 550 bytes of DER; anything larger is not verified


def dkim_public_key(record: str) -> str:
    """The p= value of a DKIM key record (base64, spaces removed); "" when there is none."""
    for part in record.split(";"):
        name, _, value = part.partition("=")
        if name.strip() == "p":
            return "".join(value.split())
    return ""


def _key_bytes(record: str) -> int:
    """The size of a DKIM key record's public key, in bytes."""
    return len(dkim_public_key(record)) * 3 // 4


class DnsTemporaryError(Exception):
    """The question could not be answered now (timeout, SERVFAIL, no server reachable)."""




class DnsLookup:
    def __init__(self, nameservers: list[Nameserver] | None = None, timeout: float = 5.0) -> None:
        self.nameservers = list(nameservers or [])
        self.timeout = timeout
        resolver = dns.resolver.Resolver(configure=not self.nameservers)
        if self.nameservers:
            resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in self.nameservers]
        resolver.lifetime = timeout
        resolver.timeout = min(timeout, 2.0)
        self.resolver = resolver

    def answer(self, name: str, rdtype: str) -> list[object]:
        """The records of one type at ``name``; [] when there are none."""
        try:
            return list(self.resolver.resolve(name, rdtype, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.resolver.YXDOMAIN:
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.LifetimeTimeout) as exc:
            raise DnsTemporaryError(f"DNS {rdtype} {name}: {exc.__class__.__name__}") from exc
        except dns.exception.DNSException as exc:  # a malformed name or answer: no usable record
            if isinstance(exc, dns.name.EmptyLabel | dns.name.LabelTooLong | dns.name.NameTooLong):
                return []
            raise DnsTemporaryError(f"DNS {rdtype} {name}: {exc}") from exc

    def txt(self, name: str) -> list[str]:
        """TXT records, each joined from its strings (RFC 7208 3.3, RFC 6376 3.6.2.2)."""
        texts = []
        for record in self.answer(name, "TXT"):
            strings = getattr(record, "strings", ())
            texts.append(b"".join(strings).decode("utf-8", "replace"))
        return texts

    def dkim_key(self, name: bytes, timeout: int = 5) -> bytes | None:
        """dkimpy's ``dnsfunc``: the key record, or None when there is none; DnsTemporaryError passes
        through dkimpy (it is not a DKIMException) so the caller can tell 'no key' from 'not now'."""
        texts = self.txt(name.decode("ascii", "replace").rstrip("."))
        if not texts:
            return None
        if _key_bytes(texts[0]) > MAX_KEY_BYTES:  # a 16384-bit key costs seconds of CPU per signature
            return None
        return texts[0].encode()

    def spf_records(self, name: str, qtype: str, strict: bool = True,
                    timeout: float = 20) -> list[tuple[tuple[str, str], object]]:
        """pyspf's ``DNSLookup`` shape, answered through this resolver."""
        import spf

        try:
            records = self.answer(name, qtype)
        except DnsTemporaryError as exc:
            raise spf.TempError(str(exc)) from exc
        found: list[tuple[tuple[str, str], object]] = []
        for rdata in records:
            value: object
            if qtype in ("A", "AAAA"):
                value = rdata.address  # type: ignore[attr-defined]
            elif qtype == "MX":
                value = (rdata.preference, rdata.exchange)  # type: ignore[attr-defined]
            elif qtype == "PTR":
                value = rdata.target.to_text(True)  # type: ignore[attr-defined]
            else:
                value = rdata.strings  # type: ignore[attr-defined]
            found.append(((name, qtype), value))
        return found
