from __future__ import annotations

import unicodedata

import pytest

from directory.addressing import AddressError, generate_address, local_part_for, normalise_address
from directory.names import NameParts, clean_full_name, unaccented


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("Nguyễn Quang Vinh", "vinhnq"),
        ("Ngô Quốc Vinh", "vinhnq"),
        ("Trần Thị Thu Hương", "huongttt"),
        ("Đỗ Đức Đạt", "datdd"),
        ("Lê Văn Ánh", "anhlv"),
        ("Nguyễn Thị Ngọc Ánh", "anhntn"),
        ("Hoàng Thị Thủy", "thuyht"),
        ("Vi Thị Ẻn", "envt"),
        ("Lò Văn Dương", "duonglv"),
        ("Tạ Quang Bửu", "buutq"),
    ],
)
def test_default_pattern_is_given_name_plus_initials(name: str, local: str) -> None:
    assert local_part_for(name) == local


def test_names_in_nfd_with_odd_spacing_and_capitals_give_the_same_address() -> None:
    messy = unicodedata.normalize("NFD", "  trần   THỊ thu\u00a0HƯƠNG ")
    assert local_part_for(messy) == "huongttt"
    assert clean_full_name(messy) == "Trần Thị Thu Hương"
    assert unicodedata.is_normalized("NFC", clean_full_name(messy))


def test_d_with_stroke_becomes_d_not_dropped() -> None:
    assert unaccented("Đặng Đình Đông") == "dangdinhdong"


def test_single_word_name_uses_it_alone() -> None:
    assert NameParts.of("Hùng").given == "Hùng"
    assert local_part_for("Hùng") == "hung"


def test_other_patterns_are_configurable() -> None:
    assert local_part_for("Nguyễn Quang Vinh", "{given}.{initials}") == "vinh.nq"
    assert local_part_for("Nguyễn Quang Vinh", "{surname}{middle_initials}{given}") == "nguyenqvinh"
    assert local_part_for("Vinh", "{given}.{initials}") == "vinh"


def test_unknown_pattern_field_is_refused() -> None:
    with pytest.raises(AddressError, match="pattern"):
        local_part_for("Nguyễn Quang Vinh", "{firstname}")


def test_collisions_number_from_the_second_one() -> None:
    taken: set[str] = set()
    addresses = []
    for name in ["Nguyễn Quang Vinh", "Ngô Quốc Vinh", "Nguyễn Quý Vinh"]:
        address = generate_address(name, "bacninh.gov.vn", taken.__contains__)
        taken.add(address)
        addresses.append(address)
    assert addresses == ["vinhnq@bacninh.gov.vn", "vinhnq2@bacninh.gov.vn", "vinhnq3@bacninh.gov.vn"]


@pytest.mark.parametrize(
    "bad",
    ["vinhnq", "vinh nq@bacninh.gov.vn", "a@b@c.vn", "vinhnq@bacninh", "vinh@bac_ninh.gov.vn",
     "vinhnq@bacninh.gov.vn\r\nBcc: x@y.vn", "nguyễn@bacninh.gov.vn"],
)
def test_bad_addresses_are_refused(bad: str) -> None:
    with pytest.raises(AddressError):
        normalise_address(bad)


def test_addresses_are_lower_cased() -> None:
    assert normalise_address(" VinhNQ@BacNinh.Gov.VN ") == "vinhnq@bacninh.gov.vn"
