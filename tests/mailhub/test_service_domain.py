"""Organizer addresses follow MAILHUB_SERVICE_DOMAIN; addresses made on an earlier one keep working."""

from __future__ import annotations

import email
import json
from email.policy import default
from pathlib import Path

from mailhub.app import App
from mailhub.config import Settings
from mailhub.dispatch.meetings.service import Changes
from tests.mailhub.conftest import Invoke, World
from tests.mailhub.test_meetings import create


def test_serve_refuses_the_placeholder_service_domain(invoke: Invoke) -> None:
    result = invoke("serve", env={"MAILHUB_SERVICE_DOMAIN": "lich.example.gov.vn"})
    assert result.exit_code != 0
    assert "MAILHUB_SERVICE_DOMAIN" in result.stderr and "Traceback" not in result.stderr


def test_a_new_service_domain_is_used_and_the_old_one_still_takes_replies(world: World, cli: Invoke,
                                                                          tmp_path: Path) -> None:
    created = create(cli)
    old = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["organizer_address"]
    assert old == "stttt@lich.bacninh.gov.vn"
    moved = App.build(Settings(home=tmp_path / "moved", database_url=world.app.settings.database_url,
                               service_domain="thu.bacninh.gov.vn"))
    try:
        target = tmp_path / "update.eml"
        moved.meetings().update(int(str(created["id"])), Changes(location="Hội trường"), None, target)
        message = email.message_from_bytes(target.read_bytes(), policy=default)
        assert message["From"].addresses[0].addr_spec == "stttt@thu.bacninh.gov.vn"
        assert moved.domains().is_service("lich.bacninh.gov.vn")  # replies to the old address still arrive
        assert moved.service_addresses().target_of(old) == "stttt@bacninh.gov.vn"
    finally:
        moved.close()
