"""The one table of SMTP replies mailhub gives, with enhanced status codes (RFC 3463)."""

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


class SmtpRefusal(Exception):
    """Raised anywhere below the listener to refuse with a precise reply. ``record`` is the audit
    still to write when the refusal was raised inside a caller's open transaction."""

    def __init__(self, reply: Reply, record: Callable[[], None] | None = None) -> None:
        super().__init__(str(reply))
        self.reply = reply
        self.record = record


OK = Reply(250, "2.1.0", "Ok")
RCPT_OK = Reply(250, "2.1.5", "Ok")
AUTH_REQUIRED = Reply(530, "5.7.0", "Authentication required")
STARTTLS_FIRST = Reply(530, "5.7.0", "Must issue a STARTTLS command first")
AUTH_NOT_HERE = Reply(503, "5.5.1", "AUTH is not offered on this port; use the submission port")
AUTH_THROTTLED = Reply(454, "4.7.0", "Too many failed authentications from your address, try again later")
AUTH_INVALID = Reply(535, "5.7.8", "Authentication credentials invalid")
AUTH_OK = Reply(235, "2.7.0", "Authentication successful")
SENDER_NOT_OWNED = Reply(550, "5.7.1", "Sender address not owned by the authenticated user")
SENDER_NOT_LOCAL = Reply(550, "5.7.1", "Trusted clients may only send from the province's own domains")
BAD_ADDRESS = Reply(501, "5.1.3", "Bad address syntax")
BAD_SENDER = Reply(501, "5.1.7", "Bad sender address syntax")
RELAY_DENIED = Reply(554, "5.7.1", "Relay access denied")
UNKNOWN_USER = Reply(550, "5.1.1", "No such mailbox in the directory")
GROUP_CLOSED = Reply(550, "5.7.2", "This group does not accept mail from your address")
TOO_MANY_RECIPIENTS = Reply(452, "4.5.3", "Too many recipients")
TOO_MANY_CONNECTIONS = Reply(421, "4.7.0", "Too many connections from your address")
TOO_MANY_HOPS = Reply(554, "5.4.6", "Too many hops (Received headers): possible mail loop")
MALFORMED = Reply(550, "5.6.0", "Malformed message")
HEADER_INJECTION = Reply(550, "5.6.0", "Header contains a bare CR or LF (header injection)")
FROM_NOT_OWNED = Reply(550, "5.7.1", "From: header address not owned by the authenticated user")
POLICY_BLOCKED = Reply(550, "5.7.1", "Message refused by content policy")
QUEUED = Reply(250, "2.0.0", "Ok: queued as")
TEMPORARY_FAILURE = Reply(451, "4.3.0", "Temporary local failure, please try again later")
GATE_TEMPORARY = Reply(451, "4.7.1", "Message could not be checked now, please try again later")
NO_VALID_RECIPIENTS = Reply(554, "5.5.1", "No valid recipients")
