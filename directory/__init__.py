"""The officials directory: agencies tree, officials, groups, aliases, addresses, credentials.

Knows nothing of mail transport; the service (``mailhub``) builds on it.
"""

from directory.address_book import AddressBook
from directory.addressing import DEFAULT_PATTERN, normalise_address, normalise_domain, validate_pattern
from directory.agencies import add_domain_alias, create_agency, merge_agency, move_agency, require_agency
from directory.agency_import import read_agencies
from directory.demo import DemoProvince, seed_demo
from directory.errors import Conflict, DirectoryError, InvalidInput, NotFound
from directory.export import EXPORT_FORMATS, base_dn_for, csv_export, ldif_export, vcards
from directory.groups import add_members, add_posters, create_group, group_info, list_groups, may_post
from directory.importer import ImportReport, read_roster
from directory.models import Agency, DomainAlias, Group, Official
from directory.names import unaccented
from directory.selectors import is_selector, require_group
from directory.service import Directory, DirectoryOptions
from directory.tables import TableRow, read_table
from directory.types import AgencyInfo, GroupInfo, Mailbox, OfficialInfo, Resolution

# The public face: the service imports the directory only from here (import-linter keeps it so).
__all__ = [
    "DEFAULT_PATTERN",
    "EXPORT_FORMATS",
    "AddressBook",
    "Agency",
    "AgencyInfo",
    "Conflict",
    "DemoProvince",
    "Directory",
    "DirectoryError",
    "DirectoryOptions",
    "DomainAlias",
    "Group",
    "GroupInfo",
    "ImportReport",
    "InvalidInput",
    "Mailbox",
    "NotFound",
    "Official",
    "OfficialInfo",
    "Resolution",
    "TableRow",
    "add_domain_alias",
    "add_members",
    "add_posters",
    "base_dn_for",
    "create_agency",
    "create_group",
    "csv_export",
    "group_info",
    "is_selector",
    "ldif_export",
    "list_groups",
    "may_post",
    "merge_agency",
    "move_agency",
    "normalise_address",
    "normalise_domain",
    "read_agencies",
    "read_roster",
    "read_table",
    "require_agency",
    "require_group",
    "seed_demo",
    "unaccented",
    "validate_pattern",
    "vcards",
]
