"""Standard input and output as event-loop pipes, for the MCP stdio server transport.

``mcp.server.stdio.stdio_server`` reads stdin and writes stdout through ``anyio.wrap_file``, which hands every
line read, every write and every flush to a worker thread: three thread round trips per request, most of a
simulated system's CPU per call. It accepts its own ``stdin`` and ``stdout``, so the servers give it these
instead: the same file descriptors registered with the event loop (``connect_read_pipe``/``connect_write_pipe``),
read and written without threads. The SDK's transport still frames and parses every message.

Where a descriptor is not a pipe, socket or terminal (a regular file, say), the SDK's own streams are used.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.fastmcp import FastMCP
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

#: The longest JSON-RPC line read (a write's arguments are small; this only bounds a malformed one).
MAX_LINE_BYTES = 64 * 1024 * 1024


class PipeLines:
    """``async for line in PipeLines(reader)``: decoded lines until end of input."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> PipeLines:
        return self

    async def __anext__(self) -> str:
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class PipeWriter:
    """``await write(text)`` then ``await flush()``, over an asyncio pipe transport."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


def _pollable(fd: int) -> bool:
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


@asynccontextmanager
async def pipe_stdio_server() -> AsyncIterator[
    tuple[MemoryObjectReceiveStream[SessionMessage | Exception], MemoryObjectSendStream[SessionMessage]]
]:
    """``stdio_server()`` over stdin and stdout registered with the running asyncio loop."""
    if not (_pollable(0) and _pollable(1)):
        async with stdio_server() as streams:
            yield streams
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
    stdin = os.fdopen(os.dup(0), "rb", buffering=0)
    stdout = os.fdopen(os.dup(1), "wb", buffering=0)
    read_transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    write_transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, stdout)
    writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
    try:
        lines, out = cast(Any, PipeLines(reader)), cast(Any, PipeWriter(writer))
        async with stdio_server(stdin=lines, stdout=out) as streams:
            yield streams
    finally:
        read_transport.close()
        write_transport.close()


async def serve_over_pipes(server: FastMCP) -> None:
    """Run a FastMCP server over stdio as ``server.run_stdio_async()`` does, on :func:`pipe_stdio_server`."""
    lowlevel = server._mcp_server
    async with pipe_stdio_server() as (read_stream, write_stream):
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
