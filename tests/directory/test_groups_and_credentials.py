from __future__ import annotations

from pathlib import Path

import pytest

from directory import Conflict, Directory, InvalidInput, NotFound
from directory import groups as group_ops
from directory.selectors import require_group


def addresses(directory: Directory, target: str) -> list[str]:
    return sorted(m.address for m in directory.resolve(target).mailboxes)


def test_agency_selector_covers_the_whole_subtree(staffed: Directory) -> None:
    assert addresses(staffed, "agency:SYT") == ["hailv@bacninh.gov.vn", "lanpt@bacninh.gov.vn"]
    assert len(addresses(staffed, "agency:BN")) == 5


def test_rule_groups_follow_the_directory_at_send_time(staffed: Directory, tmp_path: Path) -> None:
    with staffed.session() as session:
        group_ops.create_group(session, "lanhdao-so", rule="heads:department", address="lanhdaoso@lich.bacninh.gov.vn")
    assert addresses(staffed, "group:lanhdao-so") == ["hailv@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]

    staffed.set_active("hailv@bacninh.gov.vn", False)
    assert addresses(staffed, "lanhdaoso@lich.bacninh.gov.vn") == ["vinhnq@bacninh.gov.vn"]


def test_static_group_and_posting_rights(staffed: Directory) -> None:
    with staffed.session() as session:
        group_ops.create_group(session, "to-cntt", address="tocntt@lich.bacninh.gov.vn")
        group_ops.add_members(session, "to-cntt", ["vinhnq@bacninh.gov.vn", "HUONGTTT@bacninh.gov.vn"])
        group = require_group(session, "to-cntt")
        assert group_ops.may_post(session, group, "huongttt@bacninh.gov.vn", from_inside=False)
        assert not group_ops.may_post(session, group, "someone@gmail.com", from_inside=False)
        group_ops.add_posters(session, "to-cntt", ["@mic.gov.vn"])
        assert group_ops.may_post(session, group, "vanthu@mic.gov.vn", from_inside=False)
    assert addresses(staffed, "group:to-cntt") == ["huongttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"]


def test_group_address_must_be_free_and_rule_valid(staffed: Directory) -> None:
    with pytest.raises(Conflict), staffed.session() as session:
        group_ops.create_group(session, "x", address="vinhnq@bacninh.gov.vn")
    with pytest.raises(InvalidInput), staffed.session() as session:
        group_ops.create_group(session, "y", rule="everyone")


def test_unknown_targets_are_not_found(staffed: Directory) -> None:
    for target in ["nobody@bacninh.gov.vn", "group:none", "agency:NONE"]:
        with pytest.raises(NotFound):
            staffed.resolve(target)


def test_password_is_hashed_and_checked(staffed: Directory, engine) -> None:  # type: ignore[no-untyped-def]
    staffed.set_password("vinhnq@bacninh.gov.vn", "mật-khẩu-đủ-dài")
    assert staffed.authenticate("VinhNQ@bacninh.gov.vn", "mật-khẩu-đủ-dài") == "vinhnq@bacninh.gov.vn"
    assert staffed.authenticate("vinhnq@bacninh.gov.vn", "wrong password") is None
    assert staffed.authenticate("nobody@bacninh.gov.vn", "mật-khẩu-đủ-dài") is None
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM account").scalar_one()
    assert stored.startswith("$argon2") and "mật" not in stored


def test_disabled_official_cannot_authenticate(staffed: Directory) -> None:
    staffed.set_password("vinhnq@bacninh.gov.vn", "correct horse")
    staffed.set_active("vinhnq@bacninh.gov.vn", False)
    assert staffed.authenticate("vinhnq@bacninh.gov.vn", "correct horse") is None


def test_short_password_and_unknown_official_are_refused(staffed: Directory) -> None:
    with pytest.raises(InvalidInput):
        staffed.set_password("vinhnq@bacninh.gov.vn", "short")
    with pytest.raises(NotFound):
        staffed.set_password("nobody@bacninh.gov.vn", "long enough password")


def test_send_as_own_address_aliases_and_grants_only(staffed: Directory) -> None:
    staffed.set_password("vinhnq@bacninh.gov.vn", "correct horse")
    staffed.add_alias("giamdoc.stttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn")

    assert staffed.may_send_as("vinhnq@bacninh.gov.vn", "VinhNQ@bacninh.gov.vn")
    assert staffed.may_send_as("vinhnq@bacninh.gov.vn", "giamdoc.stttt@bacninh.gov.vn")
    assert not staffed.may_send_as("vinhnq@bacninh.gov.vn", "huongttt@bacninh.gov.vn")
    assert not staffed.may_send_as("vinhnq@bacninh.gov.vn", "stttt@bacninh.gov.vn")

    staffed.grant_send_as("vinhnq@bacninh.gov.vn", "stttt@bacninh.gov.vn")
    assert staffed.may_send_as("vinhnq@bacninh.gov.vn", "stttt@bacninh.gov.vn")


def test_service_account_with_a_domain_grant(staffed: Directory) -> None:
    staffed.set_password("qlvb@bacninh.gov.vn", "document system secret", service=True)
    staffed.grant_send_as("qlvb@bacninh.gov.vn", "@bacninh.gov.vn")
    assert staffed.may_send_as("qlvb@bacninh.gov.vn", "vanthu@bacninh.gov.vn")
    assert not staffed.may_send_as("qlvb@bacninh.gov.vn", "vanthu@bacgiang.gov.vn")
