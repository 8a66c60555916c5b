"""S/MIME signatures (RFC 8551) with an agency's certificate from the government CA: the notices,
schedules and invitations sent in the agency's name go out as ``multipart/signed`` (SHA-256,
detached, the signer's chain included), built with the ``cryptography`` package's PKCS#7 builder.

Layout: the whole message body, calendar and documents included, is the signed entity. Outlook,
Thunderbird and Apple Mail open a clear-signed message and act on the text/calendar part inside it
as they would unsigned (the iTIP part keeps its METHOD); a reader without S/MIME support still sees
every part, and the signature as one small attachment (smime.p7s)."""

from __future__ import annotations

import logging
import secrets
from base64 import encodebytes
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from mailhub.errors import MailhubError
from mailhub.signing.files import private_folder, write_private

log = logging.getLogger("mailhub.signing")
WARN_DAYS = 30
_MOVED_INSIDE = (b"content-type", b"content-transfer-encoding", b"content-disposition", b"content-description",
                 b"content-id")


@dataclass(frozen=True)
class CertificateInfo:
    agency: str
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    emails: tuple[str, ...]

    def days_left(self, now: datetime) -> int:
        return (self.not_after - now).days


class CertificateStore:
    """``<folder>/<AGENCY>.pem`` (certificate and chain) and ``<AGENCY>.key`` (mode 0600)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def import_p12(self, agency: str, data: bytes, password: bytes | None) -> CertificateInfo:
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
        except ValueError as exc:
            raise MailhubError(f"not a PKCS#12 file, or the wrong password ({exc})") from exc
        if key is None or certificate is None:
            raise MailhubError("the PKCS#12 file holds no certificate with its private key")
        usages = _extended_usages(certificate)
        if usages is not None and ExtendedKeyUsageOID.EMAIL_PROTECTION not in usages:
            raise MailhubError("the certificate is not for e-mail protection (extended key usage)")
        private_folder(self.folder)
        write_private(self.folder / f"{_code(agency)}.key", key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), replace=True)
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [certificate, *(chain or [])])
        (self.folder / f"{_code(agency)}.pem").write_bytes(pem)
        return self.info(agency)

    def info(self, agency: str) -> CertificateInfo:
        certificate = self._chain(agency)[0]
        emails: tuple[str, ...] = ()
        try:
            names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            emails = tuple(e.lower() for e in names.get_values_for_type(x509.RFC822Name))
        except x509.ExtensionNotFound:
            pass
        return CertificateInfo(agency=_code(agency), subject=certificate.subject.rfc4514_string(),
                               issuer=certificate.issuer.rfc4514_string(), serial=f"{certificate.serial_number:x}",
                               not_before=certificate.not_valid_before_utc, not_after=certificate.not_valid_after_utc,
                               emails=emails)

    def all(self) -> list[CertificateInfo]:
        if not self.folder.is_dir():
            return []
        return [self.info(path.stem) for path in sorted(self.folder.glob("*.pem"))]

    def has(self, agency: str) -> bool:
        return (self.folder / f"{_code(agency)}.pem").is_file() and (self.folder / f"{_code(agency)}.key").is_file()

    def sign(self, content: bytes, agency: str, now: datetime) -> bytes:
        """``content`` as multipart/signed by the agency's certificate; unchanged (and logged) when the
        agency has none, or its certificate has expired."""
        if not self.has(agency):
            return content
        chain = self._chain(agency)
        if chain[0].not_valid_after_utc <= now:
            log.error("S/MIME certificate of %s expired on %s: its mail goes out unsigned", agency,
                      f"{chain[0].not_valid_after_utc:%Y-%m-%d}")
            return content
        if chain[0].not_valid_after_utc - now < timedelta(days=WARN_DAYS):
            log.warning("S/MIME certificate of %s expires on %s: renew it", agency,
                        f"{chain[0].not_valid_after_utc:%Y-%m-%d}")
        key = serialization.load_pem_private_key((self.folder / f"{_code(agency)}.key").read_bytes(), None)
        return clear_signed(content, chain, key)  # type: ignore[arg-type]

    def _chain(self, agency: str) -> list[x509.Certificate]:
        path = self.folder / f"{_code(agency)}.pem"
        if not path.is_file():
            raise MailhubError(f"no S/MIME certificate for {agency} (mailhub directory certificate import)")
        return x509.load_pem_x509_certificates(path.read_bytes())


def clear_signed(content: bytes, chain: list[x509.Certificate], key: pkcs7.PKCS7PrivateKeyTypes) -> bytes:
    """RFC 8551 3.5: the body entity (with its MIME headers) signed, detached, SHA-256."""
    head, _, body = content.partition(b"\r\n\r\n")
    outer, inner = _split_headers(head)
    # what is signed is exactly what travels between the boundaries (the CRLF before a boundary is the
    # boundary's own, RFC 2046 5.1.1)
    entity = (b"\r\n".join(inner) + b"\r\n\r\n" + body).rstrip(b"\r\n")
    builder = pkcs7.PKCS7SignatureBuilder().set_data(entity).add_signer(chain[0], key, hashes.SHA256())
    for certificate in chain[1:]:
        builder = builder.add_certificate(certificate)
    signature = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                                          pkcs7.PKCS7Options.Binary])
    boundary = f"----=_mailhub_signed_{secrets.token_hex(12)}".encode()
    parts = [
        b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;\r\n"
        b" boundary=\"" + boundary + b"\"",
        b"",
        b"This is an S/MIME signed message (chu ky so).",
        b"",
        b"--" + boundary,
        entity,
        b"--" + boundary,
        b"Content-Type: application/pkcs7-signature; name=\"smime.p7s\"",
        b"Content-Transfer-Encoding: base64",
        b"Content-Disposition: attachment; filename=\"smime.p7s\"",
        b"",
        encodebytes(signature).replace(b"\n", b"\r\n").rstrip(b"\r\n"),
        b"--" + boundary + b"--",
        b"",
    ]
    return b"\r\n".join(outer) + b"\r\n" + b"\r\n".join(parts)


def _split_headers(head: bytes) -> tuple[list[bytes], list[bytes]]:
    """(the message's own header lines, the MIME lines that describe the body), folded lines kept."""
    outer: list[bytes] = []
    inner: list[bytes] = []
    current = outer
    for line in head.split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):
            name = line.split(b":", 1)[0].strip().lower()
            current = inner if name in _MOVED_INSIDE else outer
        current.append(line)
    return outer, inner


def _extended_usages(certificate: x509.Certificate) -> x509.ExtendedKeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _code(agency: str) -> str:
    code = agency.strip().upper()
    if not code or not all(ch.isalnum() or ch in "-_." for ch in code):
        raise MailhubError(f"{agency!r} is not an agency code")
    return code

