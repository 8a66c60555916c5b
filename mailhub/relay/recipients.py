"""RCPT decisions and recipient expansion, shared by both listeners and by intake.

Submission (authenticated or trusted): any domain; the province's own and the
service domain must exist in the directory. Inbound: only service-domain
addresses that exist (return paths, group addresses open to the sender).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel import select

from directory import (
    Directory,
    DirectoryError,
    Group,
    InvalidInput,
    NotFound,
    Resolution,
    is_selector,
    may_post,
    normalise_address,
)
from mailhub.relay.domains import Domains
from mailhub.relay.refusals import (
    BAD_ADDRESS,
    GROUP_CLOSED,
    RELAY_DENIED,
    UNKNOWN_USER,
    Reply,
)
from mailhub.relay.service_addresses import ServiceAddresses
from mailhub.relay.verp import ReturnPaths

RETURN_PATH, GROUP, LOCAL, EXTERNAL, PERSON = "return-path", "group", "local", "external", "person"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """A small thread-safe cache whose entries live ``seconds``; bounded by dropping all when full."""

    def __init__(self, seconds: float, max_entries: int = 50_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and time.monotonic() - entry[0] < self.seconds else None

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        now = time.monotonic()
        cached = self.get(key)
        if cached is not None:
            return cached
        value = make()
        self.put(key, value, now)
        return value

    def put(self, key: K, value: V, made_at: float | None = None) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() if made_at is None else made_at, value)


@dataclass(frozen=True)
class RecipientDecision:
    address: str
    kind: str  # return-path, group, local, external
    refusal: Reply | None = None


class Recipients:
    """Decisions and expansions are cached for a few seconds: RCPT and DATA ask the same
    question, and a burst of mail to one group should not re-read the directory each time."""

    def __init__(self, directory: Directory, domains: Domains, return_paths: ReturnPaths,
                 service_addresses: ServiceAddresses, cache_seconds: float = 10.0) -> None:
        self.directory = directory
        self.domains = domains
        self.return_paths = return_paths
        self.service_addresses = service_addresses
        self._decisions: TtlCache[tuple[str, str, bool, bool], RecipientDecision] = TtlCache(cache_seconds)
        self._expansions: TtlCache[tuple[str, str], list[str]] = TtlCache(cache_seconds)

    def decide(self, address: str, *, sender: str, may_relay: bool, report: bool = False) -> RecipientDecision:
        """What RCPT TO:<address> gets. ``may_relay``: authenticated or trusted client. ``report``: a
        delivery report goes back to whoever sent, even an office system's address the directory does
        not list (the mailbox server knows whether it exists)."""
        key = (address.lower(), sender.lower(), may_relay, report)
        return self._decisions.get_or_make(
            key, lambda: self._decide(address, sender=sender, may_relay=may_relay, report=report))

    def cached(self, address: str, *, sender: str, may_relay: bool) -> RecipientDecision | None:
        """A decision made in the last seconds, without touching the database (the RCPT fast path)."""
        return self._decisions.get((address.lower(), sender.lower(), may_relay, False))

    def decide_all(self, addresses: Sequence[str], *, sender: str, may_relay: bool,
                   report: bool = False) -> list[RecipientDecision]:
        """``decide`` for a whole envelope: the province's own addresses not decided in the last seconds
        are looked up in the directory together (a notice to a province names 10,000 of them)."""
        keys = [(a.lower(), sender.lower(), may_relay, report) for a in addresses]
        own = [v for a, k in zip(addresses, keys, strict=True) if may_relay and self._decisions.get(k) is None
               and (v := self._own_address(a))]
        found = self.directory.resolve_many(own) if own else {}
        for value, outcome in found.items():  # what expand_all will ask for next
            self._remember_expansion(value, LOCAL, outcome)

        def known(value: str) -> bool:
            return isinstance(found[value], Resolution) if value in found else self.directory.is_known(value)

        decisions = []
        for address, key in zip(addresses, keys, strict=True):
            decision = self._decisions.get(key)
            if decision is None:
                decision = self._decide(address, sender=sender, may_relay=may_relay, report=report, known=known)
                self._decisions.put(key, decision)
            decisions.append(decision)
        return decisions

    def from_memory(self, addresses: Sequence[str], *, sender: str, may_relay: bool, report: bool = False) -> bool:
        """Whether ``decide_all`` and ``expand_all`` would answer for this envelope without the directory:
        each address decided in the last seconds (at RCPT, usually), as a mailbox or an outside address
        whose expansion is remembered too. Groups and organizer addresses ask more of the directory at DATA."""
        for address in addresses:
            decision = self._decisions.get((address.lower(), sender.lower(), may_relay, report))
            if decision is None or decision.kind in (GROUP, PERSON):
                return False
            if decision.kind == LOCAL and self._expansions.get((decision.address, LOCAL)) is None:
                return False
        return True

    def expand_all(self, decisions: Sequence[RecipientDecision]) -> list[list[str]]:
        """``expand`` for a whole envelope, the directory's part in one look-up."""
        wanted = [d.address for d in decisions if d.kind in (GROUP, LOCAL)
                  and self._expansions.get((d.address, d.kind)) is None]
        kinds = {d.address: d.kind for d in decisions}
        for address, outcome in (self.directory.resolve_many(wanted) if wanted else {}).items():
            self._remember_expansion(address, kinds[address], outcome)
        return [self.expand(d) for d in decisions]

    def known(self, selector: str, mailboxes: Sequence[str]) -> None:
        """A selector the caller has just resolved (a command composing mail to ``agency:CODE``): intake
        takes its mailboxes from here for the next seconds instead of reading them again."""
        if is_selector(selector) and mailboxes:
            self._expansions.put((selector.strip(), GROUP), list(mailboxes))

    def _remember_expansion(self, address: str, kind: str, outcome: Resolution | DirectoryError) -> None:
        if isinstance(outcome, Resolution):
            self._expansions.put((address, kind), [m.address for m in outcome.mailboxes])
        elif isinstance(outcome, NotFound):
            self._expansions.put((address, kind), [])

    def _own_address(self, address: str) -> str:
        """The normalised address if it is on one of the province's domains (not ours), else ""."""
        if is_selector(address):
            return ""
        try:
            value = normalise_address(address)
        except InvalidInput:
            return ""
        domain = value.rpartition("@")[2]
        return value if self.domains.is_own(domain) and not self.domains.is_service(domain) else ""

    def _decide(self, address: str, *, sender: str, may_relay: bool, report: bool,
                known: Callable[[str], bool] | None = None) -> RecipientDecision:
        if may_relay and is_selector(address):  # group:NAME, agency:CODE from the CLI and office systems
            if self._expansions.get((address.strip(), GROUP)) is not None:
                return RecipientDecision(address.strip(), GROUP)  # resolved seconds ago (``known``)
            try:
                resolution = self.directory.resolve(address)
            except (NotFound, InvalidInput):
                return RecipientDecision(address, GROUP, UNKNOWN_USER.with_text(f"No such group or agency: {address}"))
            self._remember_expansion(address.strip(), GROUP, resolution)  # what expand_all asks for next
            return RecipientDecision(address.strip(), GROUP)
        try:
            value = normalise_address(address)
        except InvalidInput:
            return RecipientDecision(address, EXTERNAL, BAD_ADDRESS)
        domain = value.rpartition("@")[2]
        if self.domains.is_service(domain):
            if self.return_paths.queue_id_of(value):
                return RecipientDecision(value, RETURN_PATH)
            if self.service_addresses.target_of(value):
                return RecipientDecision(value, PERSON)  # an organizer: replies are read, then passed on
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
            if not (known or self.directory.is_known)(value):
                return RecipientDecision(value, EXTERNAL) if report else RecipientDecision(value, LOCAL, UNKNOWN_USER)
            return RecipientDecision(value, LOCAL)
        return RecipientDecision(value, EXTERNAL)

    def may_post(self, address: str, author: str, *, from_inside: bool) -> bool:
        """At DATA, with the author someone vouches for ("" when no one does): a group not open to
        everyone takes mail only from an authenticated member or listed poster. Selectors
        (group:NAME) come only from clients that may relay: decided at RCPT."""
        if is_selector(address):
            return True
        with self.directory.session() as session:
            group = session.exec(select(Group).where(Group.address == address)).first()
            if group is None or group.open_to_outside:
                return True
            return bool(author) and may_post(session, group, author, from_inside=from_inside)

    def expand(self, decision: RecipientDecision) -> list[str]:
        """The mailboxes a decided recipient is delivered to (groups and aliases expanded)."""
        return list(self._expansions.get_or_make((decision.address, decision.kind), lambda: self._expand(decision)))

    def _expand(self, decision: RecipientDecision) -> list[str]:
        if decision.kind in (GROUP, LOCAL):
            try:
                return [m.address for m in self.directory.resolve(decision.address).mailboxes]
            except NotFound:
                return []
        if decision.kind == EXTERNAL:
            return [decision.address]
        if decision.kind == PERSON:
            target = self.service_addresses.target_of(decision.address)
            return [target] if target else []
        return []
