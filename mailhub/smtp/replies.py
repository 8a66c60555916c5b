"""The replies of the SMTP dialog itself (greeting, AUTH, MAIL, RCPT, queued). Refusals of a message
or a recipient are the core's vocabulary (``mailhub.relay.refusals``), written on the wire here too."""

from __future__ import annotations

from mailhub.relay.refusals import Reply

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
BAD_SENDER = Reply(501, "5.1.7", "Bad sender address syntax")
DATA_TOO_SLOW = Reply(421, "4.4.2", "DATA took too long; closing the connection")
TOO_MANY_RECIPIENTS = Reply(452, "4.5.3", "Too many recipients")
LARGE_MAIL_BUSY = Reply(451, "4.3.1", "Insufficient system resources for large mail now, try again later")
TOO_MANY_CONNECTIONS = Reply(421, "4.7.0", "Too many connections from your address")
QUEUED = Reply(250, "2.0.0", "Ok: queued as")
