"""The confidentiality gate wired into both listeners: refused at DATA, nothing kept but metadata."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlmodel import Session, select

from mailhub.store.models import AuditEvent, QueuedMessage
from policies.chain import name_token
from tests.mailhub.conftest import Invoke, World, WorldFactory
from tests.policies.corpus import docx, message, zipped

WHERE = f"{name_token('tai-lieu.zip')}/{name_token('bao-cao.docx')}: word/document.xml"
MARKED = message("Kế hoạch", attachments=[
    ("tai-lieu.zip", zipped([("bao-cao.docx", docx("Số: 12/KH\nTỐI MẬT\nKẾ HOẠCH"))]), "application/zip")])


def refused(world: World, content: bytes, listener: str = "submission", to: str = "vinhnq@bacninh.gov.vn",
            sender: str = "vanthu@bacninh.gov.vn") -> tuple[int, bytes]:
    with world.relay.smtp(listener) as client:
        client.ehlo("docs.test")
        client.mail(sender)
        assert client.rcpt(to)[0] == 250
        return client.data(content)


def test_marked_attachment_is_refused_and_only_metadata_is_kept(world: World) -> None:
    code, text = refused(world, MARKED)

    assert code == 550, text
    assert text.startswith(f"5.7.1 Thư bị từ chối: {WHERE} mang dấu độ mật".encode())
    assert f"Refused: classification-stamp in {WHERE}".encode() in text
    assert b"tai-lieu" not in text and b"bao-cao" not in text  # names are often secret titles: only hashes
    with Session(world.app.engine) as session:
        assert session.exec(select(QueuedMessage)).all() == []
        [event] = session.exec(select(AuditEvent)).all()
    assert (event.sender, event.recipients, event.rule) == ("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn",
                                                             "classification-stamp")
    assert event.location == WHERE
    assert len(event.sha256) == 64 and "MẬT" not in event.detail
    assert world.sink.messages == []


def test_inbound_listener_refuses_marked_mail_too(world: World) -> None:
    code, _ = refused(world, message("[MẬT] Báo cáo"), "inbound", to="gopy@lich.bacninh.gov.vn",
                      sender="citizen@gmail.com")
    assert code == 550


def test_every_message_is_checked_in_a_worker_process(make_world: WorldFactory) -> None:
    world = make_world(policy_workers=1)
    code, _ = refused(world, MARKED)
    assert code == 550
    with world.relay.smtp() as client:
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        message("Giấy mời", attachments=[("giay-moi.docx", docx("GIẤY MỜI\nKính mời dự họp"),
                                                          "application/octet-stream")]))
    assert len(world.sink.wait_for(1)) == 1


def test_audit_list_shows_the_refusal(world: World, invoke: Invoke) -> None:
    refused(world, MARKED)
    result = invoke("audit", "list", "--json",
                    env={"MAILHUB_DATABASE_URL": world.app.engine.url.render_as_string(hide_password=False)})
    [event] = json.loads(result.stdout)
    assert event["rule"] == "classification-stamp" and event["recipients"] == ["vinhnq@bacninh.gov.vn"]
    assert event["sha256"] == hashlib.sha256(MARKED).hexdigest()


def test_policy_check_cli_exit_codes(invoke: Invoke, tmp_path: Path) -> None:
    marked, clean = tmp_path / "marked.eml", tmp_path / "clean.docx"
    marked.write_bytes(MARKED)
    clean.write_bytes(docx("Kính mời dự họp giao ban"))

    result = invoke("policy", "check", "--json", str(marked), str(clean))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [(r["verdict"], [x["where"] for x in r["reasons"]]) for r in lines] == [
        ("block", [WHERE]), ("pass", [])]
    assert invoke("policy", "check", str(clean)).exit_code == 0
    assert invoke("policy", "check", str(tmp_path / "missing.eml")).exit_code == 2


def test_a_photo_passes_and_the_audit_notes_it_was_not_read(world: World) -> None:
    from tests.policies.scans import photo, png

    with world.relay.smtp() as client:
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        message("Ảnh hội nghị", attachments=[("Ảnh hội nghị.png", png(photo()), "image/png")]))
    assert len(world.sink.wait_for(1)) == 1
    with Session(world.app.engine) as session:
        [event] = session.exec(select(AuditEvent)).all()
    assert (event.event, event.rule) == ("not-read", "image-not-read")
    assert event.location == name_token("Ảnh hội nghị.png") and "hội" not in event.location
