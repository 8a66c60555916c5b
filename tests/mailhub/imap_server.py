"""A small IMAP4rev1 server over implicit TLS that knows some passwords: enough of the protocol
(CAPABILITY, AUTHENTICATE PLAIN, LOGIN, LOGOUT) to stand for the province's mailbox server."""

from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from pathlib import Path


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        def send(line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] mailbox server ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().strip().partition(" ")
            command, _, argument = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                send(f"{tag} OK CAPABILITY completed")
            elif command == "AUTHENTICATE" and argument.upper() == "PLAIN":
                send("+ ")
                _, user, password = base64.b64decode(self.rfile.readline().strip()).split(b"\0")
                self._answer(send, tag, user.decode(), password.decode())
            elif command == "LOGIN":
                user, password = (part.strip('"') for part in argument.split(" ", 1))
                self._answer(send, tag, user, password)
            elif command == "LOGOUT":
                send("* BYE")
                send(f"{tag} OK LOGOUT completed")
                return
            else:
                send(f"{tag} BAD unknown command")

    def _answer(self, send, tag: str, user: str, password: str) -> None:  # type: ignore[no-untyped-def]
        self.server.attempts += 1
        if self.server.users.get(user.lower()) == password:
            send(f"{tag} OK Logged in")
        else:
            send(f"{tag} NO [AUTHENTICATIONFAILED] Authentication failed.")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, users: dict[str, str], context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.users = users
        self.context = context
        self.attempts = 0

    def get_request(self):  # type: ignore[no-untyped-def]
        sock, address = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), address


class ImapServer:
    def __init__(self, users: dict[str, str], cert: Path, key: Path) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.server = _Server({k.lower(): v for k, v in users.items()}, context)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def attempts(self) -> int:
        return self.server.attempts

    def start(self) -> ImapServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
