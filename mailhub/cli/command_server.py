"""Commands run for ``mailhub serve``'s home in a process that has every command's code loaded already
(``mailhub serve --part commands``, started by serve): a ``mailhub notice send`` costs the work it does,
not the half second a new interpreter spends importing SQLAlchemy, pydantic, the policies and the
templates. Postfix's ``sendmail`` hands its mail to the running ``pickup`` daemon in the same spirit.

The process listens on ``<home>/command.sock`` (mode 0600, and the peer must be this user). For each
command (``mailhub.cli.launch`` sends the arguments, working directory and environment, with its own
standard input, output and error) it forks a handler, which checks that the command's settings name
this server's home and database, the same mailhub unchanged since it was loaded, on the same Python with
the same start-up settings (else it declines and the command runs where it was typed); then forks the
command in a session of its own with the caller's descriptors, working directory, environment and umask
(nothing else of the server's stays open in it), passes its exit status or the signal that ended it back,
and kills it if the caller is killed. The caller, for its part, sends nothing to a socket that another
user's process listens on.

Nothing here holds a database connection or a thread: a fork copies only imported code.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import io
import json
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailhub.cli.launch import ANSWER_SECONDS, DECLINED, SOCKET_NAME, identity, peer_uid
from mailhub.cli.launch import socket_path as launch_socket_path
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
    try:
        listener = _listen(path)
    except OSError as exc:
        print(f"mailhub: cannot take commands at {path}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(1) from None
    ours = os.stat(path).st_ino
    sys.stdout.buffer.write(READY + b"\n")
    sys.stdout.flush()
    os.dup2(2, 1)  # serve reads no more of that pipe
    gc.freeze()  # what was imported is shared with every fork, untouched
    server = Server((str(home), settings.effective_database_url), identity(), code_stamp())
    try:
        while True:
            readable, _, _ = select.select([listener.fileno(), 0], [], [])
            if 0 in readable and not os.read(0, 512):
                return
            if listener.fileno() in readable:
                connection, _ = listener.accept()
                if os.fork() == 0:
                    try:  # the handler never returns into this loop, whatever happens in it
                        listener.close()
                        _handle(connection, server)
                    finally:
                        os._exit(0)
                connection.close()
    finally:
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == ours:  # a socket another server bound since is not ours to remove
                path.unlink()


@dataclass(frozen=True)
class Server:
    mine: tuple[str, str]  # home, database URL
    identity: dict[str, str]
    code: int


def _listen(path: Path) -> socket.socket:
    """The socket at ``path``; one left by a server that is gone is replaced, a live one is not."""
    if path.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink(missing_ok=True)  # nobody there
        else:
            raise OSError(errno.EADDRINUSE, "another server's command process listens there")
        finally:
            probe.close()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(previous)
    listener.listen(64)
    return listener


def code_stamp() -> int:
    """The newest modification time of mailhub's code: after an upgrade in place a command is run by the
    new code where it was typed, not by the code this process loaded before."""
    newest = 0
    for package in ("mailhub", "directory", "policies"):
        folders = [Path(p) for p in getattr(sys.modules.get(package), "__path__", [])]
        while folders:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        folders.append(Path(entry.path))
                    elif entry.name.endswith(".py"):
                        newest = max(newest, entry.stat().st_mtime_ns)
    return newest


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)  # through the loop's ``finally``: the socket file goes with the server


def _handle(connection: socket.socket, server: Server) -> None:
    """The handler process: one command."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # this one waits for its command
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a server stopping lets the commands it started finish
    fds: list[int] = []
    try:
        connection.settimeout(ANSWER_SECONDS)
        message, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST, 3)
        while b"\n" not in message and len(message) < MAX_REQUEST:  # a large environment comes in pieces
            more = connection.recv(MAX_REQUEST)
            if not more:
                return
            message += more
        request: dict[str, Any] = json.loads(message.split(b"\n", 1)[0])
        if peer_uid(connection) != os.getuid() or len(fds) != 3 or not _same_server(request, server):
            connection.sendall(DECLINED.encode() + b"\n")
            return
    except Exception:  # anything malformed or unexpected: the caller runs the command itself
        return
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        connection.close()
        os.close(go_write)
        _command(request, fds, go_read)
    os.close(go_read)
    for fd in fds:
        os.close(fd)
    try:  # the command starts once the caller has its pid and says go: it never runs in both places
        connection.sendall(f"pid {pid}\n".encode())
        if connection.makefile("rb").readline() != b"go\n":
            raise ConnectionError("the caller did not say go")
        os.write(go_write, b"!")
    except OSError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return
    finally:
        os.close(go_write)
    connection.settimeout(None)
    status = _wait(pid, connection)
    with contextlib.suppress(OSError):
        connection.sendall(status.encode())


def _same_server(request: dict[str, Any], server: Server) -> bool:
    """The command's own settings (its environment, working directory, ``--config``) name this home and
    database, and it is the same mailhub, unchanged since this process loaded it, on the same Python."""
    if not isinstance(request, dict) or any(request.get(k) != v for k, v in server.identity.items()):
        return False
    args, env = request.get("args"), request.get("env")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args) or not isinstance(env, dict) \
            or not isinstance(request.get("cwd"), str):
        return False
    if code_stamp() != server.code:
        return False
    if launch_socket_path(env, args) is None:
        return False  # a configuration file (--config, MAILHUB_CONFIG): launch runs such a command itself
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(env)
    time.tzset()  # the caller's TZ, as a process started with it would have
    try:
        settings = load_settings(None)
    except Exception:
        return False  # the command reports its own setting errors, where it was typed
    return (str(settings.home.resolve()), settings.effective_database_url) == server.mine


def _wait(pid: int, connection: socket.socket) -> str:
    """How the command ended (``exit N``, or ``signal N``); the caller gone means the command is killed."""
    process = os.pidfd_open(pid)
    try:
        while True:
            readable, _, _ = select.select([process, connection.fileno()], [], [])
            if process in readable:
                _, status = os.waitpid(pid, 0)
                if os.WIFSIGNALED(status):
                    return f"signal {os.WTERMSIG(status)}\n"
                return f"exit {os.waitstatus_to_exitcode(status)}\n"
            try:
                gone = not connection.recv(1)
            except OSError:
                gone = True
            if gone:  # the caller is gone before the command ended
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
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing of the server's: its sockets, pipes and log
    if isinstance(request.get("umask"), int):
        os.umask(request["umask"] & 0o777)
    if isinstance(sys.stdout, io.TextIOWrapper):  # as Python sets it up for the caller's own output
        sys.stdout.reconfigure(line_buffering=os.isatty(1))
    sys.argv = ["mailhub", *request["args"]]
    from mailhub.cli.main import main

    try:
        main()
    finally:
        os._exit(1)  # main() ends the process itself; this only stops a fork from returning to the loop
