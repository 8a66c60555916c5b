"""Where mail for a domain goes: the mailbox server (smart host) for the province's own
domains, a per-domain transport map, or the Internet's MX records (never for own domains)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from mailhub.delivery.mta_sts import MtaSts
from mailhub.delivery.tls_policy import TlsPolicy
from mailhub.relay.domains import Domains

HostPort = tuple[str, int]


class RouteError(Exception):
    """No route now. ``permanent``: the domain cannot receive mail at all (bounce)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Route:
    kind: str  # smarthost, transport, mx
    hosts: tuple[HostPort, ...]
    credentials: tuple[str, str] | None = field(default=None, repr=False)  # AUTH at the smart host
    tls: str = "may"  # the TLS this destination gets (delivery/tls_policy.py; "verify" under MTA-STS enforce)

    @property
    def name(self) -> str:
        return f"{self.kind}:" + ",".join(f"{h}:{p}" for h, p in self.hosts)


class MxResolver(Protocol):
    async def lookup(self, domain: str) -> list[HostPort]: ...


class DnsMxResolver:
    """MX lookup with dnspython; a domain without MX falls back to its address (RFC 5321 5.1)."""

    def __init__(self, timeout: float = 10.0, nameservers: list[tuple[str, int]] | None = None) -> None:
        self.timeout = timeout
        self.nameservers = nameservers or []

    async def lookup(self, domain: str) -> list[HostPort]:
        import dns.asyncresolver
        import dns.exception
        import dns.nameserver
        import dns.resolver

        resolver = dns.asyncresolver.Resolver(configure=not self.nameservers)
        if self.nameservers:
            resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in self.nameservers]
        resolver.lifetime = self.timeout
        try:
            answer = await resolver.resolve(domain, "MX")
        except dns.resolver.NXDOMAIN as exc:
            raise RouteError(f"domain {domain} does not exist", permanent=True) from exc
        except dns.resolver.NoAnswer:
            return [(domain, 25)]
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise RouteError(f"DNS lookup for {domain} failed: {exc}", permanent=False) from exc
        records = sorted(answer, key=lambda r: r.preference)
        hosts = [(str(r.exchange).rstrip("."), 25) for r in records]
        if hosts == [("", 25)]:
            raise RouteError(f"domain {domain} accepts no mail (null MX)", permanent=True)
        return hosts


LOCAL_ROUTE = Route("local", ())


class Router:
    def __init__(self, domains: Domains, smarthost: HostPort | None, transport_map: dict[str, HostPort],
                 resolver: MxResolver, smarthost_credentials: tuple[str, str] | None = None, *,
                 tls_policy: TlsPolicy | None = None, mta_sts: MtaSts | None = None) -> None:
        self.domains = domains
        self.tls_policy = tls_policy or TlsPolicy()
        self.mta_sts = mta_sts
        self.smarthost = smarthost
        self.smarthost_credentials = smarthost_credentials
        self.transport_map = {k.lower(): v for k, v in transport_map.items()}
        self.resolver = resolver

    async def route(self, domain: str) -> Route:
        domain = domain.lower()
        if self.domains.is_service(domain):
            return LOCAL_ROUTE  # mailhub's own addresses: read by the replies stage, never sent on
        tls = self.tls_policy.for_domain(domain).mode
        if domain in self.transport_map:
            return Route("transport", (self.transport_map[domain],), tls=tls)
        if self.domains.is_own(domain):
            if self.smarthost is None:
                raise RouteError("no smart host configured for the province's domains (MAILHUB_SMARTHOST)",
                                 permanent=False)
            return Route("smarthost", (self.smarthost,), self.smarthost_credentials, tls=tls)
        hosts = tuple(await self.resolver.lookup(domain))
        policy = await self.mta_sts.policy(domain) if self.mta_sts is not None else None
        if policy is not None and policy.mode == "enforce":
            allowed = tuple(h for h in hosts if policy.allows(h[0]))
            if not allowed:
                raise RouteError(f"the MTA-STS policy of {domain} allows none of its MX hosts "
                                 f"({', '.join(h for h, _ in hosts)})", permanent=False)
            return Route("mx", allowed, tls="verify")  # RFC 8461 4.2: a valid certificate, or no delivery
        return Route("mx", hosts, tls=tls)


def parse_transport_map(value: str) -> dict[str, HostPort]:
    """``domain=host:port, other=host`` -> {domain: (host, port)}."""
    from mailhub.config import parse_host_port

    result: dict[str, HostPort] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        domain, sep, target = item.partition("=")
        if not sep or not domain.strip() or not target.strip():
            raise ValueError(f"transport map entry {item.strip()!r} is not domain=host:port")
        result[domain.strip().lower()] = parse_host_port(target, 25)
    return result
