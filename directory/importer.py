"""Roster import: an idempotent upsert of officials from the spreadsheet an office keeps.

Matching is keyed on a stable identity, never on row order: an employee id when
the roster has one, else the email address, else the name within the agency.
Bad rows are reported with their line numbers while the good rows import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from directory.addressing import generate_address, local_part_for, normalise_address
from directory.agencies import create_agency, find_agency_by_code
from directory.agency_matching import AgencyMatcher
from directory.errors import DirectoryError, InvalidInput
from directory.models import Agency, DomainAlias, Group, MailAlias, Official, utcnow
from directory.names import clean_full_name, clean_text, split_honorific, unaccented
from directory.status import parse_status
from directory.tables import Table, TableRow, parse_flag, read_table

ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("full name", "name", "display name", "họ và tên", "họ tên", "tên cán bộ", "họ và tên cán bộ"),
    "family_name": ("họ", "họ đệm", "họ và đệm", "họ và tên đệm", "họ lót", "family name", "surname", "last name"),
    "middle_name": ("middle name", "tên đệm", "đệm", "chữ lót"),
    "given_name": ("tên", "given name", "first name"),
    "agency": ("agency", "đơn vị", "cơ quan", "đơn vị công tác", "cơ quan đơn vị", "mã đơn vị",
               "agency code"),
    "title": ("title", "position", "job title", "chức vụ", "chức danh", "chức vụ chức danh"),
    "email": ("e-mail", "mail", "e-mail address", "email address", "địa chỉ email", "thư điện tử",
              "địa chỉ thư điện tử", "hộp thư", "hộp thư công vụ", "email công vụ", "thư công vụ",
              "địa chỉ thư công vụ"),
    "external_id": ("id", "employee id", "staff id", "mã cán bộ", "mã định danh", "mã số cán bộ", "mã cb"),
    "is_head": ("head", "is head", "thủ trưởng", "thủ trưởng đơn vị", "người đứng đầu"),
    "active": ("enabled", "status", "trạng thái", "hoạt động", "đang hoạt động", "tình trạng", "tình trạng công tác",
               "trạng thái công tác"),
}

ProgressCallback = Callable[[int], None]
MAX_NAME_LENGTH, MAX_NAME_WORDS, MAX_TITLE_LENGTH = 100, 12, 255


@dataclass(frozen=True)
class RowOutcome:
    line: int
    email: str
    outcome: str  # created, updated, unchanged


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass(frozen=True)
class RowWarning:
    """A row imported, with something the office should look at."""

    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    rejected: tuple[RejectedRow, ...]
    rows: tuple[RowOutcome, ...]
    agencies_created: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[RowWarning, ...] = ()

    @classmethod
    def of(cls, outcomes: list[RowOutcome], rejected: list[RejectedRow], notes: tuple[str, ...],
           agencies_created: tuple[str, ...] = (), warnings: tuple[RowWarning, ...] = ()) -> ImportReport:
        count = {kind: sum(1 for o in outcomes if o.outcome == kind) for kind in ("created", "updated", "unchanged")}
        return cls(created=count["created"], updated=count["updated"], unchanged=count["unchanged"],
                   rejected=tuple(sorted(rejected, key=lambda r: r.line)),
                   rows=tuple(sorted(outcomes, key=lambda o: o.line)),
                   agencies_created=agencies_created, notes=notes,
                   warnings=tuple(sorted(warnings, key=lambda w: w.line)))


def fold_key(value: str) -> str:
    return clean_text(value).casefold()


def read_roster(path: Path) -> Table:
    """The roster's rows; a name split in two columns (Họ đệm | Tên), as many offices keep it, is joined."""
    try:
        return read_table(path, ROSTER_COLUMNS, required=("full_name", "agency"))
    except InvalidInput as whole_name_missing:
        try:
            split = read_table(path, ROSTER_COLUMNS, required=("family_name", "given_name", "agency"))
        except InvalidInput:
            raise whole_name_missing from None
    rows = tuple(TableRow(row.line, {**row.values, "full_name": " ".join(
        row.get(part) for part in ("family_name", "middle_name", "given_name") if row.get(part))}, row.cells)
        for row in split.rows)
    return Table((*split.columns, "full_name"), rows, split.ignored_headers,
                 (*split.notes, "the name is in two columns (Họ đệm, Tên): read as one"))


@dataclass
class _Row:
    line: int
    full_name: str
    honorific: str | None  # TS., ThS., PGS.TS. …: None when the name carries none
    agency: Agency
    title: str | None
    email: str | None
    external_id: str | None
    is_head: bool | None
    active: bool | None
    match: Official | None = None


class _State:
    """Everything an import needs in memory, loaded once: 10,000 rows must take seconds."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.agencies = list(session.exec(select(Agency)).all())
        self.officials = list(session.exec(select(Official)).all())
        self.by_email = {o.email: o for o in self.officials}
        self.by_external = {o.external_id: o for o in self.officials if o.external_id}
        self.by_name: dict[tuple[int, str], list[Official]] = {}
        for official in sorted(self.officials, key=lambda o: o.id or 0):
            self.by_name.setdefault((official.agency_id, official.name_key), []).append(official)
        self.aliases = {a.address: a.target for a in session.exec(select(MailAlias)).all()}
        self.taken = set(self.by_email) | set(self.aliases)
        self.taken |= {a.mailbox for a in self.agencies if a.mailbox}
        self.taken |= {g for g in session.exec(select(Group.address)).all() if g}
        self.own_domains = {a.domain for a in self.agencies} | set(session.exec(select(DomainAlias.domain)).all())
        self.warnings: list[RowWarning] = []
        self.matcher = AgencyMatcher(self.agencies)

    def agency(self, value: str) -> Agency | None:
        return self.matcher.find(value)

    def create_agency(self, name: str, parent: Agency | None, domain: str | None = None) -> Agency:
        base = "".join(w[:1] for w in (unaccented(p) for p in name.split()) if w).upper() or "DV"
        code, n = base, 2
        while find_agency_by_code(self.session, code) is not None:
            code, n = f"{base}{n}", n + 1
        agency = create_agency(self.session, code=code, name=name, kind="unit", parent=parent, domain=domain)
        self.agencies.append(agency)
        self.matcher.add(agency)
        self.own_domains.add(agency.domain)
        return agency


def import_roster(
    session: Session,
    table: Table,
    *,
    address_pattern: str,
    create_agencies_under: str | None = None,
    progress: ProgressCallback | None = None,
    own_domains: tuple[str, ...] = (),
) -> ImportReport:
    state = _State(session)
    state.own_domains.update(own_domains)
    rejected: list[RejectedRow] = []
    created_agencies: list[str] = []
    parsed: list[_Row] = []
    seen_email: dict[str, int] = {}
    seen_external: dict[str, int] = {}
    claimed: set[int] = set()

    identical: dict[tuple[str, ...], int] = {}
    for raw in table.rows:
        # A row identical in every cell, STT included, is a copy; namesakes differ somewhere.
        fingerprint = tuple(fold_key(c) for c in raw.cells) or tuple(f"{k}={v}" for k, v in sorted(raw.values.items()))
        if fingerprint in identical and any(raw.values.values()):
            rejected.append(RejectedRow(raw.line, f"the same row as line {identical[fingerprint]}"))
            if progress:
                progress(1)
            continue
        identical.setdefault(fingerprint, raw.line)
        try:
            row = _parse(raw, state, create_agencies_under, created_agencies)
            _check_duplicate(row, seen_email, seen_external)
            parsed.append(row)
        except DirectoryError as exc:
            rejected.append(RejectedRow(raw.line, str(exc)))
            if progress:
                progress(1)

    # Strong keys first (employee id, email), then names for whoever is left, so
    # the order of rows in the file never decides who is who.
    listed = {row.email for row in parsed if row.email}
    claimed_by: dict[int, int] = {}
    for row in list(parsed):
        row.match = _match_strong(row, state)
        if row.match is not None:
            assert row.match.id is not None
            if row.match.id in claimed_by:
                rejected.append(RejectedRow(row.line, f"same official as line {claimed_by[row.match.id]}"))
                parsed.remove(row)
                continue
            claimed_by[row.match.id] = row.line
            claimed.add(row.match.id)
    for row in parsed:
        if row.match is None:
            row.match = _match_by_name(row, state, claimed, listed)
            if row.match is not None:
                assert row.match.id is not None
                claimed.add(row.match.id)

    # Addresses written in the roster are reserved before any is generated.
    for row in parsed:
        if row.email:
            state.taken.add(row.email)

    outcomes: list[RowOutcome] = []
    for row in parsed:
        try:
            outcomes.append(_apply(row, state, address_pattern))
        except DirectoryError as exc:
            rejected.append(RejectedRow(row.line, str(exc)))
        if progress:
            progress(1)
    session.flush()
    return ImportReport.of(outcomes, rejected, table.notes, tuple(created_agencies), tuple(state.warnings))


def _parse(raw: TableRow, state: _State, parent_code: str | None, created: list[str]) -> _Row:
    honorific, written_name = split_honorific(raw.get("full_name"))
    name = clean_full_name(written_name)
    if not name:
        raise InvalidInput("missing full name (Họ và tên)")
    if len(name) > MAX_NAME_LENGTH or len(name.split(" ")) > MAX_NAME_WORDS:
        raise InvalidInput(f"{name[:40]!r}… is too long for a person's name")
    if not any(ch.isalpha() for ch in name) or any(ch.isdigit() for ch in name):
        raise InvalidInput(f"{name!r} does not look like a person's name")
    local_part_for(name)  # a name that yields no mailbox name is refused here, not later
    agency_value = raw.get("agency")
    if not agency_value:
        raise InvalidInput("missing agency (Đơn vị)")
    agency = state.agency(agency_value)
    if agency is None:
        if not parent_code:
            raise InvalidInput(state.matcher.unknown(agency_value))
        agency = _agency_on_the_fly(agency_value, state, parent_code)
        created.append(agency.code)
    email_value = raw.get("email")
    if len(raw.get("title")) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"the position (Chức vụ) is longer than {MAX_TITLE_LENGTH} characters")
    return _Row(
        line=raw.line,
        full_name=name,
        honorific=honorific or None,
        agency=agency,
        title=raw.get("title") if "title" in raw.values else None,
        email=normalise_address(email_value) if email_value else None,
        external_id=raw.get("external_id") or None,
        is_head=_flag(raw, "is_head"),
        active=_status(raw),
    )


def _flag(raw: TableRow, column: str) -> bool | None:
    try:
        return parse_flag(raw.get(column))
    except InvalidInput as exc:
        raise InvalidInput(f"column {column}: {exc}") from exc


def _status(raw: TableRow) -> bool | None:
    try:
        return parse_status(raw.get("active"))
    except InvalidInput as exc:
        raise InvalidInput(f"column status: {exc}") from exc


def _agency_on_the_fly(value: str, state: _State, parent_code: str) -> Agency:
    """An agency the roster names but the directory lacks, created only when the operator said where
    (``--parent``): a misspelt agency must be reported, never become an agency of its own."""
    parent = state.agency(parent_code)
    if parent is None:
        raise InvalidInput(f"unknown agency {value!r} (and no parent agency {parent_code!r} to create it under)")
    return state.create_agency(value, parent)


def _check_duplicate(row: _Row, seen_email: dict[str, int], seen_external: dict[str, int]) -> None:
    if row.external_id:
        if row.external_id in seen_external:
            raise InvalidInput(f"id {row.external_id} already appears on line {seen_external[row.external_id]}")
        seen_external[row.external_id] = row.line
    if row.email:
        if row.email in seen_email:
            raise InvalidInput(f"email {row.email} already appears on line {seen_email[row.email]}")
        seen_email[row.email] = row.line


def _match_strong(row: _Row, state: _State) -> Official | None:
    if row.external_id and row.external_id in state.by_external:
        return state.by_external[row.external_id]
    if row.email:
        address = state.aliases.get(row.email, row.email)
        official = state.by_email.get(address)
        if official is not None and not (row.external_id and official.external_id):
            return official
    return None


def _match_by_name(row: _Row, state: _State, claimed: set[int], listed: set[str]) -> Official | None:
    """The first unclaimed namesake in the same agency whose address no other row names."""
    assert row.agency.id is not None
    for official in state.by_name.get((row.agency.id, row.full_name.casefold()), []):
        if official.id in claimed or official.email in listed:
            continue
        if row.external_id and official.external_id:
            continue
        return official
    return None


def _apply(row: _Row, state: _State, pattern: str) -> RowOutcome:
    official = row.match
    assert row.agency.id is not None
    if official is None:
        email = row.email or generate_address(row.full_name, row.agency.domain, state.taken.__contains__, pattern)
        if row.email and row.email in state.by_email:
            raise InvalidInput(f"{row.email} already belongs to {state.by_email[row.email].full_name}")
        official = Official(
            external_id=row.external_id,
            full_name=row.full_name,
            name_key=row.full_name.casefold(),
            title=row.title or "",
            honorific=row.honorific or "",
            agency_id=row.agency.id,
            email=email,
            active=True if row.active is None else row.active,
            is_head=bool(row.is_head),
        )
        state.session.add(official)
        state.taken.add(email)
        state.by_email[email] = official
        _warn_outside(row, email, state)
        return RowOutcome(row.line, email, "created")

    changes = {
        "full_name": row.full_name,
        "name_key": row.full_name.casefold(),
        "agency_id": row.agency.id,
        "title": row.title,
        "honorific": row.honorific,
        "external_id": row.external_id,
        "is_head": row.is_head,
        "active": row.active,
    }
    changed = False
    for attribute, value in changes.items():
        if value is not None and getattr(official, attribute) != value:
            setattr(official, attribute, value)
            changed = True
    if row.email and row.email != official.email and state.aliases.get(row.email) != official.email:
        owner = state.by_email.get(row.email)
        if owner is not None and owner is not official:
            raise InvalidInput(f"{row.email} already belongs to {owner.full_name}")
        # The old address keeps working as an alias of the new one.
        state.session.add(MailAlias(address=official.email, target=row.email, note="renamed by import"))
        state.by_email.pop(official.email, None)
        official.email = row.email
        state.by_email[row.email] = official
        changed = True
    _warn_outside(row, official.email, state)
    if changed:
        official.updated_at = utcnow()
        state.session.add(official)
    return RowOutcome(row.line, official.email, "updated" if changed else "unchanged")


def _warn_outside(row: _Row, email: str, state: _State) -> None:
    domain = email.rpartition("@")[2]
    if domain not in state.own_domains:
        own = ", ".join(sorted(state.own_domains)) or "none yet"
        state.warnings.append(RowWarning(row.line, f"{email} is outside the province's domains ({own}): imported, "
                                                   "but it may not send through mailhub"))
