"""The agencies tree: any depth, with history kept through aliases when it changes."""

from __future__ import annotations

from sqlmodel import Session, col, select

from directory.addressing import normalise_address, normalise_domain
from directory.errors import Conflict, InvalidInput, NotFound
from directory.models import Agency, DomainAlias, MailAlias, Official, utcnow
from directory.names import clean_text
from directory.types import AgencyInfo


def code_key(code: str) -> str:
    return clean_text(code).casefold()


def name_key(name: str) -> str:
    return clean_text(name).casefold()


def find_agency(session: Session, code_or_name: str) -> Agency | None:
    """An agency by code (case-insensitive) or, failing that, by its exact name."""
    key = code_key(code_or_name)
    agency = session.exec(select(Agency).where(Agency.code_key == key)).first()
    if agency is None:
        agency = session.exec(
            select(Agency).where(Agency.name_key == name_key(code_or_name)).order_by(col(Agency.id))
        ).first()
    return agency


def require_agency(session: Session, code: str) -> Agency:
    agency = find_agency(session, code)
    if agency is None:
        raise NotFound(f"no agency with code or name {code!r}")
    return agency


def agency_info(session: Session, agency: Agency) -> AgencyInfo:
    chain = ancestors(session, agency)
    parent = chain[-2].code if len(chain) > 1 else None
    return AgencyInfo(
        code=agency.code,
        name=agency.name,
        kind=agency.kind,
        domain=agency.domain,
        mailbox=agency.mailbox,
        parent_code=parent,
        path=tuple(a.name for a in chain),
        active=agency.active,
    )


def ancestors(session: Session, agency: Agency) -> list[Agency]:
    """From the root down to ``agency`` (inclusive); stops on a cycle."""
    chain = [agency]
    seen = {agency.id}
    while chain[0].parent_id is not None and chain[0].parent_id not in seen:
        parent = session.get(Agency, chain[0].parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        chain.insert(0, parent)
    return chain


def subtree_ids(session: Session, agency: Agency) -> set[int]:
    """Ids of the agency and every agency below it, however deep."""
    children: dict[int | None, list[int]] = {}
    for agency_id, parent_id in session.exec(select(Agency.id, Agency.parent_id)).all():
        if agency_id is not None:
            children.setdefault(parent_id, []).append(agency_id)
    assert agency.id is not None
    found = {agency.id}
    stack = [agency.id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def create_agency(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str = "unit",
    parent: Agency | None = None,
    domain: str | None = None,
    mailbox: str | None = None,
) -> Agency:
    code = clean_text(code)
    name = clean_text(name)
    if not code or not name:
        raise InvalidInput("an agency needs a code and a name")
    if find_agency_by_code(session, code) is not None:
        raise Conflict(f"agency code {code!r} already exists")
    if mailbox and session.exec(select(Agency).where(Agency.mailbox == normalise_address(mailbox))).first():
        raise Conflict(f"mailbox {normalise_address(mailbox)} already belongs to another agency")
    resolved_domain = normalise_domain(domain) if domain else (parent.domain if parent else None)
    if not resolved_domain:
        raise InvalidInput(f"agency {code!r} needs a mail domain (it has no parent to inherit one from)")
    agency = Agency(
        code=code,
        code_key=code_key(code),
        name=name,
        name_key=name_key(name),
        kind=clean_kind(kind),
        parent_id=parent.id if parent else None,
        domain=resolved_domain,
        mailbox=normalise_address(mailbox) if mailbox else None,
    )
    session.add(agency)
    session.flush()
    return agency


def find_agency_by_code(session: Session, code: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.code_key == code_key(code))).first()


def clean_kind(kind: str) -> str:
    value = clean_text(kind).casefold() or "unit"
    return VIETNAMESE_KINDS.get(value, value)


VIETNAMESE_KINDS = {
    "tỉnh": "province",
    "thành phố trực thuộc trung ương": "province",
    "sở": "department",
    "sở, ban, ngành": "department",
    "ban": "department",
    "ngành": "department",
    "huyện": "district",
    "quận": "district",
    "thị xã": "district",
    "xã": "commune",
    "phường": "commune",
    "thị trấn": "commune",
    "đặc khu": "commune",
    "đơn vị": "unit",
    "phòng": "unit",
}


def move_agency(session: Session, code: str, new_parent_code: str) -> Agency:
    """Re-parent an agency (e.g. a commune whose district was abolished)."""
    agency = require_agency(session, code)
    parent = require_agency(session, new_parent_code)
    assert parent.id is not None
    if parent.id in subtree_ids(session, agency):
        raise InvalidInput(f"cannot move {agency.code} under its own subtree ({parent.code})")
    agency.parent_id = parent.id
    agency.updated_at = utcnow()
    session.add(agency)
    return agency


def merge_agency(session: Session, old_code: str, into_code: str) -> tuple[Agency, int]:
    """Fold one agency into another; its officials and children move, its mailbox becomes an alias."""
    old = require_agency(session, old_code)
    target = require_agency(session, into_code)
    if old.id == target.id:
        raise InvalidInput("an agency cannot be merged into itself")
    assert target.id is not None and old.id is not None
    if target.id in subtree_ids(session, old):
        raise InvalidInput(f"cannot merge {old.code} into its own subtree ({target.code})")
    moved = 0
    for official in session.exec(select(Official).where(Official.agency_id == old.id)).all():
        official.agency_id = target.id
        official.updated_at = utcnow()
        session.add(official)
        moved += 1
    for child in session.exec(select(Agency).where(Agency.parent_id == old.id)).all():
        child.parent_id = target.id
        session.add(child)
    if old.mailbox:
        if target.mailbox:
            session.add(MailAlias(address=old.mailbox, target=target.mailbox, note=f"merged {old.code}"))
            old.mailbox = None
            session.flush()
        else:
            target.mailbox, old.mailbox = old.mailbox, None
            session.flush()
    old.active = False
    old.merged_into_id = target.id
    old.updated_at = utcnow()
    session.add_all([old, target])
    session.flush()
    return target, moved


def add_domain_alias(session: Session, old_domain: str, new_domain: str) -> DomainAlias:
    old, new = normalise_domain(old_domain), normalise_domain(new_domain)
    if old == new:
        raise InvalidInput("a domain cannot alias itself")
    existing = session.get(DomainAlias, old)
    if existing:
        existing.target_domain = new
        session.add(existing)
        return existing
    alias = DomainAlias(domain=old, target_domain=new)
    session.add(alias)
    return alias
