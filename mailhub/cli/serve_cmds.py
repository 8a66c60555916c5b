"""``mailhub serve``: the SMTP listeners and the delivery manager in one asyncio process."""

from __future__ import annotations

from pathlib import Path

import click

from mailhub.cli.main import Context


@click.command()
@click.pass_obj
def serve(obj: Context) -> None:
    """Run the submission and inbound SMTP listeners."""
    from mailhub.server import run

    run(obj.app)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2526, show_default=True, type=click.IntRange(1, 65535))
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=Path("var/sink"),
              show_default=True)
def sink(host: str, port: int, folder: Path) -> None:
    """A stand-in mailbox server for trials: saves every message it receives as an .eml file."""
    import asyncio

    from mailhub.devsink import run_sink

    asyncio.run(run_sink(host, port, folder))
