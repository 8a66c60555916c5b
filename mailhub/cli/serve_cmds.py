"""``mailhub serve``: the SMTP listeners and the delivery manager in one asyncio process."""

from __future__ import annotations

from pathlib import Path

import click

from mailhub.cli.main import Context


@click.command()
@click.option("--part", type=click.Choice(["all", "delivery", "commands"]), default="all", hidden=True,
              help="delivery, commands: the processes that serve starts beside its listeners")
@click.option("--link-fd", type=int, default=None, hidden=True,
              help="delivery: the socket on which the listeners hand it their messages to queue")
@click.pass_obj
def serve(obj: Context, part: str, link_fd: int | None) -> None:
    """Run the submission and inbound SMTP listeners, and delivery."""
    if link_fd is not None and part != "delivery":
        raise click.UsageError("--link-fd is serve's own, for the delivery process it starts")
    if part == "commands":
        from mailhub.cli.command_server import serve_commands

        serve_commands(obj.settings)
        return
    from mailhub.config import PLACEHOLDER_SERVICE_DOMAIN
    from mailhub.errors import ConfigurationError
    from mailhub.server import run

    if obj.app.settings.service_domain.lower() == PLACEHOLDER_SERVICE_DOMAIN:
        raise ConfigurationError(
            f"MAILHUB_SERVICE_DOMAIN is the placeholder {PLACEHOLDER_SERVICE_DOMAIN}: replies, read receipts and "
            "delivery reports would go nowhere. Set the province's service domain (its MX must point at mailhub), "
            "e.g. MAILHUB_SERVICE_DOMAIN=lich.khanhhoa.gov.vn (what `make run` uses for the demo)")
    run(obj.app, config_file=obj.config_file, part=part, link_fd=link_fd)


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
