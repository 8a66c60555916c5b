"""SMTP AUTH: the directory's own argon2 credentials (service accounts, officials who have one),
then, for officials, the password they already have on the mailbox server (IMAP over TLS, like
Haraka's auth_imap). Only successes are cached, briefly, and only as a keyed hash."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import imaplib
import logging
import secrets
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from directory import Directory, DirectoryError

log = logging.getLogger("mailhub.auth")


@dataclass(frozen=True)
class ImapChecker:
    """Asks the mailbox server whether a login and password are right."""

    host: str
    port: int
    security: str = "tls"  # tls (implicit, 993) or starttls (143)
    verify: bool = True
    timeout: float = 10.0

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def check(self, login: str, password: str) -> bool:
        try:
            if self.security == "tls":
                client: imaplib.IMAP4 = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self._context(),
                                                          timeout=self.timeout)
            else:
                client = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                client.starttls(ssl_context=self._context())
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            log.warning("cannot reach the IMAP server %s:%s to check a password: %s", self.host, self.port, exc)
            return False
        try:
            if "AUTH=PLAIN" in client.capabilities:
                secret = b"\0" + login.encode() + b"\0" + password.encode()
                client.authenticate("PLAIN", lambda _challenge: secret)
            else:
                client.login(login, password)
            return True
        except (imaplib.IMAP4.error, UnicodeEncodeError):
            return False
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()


@dataclass(frozen=True)
class LdapChecker:
    """Binds to LDAP / Active Directory as the user: ``bind_template`` is a DN such as
    ``uid={local},ou=people,dc=bacninh,dc=gov,dc=vn``, or ``{login}`` for an AD user principal name.
    Only over TLS (ldaps://, or StartTLS on ldap://); an empty password is never tried (it would be an
    unauthenticated bind that "succeeds")."""

    url: str
    bind_template: str
    verify: bool = True
    timeout: float = 10.0

    def server(self) -> Any:
        import ldap3

        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED if self.verify else ssl.CERT_NONE)
        return ldap3.Server(self.url, use_ssl=self.url.lower().startswith("ldaps://"), tls=tls,
                            connect_timeout=self.timeout)

    def bind_name(self, login: str) -> str:
        from ldap3.utils.dn import escape_rdn

        local, _, domain = login.partition("@")
        if self.bind_template.strip() == "{login}":
            return login
        return self.bind_template.format(local=escape_rdn(local), login=escape_rdn(login), domain=domain)

    def check(self, login: str, password: str, *, server: Any = None, strategy: Any = None) -> bool:
        import ldap3
        from ldap3.core.exceptions import LDAPException

        if not password:
            return False
        options: dict[str, Any] = {"client_strategy": strategy} if strategy is not None else {}
        try:
            connection = ldap3.Connection(server or self.server(), user=self.bind_name(login), password=password,
                                          raise_exceptions=False, **options)
            connection.open()
            if strategy is None and not self.url.lower().startswith("ldaps://") and not connection.start_tls():
                log.warning("LDAP server %s refused StartTLS; no password sent", self.url)
                return False
            ok = bool(connection.bind())
            connection.unbind()
            return ok
        except LDAPException as exc:
            log.warning("cannot check a password against %s: %s", self.url, exc)
            return False


class PasswordChecker(Protocol):
    def check(self, login: str, password: str) -> bool: ...


class SuccessCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._key = secrets.token_bytes(32)
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode(), hashlib.sha256).digest()

    def hit(self, login: str, password: str) -> bool:
        with self._lock:
            entry = self._entries.get(login)
        return bool(entry and entry[0] > time.monotonic() and hmac.compare_digest(entry[1], self._digest(password)))

    def remember(self, login: str, password: str) -> None:
        if self.seconds > 0:
            with self._lock:
                self._entries[login] = (time.monotonic() + self.seconds, self._digest(password))


class Authenticator:
    def __init__(self, directory: Directory, imap: PasswordChecker | None = None, cache_seconds: float = 300) -> None:
        self.directory = directory
        self.imap = imap  # the mailbox server's IMAP, or LDAP/AD: whichever is configured
        self.cache = SuccessCache(cache_seconds)

    def __call__(self, login: str, password: str) -> str | None:
        account = self.directory.authenticate(login, password)
        if account is not None or self.imap is None:
            return account
        try:
            official = self.directory.official(login)
        except DirectoryError:
            return None
        if not official.active:
            return None
        if self.cache.hit(official.email, password):
            return official.email
        if self.imap.check(official.email, password):
            self.cache.remember(official.email, password)
            return official.email
        return None
