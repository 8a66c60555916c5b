from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mailhub.cli.main import cli as mailhub_cli

Invoke = Callable[..., Result]


@pytest.fixture
def mailhub_env(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in ("MAILHUB_CONFIG", "MAILHUB_DATABASE_URL", "MAILHUB_HOME"):
        monkeypatch.delenv(name, raising=False)
    return {"MAILHUB_DATABASE_URL": sqlite_url, "MAILHUB_HOME": str(tmp_path / "home")}


@pytest.fixture
def invoke(mailhub_env: dict[str, str]) -> Invoke:
    """Run ``mailhub ARGS`` in-process against a real, migrated SQLite file."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(mailhub_cli, list(args), input=input, env={**mailhub_env, **(env or {})},
                                  catch_exceptions=False)

    return run


# -- a small province with a running relay -----------------------------------------------------

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from directory.agencies import create_agency  # noqa: E402
from directory.groups import add_members, create_group  # noqa: E402
from directory.importer import read_roster  # noqa: E402
from mailhub.app import App  # noqa: E402
from tests.mailhub.dns_standin import DnsStandIn, shared_dns  # noqa: E402
from tests.mailhub.relay_harness import RunningRelay, Sink, StaticResolver, relay_settings  # noqa: E402

PASSWORD = "mat-khau-thu-nghiem-2025"  # smtplib sends ASCII only
ROSTER = ("Họ và tên,Đơn vị,Chức vụ,Thủ trưởng\n"
          "Nguyễn Quang Vinh,STTTT,Giám đốc,x\n"
          "Ngô Quốc Vinh,STTTT,Phó Giám đốc,\n"
          "Trần Thị Thu Hương,SYT,Chuyên viên,\n")


@dataclass
class World:
    app: App
    relay: RunningRelay
    sink: Sink
    internet: Sink
    dns: DnsStandIn  # the Internet's DNS for this world: SPF, DKIM and DMARC records of made-up domains


def seed_province(app: App, tmp_path: Path) -> None:
    with app.directory.session() as session:
        root = create_agency(session, code="BN", name="Tỉnh Bắc Ninh", kind="province", domain="bacninh.gov.vn",
                             mailbox="ubnd@bacninh.gov.vn")
        create_agency(session, code="STTTT", name="Sở Thông tin và Truyền thông", kind="department", parent=root,
                      mailbox="stttt@bacninh.gov.vn")
        create_agency(session, code="SYT", name="Sở Y tế", kind="department", parent=root,
                      mailbox="syt@bacninh.gov.vn")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    app.directory.import_roster(read_roster(roster))
    app.directory.set_password("vinhnq@bacninh.gov.vn", PASSWORD)
    with app.directory.session() as session:
        create_group(session, "lanhdao", address="lanhdao@lich.bacninh.gov.vn", rule="heads:department")
        create_group(session, "hop-thu-cong", address="gopy@lich.bacninh.gov.vn", open_to_outside=True)
        add_members(session, "hop-thu-cong", ["huongttt@bacninh.gov.vn"])


WorldFactory = Callable[..., World]


@pytest.fixture
def make_world(sqlite_url: str, tmp_path: Path) -> Iterator[WorldFactory]:
    """A seeded province, a sink as its mailbox server, a sink as "the Internet" (gmail.com), and
    mailhub serving in a thread. ``internet_port`` points gmail.com at a port where nothing listens."""
    cleanups: list[Callable[[], None]] = []

    dns = shared_dns()
    dns.reset()

    def make(internet_port: int | None = None, sink_size_limit: int | None = None, **overrides: object) -> World:
        sink = Sink(size_limit=sink_size_limit).start()
        cleanups.append(sink.stop)
        internet = Sink(port=internet_port or 0)
        if internet_port is None:
            internet.start()
            cleanups.append(internet.stop)
        app = App.build(relay_settings(tmp_path, sqlite_url, sink.port, **overrides))
        cleanups.append(app.close)
        seed_province(app, tmp_path)
        relay = RunningRelay(app, StaticResolver({"gmail.com": [("127.0.0.1", internet.port)]})).start()
        cleanups.append(relay.stop)
        return World(app, relay, sink, internet, dns)

    yield make
    for cleanup in reversed(cleanups):
        cleanup()


@pytest.fixture
def world(make_world: WorldFactory) -> World:
    return make_world()


@pytest.fixture
def cli(world: World, invoke: Invoke) -> Invoke:
    """``mailhub`` commands against the running world's database and settings."""
    url = world.app.engine.url.render_as_string(hide_password=False)
    env = {"MAILHUB_DATABASE_URL": url, "MAILHUB_SERVICE_DOMAIN": "lich.bacninh.gov.vn",
           "MAILHUB_SMARTHOST": world.app.settings.smarthost or ""}

    def run(*args: str, input: str | None = None) -> Result:
        return invoke(*args, input=input, env=env)

    return run


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll until ``condition`` holds (work that happens after the queue: delivery, the replies stage)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


# -- a clock for figures of "this period" ---------------------------------------------------------

from datetime import UTC, datetime  # noqa: E402

from mailhub.timeutil import LOCAL  # noqa: E402

NOW = datetime.now(UTC)
TODAY = NOW.astimezone(LOCAL).date()  # the province's day (from 17:00 UTC it is already tomorrow there)
MONTH_START = NOW.astimezone(LOCAL).replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def this_month(share: float) -> datetime:
    """A moment between the start of this month (the province's) and now: never in another month,
    half year or year than now, whatever day the tests run."""
    return MONTH_START + (NOW - MONTH_START) * share
