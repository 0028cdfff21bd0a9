"""MCP client sessions whose result validation costs microseconds, not milliseconds.

``mcp`` 1.x (the line langchain-mcp-adapters needs) validates every structured tool result with one-shot
``jsonschema.validate``, which re-checks the schema against the metaschema on every call: ~10 ms a call for our
output schemas. Upstream fixed it in 2.x (modelcontextprotocol/python-sdk#3133) by compiling each validator once;
this session does the same. Results are still validated against the tool's output schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from jsonschema import ValidationError, validators
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client
from referencing import Registry


class ValidatingClientSession(ClientSession):
    """A ClientSession that compiles each tool's output-schema validator once and reuses it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._validators: dict[str, tuple[Any, Any]] = {}

    async def _validate_tool_result(self, name: str, result: types.CallToolResult) -> None:
        if name not in self._tool_output_schemas:
            await self.list_tools()
        schema = self._tool_output_schemas.get(name)
        if schema is None:
            return
        if result.structuredContent is None:
            raise RuntimeError(f"Tool {name} has an output schema but did not return structured content")
        cached = self._validators.get(name)
        if cached is None or cached[0] is not schema:  # a new listing may bring a new schema
            cls = validators.validator_for(schema)
            cls.check_schema(schema)
            cached = (schema, cls(schema, registry=Registry()))
            self._validators[name] = cached
        try:
            cached[1].validate(result.structuredContent)
        except ValidationError as exc:
            raise RuntimeError(f"Invalid structured content returned by tool {name}: {exc.message}") from exc


@asynccontextmanager
async def open_session(connection: Mapping[str, Any]) -> AsyncIterator[ClientSession]:
    """An initialized session over a langchain-mcp-adapters style connection (stdio or streamable HTTP)."""
    transport = connection["transport"]
    if transport == "stdio":
        params = StdioServerParameters(
            command=connection["command"],
            args=list(connection.get("args", [])),
            env=connection.get("env"),
            cwd=connection.get("cwd"),
        )
        async with stdio_client(params) as (read, write), ValidatingClientSession(read, write) as session:
            await session.initialize()
            yield session
    elif transport in ("streamable_http", "streamable-http", "http"):
        http = streamablehttp_client(connection["url"], headers=connection.get("headers"))
        async with http as (read, write, _), ValidatingClientSession(read, write) as session:
            await session.initialize()
            yield session
    else:
        raise ValueError(f"unsupported MCP transport {transport!r}")
