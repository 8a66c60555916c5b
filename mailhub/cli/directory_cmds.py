"""``mailhub directory …``: officials, roster import/export, lookups, credentials."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from directory import (
    EXPORT_FORMATS,
    ImportReport,
    OfficialInfo,
    base_dn_for,
    csv_export,
    ldif_export,
    read_roster,
    vcards,
)
from mailhub.cli.main import Context
from mailhub.cli.output import console, emit_json, emit_table, fail, progress_bar

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def directory() -> None:
    """The officials directory: agencies, officials, groups, credentials."""


def official_json(info: OfficialInfo) -> dict[str, Any]:
    value = dataclasses.asdict(info)
    value["agency"] = info.agency_code
    return value


def print_report(report: ImportReport, as_json: bool, what: str, dry_run: bool) -> None:
    if as_json:
        emit_json({
            "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "rejected": [dataclasses.asdict(r) for r in report.rejected],
            "rows": [dataclasses.asdict(r) for r in report.rows],
            "agencies_created": list(report.agencies_created), "notes": list(report.notes),
            "warnings": [dataclasses.asdict(w) for w in report.warnings], "dry_run": dry_run,
        })
        return
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for row in report.rejected:
        click.echo(f"line {row.line}: rejected: {row.reason}")
    for warning in report.warnings:
        click.echo(f"line {warning.line}: warning: {warning.message}")
    if report.agencies_created:
        click.echo(f"agencies created from the roster: {', '.join(report.agencies_created)}")
    prefix = "dry run, nothing saved: " if dry_run else ""
    click.echo(f"{prefix}{what}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
               + (f", {len(report.warnings)} warnings" if report.warnings else ""))


@directory.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--parent", "parent", metavar="CODE",
              help="Create agencies the roster names but the directory lacks, under CODE (default: such rows "
                   "are rejected).")
@click.option("--dry-run", is_flag=True, help="Check the file and report, save nothing.")
@json_option
@click.pass_obj
def import_officials(obj: Context, file: Path, parent: str | None, dry_run: bool, as_json: bool) -> None:
    """Import officials from a CSV (UTF-8, Excel's BOM welcome) or XLSX roster.

    Headers in English or Vietnamese: Họ và tên, Đơn vị, Chức vụ, Email (optional:
    Mã cán bộ, Thủ trưởng, Trạng thái). Re-importing the same file changes nothing.
    """
    table = read_roster(file)
    with progress_bar("Importing officials", len(table.rows) * 2) as advance:
        report = obj.app.directory.import_roster(table, create_agencies_under=parent, progress=advance,
                                                 dry_run=dry_run)
    print_report(report, as_json, "officials", dry_run)


@directory.command("import-agencies")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report, save nothing.")
@json_option
@click.pass_obj
def import_agencies(obj: Context, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import agencies: code, name, parent, kind, domain[, mailbox]
    (or Mã đơn vị, Tên đơn vị, Đơn vị cấp trên, Loại, Tên miền, Hộp thư)."""
    from directory import read_agencies

    table = read_agencies(file)
    with progress_bar("Importing agencies", len(table.rows)) as advance:
        report = obj.app.directory.import_agencies(table, progress=advance, dry_run=dry_run)
    print_report(report, as_json, "agencies", dry_run)


@directory.command("list")
@click.option("--agency", metavar="CODE", help="Only this agency and everything below it.")
@click.option("--active-only", is_flag=True, help="Leave out disabled accounts.")
@json_option
@click.pass_obj
def list_officials(obj: Context, agency: str | None, active_only: bool, as_json: bool) -> None:
    """List officials."""
    officials = obj.app.directory.officials(agency, include_inactive=not active_only)
    if as_json:
        emit_json([official_json(o) for o in officials])
        return
    emit_table(
        ["Họ và tên", "Email", "Đơn vị", "Chức vụ", "Active"],
        [(o.full_name, o.email, o.agency_code, o.title, "yes" if o.active else "no") for o in officials],
    )
    click.echo(f"{len(officials)} officials", err=True)


@directory.command("show")
@click.argument("address")
@json_option
@click.pass_obj
def show_official(obj: Context, address: str, as_json: bool) -> None:
    """Show one official (by address or alias)."""
    info = obj.app.directory.official(address)
    sendable = obj.app.directory.sendable_addresses(info.email)
    if as_json:
        emit_json({**official_json(info), "may_send_as": sendable})
        return
    rows = [
        ("Họ và tên", info.full_name), ("Email", info.email), ("Chức vụ", info.title),
        ("Đơn vị", f"{info.agency_name} ({info.agency_code})"), ("Path", " / ".join(info.agency_path)),
        ("Head of agency", "yes" if info.is_head else "no"), ("Active", "yes" if info.active else "no"),
        ("Aliases", ", ".join(info.aliases) or "-"),
        ("May send as", ", ".join(sendable) or "- (no password set)"),
    ]
    for label, value in rows:
        console().print(f"[bold]{label}:[/bold] {value}", highlight=False)


@directory.command("resolve")
@click.argument("target")
@json_option
@click.pass_obj
def resolve(obj: Context, target: str, as_json: bool) -> None:
    """Mailboxes an ADDRESS, group:NAME or agency:CODE expands to."""
    result = obj.app.directory.resolve(target)
    if as_json:
        emit_json(dataclasses.asdict(result))
        return
    for box in result.mailboxes:
        click.echo(f"{box.address}\t{box.display_name}\t{box.agency_code}")
    click.echo(f"{target}: {result.kind}, {len(result.mailboxes)} mailbox(es)", err=True)


@directory.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="vcard", show_default=True)
@click.option("--agency", metavar="CODE", help="Only this agency's subtree.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout).")
@click.option("--base-dn", help="LDIF base DN (default ou=people,dc=… of the root domain).")
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM so that Excel shows Vietnamese correctly.")
@click.pass_obj
def export(obj: Context, fmt: str, agency: str | None, output: Path | None, base_dn: str | None,
           excel: bool) -> None:
    """Export active officials as an address book: vCard 4.0, CSV or LDIF."""
    directory_ = obj.app.directory
    officials = directory_.officials(agency, include_inactive=False)
    if fmt == "vcard":
        agencies = directory_.agencies()
        if agency:
            codes = {o.agency_code for o in officials} | {directory_.agency(agency).code}
            agencies = [a for a in agencies if a.code in codes]
        text = vcards(officials, agencies)
    elif fmt == "csv":
        text = ("\ufeff" if excel else "") + csv_export(officials)
    else:
        roots = [a for a in directory_.agencies() if a.parent_code is None]
        text = ldif_export(officials, base_dn or base_dn_for(roots[0].domain if roots else "example.gov.vn"))
    if output:
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"wrote {len(officials)} officials to {output}", err=True)
    else:
        sys.stdout.write(text)


@directory.command("set-password")
@click.argument("address")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--service", is_flag=True, help="A service account (office system), not an official.")
@click.pass_obj
def set_password(obj: Context, address: str, from_stdin: bool, service: bool) -> None:
    """Set the SMTP AUTH password of an official or a service account (stored as argon2)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    login = obj.app.directory.set_password(address, password, service=service)
    click.echo(f"password set for {login}")


@directory.command("grant-send-as")
@click.argument("login")
@click.argument("address")
@click.pass_obj
def grant_send_as(obj: Context, login: str, address: str) -> None:
    """Let LOGIN send as ADDRESS (e.g. the agency mailbox), or as any address of @DOMAIN."""
    obj.app.directory.grant_send_as(login, address)
    click.echo(f"{login} may send as {address}")


@directory.command("send-as")
@click.argument("login")
@json_option
@click.pass_obj
def send_as(obj: Context, login: str, as_json: bool) -> None:
    """Addresses an account may send as."""
    addresses = obj.app.directory.sendable_addresses(login)
    if not addresses:
        fail(f"no account {login!r}")
    if as_json:
        emit_json(addresses)
    else:
        click.echo("\n".join(addresses))


@directory.command("disable")
@click.argument("address")
@click.pass_obj
def disable(obj: Context, address: str) -> None:
    """Disable an official (no mail, no AUTH, not counted in usage)."""
    info = obj.app.directory.set_active(address, False)
    click.echo(f"disabled {info.email}")


@directory.command("enable")
@click.argument("address")
@click.pass_obj
def enable(obj: Context, address: str) -> None:
    """Enable an official again."""
    info = obj.app.directory.set_active(address, True)
    click.echo(f"enabled {info.email}")


@directory.command("add-alias")
@click.argument("alias")
@click.argument("target")
@click.pass_obj
def add_alias(obj: Context, alias: str, target: str) -> None:
    """Make ALIAS reach TARGET (an official, agency mailbox or group address)."""
    obj.app.directory.add_alias(alias, target)
    click.echo(f"{alias} -> {target}")


def _register() -> None:
    from mailhub.cli import agency_cmds

    for command in agency_cmds.COMMANDS:
        directory.add_command(command)


_register()
