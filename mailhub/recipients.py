"""RCPT decisions and recipient expansion, shared by both listeners and by intake.

Submission (authenticated or trusted): any domain; the province's own and the
service domain must exist in the directory. Inbound: only service-domain
addresses that exist (return paths, group addresses open to the sender).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from directory import Directory, InvalidInput, NotFound
from directory.addressing import normalise_address
from directory.groups import may_post
from directory.models import Group
from mailhub.domains import Domains
from mailhub.smtp.replies import (
    BAD_ADDRESS,
    GROUP_CLOSED,
    RELAY_DENIED,
    UNKNOWN_USER,
    Reply,
)
from mailhub.verp import ReturnPaths

RETURN_PATH, GROUP, LOCAL, EXTERNAL = "return-path", "group", "local", "external"


@dataclass(frozen=True)
class RecipientDecision:
    address: str
    kind: str  # return-path, group, local, external
    refusal: Reply | None = None


class Recipients:
    def __init__(self, directory: Directory, domains: Domains, return_paths: ReturnPaths) -> None:
        self.directory = directory
        self.domains = domains
        self.return_paths = return_paths

    def decide(self, address: str, *, sender: str, may_relay: bool) -> RecipientDecision:
        """What RCPT TO:<address> gets. ``may_relay``: authenticated or trusted client."""
        try:
            value = normalise_address(address)
        except InvalidInput:
            return RecipientDecision(address, EXTERNAL, BAD_ADDRESS)
        domain = value.rpartition("@")[2]
        if self.domains.is_service(domain):
            if self.return_paths.queue_id_of(value):
                return RecipientDecision(value, RETURN_PATH)
            with self.directory.session() as session:
                group = session.exec(select(Group).where(Group.address == value)).first()
                if group is None:
                    return RecipientDecision(value, LOCAL, UNKNOWN_USER)
                if not may_post(session, group, sender, from_inside=may_relay):
                    return RecipientDecision(value, GROUP, GROUP_CLOSED)
            return RecipientDecision(value, GROUP)
        if not may_relay:
            return RecipientDecision(value, EXTERNAL, RELAY_DENIED)
        if self.domains.is_own(domain):
            if not self.directory.is_known(value):
                return RecipientDecision(value, LOCAL, UNKNOWN_USER)
            return RecipientDecision(value, LOCAL)
        return RecipientDecision(value, EXTERNAL)

    def expand(self, decision: RecipientDecision) -> list[str]:
        """The mailboxes a decided recipient is delivered to (groups and aliases expanded)."""
        if decision.kind in (GROUP, LOCAL):
            try:
                return [m.address for m in self.directory.resolve(decision.address).mailboxes]
            except NotFound:
                return []
        if decision.kind == EXTERNAL:
            return [decision.address]
        return []
