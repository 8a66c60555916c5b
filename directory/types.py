"""Frozen values the directory hands to the rest of the system."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AgencyInfo:
    code: str
    name: str
    kind: str
    domain: str
    mailbox: str | None
    parent_code: str | None
    path: tuple[str, ...]  # names from the root down to this agency
    active: bool = True


@dataclass(frozen=True)
class Mailbox:
    """One deliverable mailbox a directory entry expands to."""

    address: str
    display_name: str
    agency_code: str
    kind: str  # "official" or "agency"


@dataclass(frozen=True)
class OfficialInfo:
    email: str
    full_name: str
    title: str
    agency_code: str
    agency_name: str
    active: bool
    is_head: bool
    aliases: tuple[str, ...] = ()
    agency_path: tuple[str, ...] = ()
    external_id: str | None = None
    honorific: str = ""


@dataclass(frozen=True)
class GroupInfo:
    name: str
    address: str | None
    rule: str | None
    open_to_outside: bool
    members: tuple[str, ...] = ()
    posters: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Resolution:
    """What an address or selector resolves to."""

    target: str
    kind: str  # official, agency, group, selector
    mailboxes: tuple[Mailbox, ...] = field(default_factory=tuple)
