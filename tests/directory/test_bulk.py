"""Resolving a whole recipient list at once gives exactly what resolving each address does."""

from __future__ import annotations

import pytest

from directory import Directory, DirectoryError, Resolution
from directory import groups as group_ops
from directory.agencies import add_domain_alias, merge_agency
from directory.bulk import SCAN_ABOVE
from directory.models import MailAlias


@pytest.fixture
def everything(staffed: Directory) -> Directory:
    """Every kind of directory entry an address can reach, and some that reach nothing."""
    with staffed.session() as session:
        group_ops.create_group(session, "lanhdao-so", rule="heads:department", address="lanhdaoso@lich.bacninh.gov.vn")
        group_ops.create_group(session, "to-cntt", address="tocntt@bacninh.gov.vn")
        group_ops.add_members(session, "to-cntt", ["vinhnq@bacninh.gov.vn", "huongttt@bacninh.gov.vn"])
        session.add(MailAlias(address="giamdoc.stttt@bacninh.gov.vn", target="vinhnq@bacninh.gov.vn"))
        session.add(MailAlias(address="cu.giamdoc@bacninh.gov.vn", target="giamdoc.stttt@bacninh.gov.vn"))
        session.add(MailAlias(address="vong1@bacninh.gov.vn", target="vong2@bacninh.gov.vn"))
        session.add(MailAlias(address="vong2@bacninh.gov.vn", target="vong1@bacninh.gov.vn"))
        session.add(MailAlias(address="den.dau@bacninh.gov.vn", target="khong.ai@bacninh.gov.vn"))
        add_domain_alias(session, "bacninh.old.vn", "bacninh.gov.vn")
        merge_agency(session, "BVT", "SYT")  # leaves an inactive agency behind
    staffed.set_active("namdv@bacninh.gov.vn", False)
    return staffed


TARGETS = [
    "vinhnq@bacninh.gov.vn", "VINHNQ@BacNinh.gov.vn", " huongttt@bacninh.gov.vn ", "vinhnq@bacninh.gov.vn",
    "namdv@bacninh.gov.vn",  # disabled
    "syt@bacninh.gov.vn",  # an agency's mailbox
    "tocntt@bacninh.gov.vn", "lanhdaoso@lich.bacninh.gov.vn",  # a static and a rule group
    "giamdoc.stttt@bacninh.gov.vn", "cu.giamdoc@bacninh.gov.vn",  # aliases, two hops
    "vong1@bacninh.gov.vn", "den.dau@bacninh.gov.vn",  # an alias loop; an alias to nobody
    "hailv@bacninh.old.vn",  # a former domain
    "khong.ai@bacninh.gov.vn", "not an address", "a@b@c",
    "agency:SYT", "group:to-cntt", "heads:department", "kind:commune", "agency:NOWHERE", "group:nothing", "kind:",
]


def one_by_one(directory: Directory, target: str) -> Resolution | tuple[type, str]:
    try:
        return directory.resolve(target)
    except DirectoryError as exc:
        return type(exc), str(exc)


def as_compared(outcome: Resolution | DirectoryError) -> Resolution | tuple[type, str]:
    return outcome if isinstance(outcome, Resolution) else (type(outcome), str(outcome))


def test_every_kind_of_target_resolves_as_it_does_alone(everything: Directory) -> None:
    together = everything.resolve_many(TARGETS)
    assert list(together) == list(dict.fromkeys(TARGETS))
    for target in TARGETS:
        assert as_compared(together[target]) == one_by_one(everything, target), target


def test_a_long_list_read_in_one_scan_gives_the_same_answers(everything: Directory) -> None:
    padding = [f"nobody{n}@bacninh.gov.vn" for n in range(SCAN_ABOVE)]
    together = everything.resolve_many(TARGETS + padding)
    for target in TARGETS + padding[:3]:
        assert as_compared(together[target]) == one_by_one(everything, target), target


def test_nothing_to_resolve(everything: Directory) -> None:
    assert everything.resolve_many([]) == {}
