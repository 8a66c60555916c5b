"""Directory selectors: ``group:NAME``, ``agency:CODE``, ``heads``, ``heads:KIND``, ``kind:KIND``.

A rule-based group stores a union of selectors separated by commas, resolved at
send time, so a group like "all heads of departments" (``heads:department``)
follows the directory as it changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Select
from sqlalchemy import select as columns_of
from sqlmodel import Session, col, select

from directory.agencies import require_agency, subtree_ids
from directory.errors import InvalidInput, NotFound
from directory.models import Agency, Group, GroupMember, Official
from directory.names import clean_text
from directory.types import Mailbox

SELECTOR_PREFIXES = ("group:", "agency:", "heads", "kind:")
MAX_GROUP_DEPTH = 5


class Member(Protocol):
    """The four columns of an official that a selector's answer needs (read as plain rows, not ORM
    objects: a selector for a whole province reads 10,000 of them)."""

    @property
    def id(self) -> int | None: ...
    @property
    def email(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def agency_id(self) -> int | None: ...


def _members() -> Select[int | None, str, str, int]:
    return columns_of(col(Official.id), col(Official.email), col(Official.full_name), col(Official.agency_id))


def is_selector(target: str) -> bool:
    value = target.strip().casefold()
    return "@" not in value and (value == "heads" or value.startswith(SELECTOR_PREFIXES))


def parse_rule(rule: str) -> list[str]:
    parts = [clean_text(p) for p in rule.replace(";", ",").split(",")]
    selectors = [p for p in parts if p]
    if not selectors:
        raise InvalidInput("a group rule needs at least one selector")
    for selector in selectors:
        if not is_selector(selector):
            raise InvalidInput(
                f"unknown selector {selector!r}: use agency:CODE, heads, heads:KIND, kind:KIND or group:NAME"
            )
    return selectors


def expand(session: Session, selector: str, depth: int = 0) -> list[Member]:
    """Active officials a selector stands for, in directory order, without duplicates."""
    if depth > MAX_GROUP_DEPTH:
        raise InvalidInput(f"groups nest deeper than {MAX_GROUP_DEPTH} levels at {selector!r}")
    kind, _, argument = clean_text(selector).partition(":")
    kind = kind.casefold()
    argument = argument.strip()
    if kind == "agency":
        agency = require_agency(session, argument)
        ids = subtree_ids(session, agency)
        query = _members().where(col(Official.agency_id).in_(ids))
    elif kind == "heads":
        query = _members().where(col(Official.is_head) == True)  # noqa: E712
        if argument:
            query = query.join(Agency, col(Agency.id) == col(Official.agency_id)).where(
                col(Agency.kind) == argument.casefold()
            )
    elif kind == "kind":
        if not argument:
            raise InvalidInput("kind: needs an agency kind, e.g. kind:commune")
        query = (
            _members()
            .join(Agency, col(Agency.id) == col(Official.agency_id))
            .where(col(Agency.kind) == argument.casefold())
        )
    elif kind == "group":
        return expand_group(session, require_group(session, argument), depth)
    else:
        raise InvalidInput(f"unknown selector {selector!r}")
    query = query.where(col(Official.active) == True).order_by(col(Official.id))  # noqa: E712
    return list(session.execute(query).all())


def require_group(session: Session, name: str) -> Group:
    group = session.exec(select(Group).where(Group.name == clean_text(name).casefold())).first()
    if group is None:
        raise NotFound(f"no group named {name!r}")
    return group


def expand_group(session: Session, group: Group, depth: int = 0) -> list[Member]:
    found: dict[int, Member] = {}
    if group.rule:
        for selector in parse_rule(group.rule):
            for official in expand(session, selector, depth + 1):
                assert official.id is not None
                found.setdefault(official.id, official)
    members = session.execute(
        _members()
        .join(GroupMember, col(GroupMember.official_id) == col(Official.id))
        .where(col(GroupMember.group_id) == group.id, col(Official.active) == True)  # noqa: E712
        .order_by(col(Official.id))
    ).all()
    for official in members:
        assert official.id is not None
        found.setdefault(official.id, official)
    return list(found.values())


def mailboxes_of(session: Session, officials: Sequence[Member]) -> tuple[Mailbox, ...]:
    codes: dict[int | None, str] = dict(session.exec(select(Agency.id, Agency.code)).all()) if officials else {}
    return tuple(
        Mailbox(address=o.email, display_name=o.full_name, agency_code=codes.get(o.agency_id, ""), kind="official")
        for o in officials
    )
