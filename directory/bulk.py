"""Resolving many addresses at once: the same answers as ``service.resolve`` one by one, from a
handful of statements for the whole list (a notice to a province names 10,000 mailboxes).

Each alias hop is one round: officials, agency mailboxes, group addresses and mail aliases are
looked up for every address still pending, in chunks; the per-address decision (official first,
then agency, group, alias; a disabled official is refused) is made in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from directory.errors import DirectoryError, InvalidInput, NotFound
from directory.models import Agency, DomainAlias, Group, MailAlias, Official
from directory.selectors import expand_group, is_selector, mailboxes_of
from directory.types import Mailbox, Resolution

MAX_ALIAS_HOPS = 8  # as service.resolve
CHUNK = 500  # bound parameters per IN (...): well under SQLite's limit
SCAN_ABOVE = 2000  # longer lists read the table once instead

Outcome = Resolution | DirectoryError


def resolve_many(session: Session, targets: Iterable[str]) -> dict[str, Outcome]:
    """Every target (address or selector) -> its Resolution, or the NotFound / InvalidInput that
    ``resolve`` would have raised for it. Keys are the targets exactly as given."""
    from directory.service import resolve

    outcomes: dict[str, Outcome] = {}
    pending: dict[str, list[str]] = {}  # the value being looked up -> the targets that lead to it
    domain_aliases: dict[str, str] | None = None
    wanted = list(dict.fromkeys(targets))
    for target in wanted:
        if is_selector(target):
            try:
                outcomes[target] = resolve(session, target)
            except (NotFound, InvalidInput) as exc:
                outcomes[target] = exc
            continue
        if domain_aliases is None:
            domain_aliases = dict(session.exec(select(DomainAlias.domain, DomainAlias.target_domain)).all())
        try:
            value = _canonical(target, domain_aliases)
        except InvalidInput as exc:
            outcomes[target] = exc
            continue
        pending.setdefault(value, []).append(target)
    codes: dict[int | None, str] | None = None
    for _ in range(MAX_ALIAS_HOPS):
        if not pending:
            break
        values = list(pending)
        officials = {row[0]: row for row in _rows(session, (Official.email, Official.full_name, Official.agency_id,
                                                             Official.active), Official.email, values)}
        agencies = {row[0]: row for row in _rows(session, (Agency.mailbox, Agency.name, Agency.code),
                                                  Agency.mailbox, values)}
        groups = dict(_rows(session, (Group.address, Group.id), Group.address, values))
        aliases = dict(_rows(session, (MailAlias.address, MailAlias.target), MailAlias.address, values))
        following: dict[str, list[str]] = {}
        for value, origins in pending.items():
            outcome: Outcome | None = None
            if value in officials:
                _, name, agency_id, active = officials[value]
                if not active:
                    outcome = NotFound(f"{value} belongs to a disabled account")
                else:
                    if codes is None:
                        codes = {row[0]: row[1] for row in session.exec(select(Agency.id, Agency.code))}
                    box = Mailbox(address=value, display_name=name, agency_code=codes.get(agency_id, ""),
                                  kind="official")
                    outcome = Resolution(value, "official", (box,))
            elif value in agencies:
                _, name, code = agencies[value]
                outcome = Resolution(value, "agency", (Mailbox(address=value, display_name=name, agency_code=code,
                                                               kind="agency"),))
            elif value in groups:
                group = session.get(Group, groups[value])
                assert group is not None
                outcome = Resolution(value, "group", mailboxes_of(session, expand_group(session, group)))
            elif value in aliases:
                following.setdefault(aliases[value], []).extend(origins)
                continue
            for origin in origins:
                outcomes[origin] = outcome or _not_found(origin)
        pending = following
    for origins in pending.values():  # still an alias after MAX_ALIAS_HOPS hops
        for origin in origins:
            outcomes[origin] = _not_found(origin)
    return {target: outcomes[target] for target in wanted}


def _not_found(target: str) -> NotFound:
    return NotFound(f"no mailbox, group or alias {target.strip()!r} in the directory")


def _canonical(address: str, domain_aliases: dict[str, str]) -> str:
    """``service.canonical_address`` with the (small) domain-alias table already loaded."""
    from directory.addressing import normalise_address

    value = normalise_address(address)
    for _ in range(MAX_ALIAS_HOPS):
        local, domain = value.split("@")
        target = domain_aliases.get(domain)
        if target is None:
            return value
        value = f"{local}@{target}"
    return value


def _rows(session: Session, columns: tuple[Any, ...], key: Any, values: Sequence[str]) -> list[Any]:
    """Rows of ``columns`` (the first is ``key``) whose key is one of ``values``: ``IN (...)`` in chunks
    for a short list, one scan of the table for a long one (cheaper than twenty IN lists)."""
    if len(values) > SCAN_ABOVE:
        wanted = set(values)
        everything = session.execute(select(*columns).where(col(key).is_not(None)))
        return [row for row in everything.all() if row[0] in wanted]
    found: list[Any] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start:start + CHUNK]
        found.extend(session.execute(select(*columns).where(col(key).in_(chunk))))
    return found
