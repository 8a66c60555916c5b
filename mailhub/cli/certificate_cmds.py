"""``mailhub directory certificate import|list``: agencies' S/MIME certificates (PKCS#12)."""

from __future__ import annotations

from pathlib import Path

import click

from mailhub.cli import words
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.signing.smime import WARN_DAYS


@click.group()
def certificate() -> None:
    """S/MIME certificates that sign the notices, schedules and invitations sent in an agency's name."""


@certificate.command("import")
@click.argument("agency")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file holding the PKCS#12 password (else MAILHUB_P12_PASSWORD, else a prompt).")
@click.pass_obj
def import_certificate(obj: Context, agency: str, file: Path, password_file: Path | None) -> None:
    """Import AGENCY's certificate and key from a PKCS#12 (.p12/.pfx) file."""
    import os

    code = obj.app.directory.agency(agency).code  # an unknown agency is a one-line error
    if password_file is not None:
        password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
    else:
        password = os.environ.get("MAILHUB_P12_PASSWORD") or click.prompt(
            "PKCS#12 password", hide_input=True, default="", show_default=False)
    info = obj.app.certificates().import_p12(code, file.read_bytes(), password.encode() if password else None)
    click.echo(f"{info.agency}: {info.subject}, issued by {info.issuer}, valid until {info.not_after:%d/%m/%Y}")


@certificate.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_certificates(obj: Context, as_json: bool) -> None:
    """Certificates on file, with days left (those within 30 days are flagged)."""
    now = obj.app.clock()
    infos = obj.app.certificates().all()
    if as_json:
        emit_json([{"agency": i.agency, "subject": i.subject, "issuer": i.issuer, "serial": i.serial,
                    "not_after": i.not_after.isoformat(), "days_left": i.days_left(now), "emails": list(i.emails),
                    "expiring": i.days_left(now) < WARN_DAYS} for i in infos])
        return
    emit_table(["Đơn vị", "Chủ thể", "Cấp bởi", f"Hết hạn ({words.ZONE_NOTE})", "Còn (ngày)"],
               [(i.agency, i.subject, i.issuer, words.local_time(i.not_after),
                 f"{i.days_left(now)}{' ⚠' if i.days_left(now) < WARN_DAYS else ''}") for i in infos])
