import socket

import pytest


def test_outbound_connections_are_blocked() -> None:
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="no network"):
        sock.connect(("192.0.2.1", 80))
