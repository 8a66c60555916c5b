"""Groups: static member lists and rule-based groups, with an optional address and posting list."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from directory.addressing import normalise_address
from directory.errors import Conflict, InvalidInput, NotFound
from directory.models import Group, GroupMember, GroupPoster, Official
from directory.selectors import expand_group, parse_rule, require_group
from directory.service import address_taken, official_by_address
from directory.types import GroupInfo

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def create_group(
    session: Session,
    name: str,
    *,
    address: str | None = None,
    rule: str | None = None,
    description: str = "",
    open_to_outside: bool = False,
) -> Group:
    key = name.strip().casefold()
    if not _NAME.match(key):
        raise InvalidInput(f"group name {name!r}: use lower-case letters, digits, '.', '-' or '_'")
    if session.exec(select(Group).where(Group.name == key)).first() is not None:
        raise Conflict(f"group {key!r} already exists")
    mailbox = normalise_address(address) if address else None
    if mailbox and address_taken(session, mailbox):
        raise Conflict(f"address {mailbox} is already in use")
    if rule:
        rule = ", ".join(parse_rule(rule))
    group = Group(name=key, address=mailbox, rule=rule or None, description=description,
                  open_to_outside=open_to_outside)
    session.add(group)
    session.flush()
    return group


def add_members(session: Session, name: str, addresses: list[str]) -> int:
    group = require_group(session, name)
    added = 0
    for address in addresses:
        official = official_by_address(session, address)
        if official is None:
            raise NotFound(f"no official with address {address!r}")
        if session.get(GroupMember, (group.id, official.id)) is None:
            assert group.id is not None and official.id is not None
            session.add(GroupMember(group_id=group.id, official_id=official.id))
            added += 1
    session.flush()
    return added


def add_posters(session: Session, name: str, senders: list[str]) -> None:
    group = require_group(session, name)
    assert group.id is not None
    for sender in senders:
        value = sender.strip().lower()
        value = value if value.startswith("@") else normalise_address(value)
        if session.get(GroupPoster, (group.id, value)) is None:
            session.add(GroupPoster(group_id=group.id, sender=value))
    session.flush()


def may_post(session: Session, group: Group, sender: str, *, from_inside: bool) -> bool:
    """Members and listed posters may post; outsiders only when the group is open to them."""
    if group.open_to_outside:
        return True
    posters = session.exec(select(GroupPoster.sender).where(GroupPoster.group_id == group.id)).all()
    try:
        address = normalise_address(sender)
    except InvalidInput:
        return False
    if any(p == address or (p.startswith("@") and address.endswith(p)) for p in posters):
        return True
    if from_inside and not posters:
        return True
    return any(o.email == address for o in expand_group(session, group))


def group_info(session: Session, group: Group) -> GroupInfo:
    static = session.exec(
        select(Official.email)
        .join(GroupMember, col(GroupMember.official_id) == col(Official.id))
        .where(GroupMember.group_id == group.id)
    ).all()
    posters = session.exec(select(GroupPoster.sender).where(GroupPoster.group_id == group.id)).all()
    return GroupInfo(
        name=group.name,
        address=group.address,
        rule=group.rule,
        open_to_outside=group.open_to_outside,
        members=tuple(sorted(static)),
        posters=tuple(sorted(posters)),
        description=group.description,
    )


def list_groups(session: Session) -> list[GroupInfo]:
    return [group_info(session, g) for g in session.exec(select(Group).order_by(Group.name)).all()]
