"""A DNS server on loopback that stands in for the Internet's DNS in tests (SPF, DKIM and DMARC
records of made-up domains). It is a real UDP server spoken to by mailhub's real resolver
(MAILHUB_DNS_NAMESERVERS); only the answers are ours. Names it does not know are NXDOMAIN;
``broken`` names answer SERVFAIL (DNS failing, the 451 cases)."""

from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from mailhub.signing.keys import new_rsa_key


class DnsStandIn:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.broken: set[str] = set()
        self.queries: list[tuple[str, str]] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def txt(self, name: str, *texts: str) -> None:
        self.records[(name.lower().rstrip("."), "TXT")] = list(texts)

    def a(self, name: str, *addresses: str) -> None:
        self.records[(name.lower().rstrip("."), "A")] = list(addresses)

    def reset(self) -> None:
        self.records.clear()
        self.broken.clear()
        self.queries.clear()

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        self._socket.close()

    def _serve(self) -> None:
        while self._running:
            try:
                data, peer = self._socket.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            try:
                reply = self._answer(dns.message.from_wire(data))
            except Exception:  # a query we cannot read gets no answer, like a real server under attack
                continue
            self._socket.sendto(reply.to_wire(max_size=65535), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        kind = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, kind))
        if name in self.broken:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response
        values = self.records.get((name, kind))
        if values is None:
            if not any(known == name for known, _ in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        if kind == "TXT":
            values = [" ".join(_quoted_chunks(v)) for v in values]
        response.answer.append(dns.rrset.from_text_list(question.name, 300, dns.rdataclass.IN, kind, values))
        return response


def _quoted_chunks(text: str) -> list[str]:
    """A TXT value as DNS strings of at most 255 octets each (a DKIM key is longer)."""
    raw = text.encode()
    return ['"' + raw[i:i + 255].decode().replace('"', '\\"') + '"' for i in range(0, len(raw), 255)] or ['""']


def dkim_key(selector: str = "mail") -> tuple[bytes, str]:
    """A fresh RSA key for signing (PEM) and its DNS record text; 1024 bits, quick to make in tests."""
    return new_rsa_key(1024)


_SHARED: list[DnsStandIn] = []


def shared_dns() -> DnsStandIn:
    """The one stand-in of this test run (tests add the records they need and reset it)."""
    if not _SHARED:
        _SHARED.append(DnsStandIn())
    return _SHARED[0]
