"""Addresses on mailhub's service domain that stand for directory addresses (organizers), so
replies come back to mailhub and are then passed on to the real mailbox."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mailhub.store.meeting_models import ServiceAddress


class ServiceAddresses:
    def __init__(self, engine: Engine, service_domain: str) -> None:
        self.engine = engine
        self.domain = service_domain.lower()

    def for_address(self, target: str, display_name: str = "", *, session: Session | None = None) -> str:
        """The service address of ``target`` on the configured service domain, made on first use: its
        local part, disambiguated. Addresses made on an earlier service domain stay as aliases. Given
        ``session``, a new address is written in it (committed with the caller's work)."""
        if session is not None:
            return self._find_or_add(session, target, display_name)
        with Session(self.engine) as own:
            address = self._find_or_add(own, target, display_name)
            own.commit()
            return address

    def _find_or_add(self, session: Session, target: str, display_name: str) -> str:
        existing = session.exec(select(ServiceAddress).where(
            ServiceAddress.target == target, col(ServiceAddress.address).endswith(f"@{self.domain}"))).first()
        if existing is not None:
            return existing.address
        local, _, domain = target.partition("@")
        candidates = [local, f"{local}.{domain.split('.')[0]}"] + [f"{local}{n}" for n in range(2, 100)]
        for candidate in candidates:
            address = f"{candidate}@{self.domain}"
            if session.get(ServiceAddress, address) is None:
                session.add(ServiceAddress(address=address, target=target, display_name=display_name))
                session.flush()
                return address
        raise RuntimeError(f"no free service address for {target}")

    def target_of(self, address: str) -> str | None:
        with Session(self.engine) as session:
            found = session.get(ServiceAddress, address.lower())
            return found.target if found else None
