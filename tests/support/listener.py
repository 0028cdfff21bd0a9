"""A TCP listener on 127.0.0.1 standing in for an attacker's endpoint: it records who connects and what they send
(a chat model's client would POST the mission's prompt to it)."""

from __future__ import annotations

import socket
import threading


class Listener:
    """Listens on a free port of 127.0.0.1 until closed; ``received`` holds the first bytes of each connection."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/v1"
        self.received: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(65536))
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.socket.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
