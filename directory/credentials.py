"""SMTP AUTH credentials (argon2) and the send-as table."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from directory.addressing import normalise_address
from directory.errors import InvalidInput, NotFound
from directory.models import Account, Agency, DomainAlias, MailAlias, Official, SendAsGrant, utcnow

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps the time of an unknown login close to a known one (made on first
    use, not at import: every CLI command imports this module)."""
    return _HASHER.hash("mailhub-timing-equaliser")


MIN_PASSWORD_LENGTH = 8


def set_password(session: Session, login: str, password: str, *, service: bool = False) -> Account:
    """Create or update an account. Officials' logins are their primary address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    address = normalise_address(login)
    official = session.exec(select(Official).where(Official.email == address)).first()
    if official is None and not service:
        raise NotFound(f"{address} is not an official's primary address (use --service for a service account)")
    account = session.exec(select(Account).where(Account.login == address)).first()
    if account is None:
        account = Account(login=address, password_hash="", official_id=official.id if official else None)
    account.password_hash = _HASHER.hash(password)
    account.active = True
    account.updated_at = utcnow()
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, login: str, password: str) -> str | None:
    """The account's login when the password is right and the account is usable, else None."""
    try:
        address = normalise_address(login)
    except InvalidInput:
        address = ""
    account = session.exec(select(Account).where(Account.login == address)).first() if address else None
    if account is None or not account.active:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(account.password_hash, password):
        return None
    if account.official_id is not None:
        official = session.get(Official, account.official_id)
        if official is None or not official.active:
            return None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
        session.add(account)
    return account.login


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def grant_send_as(session: Session, login: str, address: str) -> SendAsGrant:
    owner = normalise_address(login)
    account = session.exec(select(Account).where(Account.login == owner)).first()
    if account is None and session.exec(select(Official).where(Official.email == owner)).first() is None:
        raise NotFound(f"no account or official {login!r}")
    value = address.strip().lower()
    value = value if value.startswith("@") else normalise_address(value)
    grant = session.get(SendAsGrant, (owner, value))
    if grant is None:
        grant = SendAsGrant(login=owner, address=value)
        session.add(grant)
    return grant


def sendable_addresses(session: Session, login: str, extra_domains: tuple[str, ...] = ()) -> list[str]:
    """Everything a login may put in MAIL FROM / From: its own addresses and its grants. An official
    without a directory password (checked by the mailbox server instead) has the same rights."""
    address = normalise_address(login)
    account = session.exec(select(Account).where(Account.login == address)).first()
    official = None
    if account is not None and account.official_id is not None:
        official = session.get(Official, account.official_id)
    elif account is None:
        official = session.exec(select(Official).where(Official.email == address)).first()
        if official is None:
            return []
    own = [address]
    if official is not None:
        own.append(official.email)
        own.extend(session.exec(select(MailAlias.address).where(MailAlias.target == official.email)).all())
    # An address outside the province's domains (a roster's gmail.com) is no right to relay; only an
    # operator's explicit grant gives one.
    domains = own_domains(session) | set(extra_domains)
    allowed = [a for a in own if a.rpartition("@")[2] in domains]
    allowed.extend(session.exec(select(SendAsGrant.address).where(SendAsGrant.login == address)).all())
    return list(dict.fromkeys(allowed))


def own_domains(session: Session) -> set[str]:
    """The province's domains: every agency's, and the former ones still answered."""
    return set(session.exec(select(Agency.domain)).all()) | set(session.exec(select(DomainAlias.domain)).all())


def may_send_as(session: Session, login: str, address: str, extra_domains: tuple[str, ...] = ()) -> bool:
    try:
        wanted = normalise_address(address)
    except InvalidInput:
        return False
    for allowed in sendable_addresses(session, login, extra_domains):
        if allowed == wanted or (allowed.startswith("@") and wanted.endswith(allowed)):
            return True
    return False
