"""DMARC (RFC 7489): the policy a From: domain publishes, and identifier alignment against the
organisational domain, which comes from the Public Suffix List (publicsuffixlist ships it)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from mailhub.senders.dns_lookup import DnsLookup

POLICIES = ("none", "quarantine", "reject")


@functools.cache
def _suffixes() -> object:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organisational_domain(domain: str) -> str:
    """``lich.khanhhoa.gov.vn`` -> ``khanhhoa.gov.vn`` (gov.vn is a public suffix)."""
    domain = domain.lower().rstrip(".")
    private = _suffixes().privatesuffix(domain)  # type: ignore[attr-defined]
    return str(private) if private else domain


def is_public_suffix(domain: str) -> bool:
    """gov.vn, com.vn, com: a suffix under which anyone may register."""
    return not domain or _suffixes().privatesuffix(domain.lower().rstrip(".")) is None  # type: ignore[attr-defined]


def aligned(identifier: str, from_domain: str, mode: str) -> bool:
    """Strict: the same domain; relaxed: the same organisational domain (RFC 7489 3.1)."""
    identifier, from_domain = identifier.lower().rstrip("."), from_domain.lower().rstrip(".")
    if not identifier or not from_domain:
        return False
    if mode == "s":
        return identifier == from_domain
    return organisational_domain(identifier) == organisational_domain(from_domain)


@dataclass(frozen=True)
class DmarcRecord:
    policy: str  # p=
    subdomain_policy: str  # sp=, defaults to p=
    adkim: str = "r"
    aspf: str = "r"
    percent: int = 100
    domain: str = ""  # where it was found: the From: domain or its organisational domain

    def policy_for(self, from_domain: str) -> str:
        applies_to_subdomain = from_domain.lower() != self.domain
        return self.subdomain_policy if applies_to_subdomain else self.policy


def parse_record(text: str, domain: str) -> DmarcRecord | None:
    """A ``v=DMARC1`` record, or None when the text is not one (RFC 7489 6.6.3: ignored)."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags.setdefault(name.strip().lower(), value.strip())
    if tags.get("v", "").upper() != "DMARC1":
        return None
    policy = tags.get("p", "").lower()
    if policy not in POLICIES:
        # a record with a bad p= is treated as p=none if it has rua (RFC 7489 6.6.3); otherwise ignored
        if "rua" not in tags:
            return None
        policy = "none"
    subdomain = tags.get("sp", "").lower()
    try:
        percent = max(0, min(100, int(tags.get("pct", "100"))))
    except ValueError:
        percent = 100
    return DmarcRecord(policy=policy, subdomain_policy=subdomain if subdomain in POLICIES else policy,
                       adkim="s" if tags.get("adkim", "r").lower() == "s" else "r",
                       aspf="s" if tags.get("aspf", "r").lower() == "s" else "r",
                       percent=percent, domain=domain)


def find_record(dns: DnsLookup, from_domain: str) -> DmarcRecord | None:
    """The policy at ``_dmarc.<From domain>``, else at the organisational domain (RFC 7489 6.6.3).
    Raises DnsTemporaryError when DNS cannot answer."""
    from_domain = from_domain.lower().rstrip(".")
    candidates = [from_domain]
    organisation = organisational_domain(from_domain)
    if organisation != from_domain:
        candidates.append(organisation)
    for domain in candidates:
        records = [r for r in (parse_record(t, domain) for t in dns.txt(f"_dmarc.{domain}")) if r is not None]
        if len(records) == 1:
            return records[0]
        # several records: as none at this name (RFC 7489 6.6.3)
    return None
