"""``mailhub demo seed``: a realistic province for trying mailhub and for benchmarks."""

from __future__ import annotations

import time

import click

from directory import DemoProvince, seed_demo
from mailhub.cli.main import Context
from mailhub.cli.output import progress_bar


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
@click.option("--officials", default=300, show_default=True, type=click.IntRange(1, 200_000))
@click.option("--seed", default=2025, show_default=True, type=int, help="Random seed (same seed, same province).")
@click.pass_obj
def seed(obj: Context, officials: int, seed: int) -> None:
    """Create (or top up) a demo province: departments, communes, officials with Vietnamese names."""
    started = time.monotonic()
    province = DemoProvince(service_domain=obj.settings.service_domain)
    with progress_bar("Seeding demo province", officials * 2) as advance, obj.app.directory.session() as session:
        report = seed_demo(session, officials, seed=seed, province=province,
                           address_pattern=obj.settings.address_pattern, progress=advance)
    click.echo(f"demo province {province.name} ({province.domain}): {report.created} officials created, "
               f"{report.unchanged + report.updated} already there, in {time.monotonic() - started:.1f} s")
