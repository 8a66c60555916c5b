"""DKIM keys on disk: ``<MAILHUB_HOME>/dkim/<domain>/<selector>.private`` (mode 0600) with the DNS
record beside it (``<selector>.txt``). The active selector of a domain is named in ``active`` (one
line per algorithm); a new key becomes active by itself only when the domain has none, so a key can
be published in DNS before it signs anything (rotation with two selectors)."""

from __future__ import annotations

import re
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailhub.errors import MailhubError
from mailhub.signing.files import private_folder, write_private

RSA, ED25519 = "rsa", "ed25519"
_SELECTOR = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}$")


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    algorithm: str  # rsa or ed25519
    private: bytes  # what dkimpy signs with: PEM (RSA) or the base64 seed (Ed25519)
    record: str  # the TXT record to publish at <selector>._domainkey.<domain>
    active: bool

    @property
    def dns_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"


class KeyStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def generate(self, domain: str, selector: str, algorithm: str) -> DkimKey:
        domain, selector = _checked(domain, selector)
        target = self.folder / domain
        private_folder(self.folder, target)
        private_path = target / f"{selector}.private"
        if private_path.exists():
            raise MailhubError(f"a DKIM key for {selector}._domainkey.{domain} already exists: choose another "
                               "--selector (rotation keeps the old key until the new one is published)")
        private, record = _new_key(algorithm)
        write_private(private_path, private)
        (target / f"{selector}.txt").write_text(record + "\n", encoding="ascii")
        (target / f"{selector}.algorithm").write_text(algorithm + "\n", encoding="ascii")
        if algorithm not in self._active(domain):
            self.activate(domain, selector)
        return self.key(domain, selector)

    def activate(self, domain: str, selector: str) -> DkimKey:
        domain, selector = _checked(domain, selector)
        key = self.key(domain, selector)
        active = self._active(domain)
        active[key.algorithm] = selector
        (self.folder / domain / "active").write_text(
            "".join(f"{algorithm} {name}\n" for algorithm, name in sorted(active.items())), encoding="ascii")
        return self.key(domain, selector)

    def key(self, domain: str, selector: str) -> DkimKey:
        target = self.folder / domain
        private_path = target / f"{selector}.private"
        if not private_path.is_file():
            raise MailhubError(f"no DKIM key {selector}._domainkey.{domain} (run `mailhub dkim keygen`)")
        algorithm = (target / f"{selector}.algorithm").read_text(encoding="ascii").strip()
        return DkimKey(domain, selector, algorithm, private_path.read_bytes(),
                       (target / f"{selector}.txt").read_text(encoding="ascii").strip(),
                       self._active(domain).get(algorithm) == selector)

    def keys(self, domain: str | None = None) -> list[DkimKey]:
        if not self.folder.is_dir():
            return []
        domains = [domain.lower()] if domain else sorted(p.name for p in self.folder.iterdir() if p.is_dir())
        return [self.key(d, p.stem) for d in domains if (self.folder / d).is_dir()
                for p in sorted((self.folder / d).glob("*.private"))]

    def active_keys(self, domain: str) -> list[DkimKey]:
        """The keys that sign for ``domain`` now (RSA and Ed25519 both, when both are active)."""
        domain = domain.lower().rstrip(".")
        if not _DOMAIN.match(domain) or not (self.folder / domain).is_dir():
            return []
        return [self.key(domain, selector) for _, selector in sorted(self._active(domain).items())]

    def _active(self, domain: str) -> dict[str, str]:
        path = self.folder / domain / "active"
        if not path.is_file():
            return {}
        pairs = (line.split() for line in path.read_text(encoding="ascii").splitlines())
        return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def _checked(domain: str, selector: str) -> tuple[str, str]:
    domain, selector = domain.strip().lower().rstrip("."), selector.strip().lower()
    if not _DOMAIN.match(domain):
        raise MailhubError(f"--domain {domain!r} is not a domain name")
    if not _SELECTOR.match(selector):
        raise MailhubError(f"--selector {selector!r}: use letters, digits and '-' (e.g. mh2026)")
    return domain, selector


def new_rsa_key(bits: int = 2048) -> tuple[bytes, str]:
    """A fresh RSA signing key (PEM) and its DNS record text (``v=DKIM1; k=rsa; p=…``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, f"v=DKIM1; k=rsa; p={b64encode(public).decode()}"


def _new_key(algorithm: str) -> tuple[bytes, str]:
    if algorithm == RSA:
        return new_rsa_key()
    if algorithm == ED25519:
        edkey = ed25519.Ed25519PrivateKey.generate()
        seed = edkey.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())
        raw_public = edkey.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return b64encode(seed), f"v=DKIM1; k=ed25519; p={b64encode(raw_public).decode()}"
    raise MailhubError(f"--algorithm {algorithm!r}: rsa or ed25519")
