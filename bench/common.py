"""Shared pieces of the benchmarks: real peers on loopback (Postfix's smtp-sink and smtp-source,
a private Postfix instance, and `mailhub serve` as a real process)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAILHUB = str(Path(sys.executable).parent / "mailhub")
DOMAIN = "bench.gov.vn"
SENDER = f"vanthu@{DOMAIN}"


def need(tool: str) -> str:
    path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/lib/postfix/sbin")
    if not path:
        sys.exit(f"{tool} not found: install Debian's postfix package (bench/run.sh does)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class Workdir:
    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="mailhub-bench-"))
        self.path.chmod(0o777)


class SmtpSink:
    """Postfix's smtp-sink, appending every transaction to one dump file."""

    def __init__(self, work: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dump = work / f"sink-{self.port}.dump"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> SmtpSink:
        user = ["-u", "postfix"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen([need("smtp-sink"), *user, "-D", str(self.dump), f"127.0.0.1:{self.port}",
                                         "2048"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def message_ids(self) -> list[str]:
        if not self.dump.exists():
            return []
        text = self.dump.read_bytes().decode("latin-1")
        return re.findall(r"^Message-Id: (<[^>]+>)", text, flags=re.MULTILINE | re.IGNORECASE)

    def wait_for_ids(self, expected: set[str], timeout: float = 600) -> set[str]:
        """Wait until every expected Message-ID has arrived; returns the ones still missing."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not expected <= set(self.message_ids()):
            time.sleep(0.2)
        return expected - set(self.message_ids())

    def wait_for(self, count: int, timeout: float) -> float:
        """Seconds until ``count`` messages have arrived (or the timeout)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if len(self.message_ids()) >= count:
                break
            time.sleep(0.1)
        return time.monotonic() - start


def smtp_source(port: int, messages: int, sessions: int, recipients: int = 1, size: int = 0,
                background: bool = False) -> subprocess.Popen[bytes] | float:
    args = [need("smtp-source"), "-m", str(messages), "-s", str(sessions), "-f", SENDER,
            "-t", f"vinhnq@{DOMAIN}"]
    if recipients > 1:
        args += ["-r", str(recipients)]
    if size:
        args += ["-l", str(size)]
    args.append(f"127.0.0.1:{port}")
    if background:
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start = time.monotonic()
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


class PostfixInstance:
    """A private Postfix (own config and queue) that relays everything to a smart host."""

    # Postfix runs a second instance only from a directory that the default main.cf names in
    # alternate_config_directories: one fixed place, registered once (postconf -e).
    HOME = Path("/var/tmp/mailhub-bench-postfix")

    def __init__(self, work: Path, relay_port: int) -> None:
        self.dir = self.HOME
        self.port = free_port()
        self.relay_port = relay_port

    def start(self) -> PostfixInstance:
        config = self.dir / "etc"
        subprocess.run(["postfix", "-c", str(config), "stop"], check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
        config.mkdir(parents=True)
        (self.dir / "data").mkdir()
        (self.dir / "queue").mkdir()
        subprocess.run(["postconf", "-e", f"alternate_config_directories = {config}"], check=True)
        master = Path("/etc/postfix/master.cf").read_text()
        master = re.sub(r"^smtp\s+inet.*$", f"127.0.0.1:{self.port} inet n - n - - smtpd", master, count=1,
                        flags=re.MULTILINE)
        (config / "master.cf").write_text(master)
        (config / "main.cf").write_text("\n".join([
            "compatibility_level = 3.6",
            f"queue_directory = {self.dir}/queue",
            f"data_directory = {self.dir}/data",
            "myhostname = postfix.bench.local",
            "mydestination =",
            f"relayhost = [127.0.0.1]:{self.relay_port}",
            "mynetworks = 127.0.0.0/8",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "smtpd_relay_restrictions = permit_mynetworks, reject",
            f"maillog_file = {self.dir}/maillog",
            "maillog_file_prefixes = /var",
            "smtp_tls_security_level = none",
            "alias_maps =", "alias_database =", "local_recipient_maps =",
            "",
        ]))
        subprocess.run(["postfix", "-c", str(config), "set-permissions"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["postfix", "-c", str(config), "start"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        subprocess.run(["postfix", "-c", str(self.dir / "etc"), "stop"], check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


@dataclass
class MailhubProcess:
    """`mailhub serve` as a real process on its own SQLite (or MAILHUB_BENCH_DATABASE_URL) database."""

    home: Path
    relay_port: int
    submission_port: int = 0
    inbound_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "MAILHUB_HOME": str(self.home),
            "MAILHUB_SMTP_HOST": "127.0.0.1",
            "MAILHUB_SUBMISSION_PORT": str(self.submission_port),
            "MAILHUB_INBOUND_PORT": str(self.inbound_port),
            "MAILHUB_SMARTHOST": f"127.0.0.1:{self.relay_port}",
            "MAILHUB_TRUSTED_NETWORKS": "127.0.0.0/8",
            "MAILHUB_SERVICE_DOMAIN": f"lich.{DOMAIN}",
            "MAILHUB_HOSTNAME": "mailhub.bench.local",
            "MAILHUB_MAX_CONNECTIONS_PER_CLIENT": "200",
            "MAILHUB_RETRY_MIN_SECONDS": "2",
            "MAILHUB_RETRY_MAX_SECONDS": "4",
        })
        if os.environ.get("MAILHUB_BENCH_DATABASE_URL"):
            env["MAILHUB_DATABASE_URL"] = os.environ["MAILHUB_BENCH_DATABASE_URL"]
        return env

    def prepare(self) -> None:
        """A directory with the bench domain and the one recipient smtp-source writes to."""
        self.submission_port = self.submission_port or free_port()
        self.inbound_port = self.inbound_port or free_port()
        agencies = self.home / "agencies.csv"
        roster = self.home / "roster.csv"
        self.home.mkdir(parents=True, exist_ok=True)
        agencies.write_text(f"code,name,parent,kind,domain\nBENCH,Tỉnh Thử nghiệm,,province,{DOMAIN}\n")
        roster.write_text("Họ và tên,Đơn vị,Email\nNguyễn Quang Vinh,BENCH,\n")
        for args in (["db", "upgrade"], ["directory", "import-agencies", str(agencies)],
                     ["directory", "import", str(roster)]):
            subprocess.run([MAILHUB, *args], env=self.env(), check=True, stdout=subprocess.DEVNULL)

    def start(self) -> MailhubProcess:
        log = open(self.home / "serve.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen([MAILHUB, "serve"], env=self.env(), stdout=log, stderr=log)
        wait_port(self.submission_port)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until `serve` prints its ready line (the content checkers have started), not just until it listens."""
        deadline = time.monotonic() + timeout
        while b"mailhub ready" not in (self.home / "serve.log").read_bytes():
            if time.monotonic() > deadline:
                raise TimeoutError("mailhub serve did not get ready")
            time.sleep(0.05)
        # and its command process (it comes up beside, after the ready line), as every Postfix daemon is up
        while self.env().get("MAILHUB_COMMAND_SERVER", "true") != "false" and \
                b"commands for this home run" not in (self.home / "serve.log").read_bytes():
            if time.monotonic() > deadline:
                raise TimeoutError("mailhub serve's command process did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)

    def accepted_message_ids(self) -> list[str]:
        """Message-IDs of everything mailhub acknowledged with 250 (committed before the reply)."""
        from sqlalchemy import text

        from mailhub.db import make_engine

        url = self.env().get("MAILHUB_DATABASE_URL") or f"sqlite:///{self.home / 'mailhub.db'}"
        engine = make_engine(url)
        with engine.connect() as connection:
            ids = [row[0] for row in connection.execute(text("SELECT message_id FROM queue_message"))]
        engine.dispose()
        return ids


def mailhub_to_sink(work: Path) -> tuple[SmtpSink, MailhubProcess]:
    """smtp-sink as the mailbox server and a prepared `mailhub serve` relaying to it, started: its ready
    line printed (content checkers and the delivery process running), as Postfix's daemons are before
    its run is timed."""
    sink = SmtpSink(work).start()
    mailhub = MailhubProcess(work / "mailhub", sink.port)
    mailhub.prepare()
    mailhub.start()
    mailhub.wait_ready()
    return sink, mailhub


def private_schema(url: str) -> str:
    """A fresh schema in the PostgreSQL database at ``url``, and the URL that uses it: each run
    starts empty and never meets another run's tables."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from mailhub.db import make_engine, normalise_url

    schema = f"mailhub_bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return make_url(normalise_url(url)).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def use_private_schema() -> str:
    """With MAILHUB_BENCH_DATABASE_URL set, point it at a fresh schema of that database; the engine's name."""
    if not os.environ.get("MAILHUB_BENCH_DATABASE_URL"):
        return "sqlite"
    os.environ["MAILHUB_BENCH_DATABASE_URL"] = private_schema(os.environ["MAILHUB_BENCH_DATABASE_URL"])
    return "postgresql"


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\n== {title}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
