"""Who a message is for and on whose behalf: directory addresses and selectors turned into people,
and an organizer's address on the service domain."""

from __future__ import annotations

from collections.abc import Sequence

from directory import Directory, InvalidInput, NotFound, is_selector, normalise_address
from mailhub.dispatch.letterhead import Letterhead, letterhead_for
from mailhub.dispatch.person import Person
from mailhub.relay.domains import Domains
from mailhub.relay.service_addresses import ServiceAddresses


class People:
    def __init__(self, directory: Directory, domains: Domains, service_addresses: ServiceAddresses) -> None:
        self.directory = directory
        self.domains = domains
        self.service_addresses = service_addresses

    def person(self, target: str, role: str = "REQ-PARTICIPANT") -> Person:
        try:
            box = self.directory.resolve(target).mailboxes[0]
            return Person(box.address, box.display_name, role, box.agency_code)
        except (NotFound, IndexError):
            address = normalise_address(target)
            if self.domains.is_own(address.rpartition("@")[2]):
                raise NotFound(f"{address} is not in the directory") from None
            return Person(address, "", role)

    def people(self, targets: Sequence[str], selectors: dict[str, list[str]] | None = None) -> tuple[Person, ...]:
        """Everyone ``targets`` reach; ``selectors``, when given, receives each selector's mailboxes."""
        found: dict[str, Person] = {}
        for target in targets:
            try:  # an address, an alias, a group's address or a selector: every mailbox it reaches
                mailboxes = self.directory.resolve(target).mailboxes
                if selectors is not None and is_selector(target):
                    selectors[target.strip()] = [box.address for box in mailboxes]
            except NotFound:
                if is_selector(target):
                    raise
                person = self.person(target)  # outside the province, or refused if it claims to be inside
                found.setdefault(person.email, person)
                continue
            for box in mailboxes:
                found.setdefault(box.address, Person(box.address, box.display_name, agency=box.agency_code))
        if not found:
            raise InvalidInput("nobody to send to: --to resolves to no mailbox")
        return tuple(found.values())

    def default_sender(self) -> str:
        """The province's own mailbox (the root agency's), for commands given no sender."""
        roots = [a for a in self.directory.agencies() if a.parent_code is None and a.active and a.mailbox]
        if not roots:
            raise InvalidInput("no sender given and no root agency mailbox to send from")
        return str(roots[0].mailbox)

    def sender(self, address: str) -> tuple[Person, Letterhead]:
        """(the sender, the letterhead of its agency): one official's or one agency's address."""
        resolution = self.directory.resolve(address)
        if resolution.kind not in ("official", "agency"):
            raise InvalidInput(f"the sender must be one official's or one agency's address, not {address}")
        box = resolution.mailboxes[0]
        return Person(box.address, box.display_name), letterhead_for(self.directory, box.agency_code)

    def organizer(self, address: str) -> tuple[Person, str, Letterhead]:
        """(ORGANIZER on the service domain, the real address, the letterhead of its agency)."""
        real, head = self.sender(address)
        service = self.service_addresses.for_address(real.email, real.name)
        return Person(service, real.name), real.email, head
