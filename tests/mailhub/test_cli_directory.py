from __future__ import annotations

import json
from pathlib import Path

import vobject

from tests.mailhub.conftest import Invoke

AGENCIES = ("code,name,parent,kind,domain\n"
            "BN,Tỉnh Bắc Ninh,,province,bacninh.gov.vn\n"
            "STTTT,Sở Thông tin và Truyền thông,BN,department,\n")
ROSTER = ("\ufeffHọ và tên,Đơn vị,Chức vụ,Email\n"
          "Nguyễn Quang Vinh,STTTT,Giám đốc,\n"
          "Ngô Quốc Vinh,Sở Thông tin và Truyền thông,Phó Giám đốc,\n"
          ",STTTT,Chuyên viên,\n")


def seed(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "agencies.csv").write_text(AGENCIES, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert invoke("directory", "import-agencies", str(tmp_path / "agencies.csv")).exit_code == 0
    assert invoke("directory", "import", str(tmp_path / "roster.csv")).exit_code == 0


def test_import_reports_rejected_lines_and_a_summary(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "agencies.csv").write_text(AGENCIES, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    invoke("directory", "import-agencies", str(tmp_path / "agencies.csv"))

    result = invoke("directory", "import", str(tmp_path / "roster.csv"))

    assert result.exit_code == 0
    assert "line 4: rejected: missing full name" in result.stdout
    assert "officials: 2 created, 0 updated, 0 unchanged, 1 rejected" in result.output

    again = invoke("directory", "import", str(tmp_path / "roster.csv"), "--json")
    report = json.loads(again.stdout)
    assert (report["created"], report["unchanged"], report["rejected"][0]["line"]) == (0, 2, 4)


def test_list_json_has_the_fields_the_checks_use(invoke: Invoke, tmp_path: Path) -> None:
    seed(invoke, tmp_path)
    rows = json.loads(invoke("directory", "list", "--json").stdout)
    assert {(r["full_name"], r["email"], r["agency"], r["title"], r["active"]) for r in rows} == {
        ("Nguyễn Quang Vinh", "vinhnq@bacninh.gov.vn", "STTTT", "Giám đốc", True),
        ("Ngô Quốc Vinh", "vinhnq2@bacninh.gov.vn", "STTTT", "Phó Giám đốc", True),
    }
    assert json.loads(invoke("directory", "list", "--agency", "BN", "--json").stdout) == rows


def test_resolve_show_and_export(invoke: Invoke, tmp_path: Path) -> None:
    seed(invoke, tmp_path)
    resolved = invoke("directory", "resolve", "agency:STTTT")
    assert resolved.stdout.splitlines()[0].startswith("vinhnq@bacninh.gov.vn\tNguyễn Quang Vinh")

    shown = json.loads(invoke("directory", "show", "VINHNQ2@bacninh.gov.vn", "--json").stdout)
    assert shown["full_name"] == "Ngô Quốc Vinh"

    out = tmp_path / "book.vcf"
    assert invoke("directory", "export", "--format", "vcard", "--output", str(out)).exit_code == 0
    names = {c.fn.value for c in vobject.readComponents(out.read_text(encoding="utf-8"))}
    assert {"Nguyễn Quang Vinh", "Ngô Quốc Vinh", "Sở Thông tin và Truyền thông"} <= names


def test_set_password_from_stdin_and_send_as(invoke: Invoke, tmp_path: Path) -> None:
    seed(invoke, tmp_path)
    result = invoke("directory", "set-password", "vinhnq@bacninh.gov.vn", "--stdin", input="đủ-dài-rồi\n")
    assert result.exit_code == 0 and "password set" in result.output
    invoke("directory", "grant-send-as", "vinhnq@bacninh.gov.vn", "stttt@bacninh.gov.vn")
    allowed = json.loads(invoke("directory", "send-as", "vinhnq@bacninh.gov.vn", "--json").stdout)
    assert allowed == ["vinhnq@bacninh.gov.vn", "stttt@bacninh.gov.vn"]


def test_errors_are_one_line_and_non_zero(invoke: Invoke, tmp_path: Path) -> None:
    seed(invoke, tmp_path)
    cases = [
        ("directory", "show", "nobody@bacninh.gov.vn"),
        ("directory", "import", str(tmp_path / "missing.csv")),
        ("directory", "resolve", "agency:NOPE"),
        ("directory", "set-password", "vinhnq@bacninh.gov.vn", "--stdin"),
    ]
    for args in cases:
        result = invoke(*args, input="short\n")
        assert result.exit_code == 1, args
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, args
        assert "Traceback" not in result.output


def test_bad_option_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("directory", "export", "--format", "pdf")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_an_output_encoding_without_vietnamese_is_one_line_not_a_traceback(invoke: Invoke, tmp_path: Path,
                                                                          mailhub_env: dict[str, str]) -> None:
    """A clerk's terminal in the C locale (or PYTHONIOENCODING=ascii): a real process, as it happens."""
    import os
    import subprocess
    import sys

    seed(invoke, tmp_path)
    env = {**os.environ, **mailhub_env, "PYTHONIOENCODING": "ascii", "MAILHUB_COMMAND_SERVER": "false"}
    result = subprocess.run([sys.executable, "-m", "mailhub", "directory", "list"], env=env, capture_output=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(b"error: the output's encoding (ascii) cannot show")
