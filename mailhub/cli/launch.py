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
import struct
import sys
from pathlib import Path

SOCKET_NAME = "command.sock"
IN_PROCESS = ("serve", "sink")  # servers of their own: never run inside another
DECLINED = "declined"
ANSWER_SECONDS = 30.0  # a server that has not taken the command by then (stopped, overloaded) is not used


def socket_path(environ: dict[str, str] | os._Environ[str], args: list[str]) -> Path | None:
    """Where the server for these settings listens, as far as the environment tells (the server checks
    the full settings itself); None when a configuration file is named: such a command runs here."""
    if "--config" in args or any(a.startswith("--config=") for a in args) or environ.get("MAILHUB_CONFIG"):
        return None
    return Path(environ.get("MAILHUB_HOME") or "var") / SOCKET_NAME


def identity() -> dict[str, str]:
    """What must match between this command and the server: the same interpreter in the same environment
    (virtualenv), the same mailhub, and every setting Python reads at start-up (the output's encoding,
    warnings, the module path, the locale)."""
    startup = {k: v for k, v in os.environ.items() if k.startswith(("PYTHON", "LC_")) or k == "LANG"}
    return {"python": os.path.realpath(sys.executable), "prefix": sys.prefix, "version": sys.version,
            "code": str(Path(__file__).resolve()), "startup": json.dumps(startup, sort_keys=True)}


def peer_uid(connection: socket.socket) -> int:
    """The user of the process at the other end of a Unix socket (the kernel's word, not the peer's)."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", credentials)[1])


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
    if os.environ.get("MAILHUB_COMMAND_SERVER", "true").strip().lower() in ("0", "false", "f", "no", "n", "off"):
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
    connection.settimeout(ANSWER_SECONDS)
    try:
        connection.connect(str(path))
        if peer_uid(connection) != os.getuid():  # a socket someone else put there gets nothing of ours
            connection.close()
            return None
        umask = os.umask(0o022)
        os.umask(umask)
        request = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask,
                              **identity()})
        socket.send_fds(connection, [request.encode() + b"\n"], [0, 1, 2])
        reply = connection.makefile("rb")
        first = reply.readline().decode().split()
        if len(first) != 2 or first[0] != "pid" or not first[1].isdigit():
            connection.close()
            return None  # declined (another home, another install): nothing ran
        connection.sendall(b"go\n")  # the command starts only on this word: it cannot also run here
    except (OSError, UnicodeDecodeError):  # no server, or one that did not answer in time: nothing ran
        connection.close()
        return None
    connection.settimeout(None)
    return _wait(connection, reply, int(first[1]))


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
    if len(last) == 2 and last[0] == "signal" and last[1].isdigit():  # ended by a signal: so do we
        signal.signal(int(last[1]), signal.SIG_DFL)
        sys.stdout.flush()
        os.kill(os.getpid(), int(last[1]))
        return 128 + int(last[1])
    if len(last) == 2 and last[0] == "exit" and last[1].isdigit():
        return int(last[1])
    print("mailhub: the server stopped while it ran this command; see its log", file=sys.stderr)
    return 1


def main() -> None:
    args = sys.argv[1:]
    if eligible(args):
        try:
            status = run_in_server(args)
        except KeyboardInterrupt:  # Ctrl-C before the command started: it never will (no "go" was sent)
            print("Aborted!", file=sys.stderr)
            os._exit(1)
        if status is not None:
            sys.stdout.flush()
            os._exit(status)
    from mailhub.cli.main import main as run_here

    run_here()
