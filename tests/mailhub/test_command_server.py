"""Commands handed to the running server (``mailhub.cli.launch`` and ``mailhub.cli.command_server``):
the same output, exit status and effects as a command run on its own, for this home only."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailhub.cli import launch
from tests.mailhub.relay_harness import alive
from tests.mailhub.test_process import env, start  # noqa: F401  (env is a fixture)

MAILHUB = str(Path(sys.executable).parent / "mailhub")


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[dict[str, str]]:  # noqa: F811
    process, _ = start(env)
    deadline = time.monotonic() + 20  # the command process comes up beside, after the ready line
    while not (Path(env["MAILHUB_HOME"]) / launch.SOCKET_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield env
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert not (Path(env["MAILHUB_HOME"]) / launch.SOCKET_NAME).exists()  # the socket goes with the server


def run(environment: dict[str, str], *args: str, stdin: int | None = subprocess.DEVNULL,
        **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MAILHUB, *args], env=environment, stdin=stdin, capture_output=True, text=True, timeout=60,
                          **kwargs)  # type: ignore[call-overload]


def test_a_command_runs_in_the_server_with_the_same_output_and_status(server: dict[str, str]) -> None:
    here = run({**server, "MAILHUB_COMMAND_SERVER": "false"}, "directory", "list", "--json")
    there = run(server, "directory", "list", "--json")
    assert there.returncode == here.returncode == 0
    assert json.loads(there.stdout) == json.loads(here.stdout)
    assert [o["email"] for o in json.loads(there.stdout)] == ["vinhnq@bacninh.gov.vn"]
    wrong = run(server, "directory", "list", "--no-such-option")
    assert wrong.returncode == 2 and "No such option" in wrong.stderr and "Traceback" not in wrong.stderr


def test_the_server_really_runs_it(server: dict[str, str], capfd: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_in_server`` answers an exit status only when the server ran the command (None: run it here)."""
    for key, value in server.items():
        monkeypatch.setenv(key, value)
    assert launch.run_in_server(["directory", "list", "--json"]) == 0
    assert "vinhnq@bacninh.gov.vn" in capfd.readouterr().out
    assert launch.run_in_server(["directory", "list", "--bogus"]) == 2
    # another database in the same home is not this server's: it declines and nothing runs there
    monkeypatch.setenv("MAILHUB_DATABASE_URL", f"sqlite:///{server['MAILHUB_HOME']}/other.db")
    assert launch.run_in_server(["directory", "list", "--json"]) is None
    assert not Path(server["MAILHUB_HOME"], "other.db").exists()
    monkeypatch.delenv("MAILHUB_DATABASE_URL")
    monkeypatch.setenv("MAILHUB_HOME", str(Path(server["MAILHUB_HOME"]).parent / "elsewhere"))
    assert launch.run_in_server(["directory", "list", "--json"]) is None  # no server there


def test_the_commands_effects_are_the_same(server: dict[str, str], tmp_path: Path) -> None:
    """The command reads the caller's standard input and working directory, and writes the database."""
    roster = "Họ và tên,Đơn vị\nTrần Thị Mai,BN\n"
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "more.csv").write_text(roster, "utf-8")
    imported = run(server, "directory", "import", "more.csv", cwd=tmp_path / "work")
    assert imported.returncode == 0, imported.stderr
    listed = run(server, "directory", "list", "--json")
    assert sorted(o["email"] for o in json.loads(listed.stdout)) == ["maitt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]


def test_a_terminal_or_the_setting_keeps_the_command_here(server: dict[str, str]) -> None:
    assert launch.eligible(["directory", "list"]) is (not os.isatty(0))
    assert not launch.eligible(["serve"]) and not launch.eligible(["--config", "x.toml", "sink"])
    os.environ["MAILHUB_COMMAND_SERVER"] = "false"
    try:
        assert not launch.eligible(["directory", "list"])
    finally:
        del os.environ["MAILHUB_COMMAND_SERVER"]
    assert launch.socket_path({"MAILHUB_HOME": "/srv/mailhub"}, ["--config", "a.toml", "queue"]) is None
    assert launch.socket_path({}, ["queue"]) == Path("var") / launch.SOCKET_NAME


def _command_pids(environment: dict[str, str]) -> list[int]:
    """The command server of this home and its forks (a handler and its command, for each command)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"--part\0commands" in command and f"MAILHUB_HOME={environment['MAILHUB_HOME']}".encode() in environ:
            found.append(int(entry.name))
    return found


def test_ctrl_c_reaches_the_command_and_a_killed_caller_takes_it_along(server: dict[str, str]) -> None:
    seed = [MAILHUB, "demo", "seed", "--officials", "40000"]
    caller = subprocess.Popen(seed, env=server, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    caller.send_signal(signal.SIGINT)
    _, errors = caller.communicate(timeout=30)
    assert caller.returncode == 1 and "Aborted!" in errors  # what click answers Ctrl-C with, as on its own

    forks_before = set(_command_pids(server))
    killed = subprocess.Popen(seed, env=server, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not (set(_command_pids(server)) - forks_before) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = set(_command_pids(server)) - forks_before
    assert started  # the handler and the command, forks of the command server
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in started)


def test_a_socket_someone_else_listens_on_gets_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client asks the kernel who listens before it sends its environment and descriptors."""
    import socket
    import threading

    home = tmp_path / "shared"
    home.mkdir()
    planted = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    planted.bind(str(home / launch.SOCKET_NAME))
    planted.listen(1)
    received: list[bytes] = []

    def listen() -> None:
        connection, _ = planted.accept()
        connection.settimeout(5)
        with contextlib.suppress(OSError):
            received.append(connection.recv(65536))
        connection.close()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    monkeypatch.setenv("MAILHUB_HOME", str(home))
    monkeypatch.setattr(launch.os, "getuid", lambda: 4242)  # as if the socket's owner were another user
    assert launch.run_in_server(["directory", "list"]) is None
    thread.join(10)
    planted.close()
    assert received in ([], [b""])  # not a byte of the request


def test_the_callers_umask_and_a_signal_death_are_kept(server: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    made = run(server, "db", "backup", str(backup), preexec_fn=lambda: os.umask(0o077))
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_mode & 0o777 == 0o600  # as the clerk's umask says, not the server's

    caller = subprocess.Popen([MAILHUB, "demo", "seed", "--officials", "40000"], env=server,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    caller.send_signal(signal.SIGTERM)
    assert caller.wait(30) == -signal.SIGTERM  # ended by the signal, as the command itself was


def test_malformed_requests_leave_the_server_working(server: dict[str, str]) -> None:
    """Garbage on the socket costs one handler process, never the socket or the next command."""
    import socket

    path = str(Path(server["MAILHUB_HOME"]) / launch.SOCKET_NAME)
    for request in (b"[]\n", b"[" * 100_000 + b"\n", b"{\"args\": 5}\n", b"\xff\xfe\n", b"{}\n",
                    json.dumps({**launch.identity(), "args": "directory", "env": {}, "cwd": "/"}).encode() + b"\n"):
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(20)
        client.connect(path)
        socket.send_fds(client, [request], [0, 1, 2])
        answer = client.recv(100)
        client.close()
        assert not answer.startswith(b"pid"), request[:20]
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # a caller that says nothing at all
    client.connect(path)
    client.close()
    assert Path(path).exists()
    listed = run(server, "directory", "list", "--json")
    assert listed.returncode == 0 and "vinhnq@bacninh.gov.vn" in listed.stdout


def test_ctrl_c_while_the_server_has_not_answered_is_aborted_quietly(tmp_path: Path) -> None:
    """A server that accepts but never answers (stopped, say): Ctrl-C ends the caller with click's own
    words, no traceback, and nothing runs."""
    import socket

    home = tmp_path / "home"
    home.mkdir()
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.bind(str(home / launch.SOCKET_NAME))
    silent.listen(1)
    caller_env = {**os.environ, "MAILHUB_HOME": str(home)}
    # as from a terminal: a run started in the background (CI's, say) has Ctrl-C ignored, and so would the caller
    caller = subprocess.Popen([MAILHUB, "directory", "list"], env=caller_env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    connection, _ = silent.accept()  # the request arrives; no answer comes
    caller.send_signal(signal.SIGINT)
    caller.wait(timeout=30)
    # the caller's standard descriptors may be in flight on the connection (sent with its request, never
    # received): they hold its pipes open until the connection is closed
    connection.close()
    silent.close()
    _, errors = caller.communicate(timeout=30)
    assert caller.returncode == 1 and errors.strip() == "Aborted!"
    assert not (home / "mailhub.db").exists()  # the command did not run here either
