"""``mailhub stats`` and ``mailhub activity import-log``."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from directory import normalise_domain
from mailhub.cli import words
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table, fail, progress_bar
from mailhub.timeutil import LOCAL, TZID
from mailhub.usage.login_import import LoginImportReport, import_logins
from mailhub.usage.login_log import LogFormatError, LogForms
from mailhub.usage.stats import aggregate, usage


@click.command()
@click.option("--agency", metavar="CODE", help="Only this agency and everything below it.")
@click.option("--window", "window", type=click.IntRange(1, 3650), help="Days (default MAILHUB_ACTIVITY_WINDOW_DAYS).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="The last day counted (default today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats(obj: Context, agency: str | None, window: int | None, as_of: object, as_json: bool) -> None:
    """Share of officials using email, per agency and level, against the 80% and 90% targets."""
    app = obj.app
    aggregate(app.engine, app.clock())
    if agency:
        app.directory.agency(agency)  # an unknown code is a one-line error
    day: date = as_of.date() if as_of else app.clock().astimezone(LOCAL).date()  # type: ignore[attr-defined]
    report = usage(app.engine, root=agency, window_days=window or obj.settings.activity_window_days, as_of=day)
    if as_json:
        emit_json({**dataclasses.asdict(report),
                   "agencies": [{**dataclasses.asdict(a), "share": a.share} for a in report.agencies]})
        return
    click.echo(report.definition)
    emit_table(["Đơn vị", "Tên", "Loại", "Cán bộ", "Dùng thư", "Tỷ lệ %", "≥80%", "≥90%"],
               [("  " * a.depth + a.code, a.name, words.agency_kind(a.kind), a.officials, a.active,
                 f"{a.share:.1f}", "✓" if a.share >= 80 else "", "✓" if a.share >= 90 else "")
                for a in report.agencies])
    for kind, values in report.levels.items():
        click.echo(f"{words.agency_kind(kind)}: {values['active']:.0f}/{values['officials']:.0f} cán bộ dùng thư "
                   f"= {values['share']:.1f}%")
    click.echo("Dấu hiệu sử dụng trong kỳ: " + (", ".join(f"{words.activity(k)} {v}"
                                                          for k, v in sorted(report.activity.items())) or "không có"))


@click.group()
def activity() -> None:
    """Signs of officials using email that mailhub does not see itself."""


@activity.command("import-log")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(2000, 2100),
              help="Year of the log's last line, for syslog times without one (default: from the file's date).")
@click.option("--format", "regex", metavar="REGEX",
              help="A Python regex for other servers' login lines, with (?P<user>…) and optionally (?P<time>…).")
@click.option("--zone", default=TZID, show_default=True, help="Time zone of log times written without one.")
@click.option("--domain", metavar="DOMAIN", help="Domain for bare user names (default: the province's).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_log(obj: Context, files: tuple[Path, ...], year: int | None, regex: str | None, zone: str,
               domain: str | None, as_json: bool) -> None:
    """Import logins from mailbox-server logs: Dovecot or Postfix SASL (mail.log, syslog or RFC 3339
    times, .gz too), Zimbra audit.log, or --format. Importing a file again changes nothing."""
    try:
        forms = LogForms.custom(regex) if regex else LogForms()
        tz = ZoneInfo(zone)
    except LogFormatError as exc:
        fail(str(exc))
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        fail(f"--zone: unknown time zone {zone!r} (e.g. Asia/Ho_Chi_Minh, UTC)")
    app = obj.app
    book = app.directory.address_book()
    if domain:
        book = dataclasses.replace(book, province_domain=normalise_domain(domain))
    reports = []
    with progress_bar("Reading logins", 2 * sum(f.stat().st_size for f in files)) as advance:  # two passes
        for file in files:
            reports.append(import_logins(app.engine, book, file, now=app.clock(), forms=forms, zone=tz, year=year,
                                         progress=advance))
    if as_json:
        emit_json(reports if len(reports) > 1 else reports[0])
        return
    for report in reports:
        _print_import(report)


def _print_import(report: LoginImportReport) -> None:
    sources = ", ".join(f"{source} {count}" for source, count in sorted(report.by_source.items()))
    click.echo(f"{report.file}: {report.lines_read} lines read, {report.logins_matched} logins matched"
               + (f" ({sources})" if sources else "")
               + f", {report.stored} new, {report.already_imported} already imported")
    if report.first_login and report.last_login:
        click.echo(f"  logins from {report.first_login.astimezone(LOCAL):%Y-%m-%d %H:%M} "
                   f"to {report.last_login.astimezone(LOCAL):%Y-%m-%d %H:%M} ({TZID}), "
                   f"{report.officials_seen} officials")
    if report.unknown_addresses:
        listed = ", ".join(f"{address} ({count})" for address, count in list(report.unknown_examples.items())[:10])
        click.echo(f"  {report.unknown_addresses} addresses are no official's (not counted): {listed}"
                   + (", …" if report.unknown_addresses > 10 else ""))
    if report.malformed_lines:
        click.echo(f"  {report.malformed_lines} malformed lines skipped:")
        for bad in report.malformed_examples[:10]:
            click.echo(f"    line {bad.line}: {bad.reason}")
    for note in report.notes:
        click.echo(f"  note: {note}")
