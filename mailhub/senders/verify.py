"""SPF, DKIM and DMARC for one message, in one call (run in a thread: the libraries block)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

import dkim
import spf
from dkim.util import parse_tag_value

from mailhub.relay.headers import author_addresses, header_block
from mailhub.relay.refusals import Refused
from mailhub.senders.dmarc import aligned, find_record, is_public_suffix
from mailhub.senders.dns_lookup import DnsLookup, DnsTemporaryError

log = logging.getLogger("mailhub.senders")

MAX_SIGNATURES = 5  # more DKIM signatures than this are not checked (each costs a DNS query)
PASS, FAIL, NONE, TEMPERROR, PERMERROR, NEUTRAL = "pass", "fail", "none", "temperror", "permerror", "neutral"


@dataclass(frozen=True)
class DkimResult:
    domain: str
    selector: str
    result: str  # pass, fail, neutral (a signature mailhub does not count), temperror, permerror
    reason: str = ""


@dataclass(frozen=True)
class SenderAuthentication:
    """What SPF, DKIM and DMARC say about one message. ``from_domain``: the RFC5322.From domain
    ("" when there is not exactly one From: address)."""

    spf: str
    spf_domain: str  # the MAIL FROM domain, or the HELO name for the null sender
    from_address: str
    from_domain: str
    dkim: tuple[DkimResult, ...] = ()
    dmarc: str = NONE  # pass, fail, none, temperror, permerror
    dmarc_policy: str = ""  # none, quarantine, reject: what the From: domain asks on failure

    @property
    def aligned(self) -> bool:
        """The From: domain is authenticated: an aligned DKIM or SPF pass (DMARC's own test),
        whether or not the domain publishes a DMARC record."""
        return self.dmarc == PASS

    def dkim_passes_for(self, domain: str) -> bool:
        """A verified signature of ``domain`` itself or of a parent domain of it."""
        domain = domain.lower()
        return any(r.result == PASS and (domain == r.domain or domain.endswith("." + r.domain)) for r in self.dkim)

    def dkim_temporary_for(self, domain: str) -> bool:
        domain = domain.lower()
        return any(r.result == TEMPERROR and (domain == r.domain or domain.endswith("." + r.domain))
                   for r in self.dkim)


class SenderAuthenticator:
    """``claimable``: the domains only the province may use (their signatures are always checked).
    Only signatures that can matter are verified: of the From: domain's organisation, or claimable;
    at most MAX_SIGNATURES, never one of a public suffix (d=gov.vn authenticates no one)."""

    def __init__(self, dns: DnsLookup, *, timeout: float = 10.0,
                 claimable: Callable[[str], bool] = lambda domain: False) -> None:
        self.dns = dns
        self.timeout = timeout
        self.claimable = claimable
        spf.DNSLookup = dns.spf_records  # pyspf asks DNS through a module-level function: ours

    @property
    def deadline(self) -> float:
        """The most one message's checks may take (SPF, the DMARC lookups and the keys, in turn)."""
        return 2.5 * self.timeout

    def unverifiable(self, content: bytes, *, mail_from: str, helo: str) -> SenderAuthentication:
        """What is known when the checks ran out of time: nothing (the message gets 451, try later)."""
        from_address = _from_address(content)
        domain = mail_from.rpartition("@")[2].lower() if mail_from else helo.lower()
        return SenderAuthentication(spf=TEMPERROR, spf_domain=domain, from_address=from_address,
                                    from_domain=from_address.rpartition("@")[2], dmarc=TEMPERROR)

    def check(self, content: bytes, *, mail_from: str, helo: str, client_ip: str) -> SenderAuthentication:
        spf_result, spf_domain = self._spf(mail_from, helo, client_ip)
        from_address = _from_address(content)
        from_domain = from_address.rpartition("@")[2]
        signatures = self._dkim(content, from_domain)
        dmarc, policy = self._dmarc(from_domain, spf_result, spf_domain, signatures)
        return SenderAuthentication(spf=spf_result, spf_domain=spf_domain, from_address=from_address,
                                    from_domain=from_domain, dkim=signatures, dmarc=dmarc, dmarc_policy=policy)

    def _spf(self, mail_from: str, helo: str, client_ip: str) -> tuple[str, str]:
        domain = mail_from.rpartition("@")[2].lower() if mail_from else helo.lower()
        sender = mail_from or f"postmaster@{helo}"
        try:
            result, _ = spf.check2(i=client_ip, s=sender, h=helo, timeout=self.timeout)
        except Exception as exc:  # pyspf on a hostile name or address: no SPF result, never a crash
            log.info("SPF check of <%s> from %s failed: %s", sender, client_ip, exc)
            return PERMERROR, domain
        return str(result).lower(), domain

    def _dkim(self, content: bytes, from_domain: str) -> tuple[DkimResult, ...]:
        try:
            headers = [value for name, value in dkim.DKIM(content).headers if name.lower() == b"dkim-signature"]
        except Exception:  # a message dkimpy cannot read has no signature it can check
            return ()
        results: list[DkimResult] = []
        for index, value in enumerate(headers):
            try:
                domain = _text(parse_tag_value(value).get(b"d", b"")).lower().strip().rstrip(".")
            except Exception:
                results.append(DkimResult("", "", PERMERROR, "unreadable signature"))
                continue
            if is_public_suffix(domain):
                results.append(DkimResult(domain, "", NEUTRAL, "a public suffix authenticates no one"))
            elif not (aligned(domain, from_domain, "r") or self.claimable(domain)):
                results.append(DkimResult(domain, "", NEUTRAL, "not checked: unrelated to the author"))
            elif sum(r.result != NEUTRAL for r in results) >= MAX_SIGNATURES:
                results.append(DkimResult(domain, "", NEUTRAL, "not checked: too many signatures"))
            else:
                results.append(self._one_signature(content, index))
        return tuple(results)

    def _one_signature(self, content: bytes, index: int) -> DkimResult:
        verifier = dkim.DKIM(content, minkey=1024, timeout=int(self.timeout))
        try:
            ok = verifier.verify(idx=index, dnsfunc=self.dns.dkim_key)
            result, reason = (PASS, "") if ok else (FAIL, "signature did not verify")
        except DnsTemporaryError as exc:
            result, reason = TEMPERROR, str(exc)
        except dkim.DKIMException as exc:
            result, reason = PERMERROR, str(exc)[:200]
        except Exception as exc:  # dkimpy on hostile input
            result, reason = PERMERROR, exc.__class__.__name__
        fields = verifier.signature_fields or {}
        domain = _text(fields.get(b"d", b"")).lower()
        selector = _text(fields.get(b"s", b""))
        if result == PASS and b"l" in fields:
            # a signature over part of the body lets anyone append text below it: not counted
            result, reason = NEUTRAL, "signature covers only part of the body (l=)"
        return DkimResult(domain=domain, selector=selector, result=result, reason=reason)

    def _dmarc(self, from_domain: str, spf_result: str, spf_domain: str,
               signatures: tuple[DkimResult, ...]) -> tuple[str, str]:
        if not from_domain:
            return PERMERROR, ""
        try:
            record = find_record(self.dns, from_domain)
        except DnsTemporaryError:
            record, lookup_failed = None, True
        else:
            lookup_failed = False
        dkim_mode = record.adkim if record else "r"
        spf_mode = record.aspf if record else "r"
        if any(s.result == PASS and aligned(s.domain, from_domain, dkim_mode) for s in signatures) or (
                spf_result == PASS and aligned(spf_domain, from_domain, spf_mode)):
            return PASS, record.policy_for(from_domain) if record else ""
        if lookup_failed:
            return TEMPERROR, ""
        if record is None:  # no policy: nothing depends on what DNS could not say
            return NONE, ""
        if spf_result == TEMPERROR or any(s.result == TEMPERROR for s in signatures):
            return TEMPERROR, ""
        policy = record.policy_for(from_domain) if record.percent > 0 else "none"
        return FAIL, policy


def _from_address(content: bytes) -> str:
    """The one RFC5322.From address, read as intake reads it; "" when there is none or more than one
    (DMARC cannot apply, and intake refuses such a message from the Internet)."""
    try:
        head = header_block(content)
    except Refused:
        return ""
    addresses = author_addresses(BytesHeaderParser(policy=compat32).parsebytes(head).get_all("From", []))
    return addresses[0] if len(addresses) == 1 and "@" in addresses[0] else ""


def _text(value: object) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
