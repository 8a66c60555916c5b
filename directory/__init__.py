"""The officials directory: agencies tree, officials, groups, aliases, addresses, credentials.

Knows nothing of mail transport; the service (``mailhub``) builds on it.
"""

from directory.errors import Conflict, DirectoryError, InvalidInput, NotFound
from directory.service import Directory, DirectoryOptions
from directory.types import AgencyInfo, GroupInfo, Mailbox, OfficialInfo, Resolution

__all__ = [
    "AgencyInfo",
    "Conflict",
    "Directory",
    "DirectoryError",
    "DirectoryOptions",
    "GroupInfo",
    "InvalidInput",
    "Mailbox",
    "NotFound",
    "OfficialInfo",
    "Resolution",
]
