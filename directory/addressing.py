"""Mailbox addresses: syntax checks and generation from a name.

The default pattern is the common provincial convention: given name followed by
the initials of surname and middle names (Nguyễn Quang Vinh -> vinhnq), with a
number from the second collision on (vinhnq2). Provinces that differ configure
another pattern, e.g. ``{given}.{initials}`` or ``{surname}{middle_initials}{given}``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache

from directory.errors import InvalidInput
from directory.names import NameParts

DEFAULT_PATTERN = "{given}{initials}"
PATTERN_FIELDS = frozenset(NameParts("a", ("b",), "c").fields())

_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class AddressError(InvalidInput):
    """An address or pattern that cannot be used."""


@lru_cache(maxsize=65536)  # pure; a notice to a province normalises the same 10,000 addresses several times
def normalise_address(value: str) -> str:
    """Lower-cased, validated ``local@domain``; raises AddressError with the reason."""
    if any(ch in value for ch in "\r\n\t\x00"):
        raise AddressError("address contains a line break or control character")
    address = value.strip().lower()
    if address.startswith("mailto:"):
        address = address[len("mailto:"):]
    if address.count("@") != 1:
        raise AddressError(f"not an email address: {value.strip()!r}")
    local, domain = address.split("@")
    if not local or len(local) > 64 or not _LOCAL.match(local):
        raise AddressError(f"invalid mailbox name in {value.strip()!r}")
    if not _DOMAIN.match(domain):
        raise AddressError(f"invalid domain in {value.strip()!r}")
    return address


def normalise_domain(value: str) -> str:
    domain = value.strip().lower().rstrip(".")
    if not _DOMAIN.match(domain):
        raise AddressError(f"invalid mail domain {value.strip()!r}")
    return domain


def validate_pattern(pattern: str) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(pattern) if field}
    unknown = names - PATTERN_FIELDS
    if unknown or not names:
        allowed = ", ".join(sorted(PATTERN_FIELDS))
        raise AddressError(f"address pattern {pattern!r} must use only {{{allowed}}}")
    return pattern


def local_part_for(full_name: str, pattern: str = DEFAULT_PATTERN) -> str:
    """The collision-free base mailbox name for a person."""
    local = validate_pattern(pattern).format(**NameParts.of(full_name).fields())
    local = re.sub(r"\.{2,}", ".", local).strip(".")
    if not local:
        raise AddressError(f"cannot build a mailbox name from {full_name!r}")
    return local


def generate_address(
    full_name: str,
    domain: str,
    is_taken: Callable[[str], bool],
    pattern: str = DEFAULT_PATTERN,
) -> str:
    """First free address: base, then base2, base3, ... (numbering starts at the second)."""
    base = local_part_for(full_name, pattern)
    candidate = f"{base}@{domain}"
    number = 2
    while is_taken(candidate):
        candidate = f"{base}{number}@{domain}"
        number += 1
    return candidate
