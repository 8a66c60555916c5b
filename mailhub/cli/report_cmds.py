"""``mailhub report usage`` (the six-monthly report on officials' use of email) and ``mailhub report
ranking`` (the annual emulation ranking)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table, fail
from mailhub.timeutil import LOCAL
from mailhub.usage.report.document import KIND_NAMES
from mailhub.usage.report.figures import Period, PeriodError
from mailhub.usage.report.make import FORMATS, issuer_for, usage_report
from mailhub.usage.report.ranking import WeightsError, parse_weights, rank
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


@report.command("ranking")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="The year of the emulation review.")
@click.option("--weights", metavar="usage=50,response=30,active=20",
              help="Weights of the criteria (default usage=50,response=30,active=20).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def ranking_command(obj: Context, year: int, weights: str | None, as_json: bool) -> None:
    """Agencies ranked for the annual emulation review (thi đua), each bloc apart, with the criteria,
    their weights and how ties are broken."""
    try:
        chosen = parse_weights(weights)
    except WeightsError as exc:
        fail(str(exc))
    app = obj.app
    today = app.clock().astimezone(LOCAL).date()
    if year > today.year:
        fail(f"--year {year} has not started yet")
    aggregate(app.engine, app.clock())
    parents = {a.code: a.parent_code for a in app.directory.agencies()}
    result = rank(app.engine, year, today=today, weights=chosen, parents=parents)
    if as_json:
        emit_json(result)
        return
    click.echo(f"Xếp hạng ứng dụng thư điện tử năm {year} (số liệu đến {result.as_of:%d/%m/%Y}). Tiêu chí và trọng số:")
    for name, label in result.criteria.items():
        click.echo(f"  {label}: {result.weights[name]:g}")
    click.echo(f"  {result.tie_rule}")
    for kind, rows in result.blocs.items():
        emit_table(["Hạng", "Đơn vị", "Tên", "Cán bộ", "Sử dụng %", "Trả lời %", "Có dùng %", "Điểm", "Ghi chú"],
                   [(r.rank, r.code, r.name, r.officials, f"{r.usage_share:.1f}",
                     "" if r.response_rate is None else f"{r.response_rate:.1f}", f"{r.active_share:.1f}",
                     f"{r.score:.2f}", r.note) for r in rows], title=KIND_NAMES.get(kind, kind))
