from __future__ import annotations

import json
from pathlib import Path

from mailhub.app import App
from mailhub.config import Settings
from mailhub.relay.intake import Submission
from tests.mailhub.conftest import Invoke, seed_province


def queued(sqlite_url: str, tmp_path: Path) -> str:
    app = App.build(Settings(home=tmp_path / "home", database_url=sqlite_url, service_domain="lich.bacninh.gov.vn"))
    seed_province(app, tmp_path)
    content = (b"From: vanthu@bacninh.gov.vn\r\nTo: vinhnq@bacninh.gov.vn\r\nSubject: test\r\n"
               b"Message-ID: <q1@bacninh.gov.vn>\r\n\r\nbody\r\n")
    accepted = app.intake().accept(Submission(content=content, mail_from="vanthu@bacninh.gov.vn",
                                              rcpt_tos=("vinhnq@bacninh.gov.vn", "agency:STTTT")))
    app.close()
    assert accepted.queue_id is not None
    return accepted.queue_id


def test_queue_list_show_hold_release_retry_delete(invoke: Invoke, sqlite_url: str, tmp_path: Path) -> None:
    queue_id = queued(sqlite_url, tmp_path)

    listed = json.loads(invoke("queue", "list", "--json").stdout)
    assert [(m["queue_id"], m["state"], len(m["recipients"])) for m in listed] == [(queue_id, "queued", 2)]

    assert invoke("queue", "hold", queue_id).exit_code == 0
    assert json.loads(invoke("queue", "show", queue_id, "--json").stdout)["state"] == "held"
    assert invoke("queue", "release", queue_id).exit_code == 0
    assert "2 recipient(s) due now" in invoke("queue", "retry").stdout

    deleted = invoke("queue", "delete", queue_id)
    assert deleted.exit_code == 0 and "2 undelivered" in deleted.stdout
    assert json.loads(invoke("queue", "list", "--all", "--json").stdout) == []
    trace = json.loads(invoke("trace", "<q1@bacninh.gov.vn>", "--json").stdout)
    assert {(r["recipient"], r["outcome"]) for r in trace} == {
        ("vinhnq@bacninh.gov.vn", "deleted"), ("vinhnq2@bacninh.gov.vn", "deleted")}


def test_unknown_queue_id_is_a_one_line_error(invoke: Invoke) -> None:
    result = invoke("queue", "show", "NOPE")
    assert result.exit_code == 1 and result.stderr.startswith("error: no message")


def test_tables_speak_to_the_clerk_and_json_keeps_its_keys(invoke: Invoke, sqlite_url: str, tmp_path: Path) -> None:
    queue_id = queued(sqlite_url, tmp_path)
    table = invoke("queue", "list").stdout
    assert "Mã hàng đợi" in table and "Chờ gửi" in table and "GMT+7" in table
    shown = invoke("queue", "show", queue_id).stdout
    assert "Người nhận" in shown and "Chờ gửi" in shown
    assert json.loads(invoke("queue", "show", queue_id, "--json").stdout)["state"] == "queued"
