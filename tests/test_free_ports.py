"""The ports test servers are started on (``tests/support/ports.py``): two xdist workers, or two servers of one
worker starting together, are never handed the same port, and none is one the kernel hands to outgoing
connections."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support import ports


def test_a_worker_never_gets_a_port_twice_even_while_it_is_still_unbound() -> None:
    handed = [ports.free_port() for _ in range(20)]  # none bound yet: as servers that are still starting
    assert len(set(handed)) == len(handed), handed


def test_workers_take_ports_from_disjoint_blocks_below_the_ephemeral_range(monkeypatch: pytest.MonkeyPatch) -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    blocks = []
    for worker in ("gw0", "gw1", "gw7"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        port = ports.free_port()
        blocks.append((port - ports.FIRST) // ports.BLOCK)
        assert port < low, (worker, port, low)
    assert blocks == [0, 1, 7], blocks


def test_a_port_something_listens_on_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw11")
    monkeypatch.setattr(ports, "_taken", set())
    first = ports.FIRST + ports.BLOCK * 11
    with socket.socket() as server:
        server.bind(("127.0.0.1", first))
        server.listen()
        assert ports.free_port() == first + 1
