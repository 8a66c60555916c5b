"""Parts of ``mailhub serve`` in processes of their own (``mailhub serve --part NAME``): delivery (see
``mailhub.delivery.process``) and the command server (``mailhub.cli.command_server``). Each is ready
when it prints its ready line, stops on SIGTERM, and ends by itself when serve is gone, however serve
ends (SIGKILL included): serve holds its standard input, which then reads end-of-file.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from mailhub.errors import MailhubError

START_SECONDS = 60.0  # a part that has not said it is ready by then is not coming


class PartProcess:
    part = ""
    ready = b""

    def __init__(self, config_file: Path | None = None) -> None:
        self.config_file = config_file
        self.process: asyncio.subprocess.Process | None = None

    def command(self) -> list[str]:
        config = ["--config", str(self.config_file)] if self.config_file else []
        # -P: the working directory is not put first on the path (a folder named mailhub there is not us)
        return [sys.executable, "-P", "-m", "mailhub", *config, "serve", "--part", self.part]

    def pass_fds(self) -> tuple[int, ...]:
        """Descriptors the part inherits besides its standard ones (named in ``command()``)."""
        return ()

    async def start(self) -> str:
        """Start the part and wait for its ready line; what follows the ready words on it."""
        self.process = await asyncio.create_subprocess_exec(
            *self.command(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, pass_fds=self.pass_fds())
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), START_SECONDS)
        except TimeoutError:
            line = b""
        if not line.startswith(self.ready):
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
            raise MailhubError(f"the {self.part} process did not start (its error is in the log above)")
        return line[len(self.ready):].strip().decode("ascii", "replace")

    async def stop(self, grace: float) -> None:
        """SIGTERM; killed if it has not ended ``grace`` seconds (and two more) later."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace + 2)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class CommandProcess(PartProcess):
    """The command server: ``mailhub`` commands typed for this home run in a fork of it."""

    part = "commands"
    ready = b"commands ready"
