"""Which TLS each destination gets (the policy table alone; deliveries under it are in test_delivery)."""

from __future__ import annotations

import ssl

import pytest

from mailhub.delivery.tls_policy import TlsPolicy, describe, parse_policy


def test_a_domain_takes_its_own_entry_then_the_nearest_parent_then_the_default() -> None:
    policy = TlsPolicy("khanhhoa.gov.vn=verify, .gov.vn=encrypt, .vn=may, *=encrypt")
    assert policy.for_domain("KhanhHoa.gov.vn.").mode == "verify"
    assert policy.for_domain("syt.khanhhoa.gov.vn").mode == "encrypt"
    assert policy.for_domain("example.com.vn").mode == "may"
    assert policy.for_domain("gmail.com").mode == "encrypt"
    assert TlsPolicy("").for_domain("gmail.com").mode == "may"


def test_contexts_verify_only_when_asked() -> None:
    policy = TlsPolicy("a.vn=verify,*=may")
    strict, loose = policy.context(policy.for_domain("a.vn")), policy.context(policy.for_domain("b.vn"))
    assert strict is not None and strict.verify_mode == ssl.CERT_REQUIRED and strict.check_hostname
    assert loose is not None and loose.verify_mode == ssl.CERT_NONE
    assert describe("TLSv1.3", False) == "TLSv1.3, not verified" and describe(None, False) == "no TLS"


@pytest.mark.parametrize("bad", ["sometimes", "a.vn=strict", "a.vn=verify,*=maybe"])
def test_a_bad_mode_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="mode"):
        parse_policy(bad)
