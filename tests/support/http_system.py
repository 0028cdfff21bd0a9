"""A simulated system served over streamable HTTP in a process of its own, and an MCP client session to it: what a
caller on the network reaches (the tests of the HTTP transport and of attacks over it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.support.ports import free_port


@asynccontextmanager
async def http_session(home: Path, *module_and_args: str) -> AsyncIterator[ClientSession]:
    """An MCP session (not yet initialized) to ``python -m MODULE ARGS --transport streamable-http --port P`` on
    ``home``, once the port answers; the server is stopped on exit. A server that exits or does not answer within
    30 s fails with its standard error."""
    port = free_port()
    env = {**os.environ, "MISSIONS_HOME": str(home)}
    command = [sys.executable, "-m", *module_and_args, "--transport", "streamable-http", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                why = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"{' '.join(module_and_args)} did not start: {why}")
            time.sleep(0.05)
        async with (
            streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, _),
            ClientSession(read, write) as session,
        ):
            yield session
    finally:
        proc.terminate()
        proc.wait(timeout=10)
