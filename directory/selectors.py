"""Directory selectors: ``group:NAME``, ``agency:CODE``, ``heads``, ``heads:KIND``, ``kind:KIND``.

A rule-based group stores a union of selectors separated by commas, resolved at
send time, so a group like "all heads of departments" (``heads:department``)
follows the directory as it changes.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from directory.agencies import require_agency, subtree_ids
from directory.errors import InvalidInput, NotFound
from directory.models import Agency, Group, GroupMember, Official
from directory.names import clean_text
from directory.types import Mailbox

SELECTOR_PREFIXES = ("group:", "agency:", "heads", "kind:")
MAX_GROUP_DEPTH = 5


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


def expand(session: Session, selector: str, depth: int = 0) -> list[Official]:
    """Active officials a selector stands for, in directory order, without duplicates."""
    if depth > MAX_GROUP_DEPTH:
        raise InvalidInput(f"groups nest deeper than {MAX_GROUP_DEPTH} levels at {selector!r}")
    kind, _, argument = clean_text(selector).partition(":")
    kind = kind.casefold()
    argument = argument.strip()
    if kind == "agency":
        agency = require_agency(session, argument)
        ids = subtree_ids(session, agency)
        query = select(Official).where(Official.agency_id.in_(ids))  # type: ignore[attr-defined]
    elif kind == "heads":
        query = select(Official).where(Official.is_head == True)  # noqa: E712
        if argument:
            query = query.join(Agency, col(Agency.id) == col(Official.agency_id)).where(
                Agency.kind == argument.casefold()
            )
    elif kind == "kind":
        if not argument:
            raise InvalidInput("kind: needs an agency kind, e.g. kind:commune")
        query = (
            select(Official)
            .join(Agency, col(Agency.id) == col(Official.agency_id))
            .where(Agency.kind == argument.casefold())
        )
    elif kind == "group":
        return expand_group(session, require_group(session, argument), depth)
    else:
        raise InvalidInput(f"unknown selector {selector!r}")
    query = query.where(Official.active == True).order_by(col(Official.id))  # noqa: E712
    return list(session.exec(query).all())


def require_group(session: Session, name: str) -> Group:
    group = session.exec(select(Group).where(Group.name == clean_text(name).casefold())).first()
    if group is None:
        raise NotFound(f"no group named {name!r}")
    return group


def expand_group(session: Session, group: Group, depth: int = 0) -> list[Official]:
    found: dict[int, Official] = {}
    if group.rule:
        for selector in parse_rule(group.rule):
            for official in expand(session, selector, depth + 1):
                assert official.id is not None
                found.setdefault(official.id, official)
    members = session.exec(
        select(Official)
        .join(GroupMember, col(GroupMember.official_id) == col(Official.id))
        .where(GroupMember.group_id == group.id, Official.active == True)  # noqa: E712
        .order_by(col(Official.id))
    ).all()
    for official in members:
        assert official.id is not None
        found.setdefault(official.id, official)
    return list(found.values())


def mailboxes_of(session: Session, officials: list[Official]) -> tuple[Mailbox, ...]:
    codes: dict[int | None, str] = dict(session.exec(select(Agency.id, Agency.code)).all()) if officials else {}
    return tuple(
        Mailbox(address=o.email, display_name=o.full_name, agency_code=codes.get(o.agency_id, ""), kind="official")
        for o in officials
    )
