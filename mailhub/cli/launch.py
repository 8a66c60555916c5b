"""The ``mailhub`` command's first step, in the standard library alone: when ``mailhub serve`` runs on
this home, hand the command to it (``mailhub.cli.command_server``), which has every module loaded and
starts the command in a fraction of the time a new interpreter takes to import them (half a second);
otherwise, or when the server declines, run the command here as always.

Only commands that cannot be interactive go to the server: standard input is not a terminal (a
script, cron, an office system). The command's own standard input, output and error are handed over,
so it reads and writes exactly where it would have; Ctrl-C and other signals are passed on; its exit
status is this process's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path

SOCKET_NAME = "command.sock"
IN_PROCESS = ("serve", "sink")  # servers of their own: never run inside another
DECLINED = "declined"


def socket_path(environ: dict[str, str] | os._Environ[str], args: list[str]) -> Path | None:
    """Where the server for these settings listens, as far as the environment tells (the server checks
    the full settings itself); None when a configuration file is named (its home is read by the server)."""
    if "--config" in args or any(a.startswith("--config=") for a in args) or environ.get("MAILHUB_CONFIG"):
        return None
    return Path(environ.get("MAILHUB_HOME") or "var") / SOCKET_NAME


def identity() -> dict[str, str]:
    """What must match between this command and the server: the same interpreter and the same mailhub."""
    return {"python": sys.executable, "version": sys.version, "code": str(Path(__file__).resolve())}


def _command_name(args: list[str]) -> str | None:
    """The first word that is not the top level's option (``--config PATH`` takes the word after it)."""
    words = iter(args)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def eligible(args: list[str]) -> bool:
    if os.environ.get("MAILHUB_COMMAND_SERVER", "true").strip().lower() in ("0", "false", "no", "off"):
        return False
    if _command_name(args) in (None, *IN_PROCESS):
        return False
    try:
        return not os.isatty(0)
    except OSError:
        return False


def run_in_server(args: list[str]) -> int | None:
    """The command's exit status once the server ran it; None when it did not take the command."""
    path = socket_path(os.environ, args)
    if path is None:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        request = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ), **identity()})
        socket.send_fds(connection, [request.encode() + b"\n"], [0, 1, 2])
        reply = connection.makefile("rb")
        first = reply.readline().decode().split()
    except OSError:
        connection.close()
        return None
    if len(first) != 2 or first[0] != "pid":
        connection.close()
        return None  # declined (another home, another install): nothing ran
    pid = int(first[1])
    return _wait(connection, reply, pid)


def _wait(connection: socket.socket, reply: object, pid: int) -> int:
    """From here the command is running: it is never started a second time here, whatever happens."""
    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    try:
        last = reply.readline().decode().split()  # type: ignore[attr-defined]
    except OSError:
        last = []
    connection.close()
    if len(last) == 2 and last[0] == "exit":
        return int(last[1])
    print("mailhub: the server stopped while it ran this command; see its log", file=sys.stderr)
    return 1


def main() -> None:
    args = sys.argv[1:]
    if eligible(args):
        status = run_in_server(args)
        if status is not None:
            sys.stdout.flush()
            os._exit(status)
    from mailhub.cli.main import main as run_here

    run_here()
