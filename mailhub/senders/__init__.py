"""Who sent a message that arrives from the Internet: SPF (pyspf), DKIM (dkimpy) and DMARC
alignment (RFC 7489, organisational domains from the Public Suffix List), reported in an
``Authentication-Results`` header (RFC 8601). Decisions on the results live in the relay."""

from mailhub.senders.dns_lookup import DnsLookup, DnsTemporaryError, parse_nameservers
from mailhub.senders.verify import DkimResult, SenderAuthentication, SenderAuthenticator

__all__ = [
    "DkimResult",
    "DnsLookup",
    "DnsTemporaryError",
    "SenderAuthentication",
    "SenderAuthenticator",
    "parse_nameservers",
]
