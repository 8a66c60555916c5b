"""The service's exception tree, documented in one place.

MailhubError                 base of every error mailhub raises on purpose
 ├── ConfigurationError      settings that cannot work together
 └── (directory.DirectoryError lives in the directory package: NotFound, Conflict, InvalidInput)

The CLI turns each of these into a one-line message and a non-zero exit.
"""

from __future__ import annotations


class MailhubError(Exception):
    pass


class ConfigurationError(MailhubError):
    pass
