"""Commands run for ``mailhub serve``'s home in a process that has every command's code loaded already
(``mailhub serve --part commands``, started by serve): a ``mailhub notice send`` costs the work it does,
not the half second a new interpreter spends importing SQLAlchemy, pydantic, the policies and the
templates. Postfix's ``sendmail`` hands its mail to the running ``pickup`` daemon in the same spirit.

The process listens on ``<home>/command.sock`` (mode 0600, and the peer must be this user). For each
command (``mailhub.cli.launch`` sends the arguments, working directory and environment, with its own
standard input, output and error) it forks a handler, which checks that the command's settings name
this server's home and database (else it declines and the command runs where it was typed), then forks
the command itself in a session of its own with the caller's descriptors, working directory and
environment, passes its exit status back, and kills it if the caller is killed.

Nothing here holds a database connection or a thread: a fork copies only imported code.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import json
import os
import select
import signal
import socket
import struct
import sys
from pathlib import Path
from typing import Any

from mailhub.cli.launch import DECLINED, SOCKET_NAME, identity
from mailhub.config import Settings, load_settings

READY = b"commands ready"
MAX_REQUEST = 1 << 20  # arguments and environment; a command's data travels on its own descriptors


def preload() -> None:
    """Import what commands import, once, before the first fork."""
    from mailhub.cli import main as cli_main

    for module_name in sorted({module for module, _ in cli_main.LAZY_COMMANDS.values()}):
        importlib.import_module(f"mailhub.cli.{module_name}")
    for module_name in ("mailhub.app", "mailhub.cli.certificate_cmds", "mailhub.cli.group_cmds",
                        "mailhub.delivery.tls_policy", "mailhub.delivery.wakeup", "sqlalchemy.dialects.sqlite",
                        "sqlite3", "encodings.idna"):
        importlib.import_module(module_name)
    from mailhub.templates import environment

    templates = environment()
    for name in templates.list_templates():
        templates.get_template(name)  # compiled once here, not in every command that writes mail


def serve_commands(settings: Settings) -> None:
    """Until SIGTERM, or until serve is gone (our standard input closes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: serve decides
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers are reaped by the kernel
    signal.signal(signal.SIGTERM, _stop)
    preload()
    home = settings.home.resolve()
    path = home / SOCKET_NAME
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.unlink(missing_ok=True)  # left by a server that was killed
    previous = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(previous)
    listener.listen(64)
    sys.stdout.buffer.write(READY + b"\n")
    sys.stdout.flush()
    os.dup2(2, 1)  # serve reads no more of that pipe
    gc.freeze()  # what was imported is shared with every fork, untouched
    mine = (str(home), settings.effective_database_url)
    try:
        while True:
            readable, _, _ = select.select([listener.fileno(), 0], [], [])
            if 0 in readable and not os.read(0, 512):
                return
            if listener.fileno() in readable:
                connection, _ = listener.accept()
                if os.fork() == 0:
                    listener.close()
                    _handle(connection, mine)
                    os._exit(0)
                connection.close()
    finally:
        path.unlink(missing_ok=True)


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)  # through the loop's ``finally``: the socket file goes with the server


def _peer_is_us(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _handle(connection: socket.socket, mine: tuple[str, str]) -> None:
    """The handler process: one command."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # this one waits for its command
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a server stopping lets the commands it started finish
    try:
        message, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST, 3)
        request: dict[str, Any] = json.loads(message.split(b"\n", 1)[0])
        if not _peer_is_us(connection) or len(fds) != 3 or not _same_server(request, mine):
            connection.sendall(DECLINED.encode() + b"\n")
            return
    except (OSError, ValueError):
        return  # the caller sees the connection close before a pid: it runs the command itself
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        connection.close()
        os.close(go_write)
        _command(request, fds, go_read)
    os.close(go_read)
    for fd in fds:
        os.close(fd)
    try:
        connection.sendall(f"pid {pid}\n".encode())
        os.write(go_write, b"!")  # only once the caller knows: it never runs the command a second time
    except OSError:
        os.kill(pid, signal.SIGKILL)
    os.close(go_write)
    status = _wait(pid, connection)
    with contextlib.suppress(OSError):
        connection.sendall(f"exit {status}\n".encode())


def _same_server(request: dict[str, Any], mine: tuple[str, str]) -> bool:
    """The command's own settings (its environment, working directory, ``--config``) name this home and
    database, and it is the same mailhub on the same Python."""
    if any(request.get(key) != value for key, value in identity().items()):
        return False
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    args: list[str] = request["args"]
    config = next((a.split("=", 1)[1] for a in args if a.startswith("--config=")), None)
    if "--config" in args and args.index("--config") + 1 < len(args):
        config = args[args.index("--config") + 1]
    try:
        settings = load_settings(Path(config) if config else None)
    except Exception:
        return False  # the command reports its own setting errors, where it was typed
    return (str(settings.home.resolve()), settings.effective_database_url) == mine


def _wait(pid: int, connection: socket.socket) -> int:
    """The command's exit status (128 + the signal that ended it); the caller killed means the command
    is killed too."""
    process = os.pidfd_open(pid)
    try:
        while True:
            readable, _, _ = select.select([process, connection.fileno()], [], [])
            if process in readable:
                _, status = os.waitpid(pid, 0)
                return os.waitstatus_to_exitcode(status) if not os.WIFSIGNALED(status) else 128 + os.WTERMSIG(status)
            if not connection.recv(1):  # the caller is gone before the command ended
                os.kill(pid, signal.SIGKILL)
    finally:
        os.close(process)


def _command(request: dict[str, Any], fds: list[int], go: int) -> None:
    """The command process: the caller's descriptors, directory and environment (set by the handler);
    a session of its own, so the server's terminal's Ctrl-C is not its."""
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not os.read(go, 1):
        os._exit(1)  # the handler did not get the pid to the caller: nothing runs
    os.close(go)
    gc.unfreeze()
    if isinstance(sys.stdout, io.TextIOWrapper):  # as Python sets it up for the caller's own output
        sys.stdout.reconfigure(line_buffering=os.isatty(1))
    sys.argv = ["mailhub", *request["args"]]
    from mailhub.cli.main import main

    try:
        main()
    finally:
        os._exit(1)  # main() ends the process itself; this only stops a fork from returning to the loop
