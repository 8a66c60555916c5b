"""The gate's checks run in isolated worker processes: a slow, hungry or dying check costs only its
own message (451 4.7.1, try later), never the listeners, the other messages or a clean stop.

The workers run ``tests.mailhub.staged_checks.staged_check`` (a real seam: the pool runs whatever
module-level callable the gate is built with): the real check, after what the message's
``X-Test-Stage`` header asks for. ``burn=SECONDS`` spends CPU the way a decompression bomb does."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailhub.app import App
from mailhub.config import Settings
from mailhub.gate.policy_gate import PolicyGate
from mailhub.relay.intake import INBOUND, SUBMISSION
from mailhub.store.models import AuditEvent, QueuedMessage
from tests.mailhub.conftest import Invoke, seed_province
from tests.mailhub.relay_harness import RunningRelay, Sink, StaticResolver, alive, free_port, relay_settings
from tests.mailhub.staged_checks import dying_check, staged_check

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL, COLLEAGUE = "vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"
CITIZEN, OPEN_GROUP = "citizen@gmail.com", "gopy@lich.bacninh.gov.vn"


@dataclass
class GateApp(App):
    """The real composition root, with the gate's workers running ``staged_check``."""

    gates: list[PolicyGate] = field(default_factory=list)

    def gate(self) -> PolicyGate:
        gate = PolicyGate.from_settings(self.settings, function=staged_check)
        self.gates.append(gate)
        return gate


def mail(subject: str, stage: str = "", sender: str = OFFICIAL, to: str = COLLEAGUE) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if stage:
        message["X-Test-Stage"] = stage
    message.set_content("Kính gửi các đồng chí: lịch họp giao ban tuần này.")
    return message.as_bytes()


def send(port: int, content: bytes, sender: str = OFFICIAL, to: str = COLLEAGUE,
         source: str = "127.0.0.1") -> tuple[int, bytes]:
    """The reply to DATA; (0, b"") when the server hung up instead of answering."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60, source_address=(source, 0)) as client:
            client.ehlo("client.test")
            client.mail(sender)
            assert client.rcpt(to)[0] == 250
            return client.data(content)
    except smtplib.SMTPServerDisconnected:
        return 0, b""


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


@dataclass
class GateWorld:
    app: GateApp
    relay: RunningRelay
    sink: Sink

    @property
    def gate(self) -> PolicyGate:
        return self.app.gates[0]

    def port(self, listener: str) -> int:
        return (self.relay.submission if listener == SUBMISSION else self.relay.inbound)[1]


@pytest.fixture
def gate_world(sqlite_url: str, tmp_path: Path) -> Iterator[Callable[..., GateWorld]]:
    cleanups: list[Callable[[], None]] = []

    def make(**overrides: object) -> GateWorld:
        sink = Sink().start()
        cleanups.append(sink.stop)
        app = GateApp.build(relay_settings(tmp_path, sqlite_url, sink.port, **overrides))
        cleanups.append(app.close)
        seed_province(app, tmp_path)
        relay = RunningRelay(app, StaticResolver({})).start()
        cleanups.append(relay.stop)
        return GateWorld(app, relay, sink)

    yield make
    for cleanup in reversed(cleanups):
        cleanup()


def stored(world: GateWorld) -> tuple[int, int]:
    with Session(world.app.engine) as session:
        return len(session.exec(select(QueuedMessage)).all()), len(session.exec(select(AuditEvent)).all())


def test_six_slow_inbound_checks_do_not_delay_a_submission(gate_world: Callable[..., GateWorld]) -> None:
    world = gate_world(policy_workers=2)
    inbound = world.gate.pool(INBOUND)
    with ThreadPoolExecutor(6) as clients:
        bombs = [clients.submit(send, world.port(INBOUND), mail(f"Bom {n}", "burn=1.5", CITIZEN, OPEN_GROUP),
                                CITIZEN, OPEN_GROUP) for n in range(6)]
        wait_until(lambda: len(inbound.busy_pids()) == 2 and inbound.waiting() == 4, "the inbound gate is saturated")

        started = time.monotonic()
        code, _ = send(world.port(SUBMISSION), mail("Giấy mời họp giao ban"))
        elapsed = time.monotonic() - started

        assert code == 250 and elapsed < 2.0, (code, elapsed)
        assert len(inbound.busy_pids()) == 2  # still saturated when the submission was answered
        assert [bomb.result()[0] for bomb in bombs] == [250] * 6  # slow, not refused: each waited its turn


def test_one_clients_slow_files_do_not_delay_another_clients_mail_on_the_same_listener(
        gate_world: Callable[..., GateWorld]) -> None:
    world = gate_world(policy_workers=2)
    inbound = world.gate.pool(INBOUND)
    with ThreadPoolExecutor(6) as attacker:
        bombs = [attacker.submit(send, world.port(INBOUND), mail(f"Bom {n}", "burn=3", CITIZEN, OPEN_GROUP),
                                 CITIZEN, OPEN_GROUP, "127.0.0.2") for n in range(6)]
        wait_until(lambda: len(inbound.busy_pids()) == 2 and inbound.waiting() == 4, "the inbound gate is saturated")

        started = time.monotonic()
        code, _ = send(world.port(INBOUND), mail("Góp ý", "", "nguoidan@gmail.com", OPEN_GROUP), "nguoidan@gmail.com",
                       OPEN_GROUP, "127.0.0.3")
        elapsed = time.monotonic() - started

        assert code == 250 and elapsed < 2.5, (code, elapsed)  # a spare worker, not the end of the queue
        assert [bomb.result()[0] for bomb in bombs] == [250] * 6
    wait_until(lambda: len(inbound._core.workers) <= 2, "the spare worker is retired")


def test_an_overrun_or_a_bug_is_try_later_and_the_next_message_passes(gate_world: Callable[..., GateWorld]) -> None:
    world = gate_world(policy_workers=1, policy_timeout_seconds=1)
    port = world.port(SUBMISSION)

    code, text = send(port, mail("Báo cáo", "burn=60"))
    assert code == 451, text
    assert text.startswith("4.7.1 Thư chưa được nhận: chưa kiểm tra xong nội dung sau 1 giây".encode())
    assert b"Not accepted yet: the content check did not finish within 1 s; please try again later." in text

    code, text = send(port, mail("Báo cáo", "raise"))
    assert code == 451 and b"internal error in the content check" in text, text

    assert send(port, mail("Giấy mời họp"))[0] == 250  # the killed worker was replaced
    assert stored(world) == (1, 0)  # nothing audited for "try later"


def test_a_worker_killed_mid_check_costs_only_its_message(gate_world: Callable[..., GateWorld]) -> None:
    world = gate_world(policy_workers=1)
    pool, port = world.gate.pool(SUBMISSION), world.port(SUBMISSION)
    with ThreadPoolExecutor(2) as clients:
        victim = clients.submit(send, port, mail("Báo cáo", "burn=60"))
        wait_until(lambda: len(pool.busy_pids()) == 1, "the worker is checking")
        [pid] = pool.busy_pids()
        behind = clients.submit(send, port, mail("Giấy mời họp"))
        wait_until(lambda: pool.waiting() == 1, "the next message waits for the worker")

        os.kill(pid, signal.SIGKILL)

        code, text = victim.result()
        assert code == 451 and b"the content check process stopped" in text, text
        assert behind.result()[0] == 250  # checked by the replacement
    assert send(port, mail("Thông báo"))[0] == 250
    assert pid not in pool.busy_pids()


def test_a_check_beyond_the_memory_cap_is_refused_as_uninspectable(gate_world: Callable[..., GateWorld]) -> None:
    world = gate_world(policy_workers=1, policy_memory_mb=768)
    port = world.port(SUBMISSION)

    code, text = send(port, mail("Bảng tính", "hungry"))

    assert code == 550 and b"too large or complex to check within 768 MB of memory" in text, text
    assert stored(world) == (0, 1)
    assert send(port, mail("Giấy mời họp"))[0] == 250


def test_policy_check_cli_reports_an_overrun_in_one_line(invoke: Invoke, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    class StagedGate(PolicyGate):
        @classmethod
        def from_settings(cls, settings: object, function: object = staged_check) -> PolicyGate:
            return PolicyGate.from_settings(settings, staged_check)  # type: ignore[arg-type]

    monkeypatch.setattr("mailhub.cli.policy_cmds.PolicyGate", StagedGate)
    bomb, clean = tmp_path / "bomb.eml", tmp_path / "clean.eml"
    bomb.write_bytes(mail("Bom", "burn=60"))
    clean.write_bytes(mail("Giấy mời họp"))
    env = {"MAILHUB_POLICY_TIMEOUT_SECONDS": "1"}

    result = invoke("policy", "check", str(bomb), str(clean), env=env)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"ERROR  {bomb}: not checked, timeout: the check did not finish within 1 s and was stopped",
        f"PASS  {clean}"]

    result = invoke("policy", "check", "--json", str(bomb), env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert '"verdict": "error"' in result.output and '"rule": "timeout"' in result.output


def test_a_composing_command_says_try_again_later(gate_world: Callable[..., GateWorld], invoke: Invoke,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    world = gate_world()
    monkeypatch.setattr(App, "gate", lambda self: PolicyGate.from_settings(self.settings, dying_check))
    env = {"MAILHUB_DATABASE_URL": world.app.engine.url.render_as_string(hide_password=False),
           "MAILHUB_SERVICE_DOMAIN": "lich.bacninh.gov.vn"}

    result = invoke("notice", "send", "--subject", "Thông báo", "--body", "Nội dung.", "--to", "agency:STTTT",
                    env=env)

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: not sent, try again later: the message could not be checked "
        "(the checking process was killed by SIGKILL (out of memory, or from outside)); nothing was queued"]
    assert stored(world) == (0, 0)


# -- `mailhub serve` as a real process --------------------------------------------------------------

SERVE = ("from mailhub.config import load_settings\n"
         "from mailhub.server import run\n"
         "from tests.mailhub.test_gate_isolation import GateApp\n"
         "run(GateApp.build(load_settings()))\n")


def test_serve_with_six_bombs_in_flight_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILHUB_")}
    env.update({
        "MAILHUB_HOME": str(tmp_path / "home"), "MAILHUB_SMTP_HOST": "127.0.0.1",
        "MAILHUB_SUBMISSION_PORT": str(free_port()), "MAILHUB_INBOUND_PORT": str(free_port()),
        "MAILHUB_TRUSTED_NETWORKS": "127.0.0.1/32", "MAILHUB_SERVICE_DOMAIN": "lich.bacninh.gov.vn",
        "MAILHUB_HOSTNAME": "mailhub.test", "MAILHUB_SMARTHOST": f"127.0.0.1:{free_port()}",
        "MAILHUB_POLICY_WORKERS": "2",
    })
    app = App.build(Settings(home=tmp_path / "home", service_domain="lich.bacninh.gov.vn"))
    seed_province(app, tmp_path)
    app.close()
    marks = tmp_path / "marks"
    marks.mkdir()
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", SERVE], env=env, cwd=ROOT, stderr=stderr)
    try:
        wait_until(lambda: "mailhub ready" in log.read_text(), "serve is ready")
        inbound, submission = int(env["MAILHUB_INBOUND_PORT"]), int(env["MAILHUB_SUBMISSION_PORT"])
        with ThreadPoolExecutor(6) as clients:
            bombs = [clients.submit(send, inbound, mail(f"Bom {n}", f"burn=60 mark={marks}", CITIZEN, OPEN_GROUP),
                                    CITIZEN, OPEN_GROUP) for n in range(6)]
            wait_until(lambda: len(list(marks.iterdir())) == 2, "both inbound workers are checking a bomb")

            started = time.monotonic()
            code, _ = send(submission, mail("Giấy mời họp"))
            assert code == 250 and time.monotonic() - started < 2.0

            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert process.wait(10) == 0
            assert time.monotonic() - started < 10.0
            assert {bomb.result()[0] for bomb in bombs} <= {451, 0}  # "try later", or the line closed
    finally:
        if process.poll() is None:
            process.kill()
    workers = [int(mark.name) for mark in marks.iterdir()]
    wait_until(lambda: not any(alive(pid) for pid in workers), "no worker outlives the server", timeout=5)
    assert "Traceback" not in log.read_text()


def test_a_refusal_a_client_provokes_at_will_frees_no_gate_worker_early(
        gate_world: Callable[..., GateWorld]) -> None:
    """Two From: fields are refused at once by the header checks, but the session still waits for its own
    message's check: one connection never has more than one message in the workers, however many it
    has refused, and its next message (or anyone's) is checked at the usual speed."""
    world = gate_world(policy_workers=2, policy_timeout_seconds=20, trusted_networks="127.0.0.0/8")
    pool, port = world.gate.pool(SUBMISSION), world.port(SUBMISSION)
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo("client.test")
        for n in range(4):
            client.mail(OFFICIAL)
            client.rcpt(COLLEAGUE)
            two_from = b"From: khac@bacninh.gov.vn\r\n" + mail(f"Hai From {n}", "burn=0.5").replace(b"\n", b"\r\n")
            assert client.data(two_from)[0] == 550
            assert pool.busy_pids() == [] and pool.waiting() == 0  # its check ended before the reply
            client.rset()
    started = time.monotonic()
    assert send(port, mail("Giấy mời họp"))[0] == 250
    assert time.monotonic() - started < 5
    assert stored(world)[0] == 1


def test_a_marked_message_is_refused_and_audited_even_when_its_stamping_fails(
        gate_world: Callable[..., GateWorld], monkeypatch: pytest.MonkeyPatch) -> None:
    """The stamping runs beside the gate's check; when it fails for a reason of mailhub's own (a database
    error, say), a message the gate refuses is still refused as marked (550, audited), not put off (451)
    for its sender to try again; an unmarked one is put off."""
    from mailhub.relay.intake import Intake

    world = gate_world(trusted_networks="127.0.0.0/8")
    port = world.port(SUBMISSION)

    def broken(self: Intake, submission: object) -> None:
        raise RuntimeError("the directory is unavailable")

    monkeypatch.setattr(Intake, "stamp", broken)
    marked = mail("[MẬT] Báo cáo quý").replace(b"\n", b"\r\n")
    code, text = send(port, marked)
    assert code == 550 and b"5.7.1" in text
    assert stored(world) == (0, 1)
    assert send(port, mail("Giấy mời họp").replace(b"\n", b"\r\n"))[0] == 451
    assert stored(world) == (0, 1)


def test_a_worker_dead_while_idle_costs_nothing_when_a_check_is_written_to_it_directly() -> None:
    """A small check with a worker idle is written to that worker by its caller; if the worker died
    while idle and the dispatcher has not noticed yet, the write fails and the check waits its turn for
    a replacement: it is answered, and so are the other checks, and the pool goes on."""
    from mailhub.gate.workers import DONE, WorkerPool

    pool = WorkerPool(staged_check, workers=2, timeout=10)
    args = (mail("Giấy mời họp").replace(b"\n", b"\r\n"), ("confidential-mark",), 10_000_000)
    try:
        assert [f.result(60).kind for f in [pool.submit(*args), pool.submit(*args)]] == [DONE, DONE]
        core = pool._core
        wait_until(lambda: sum(w.ready and w.job is None for w in core.workers) == 2, "both workers idle")
        with core.lock:  # the dispatcher cannot look meanwhile: the caller meets the dead worker first
            victim = next(w for w in core.workers if w.ready and w.job is None)
            os.kill(victim.pid, signal.SIGKILL)
            victim.process.join(5)
            checks = [pool.submit(*args, client=f"client{n}") for n in range(3)]
        assert [f.result(60).kind for f in checks] == [DONE, DONE, DONE]
        assert pool.submit(*args).result(60).kind == DONE
    finally:
        pool.close()
