"""MTA-STS (RFC 8461) for outside domains: a domain that publishes ``_mta-sts.<domain>`` and serves a
policy at ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` over verified HTTPS says which MX
hosts may receive its mail and whether TLS with a valid certificate is required (``enforce``).
Policies are cached for their max_age and refetched when the TXT record's id changes; a policy that
cannot be fetched again is kept until it expires (a downgrade attack cannot remove it)."""

from __future__ import annotations

import asyncio
import http.client
import logging
import re
import socket
import time
from dataclasses import dataclass

from mailhub.delivery.tls_policy import verifying_context
from mailhub.senders.dns_lookup import DnsLookup, DnsTemporaryError

log = logging.getLogger("mailhub.delivery")
MAX_POLICY_BYTES = 64 * 1024
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


@dataclass(frozen=True)
class StsPolicy:
    mode: str  # enforce, testing, none
    mx: tuple[str, ...]
    max_age: int
    id: str = ""

    def allows(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for pattern in self.mx:
            if pattern.startswith("*."):
                head, _, rest = host.partition(".")
                if head and rest == pattern[2:]:
                    return True
            elif host == pattern:
                return True
        return False


def parse_policy(text: str, policy_id: str = "") -> StsPolicy:
    """The policy file (RFC 8461 3.2); ValueError when it is not one."""
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), []).append(value.strip().lower())
    if fields.get("version") != ["stsv1"]:
        raise ValueError("not an STSv1 policy")
    mode = (fields.get("mode") or [""])[0]
    if mode not in ("enforce", "testing", "none"):
        raise ValueError(f"unknown mode {mode!r}")
    try:
        max_age = int((fields.get("max_age") or [""])[0])
    except ValueError as exc:
        raise ValueError("max_age is not a number") from exc
    mx = tuple(m.rstrip(".") for m in fields.get("mx", []))
    if mode != "none" and not mx:
        raise ValueError("no mx lines")
    return StsPolicy(mode, mx, min(max(max_age, 0), 31_557_600), policy_id)


class MtaSts:
    def __init__(self, dns: DnsLookup, *, port: int = 443, ca_file: str | None = None, timeout: float = 10.0) -> None:
        self.dns = dns
        self.port = port
        self.ca_file = ca_file
        self.timeout = timeout
        self._cache: dict[str, tuple[float, StsPolicy]] = {}  # domain -> (expires at, policy)

    async def policy(self, domain: str) -> StsPolicy | None:
        return await asyncio.to_thread(self.lookup, domain.lower().rstrip("."))

    def lookup(self, domain: str) -> StsPolicy | None:
        cached = self._cache.get(domain)
        if cached is not None and cached[0] < time.monotonic():
            self._cache.pop(domain, None)
            cached = None
        try:
            records = [t for t in self.dns.txt(f"_mta-sts.{domain}") if t.lower().startswith("v=stsv1")]
        except DnsTemporaryError:
            return cached[1] if cached else None
        if len(records) != 1:
            return cached[1] if cached else None  # no record (or several): a cached policy still stands
        policy_id = _id_of(records[0])
        if cached is not None and cached[1].id == policy_id:
            return cached[1]
        try:
            policy = parse_policy(self._fetch(domain), policy_id)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            log.info("MTA-STS policy of %s not fetched: %s", domain, exc)
            return cached[1] if cached else None
        self._cache[domain] = (time.monotonic() + policy.max_age, policy)
        return policy

    def _fetch(self, domain: str) -> str:
        host = f"mta-sts.{domain}"
        addresses = [str(getattr(r, "address", "")) for r in self.dns.answer(host, "A")]
        if not addresses:
            raise OSError(f"{host} has no address")
        context = verifying_context(self.ca_file or "")
        raw = socket.create_connection((addresses[0], self.port), timeout=self.timeout)
        secure = context.wrap_socket(raw, server_hostname=host)  # the certificate must name mta-sts.<domain>
        connection = http.client.HTTPSConnection(host, self.port, timeout=self.timeout, context=context)
        connection.sock = secure
        try:
            connection.request("GET", "/.well-known/mta-sts.txt", headers={"Host": host})
            response = connection.getresponse()
            if response.status != 200:
                raise OSError(f"HTTP {response.status}")
            if not response.getheader("Content-Type", "").lower().startswith("text/plain"):
                raise ValueError("the policy is not text/plain")
            body = response.read(MAX_POLICY_BYTES + 1)
            if len(body) > MAX_POLICY_BYTES:
                raise ValueError("the policy is larger than 64 KB")
            return body.decode("utf-8", "replace")
        finally:
            connection.close()


def _id_of(record: str) -> str:
    for part in record.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "id" and _ID.match(value.strip()):
            return value.strip()
    return ""
