"""Address-book exports for mail clients: vCard 4.0 (RFC 6350), CSV and LDIF (RFC 2849)."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable

from directory.names import NameParts
from directory.types import AgencyInfo, OfficialInfo

EXPORT_FORMATS = ("vcard", "csv", "ldif")
CSV_HEADER = ("Display Name", "First Name", "Last Name", "Middle Name", "E-mail Address",
              "Organization", "Department", "Agency Code", "Job Title")


def _vcard_escape(value: str, *, compound: bool = False) -> str:
    """RFC 6350 3.4: backslash, comma and line breaks always; a semicolon only inside a compound
    value (N, ORG), where it separates fields (elsewhere it MAY be escaped, and ical.js keeps it)."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    return value.replace(";", "\\;") if compound else value


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 sequence (RFC 6350 3.2)."""
    out: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _card(lines: list[str]) -> str:
    return "".join(_fold(line) + "\r\n" for line in ["BEGIN:VCARD", "VERSION:4.0", *lines, "END:VCARD"])


def vcards(officials: Iterable[OfficialInfo], agencies: Iterable[AgencyInfo] = ()) -> str:
    cards: list[str] = []
    for person in officials:
        parts = NameParts.of(person.full_name)
        name = ";".join(_vcard_escape(p, compound=True)
                        for p in (parts.surname, parts.given, " ".join(parts.middle), "", ""))
        org = ";".join(_vcard_escape(p, compound=True) for p in (person.agency_path or (person.agency_name,)))
        lines = [
            "KIND:individual",
            f"FN:{_vcard_escape(person.full_name)}",
            f"N:{name}",
            f"ORG:{org}",
            f"EMAIL;TYPE=work;PREF=1:{person.email}",
            f"UID:mailto:{person.email}",
        ]
        if person.title:
            lines.insert(4, f"TITLE:{_vcard_escape(person.title)}")
        cards.append(_card(lines))
    for agency in agencies:
        if not agency.mailbox or not agency.active:
            continue
        org = ";".join(_vcard_escape(p, compound=True) for p in agency.path)
        cards.append(_card([
            "KIND:org",
            f"FN:{_vcard_escape(agency.name)}",
            f"ORG:{org}",
            f"EMAIL;TYPE=work;PREF=1:{agency.mailbox}",
            f"UID:mailto:{agency.mailbox}",
        ]))
    return "".join(cards)


def csv_export(officials: Iterable[OfficialInfo]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for person in officials:
        parts = NameParts.of(person.full_name)
        path = person.agency_path or (person.agency_name,)
        writer.writerow([
            person.full_name, parts.given, parts.surname, " ".join(parts.middle), person.email,
            path[0], person.agency_name, person.agency_code, person.title,
        ])
    return buffer.getvalue()


def _ldif_line(attribute: str, value: str) -> str:
    safe = value.isascii() and value == value.strip() and not value.startswith((":", "<")) and "\n" not in value
    if safe:
        return f"{attribute}: {value}"
    return f"{attribute}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}"


def ldif_export(officials: Iterable[OfficialInfo], base_dn: str) -> str:
    blocks: list[str] = []
    for person in officials:
        parts = NameParts.of(person.full_name)
        path = person.agency_path or (person.agency_name,)
        lines = [
            f"dn: mail={person.email},{base_dn}",
            "objectClass: top",
            "objectClass: person",
            "objectClass: organizationalPerson",
            "objectClass: inetOrgPerson",
            _ldif_line("cn", person.full_name),
            _ldif_line("displayName", person.full_name),
            _ldif_line("sn", parts.surname or parts.given),
            _ldif_line("givenName", parts.given),
            f"mail: {person.email}",
            _ldif_line("o", path[0]),
            _ldif_line("ou", person.agency_name),
        ]
        if person.title:
            lines.append(_ldif_line("title", person.title))
        blocks.append("\n".join(lines) + "\n")
    return "version: 1\n\n" + "\n".join(blocks)


def base_dn_for(domain: str) -> str:
    return "ou=people," + ",".join(f"dc={label}" for label in domain.split("."))
