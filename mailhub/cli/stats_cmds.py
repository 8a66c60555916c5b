"""``mailhub stats`` and ``mailhub activity import-log``."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import click

from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.timeutil import LOCAL
from mailhub.usage.stats import aggregate, import_login_log, usage


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
               [("  " * a.depth + a.code, a.name, a.kind, a.officials, a.active, f"{a.share:.1f}",
                 "✓" if a.share >= 80 else "", "✓" if a.share >= 90 else "") for a in report.agencies])
    for kind, values in report.levels.items():
        click.echo(f"{kind}: {values['active']:.0f}/{values['officials']:.0f} = {values['share']:.1f}%")
    click.echo("activity in the window: " + (", ".join(f"{k} {v}" for k, v in sorted(report.activity.items()))
                                             or "none"))


@click.group()
def activity() -> None:
    """Signs of officials using email that mailhub does not see itself."""


@activity.command("import-log")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_log(obj: Context, file: Path) -> None:
    """Import logins from the mailbox server's log (Dovecot, or account=/user= success lines)."""
    count = import_login_log(obj.app.engine, file, obj.app.clock())
    click.echo(f"{count} logins imported from {file}")
