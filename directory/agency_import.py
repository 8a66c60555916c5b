"""Agencies from a spreadsheet: ``code, name, parent, kind, domain[, mailbox]``.

Parents may appear after their children in the file; an empty domain is inherited
from the parent; an agency without a mailbox gets ``<code>@<domain>``.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import Session

from directory.addressing import normalise_address, normalise_domain
from directory.agencies import clean_kind, code_key, create_agency, find_agency_by_code, name_key
from directory.errors import DirectoryError, InvalidInput
from directory.importer import ImportReport, ProgressCallback, RejectedRow, RowOutcome
from directory.models import Agency, utcnow
from directory.names import clean_text, unaccented
from directory.service import address_taken
from directory.tables import Table, TableRow, read_table

AGENCY_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("mã đơn vị", "mã", "mã cơ quan", "agency code"),
    "name": ("tên đơn vị", "tên", "tên cơ quan", "agency name"),
    "parent": ("đơn vị cấp trên", "cấp trên", "parent code", "mã đơn vị cấp trên"),
    "kind": ("loại", "loại đơn vị", "cấp", "type"),
    "domain": ("tên miền", "miền", "mail domain"),
    "mailbox": ("hộp thư", "email", "thư điện tử", "hộp thư đơn vị"),
}


def read_agencies(path: Path) -> Table:
    return read_table(path, AGENCY_COLUMNS, required=("code", "name"))


def import_agencies(session: Session, table: Table, progress: ProgressCallback | None = None) -> ImportReport:
    pending = list(table.rows)
    outcomes: list[RowOutcome] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    for row in list(pending):
        key = code_key(row.get("code"))
        if key and key in seen:
            rejected.append(RejectedRow(row.line, f"code {row.get('code')} already appears on line {seen[key]}"))
            pending.remove(row)
        elif key:
            seen[key] = row.line
    # Rows whose parent is defined further down wait for it: repeat until nothing moves.
    while pending:
        waiting: list[TableRow] = []
        for row in pending:
            parent_value = row.get("parent")
            if parent_value and _parent(session, parent_value) is None and code_key(parent_value) in seen:
                waiting.append(row)
                continue
            try:
                outcomes.append(_upsert(session, row))
            except DirectoryError as exc:
                rejected.append(RejectedRow(row.line, str(exc)))
            if progress:
                progress(1)
        if len(waiting) == len(pending):
            for row in waiting:
                rejected.append(RejectedRow(row.line, f"parent {row.get('parent')!r} could not be imported"))
            break
        pending = waiting
    session.flush()
    return ImportReport.of(outcomes, rejected, table.notes)


def _parent(session: Session, value: str) -> Agency | None:
    return find_agency_by_code(session, value)


def _upsert(session: Session, row: TableRow) -> RowOutcome:
    code, name = clean_text(row.get("code")), clean_text(row.get("name"))
    if not code:
        raise InvalidInput("missing agency code (Mã đơn vị)")
    if not re.fullmatch(r"[\w.\-]+", code):
        raise InvalidInput(f"agency code {code!r} may hold only letters, digits, '.', '-' and '_'")
    if not name:
        raise InvalidInput("missing agency name (Tên đơn vị)")
    parent = None
    if row.get("parent"):
        parent = _parent(session, row.get("parent"))
        if parent is None:
            raise InvalidInput(f"unknown parent agency {row.get('parent')!r}")
    domain = normalise_domain(row.get("domain")) if row.get("domain") else None
    mailbox = normalise_address(row.get("mailbox")) if row.get("mailbox") else None
    agency = find_agency_by_code(session, code)
    if agency is None:
        if domain is None and parent is None:
            raise InvalidInput(f"agency {code} has no domain (Tên miền) and no parent to inherit one from")
        domain = domain or (parent.domain if parent else None)
        mailbox = mailbox or _default_mailbox(session, code, domain or "")
        if mailbox and address_taken(session, mailbox):
            raise InvalidInput(f"mailbox {mailbox} is already in use")
        agency = create_agency(
            session, code=code, name=name, kind=row.get("kind") or "unit", parent=parent,
            domain=domain, mailbox=mailbox,
        )
        return RowOutcome(row.line, agency.mailbox or "", "created")
    if parent is not None and parent.id == agency.id:
        raise InvalidInput(f"agency {code} cannot be its own parent")
    wanted = {
        "name": name,
        "name_key": name_key(name),
        "kind": clean_kind(row.get("kind")) if row.get("kind") else None,
        "parent_id": parent.id if parent else None,
        "domain": domain,
        "mailbox": mailbox,
    }
    if mailbox and mailbox != agency.mailbox and address_taken(session, mailbox):
        raise InvalidInput(f"mailbox {mailbox} is already in use")
    changed = False
    for attribute, value in wanted.items():
        if value is not None and getattr(agency, attribute) != value:
            setattr(agency, attribute, value)
            changed = True
    if changed:
        agency.updated_at = utcnow()
        session.add(agency)
        session.flush()
    return RowOutcome(row.line, agency.mailbox or "", "updated" if changed else "unchanged")


def _default_mailbox(session: Session, code: str, domain: str) -> str | None:
    local = ".".join(unaccented(part) for part in code.split(".") if unaccented(part))
    if not local or not domain:
        return None
    address = f"{local}@{domain}"
    return None if address_taken(session, address) else address
