"""MTA-STS: a policy served over verified HTTPS on loopback (names from the DNS stand-in, the
certificate from a throwaway CA) decides which MX hosts may receive a domain's mail, with TLS."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mailhub.delivery.mta_sts import MtaSts, parse_policy
from mailhub.delivery.routing import RouteError, Router
from mailhub.relay.domains import Domains
from mailhub.senders import DnsLookup, parse_nameservers
from tests.mailhub.dns_standin import DnsStandIn, shared_dns
from tests.mailhub.relay_harness import StaticResolver
from tests.mailhub.smime_ca import ThrowawayCA

POLICY = "version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmx: *.backup.partner.test\nmax_age: 86400\n"


class PolicyServer:
    """https://mta-sts.partner.test/.well-known/mta-sts.txt on 127.0.0.1."""

    def __init__(self, ca: ThrowawayCA, folder: Path, body: str, content_type: str = "text/plain") -> None:
        chain, key = ca.server_pem("mta-sts.partner.test")
        (folder / "server.pem").write_bytes(chain)
        (folder / "server.key").write_bytes(key)
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests += 1
                data = served.body.encode()
                self.send_response(200 if self.path == "/.well-known/mta-sts.txt" else 404)
                self.send_header("Content-Type", served.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.body, self.content_type, self.requests = body, content_type, 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(folder / "server.pem", folder / "server.key")
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def domains(sqlite_url: str) -> Iterator[Domains]:
    from mailhub import db

    engine = db.make_engine(sqlite_url)
    yield Domains(engine, "lich.bacninh.gov.vn", [])
    engine.dispose()


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[DnsStandIn, PolicyServer, Path]]:
    ca = ThrowawayCA()
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    server = PolicyServer(ca, tmp_path, POLICY)
    dns = shared_dns()
    dns.reset()
    dns.txt("_mta-sts.partner.test", "v=STSv1; id=20261130a")
    dns.a("mta-sts.partner.test", "127.0.0.1")
    yield dns, server, tmp_path / "ca.pem"
    server.close()


def sts(dns: DnsStandIn, server: PolicyServer, ca_file: Path) -> MtaSts:
    return MtaSts(DnsLookup(parse_nameservers(dns.address), 2), port=server.port, ca_file=str(ca_file), timeout=2)


def test_an_enforced_policy_limits_the_mx_hosts_and_requires_verified_tls(published, domains) -> None:  # type: ignore[no-untyped-def]
    dns, server, ca_file = published
    mx = StaticResolver({"partner.test": [("evil.attacker.test", 25), ("mx1.partner.test", 25),
                                          ("a.backup.partner.test", 25)]})
    router = Router(domains, None, {}, mx, mta_sts=sts(dns, server, ca_file))
    route = asyncio.run(router.route("partner.test"))
    assert route.hosts == (("mx1.partner.test", 25), ("a.backup.partner.test", 25)) and route.tls == "verify"
    asyncio.run(router.route("partner.test"))
    assert server.requests == 1  # cached while the TXT id is the same


def test_a_policy_that_allows_no_mx_defers_and_a_bad_certificate_fetches_nothing(  # type: ignore[no-untyped-def]
        published, tmp_path: Path, domains) -> None:
    dns, server, ca_file = published
    router = Router(domains, None, {},
                    StaticResolver({"partner.test": [("evil.attacker.test", 25)]}), mta_sts=sts(dns, server, ca_file))
    with pytest.raises(RouteError) as error:
        asyncio.run(router.route("partner.test"))
    assert not error.value.permanent and "MTA-STS" in str(error.value)
    other = ThrowawayCA()  # a certificate the configured CAs do not vouch for: no policy is taken from it
    (tmp_path / "other.pem").write_bytes(other.pem)
    assert sts(dns, server, tmp_path / "other.pem").lookup("partner.test") is None


@pytest.mark.parametrize("text", ["version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 1\n",
                                  "version: STSv1\nmode: strict\nmx: a.b\nmax_age: 1\n",
                                  "version: STSv1\nmode: enforce\nmax_age: 1\n"])
def test_malformed_policies_are_not_policies(text: str) -> None:
    with pytest.raises(ValueError):
        parse_policy(text)
