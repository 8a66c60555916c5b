from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from directory import Directory
from directory.agencies import create_agency


@pytest.fixture
def directory(engine: Engine) -> Directory:
    return Directory(engine)


@pytest.fixture
def province(directory: Directory) -> Directory:
    """A small province: root, two departments, one commune."""
    with directory.session() as session:
        root = create_agency(session, code="BN", name="Tỉnh Bắc Ninh", kind="province", domain="bacninh.gov.vn",
                             mailbox="ubnd@bacninh.gov.vn")
        create_agency(session, code="STTTT", name="Sở Thông tin và Truyền thông", kind="department", parent=root,
                      mailbox="stttt@bacninh.gov.vn")
        syt = create_agency(session, code="SYT", name="Sở Y tế", kind="department", parent=root,
                            mailbox="syt@bacninh.gov.vn")
        create_agency(session, code="BVT", name="Bệnh viện tỉnh", kind="unit", parent=syt)
        create_agency(session, code="X.TAMGIANG", name="UBND xã Tam Giang", kind="commune", parent=root,
                      mailbox="tamgiang.yenphong@bacninh.gov.vn")
    return directory


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


ROSTER = (
    "Họ và tên,Đơn vị,Chức vụ,Thủ trưởng\n"
    "Nguyễn Quang Vinh,STTTT,Giám đốc,x\n"
    "Trần Thị Thu Hương,STTTT,Chuyên viên,\n"
    "Lê Văn Hải,SYT,Giám đốc,x\n"
    "Phạm Thị Lan,BVT,Giám đốc bệnh viện,x\n"
    "Đỗ Văn Nam,X.TAMGIANG,Chủ tịch UBND,x\n"
)


@pytest.fixture
def staffed(province: Directory, tmp_path: Path) -> Directory:
    """The small province with five officials, four of them heads."""
    from directory.importer import read_roster

    province.import_roster(read_roster(write(tmp_path, "r.csv", ROSTER)))
    return province
