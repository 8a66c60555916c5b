"""Every address that reaches an official, loaded once: for reading logs of thousands of lines
without a query per line (a mailbox server logs old addresses, former domains and bare names)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from directory.addressing import AddressError, normalise_address
from directory.models import Agency, DomainAlias, MailAlias, Official

MAX_HOPS = 8


@dataclass(frozen=True)
class AddressBook:
    officials: frozenset[str]  # primary addresses
    aliases: dict[str, str]  # alias -> target (another alias or a primary address)
    domain_aliases: dict[str, str]  # former domain -> current domain
    own_domains: frozenset[str]  # the agencies' domains and the former ones
    province_domain: str | None  # the root agency's: what a bare user name means

    def full_address(self, user: str) -> str:
        """``user@domain`` lower-cased and checked; a bare user name takes the province's domain.
        Raises AddressError (a DirectoryError) when the value is no address."""
        value = user.strip().strip("<>\"'").strip()
        if "@" not in value:
            if not self.province_domain:
                raise AddressError(f"bare user name {value!r} and no province domain to add")
            value = f"{value}@{self.province_domain}"
        return normalise_address(value)

    def official_for(self, address: str) -> str | None:
        """The primary address of the official an address reaches (aliases, former domains), or None."""
        value = address.lower()
        for _ in range(MAX_HOPS):
            local, _, domain = value.rpartition("@")
            value = f"{local}@{self.domain_aliases.get(domain, domain)}"
            if value in self.officials:
                return value
            if value not in self.aliases:
                return None
            value = self.aliases[value]
        return None


def load_address_book(session: Session) -> AddressBook:
    roots = session.exec(select(Agency.domain).where(col(Agency.parent_id).is_(None))
                         .order_by(col(Agency.id))).all()
    domains = set(session.exec(select(Agency.domain)).all())
    former = {a.domain: a.target_domain for a in session.exec(select(DomainAlias)).all()}
    return AddressBook(
        officials=frozenset(session.exec(select(Official.email)).all()),
        aliases={a.address: a.target for a in session.exec(select(MailAlias)).all()},
        domain_aliases=former,
        own_domains=frozenset(d.lower() for d in domains | set(former) if d),
        province_domain=roots[0].lower() if roots else None,
    )

