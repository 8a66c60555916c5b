"""Refusals, the relay's own vocabulary: why a message or a recipient is not taken, with the
enhanced status code (RFC 3463) that every mail system understands. The core raises ``Refused``;
the SMTP layer (``mailhub.smtp.replies``) adds the replies of the dialog itself and writes both on
the wire, and the CLI prints the text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    code: int
    status: str
    text: str

    def __str__(self) -> str:
        """One line, or a multi-line reply (RFC 5321 4.2.1) when the text has several lines."""
        lines = self.text.split("\n")
        head = [f"{self.code}-{self.status} {line}" for line in lines[:-1]]
        return "\r\n".join([*head, f"{self.code} {self.status} {lines[-1]}"])

    def with_text(self, text: str) -> Reply:
        return Reply(self.code, self.status, text)

    @property
    def permanent(self) -> bool:
        return self.code >= 500


class Refused(Exception):
    """Raised anywhere in the core to refuse with a precise reply. ``record`` is the audit
    still to write when the refusal was raised inside a caller's open transaction."""

    def __init__(self, reply: Reply, record: Callable[[], None] | None = None) -> None:
        super().__init__(str(reply))
        self.reply = reply
        self.record = record


BAD_ADDRESS = Reply(501, "5.1.3", "Bad address syntax")
RELAY_DENIED = Reply(554, "5.7.1", "Relay access denied")
UNKNOWN_USER = Reply(550, "5.1.1", "No such mailbox in the directory")
GROUP_CLOSED = Reply(550, "5.7.2", "This group does not accept mail from your address")
TOO_MANY_HOPS = Reply(554, "5.4.6", "Too many hops (Received headers): possible mail loop")
MALFORMED = Reply(550, "5.6.0", "Malformed message")
HEADER_INJECTION = Reply(550, "5.6.0", "Header contains a bare CR or LF (header injection)")
FROM_NOT_OWNED = Reply(550, "5.7.1", "From: header address not owned by the authenticated user")
POLICY_BLOCKED = Reply(550, "5.7.1", "Message refused by content policy")
TEMPORARY_FAILURE = Reply(451, "4.3.0", "Temporary local failure, please try again later")
GATE_TEMPORARY = Reply(451, "4.7.1", "Message could not be checked now, please try again later")
NO_VALID_RECIPIENTS = Reply(554, "5.5.1", "No valid recipients")
PROVINCE_SENDER_FORGED = Reply(550, "5.7.1", "Mail from the province's domains must come from its mail servers "
                                               "or carry a valid DKIM signature of that domain")
DMARC_REJECTED = Reply(550, "5.7.26", "Unauthenticated mail from this domain is refused by its DMARC policy")
SENDER_UNVERIFIABLE = Reply(451, "4.4.3", "The sender could not be verified now (DNS did not answer); try again later")
MORE_THAN_ONE_FROM = Reply(550, "5.6.0", "Malformed message: more than one From: header")
GROUP_NEEDS_AUTHENTICATION = Reply(550, "5.7.1", "This group takes mail only from authenticated senders it lists")
