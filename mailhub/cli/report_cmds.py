"""``mailhub report usage``: the six-monthly report on officials' use of email."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, fail
from mailhub.timeutil import LOCAL
from mailhub.usage.report.figures import Period, PeriodError
from mailhub.usage.report.make import FORMATS, issuer_for, usage_report
from mailhub.usage.stats import aggregate


@click.group()
def report() -> None:
    """Reports the Department sends: the six-monthly report on the use of email."""


@report.command("usage")
@click.option("--period", required=True, metavar="YYYY-H1|YYYY-H2", help="The half year, e.g. 2026-H2.")
@click.option("--format", "kind", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write it (default: bao-cao-thu-dien-tu-PERIOD.FORMAT here).")
@click.option("--office", default="Sở Khoa học và Công nghệ", show_default=True, help="The issuing office.")
@click.option("--abbreviation", default="SKHCN", show_default=True, help="The office's letters in the number.")
@click.option("--number", default="", help="The report's number (blank for the clerk to fill).")
@click.option("--signer", "signer_name", default="", help="Who signs.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON as well.")
@click.pass_obj
def usage_command(obj: Context, period: str, kind: str, output: Path | None, office: str, abbreviation: str,
                  number: str, signer_name: str, as_json: bool) -> None:
    """BÁO CÁO Tình hình sử dụng thư điện tử công vụ, in the form of Nghị định 30/2020 (PDF, DOCX or HTML)."""
    try:
        half = Period.parse(period)
    except PeriodError as exc:
        fail(str(exc))
    app = obj.app
    today = app.clock().astimezone(LOCAL).date()
    if half.start > today:
        fail(f"--period {half.code} has not started yet")
    aggregate(app.engine, app.clock())
    roots = [a for a in app.directory.agencies() if a.parent_code is None]
    issuer = issuer_for(roots[0] if roots else None, office=office, abbreviation=abbreviation, number=number,
                        signer_name=signer_name)
    figures, content = usage_report(app.engine, half, issuer, today=today,
                                    window_days=obj.settings.activity_window_days, kind=kind)
    target = output or Path(f"bao-cao-thu-dien-tu-{half.code}.{kind}")
    target.write_bytes(content)
    if as_json:
        emit_json({**dataclasses.asdict(figures), "province_share": figures.province.share, "output": str(target)})
        return
    click.echo(f"{target}: {half.label}, toàn tỉnh {figures.province.active}/{figures.province.officials} "
               f"= {figures.province.share:.1f}% ({len(content)} bytes)")
