"""Entry point: ``mailhub [--config FILE] COMMAND``."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from directory import DirectoryError
from mailhub.cli.output import emit_json, fail
from mailhub.config import Settings, load_settings
from mailhub.errors import MailhubError
from mailhub.relay.refusals import Refused


class Context:
    """What every command needs: the settings, and the app built on first use."""

    def __init__(self, config_file: Path | None) -> None:
        self.config_file = config_file
        self._settings: Settings | None = None
        self._app: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file)
        return self._settings

    @property
    def app(self) -> Any:
        if self._app is None:
            from mailhub.app import App

            self._app = App.build(self.settings)
            atexit.register(self._app.close)  # the exit skips teardown: database connections close here
            for note in self._app.notes:
                click.echo(f"note: {note} at {self.settings.effective_database_url}", err=True)
        return self._app


def _config_first(args: list[str]) -> list[str]:
    rest: list[str] = []
    moved: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg == "--config" and index + 1 < len(args):
            moved = [arg, args[index + 1]]
            index += 2
            continue
        if arg.startswith("--config="):
            moved = [arg]
        else:
            rest.append(arg)
        index += 1
    return moved + rest


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
    return f"invalid setting {where} (MAILHUB_{where.upper()}): {first.get('msg')}"


class MailhubGroup(click.Group):
    """Turns every expected failure into one line on stderr and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(LAZY_COMMANDS if ctx.parent is None else ())})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and ctx.parent is None:
            found = _lazy_command(cmd_name)
            if found is not None:
                self.add_command(found, cmd_name)
        return found

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``--config FILE`` is accepted anywhere (``mailhub serve --config FILE`` as well as before)."""
        if ctx.parent is None:
            args = _config_first(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DirectoryError, MailhubError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            fail(str(exc))
        except Refused as exc:
            fail(f"refused, nothing was queued:\n{exc.reply.text}")
        except ValidationError as exc:
            fail(_validation_message(exc))
        except OperationalError as exc:
            fail(f"database unavailable: {str(exc.orig).splitlines()[0] if exc.orig else exc}")
        except SQLAlchemyError as exc:
            fail(f"database error: {str(exc).splitlines()[0]}")
        except UnicodeDecodeError as exc:
            fail(f"cannot decode input: {exc}")
        except UnicodeEncodeError as exc:  # the output's encoding (a locale, PYTHONIOENCODING) has no Vietnamese
            fail(f"the output's encoding ({exc.encoding}) cannot show Vietnamese text: use UTF-8 "
                 "(a UTF-8 locale, or PYTHONIOENCODING=utf-8)")
        return None


@click.group(cls=MailhubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="MAILHUB_CONFIG", help="TOML configuration file (also MAILHUB_CONFIG).")
@click.version_option(package_name="mailhub")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """mailhub: mail relay, officials directory and meeting invitations for a province."""
    ctx.obj = Context(config_file)


@cli.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def config_show(obj: Context, as_json: bool) -> None:
    """Print the effective configuration, with secrets masked."""
    values = obj.settings.masked()
    if as_json:
        emit_json(values)
        return
    for name, value in values.items():
        click.echo(f"{name} = {'' if value is None else value}")


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_obj
def db_upgrade(obj: Context, revision: str) -> None:
    """Apply schema migrations (safe to repeat)."""
    from mailhub import db

    engine = db.make_engine(obj.settings.effective_database_url)
    try:
        db.upgrade(engine, revision)
        click.echo(f"database at revision {db.current_revision(engine)}")
    finally:
        engine.dispose()


@db_group.command("current")
@click.pass_obj
def db_current(obj: Context) -> None:
    """Show the schema revision of the database."""
    from mailhub import db

    engine = db.make_engine(obj.settings.effective_database_url)
    try:
        click.echo(f"current {db.current_revision(engine) or 'none'}, head {db.head_revision()}")
    finally:
        engine.dispose()


@db_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def db_backup(obj: Context, target: Path) -> None:
    """A consistent online copy of the SQLite database (PostgreSQL: prints the pg_dump to run)."""
    from mailhub.maintenance import backup

    click.echo(f"backed up to {backup(obj.app.engine, target)}")


@db_group.command("purge")
@click.pass_obj
def db_purge(obj: Context) -> None:
    """Apply the retention settings now (the scheduler also does it daily)."""
    from mailhub.maintenance import purge

    settings = obj.settings
    result = purge(obj.app.engine, obj.app.clock(), settings.retention_body_days, settings.retention_log_days)
    click.echo(f"purged {result.bodies} message bodies and {result.log_rows} delivery-log rows")


# The commands that live in their own modules, imported only when used: `mailhub notice send`
# does not pay for the meeting, statistics or queue commands' imports (a CLI starts in seconds, not tens).
LAZY_COMMANDS = {
    "directory": ("directory_cmds", "directory"), "demo": ("demo_cmds", "demo"), "serve": ("serve_cmds", "serve"),
    "sink": ("serve_cmds", "sink"), "queue": ("queue_cmds", "queue"), "trace": ("queue_cmds", "trace"),
    "policy": ("policy_cmds", "policy"), "audit": ("policy_cmds", "audit"), "invite": ("meeting_cmds", "invite"),
    "meeting": ("meeting_cmds", "meeting"), "schedule": ("publish_cmds", "schedule"),
    "notice": ("publish_cmds", "notice"), "stats": ("stats_cmds", "stats"), "activity": ("stats_cmds", "activity"),
    "report": ("report_cmds", "report"), "dkim": ("dkim_cmds", "dkim"), "dns": ("dkim_cmds", "dns"),
}


def _lazy_command(name: str) -> click.Command | None:
    if name not in LAZY_COMMANDS:
        return None
    module_name, attribute = LAZY_COMMANDS[name]
    module = importlib.import_module(f"mailhub.cli.{module_name}")
    command: click.Command = getattr(module, attribute)
    if name == "directory":
        from mailhub.cli.certificate_cmds import certificate
        from mailhub.cli.group_cmds import group

        assert isinstance(command, click.Group)
        command.add_command(group)
        command.add_command(certificate)
    return command


def main() -> None:
    try:
        cli(prog_name="mailhub")
    except SystemExit as exc:
        _exit_now(exc.code)
    _exit_now(0)


def _exit_now(code: object) -> NoReturn:
    """End the process without tearing the interpreter down module by module (half a second with
    SQLAlchemy loaded, longer than many commands take): exit handlers run, output is flushed, and
    every commit was made before this point."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else 0 if code is None else 1
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)
