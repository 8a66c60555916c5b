"""The event loop the server runs on: uvloop (libuv's loop, written in C) by default, asyncio's own on
request (``MAILHUB_EVENT_LOOP=asyncio``) or where uvloop is not installed (it is not built for Windows).

uvloop runs the same protocols and streams (aiosmtpd's, the delivery client's, STARTTLS included) with
a third less CPU for each SMTP command; the listeners' event loop is the server's busiest thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("mailhub")
T = TypeVar("T")

UVLOOP, ASYNCIO = "uvloop", "asyncio"


def loop_factory(kind: str = UVLOOP) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """How to make the loop ``kind`` names; None for asyncio's own."""
    if kind != UVLOOP:
        return None
    try:
        import uvloop
    except ImportError:
        log.info("uvloop is not installed here: running on asyncio's own event loop")
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T], kind: str = UVLOOP) -> T:
    """``asyncio.run`` on the loop ``kind`` names."""
    with asyncio.Runner(loop_factory=loop_factory(kind)) as runner:
        return runner.run(main)
