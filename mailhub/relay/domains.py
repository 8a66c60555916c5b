"""Which domains are the province's own (routed to the mailbox server) and which are ours: the
configured service domain, and any earlier one that organizer addresses were made on (kept working,
so replies to invitations sent before a change of MAILHUB_SERVICE_DOMAIN still arrive)."""

from __future__ import annotations

import time

from sqlalchemy import Engine
from sqlmodel import Session, select

from directory import Agency, DomainAlias
from mailhub.store.meeting_models import ServiceAddress


class Domains:
    """Own domains come from the directory (agencies and former domains) plus configuration."""

    def __init__(self, engine: Engine, service_domain: str, extra: list[str], ttl_seconds: float = 30.0) -> None:
        self.engine = engine
        self.service_domain = service_domain.lower()
        self._extra = {d.strip().lower() for d in extra if d.strip()}
        self._ttl = ttl_seconds
        self._cached: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._services: frozenset[str] = frozenset({self.service_domain})
        self._services_at = float("-inf")

    def own(self) -> frozenset[str]:
        if time.monotonic() - self._loaded_at > self._ttl:
            with Session(self.engine) as session:
                domains = set(session.exec(select(Agency.domain)).all())
                domains |= set(session.exec(select(DomainAlias.domain)).all())
            self._cached = frozenset(domains | self._extra)
            self._loaded_at = time.monotonic()
        return self._cached

    def is_own(self, domain: str) -> bool:
        return domain.lower() in self.own()

    def is_province_or_ours(self, domain: str) -> bool:
        """An own domain, a subdomain of one, or a service domain: what only the province may claim."""
        domain = domain.lower().rstrip(".")
        own = self.own()
        return self.is_service(domain) or domain in own or any(domain.endswith("." + d) for d in own)

    def is_service(self, domain: str) -> bool:
        domain = domain.lower()
        return domain == self.service_domain or domain in self.former_service_domains()

    def former_service_domains(self) -> frozenset[str]:
        if time.monotonic() - self._services_at > self._ttl:
            with Session(self.engine) as session:
                addresses = session.exec(select(ServiceAddress.address)).all()
            self._services = frozenset(a.rpartition("@")[2].lower() for a in addresses) - {self.service_domain}
            self._services_at = time.monotonic()
        return self._services
