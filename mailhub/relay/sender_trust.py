"""Who vouches for a message's sender, and what a message claiming an address may do.

Port 25 is on the Internet, where anyone can type any address. A sender is believed when someone
vouches for it: an AUTH login (submission), a trusted office system, one of the province's
mailbox servers (MAILHUB_PROVINCE_MAIL_SERVERS; it authenticated its own user), or the message
itself, through DKIM or SPF aligned with its From: domain (DMARC's test). Everything else is
"inbound": delivered where it may go, but never given anyone's rights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailhub.relay.domains import Domains
from mailhub.relay.headers import HeaderSummary, plain_mailbox
from mailhub.relay.refusals import (
    DMARC_REJECTED,
    MALFORMED,
    PROVINCE_SENDER_FORGED,
    SENDER_UNVERIFIABLE,
    Refused,
)

if TYPE_CHECKING:
    from directory import Directory
    from mailhub.relay.intake import Submission

MAIL_SERVER = "mail-server"  # a province mailbox server vouches (its own users authenticated there)
TRUSTED = "trusted"  # an office system on a trusted network
ALIGNED = "aligned"  # DKIM or SPF aligned with the From: domain
UNVOUCHED = ("", "inbound", "local")


def vouched_by(submission: Submission) -> str:
    """How the message's sender is vouched for: a login, TRUSTED, MAIL_SERVER, ALIGNED, or the
    listener's name when no one vouches (stored with the message as ``submitted_by``)."""
    if submission.login:
        return submission.login
    if submission.trusted:
        return TRUSTED
    if submission.mail_server:
        return MAIL_SERVER
    if submission.sender_auth is not None and submission.sender_auth.aligned:
        return ALIGNED
    return submission.listener


def check_author_fields(summary: HeaderSummary) -> None:
    """From the Internet: one From: with one plain address (DMARC applies to exactly one author
    domain, RFC 7489 6.6.1), and no field that may appear once appearing twice (a second Subject
    above a signed one would be shown instead of it)."""
    if summary.repeated:
        raise Refused(MALFORMED.with_text(f"Malformed message: more than one {summary.repeated[0]}: header"))
    if len(summary.from_addresses) != 1 or not plain_mailbox(summary.from_addresses[0]):
        raise Refused(MALFORMED.with_text("Malformed message: From: must hold exactly one plain address"))


def check_inbound_sender(submission: Submission, from_addresses: tuple[str, ...], domains: Domains) -> None:
    """Port 25 from anyone but a province mailbox server: refuse what claims one of the province's
    domains without that domain's DKIM signature, what a DMARC ``p=reject`` domain disowns, and
    (451) what could not be checked because DNS did not answer."""
    auth = submission.sender_auth
    if submission.mail_server or auth is None:
        return
    claimed = {submission.mail_from.rpartition("@")[2].lower()} if submission.mail_from else set()
    claimed |= {address.rpartition("@")[2] for address in from_addresses}
    for domain in sorted(d for d in claimed if d and domains.is_province_or_ours(d)):
        if auth.dkim_passes_for(domain):
            continue
        if auth.dkim_temporary_for(domain):
            raise Refused(SENDER_UNVERIFIABLE)
        raise Refused(PROVINCE_SENDER_FORGED.with_text(
            f"Mail from {domain} reaches this server only through the province's mail servers "
            f"or with a valid DKIM signature of {domain}"))
    if auth.dmarc == "temperror":
        raise Refused(SENDER_UNVERIFIABLE)
    if auth.dmarc == "fail" and auth.dmarc_policy == "reject":
        raise Refused(DMARC_REJECTED.with_text(
            f"Unauthenticated mail from {auth.from_domain} is refused by its DMARC policy (p=reject)"))


def authenticated_author(kind: str, *, from_address: str, mail_from: str, directory: Directory) -> str:
    """The From: address when whoever vouches stands behind it, else "".

    A login: intake already refused any From: it may not send as. A mailbox server or an office
    system vouches for its envelope sender, so From: must be that address or one it may send as.
    DKIM/SPF alignment authenticates the From: domain itself."""
    from_address, mail_from = from_address.lower(), mail_from.lower()
    if not from_address or kind in UNVOUCHED:
        return ""
    if kind == ALIGNED:
        return from_address
    if kind in (MAIL_SERVER, TRUSTED):
        if from_address == mail_from or (mail_from and directory.may_send_as(mail_from, from_address)):
            return from_address
        return ""
    return from_address if directory.may_send_as(kind, from_address) else ""

