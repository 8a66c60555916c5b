"""The service's exception tree, documented in one place.

MailhubError                 base of every error mailhub raises on purpose
 ├── ConfigurationError      settings that cannot work together
 ├── GateUnavailable         (relay.intake) the gate could not check a message: try later, SMTP 451 4.7.1
 └── (directory.DirectoryError lives in the directory package: NotFound, Conflict, InvalidInput)

Refused (relay.refusals) carries a precise reply up from the core: 5xx refusals, 4xx try-later.

The CLI turns each of these into a one-line message and a non-zero exit.
"""

from __future__ import annotations


class MailhubError(Exception):
    pass


class ConfigurationError(MailhubError):
    pass
