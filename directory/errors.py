"""The directory's exception tree, documented in one place.

DirectoryError
 ├── NotFound          an address, agency, group or account that does not exist
 ├── Conflict          a unique address or code that is already in use
 └── InvalidInput      a value that cannot be used (bad address, name, selector)
"""

from __future__ import annotations


class DirectoryError(Exception):
    """Base of every error the directory raises on purpose."""


class NotFound(DirectoryError):
    pass


class Conflict(DirectoryError):
    pass


class InvalidInput(DirectoryError):
    pass
