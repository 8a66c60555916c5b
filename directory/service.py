"""The Directory: one facade over the tables for everything else in the system.

``resolve`` answers "who does this address or selector reach", ``authenticate``
checks SMTP AUTH credentials, ``may_send_as`` guards MAIL FROM / From.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from directory import agencies as agency_ops
from directory import credentials
from directory.address_book import AddressBook, load_address_book
from directory.addressing import DEFAULT_PATTERN, normalise_address, validate_pattern
from directory.bulk import resolve_many
from directory.errors import Conflict, DirectoryError, InvalidInput, NotFound
from directory.importer import ImportReport, ProgressCallback, import_roster
from directory.models import Agency, DomainAlias, Group, MailAlias, Official, utcnow
from directory.selectors import expand, expand_group, is_selector, mailboxes_of
from directory.tables import Table
from directory.types import AgencyInfo, Mailbox, OfficialInfo, Resolution

MAX_ALIAS_HOPS = 8


@dataclass(frozen=True)
class DirectoryOptions:
    address_pattern: str = DEFAULT_PATTERN
    own_domains: tuple[str, ...] = ()  # the province's besides its agencies' (MAILHUB_PROVINCE_DOMAINS)

    def __post_init__(self) -> None:
        validate_pattern(self.address_pattern)
        object.__setattr__(self, "own_domains", tuple(d.strip().lower() for d in self.own_domains if d.strip()))


class Directory:
    def __init__(self, engine: Engine, options: DirectoryOptions | None = None) -> None:
        self.engine = engine
        self.options = options or DirectoryOptions()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends without an exception."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    # -- addresses -------------------------------------------------------------------------

    def resolve(self, target: str) -> Resolution:
        """Mailboxes for an address, ``group:NAME`` or ``agency:CODE``; NotFound if none exists."""
        with self.session() as session:
            return resolve(session, target)

    def resolve_many(self, targets: Iterable[str]) -> dict[str, Resolution | DirectoryError]:
        """``resolve`` for a whole list in a few statements: each target -> its Resolution, or the
        NotFound / InvalidInput that ``resolve`` would raise for it."""
        with self.session() as session:
            return resolve_many(session, targets)

    def is_known(self, address: str) -> bool:
        try:
            self.resolve(address)
        except (NotFound, InvalidInput):
            return False
        return True

    # -- lookups -------------------------------------------------------------------------

    def official(self, address: str) -> OfficialInfo:
        with self.session() as session:
            found = official_by_address(session, address)
            if found is None:
                raise NotFound(f"no official with address {address.strip()!r}")
            return official_info(session, found)

    def officials(self, agency_code: str | None = None, include_inactive: bool = True) -> list[OfficialInfo]:
        with self.session() as session:
            query = select(Official).order_by(col(Official.agency_id), col(Official.id))
            if agency_code:
                root = agency_ops.require_agency(session, agency_code)
                ids = agency_ops.subtree_ids(session, root)
                query = query.where(Official.agency_id.in_(ids))  # type: ignore[attr-defined]
            if not include_inactive:
                query = query.where(Official.active == True)  # noqa: E712
            cache = _AgencyCache(session)
            return [official_info(session, o, cache) for o in session.exec(query).all()]

    def heads(self, agency_code: str) -> list[OfficialInfo]:
        """The active heads (Thủ trưởng) of the agency itself, not of the agencies below it."""
        with self.session() as session:
            agency = agency_ops.require_agency(session, agency_code)
            rows = session.exec(select(Official).where(Official.agency_id == agency.id, Official.is_head == True,  # noqa: E712
                                                       Official.active == True)  # noqa: E712
                                .order_by(col(Official.id))).all()
            cache = _AgencyCache(session)
            return [official_info(session, o, cache) for o in rows]

    def address_book(self) -> AddressBook:
        """Every address that reaches an official, for reading logs without a query per line."""
        with self.session() as session:
            return load_address_book(session)

    def agency(self, code: str) -> AgencyInfo:
        with self.session() as session:
            return agency_ops.agency_info(session, agency_ops.require_agency(session, code))

    def agencies(self) -> list[AgencyInfo]:
        with self.session() as session:
            rows = session.exec(select(Agency).order_by(col(Agency.id))).all()
            return [agency_ops.agency_info(session, a) for a in rows]

    # -- credentials -------------------------------------------------------------------------

    def set_password(self, login: str, password: str, *, service: bool = False) -> str:
        with self.session() as session:
            return credentials.set_password(session, login, password, service=service).login

    def authenticate(self, login: str, password: str) -> str | None:
        with self.session() as session:
            return credentials.authenticate(session, login, password)

    def may_send_as(self, login: str, address: str) -> bool:
        with self.session() as session:
            extra = self.options.own_domains
            if credentials.may_send_as(session, login, address, extra):
                return True
            try:
                return credentials.may_send_as(session, login, canonical_address(session, address), extra)
            except InvalidInput:
                return False

    def grant_send_as(self, login: str, address: str) -> None:
        with self.session() as session:
            credentials.grant_send_as(session, login, address)

    def sendable_addresses(self, login: str) -> list[str]:
        with self.session() as session:
            return credentials.sendable_addresses(session, login, self.options.own_domains)

    # -- imports -------------------------------------------------------------------------

    def import_roster(
        self, table: Table, *, create_agencies_under: str | None = None,
        progress: ProgressCallback | None = None, dry_run: bool = False,
    ) -> ImportReport:
        with Session(self.engine, expire_on_commit=False) as session:
            report = import_roster(session, table, address_pattern=self.options.address_pattern,
                                   own_domains=self.options.own_domains,
                                   create_agencies_under=create_agencies_under, progress=progress)
            session.rollback() if dry_run else session.commit()
            return report

    def import_agencies(
        self, table: Table, *, progress: ProgressCallback | None = None, dry_run: bool = False
    ) -> ImportReport:
        from directory.agency_import import import_agencies

        with Session(self.engine, expire_on_commit=False) as session:
            report = import_agencies(session, table, progress=progress)
            session.rollback() if dry_run else session.commit()
            return report

    def set_active(self, address: str, active: bool) -> OfficialInfo:
        with self.session() as session:
            found = official_by_address(session, address)
            if found is None:
                raise NotFound(f"no official with address {address.strip()!r}")
            found.active = active
            found.updated_at = utcnow()
            session.add(found)
            return official_info(session, found)

    def add_alias(self, address: str, target: str) -> None:
        with self.session() as session:
            alias = normalise_address(address)
            if address_taken(session, alias):
                raise Conflict(f"{alias} is already in use")
            resolved = resolve(session, target)
            session.add(MailAlias(address=alias, target=resolved.target, note="added by an operator"))


class _AgencyCache:
    """Agencies by id, loaded once for a listing instead of once per official."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_id = {a.id: a for a in session.exec(select(Agency)).all()}
        self._paths: dict[int, tuple[str, ...]] = {}
        self.aliases: dict[str, list[str]] = {}
        for alias in session.exec(select(MailAlias)).all():
            self.aliases.setdefault(alias.target, []).append(alias.address)

    def path(self, agency_id: int) -> tuple[str, ...]:
        if agency_id not in self._paths:
            names: list[str] = []
            current = self.by_id.get(agency_id)
            while current is not None and len(names) < 64:
                names.insert(0, current.name)
                current = self.by_id.get(current.parent_id) if current.parent_id else None
            self._paths[agency_id] = tuple(names)
        return self._paths[agency_id]


def official_info(session: Session, official: Official, cache: _AgencyCache | None = None) -> OfficialInfo:
    cache = cache or _AgencyCache(session)
    agency = cache.by_id[official.agency_id]
    aliases = cache.aliases.get(official.email, [])
    return OfficialInfo(
        email=official.email,
        full_name=official.full_name,
        title=official.title,
        agency_code=agency.code,
        agency_name=agency.name,
        active=official.active,
        is_head=official.is_head,
        aliases=tuple(sorted(aliases)),
        agency_path=cache.path(official.agency_id),
        external_id=official.external_id,
        honorific=official.honorific,
    )


def canonical_address(session: Session, address: str) -> str:
    """Lower-cased address with former domains mapped to current ones."""
    value = normalise_address(address)
    for _ in range(MAX_ALIAS_HOPS):
        local, domain = value.split("@")
        alias = session.get(DomainAlias, domain)
        if alias is None:
            return value
        value = f"{local}@{alias.target_domain}"
    return value


def address_taken(session: Session, address: str) -> bool:
    value = address.lower()
    return any(
        session.exec(query).first() is not None
        for query in (
            select(Official.id).where(Official.email == value),
            select(Agency.id).where(Agency.mailbox == value),
            select(Group.id).where(Group.address == value),
            select(MailAlias.address).where(MailAlias.address == value),
        )
    )


def official_by_address(session: Session, address: str) -> Official | None:
    value = canonical_address(session, address)
    for _ in range(MAX_ALIAS_HOPS):
        official = session.exec(select(Official).where(Official.email == value)).first()
        if official is not None:
            return official
        alias = session.get(MailAlias, value)
        if alias is None:
            return None
        value = alias.target
    return None


def resolve(session: Session, target: str) -> Resolution:
    if is_selector(target):
        kind = target.strip().split(":", 1)[0].casefold()
        officials = expand(session, target)
        return Resolution(target=target.strip(), kind="group" if kind == "group" else "selector",
                          mailboxes=mailboxes_of(session, officials))
    value = canonical_address(session, target)
    for _ in range(MAX_ALIAS_HOPS):
        official = session.exec(select(Official).where(Official.email == value)).first()
        if official is not None:
            if not official.active:
                raise NotFound(f"{value} belongs to a disabled account")
            return Resolution(value, "official", mailboxes_of(session, [official]))
        agency = session.exec(select(Agency).where(Agency.mailbox == value)).first()
        if agency is not None:
            box = Mailbox(address=value, display_name=agency.name, agency_code=agency.code, kind="agency")
            return Resolution(value, "agency", (box,))
        group = session.exec(select(Group).where(Group.address == value)).first()
        if group is not None:
            return Resolution(value, "group", mailboxes_of(session, expand_group(session, group)))
        alias = session.get(MailAlias, value)
        if alias is None:
            break
        value = alias.target
    raise NotFound(f"no mailbox, group or alias {target.strip()!r} in the directory")
