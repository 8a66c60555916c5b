"""``mailhub serve``: the SMTP listeners and the delivery manager in one asyncio process."""

from __future__ import annotations

import click

from mailhub.cli.main import Context


@click.command()
@click.pass_obj
def serve(obj: Context) -> None:
    """Run the submission and inbound SMTP listeners."""
    from mailhub.server import run

    run(obj.app)
