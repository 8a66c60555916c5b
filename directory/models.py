"""Directory tables (SQLModel). The schema itself is owned by mailhub's Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Agency(SQLModel, table=True):
    """A node of the agencies tree: province, department, district (history), commune, unit."""

    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    code_key: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    name_key: str = Field(max_length=255, index=True)
    kind: str = Field(default="unit", max_length=32)
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    domain: str = Field(max_length=253)
    mailbox: str | None = Field(default=None, max_length=320, unique=True)
    active: bool = Field(default=True)
    merged_into_id: int | None = Field(default=None, foreign_key="agency.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Official(SQLModel, table=True):
    """A person with a mailbox on the province's mailbox server."""

    __tablename__ = "official"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    full_name: str = Field(max_length=255)
    name_key: str = Field(max_length=255, index=True)
    title: str = Field(default="", max_length=255)  # the position: Giám đốc, Chuyên viên …
    honorific: str = Field(default="", max_length=64)  # TS., ThS., PGS.TS. …: never part of the name
    agency_id: int = Field(foreign_key="agency.id", index=True)
    email: str = Field(max_length=320, unique=True, index=True)
    active: bool = Field(default=True)
    is_head: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MailAlias(SQLModel, table=True):
    """Another address that reaches a canonical one (old names, merged agencies)."""

    __tablename__ = "mail_alias"

    address: str = Field(primary_key=True, max_length=320)
    target: str = Field(max_length=320, index=True)
    note: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class DomainAlias(SQLModel, table=True):
    """A former domain (e.g. of a merged province) whose addresses map onto a current one."""

    __tablename__ = "domain_alias"

    domain: str = Field(primary_key=True, max_length=253)
    target_domain: str = Field(max_length=253)
    created_at: datetime = Field(default_factory=utcnow)


class Group(SQLModel, table=True):
    """A static member list, or a rule resolved at send time, optionally with an address."""

    __tablename__ = "mail_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    description: str = Field(default="", max_length=255)
    address: str | None = Field(default=None, max_length=320, unique=True)
    rule: str | None = Field(default=None, max_length=1000)
    open_to_outside: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class GroupMember(SQLModel, table=True):
    __tablename__ = "mail_group_member"

    group_id: int = Field(foreign_key="mail_group.id", primary_key=True)
    official_id: int = Field(foreign_key="official.id", primary_key=True)


class GroupPoster(SQLModel, table=True):
    """Who may post to a group's address: an address or ``@domain``."""

    __tablename__ = "mail_group_poster"

    group_id: int = Field(foreign_key="mail_group.id", primary_key=True)
    sender: str = Field(max_length=320, primary_key=True)


class Account(SQLModel, table=True):
    """SMTP AUTH credentials: an official's own, or a service account (office systems)."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    official_id: int | None = Field(default=None, foreign_key="official.id")
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SendAsGrant(SQLModel, table=True):
    """An address (or ``@domain``) an account may use beyond its own addresses."""

    __tablename__ = "send_as_grant"

    login: str = Field(max_length=320, primary_key=True)
    address: str = Field(max_length=320, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
