"""Return paths on the service domain that tie every DSN to the message that caused it.

``bounce+<queue-id>.<tag>@<service-domain>``: the tag is an HMAC of the queue id, so a
forged DSN cannot mark somebody else's mail as bounced.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import Engine
from sqlmodel import Session

from mailhub.store.models import ServiceSecret

_VERP = re.compile(r"^bounce\+(?P<queue_id>[A-Za-z0-9]+)\.(?P<tag>[a-f0-9]{10})$")


class ReturnPaths:
    def __init__(self, service_domain: str, key: bytes) -> None:
        self.service_domain = service_domain.lower()
        self._key = key
        self._tags: dict[str, str] = {}

    @classmethod
    def load(cls, engine: Engine, service_domain: str) -> ReturnPaths:
        """The key is shared through the database so that every node signs alike."""
        with Session(engine) as session:
            secret = session.get(ServiceSecret, "verp")
            if secret is None:
                secret = ServiceSecret(name="verp", value=secrets.token_hex(32))
                session.add(secret)
                session.commit()
            return cls(service_domain, bytes.fromhex(secret.value))

    def _tag(self, queue_id: str) -> str:
        tag = self._tags.get(queue_id)
        if tag is None:  # one per message, however many transactions it goes out in
            if len(self._tags) > 4096:
                self._tags.clear()
            tag = self._tags[queue_id] = hmac.new(self._key, queue_id.encode(), hashlib.sha256).hexdigest()[:10]
        return tag

    def address(self, queue_id: str) -> str:
        return f"bounce+{queue_id}.{self._tag(queue_id)}@{self.service_domain}"

    def queue_id_of(self, address: str) -> str | None:
        """The queue id an address stands for, or None if it is not a valid return path."""
        local, _, domain = address.lower().rpartition("@")
        if domain != self.service_domain:
            return None
        match = _VERP.match(local)
        if match is None:
            return None
        queue_id = match.group("queue_id").upper()
        if not hmac.compare_digest(self._tag(queue_id), match.group("tag")):
            return None
        return queue_id
