"""Finding and calling a running ``missions serve`` from the CLI, with the standard library only.

The server announces itself in ``$MISSIONS_HOME/serve.json``; a CLI command reads it, checks the process is
alive, and makes one stateless MCP ``tools/call`` over HTTP with the account's bearer token. Importing no MCP or
HTTP client keeps a command that goes through the server as fast as Python starts.
"""

from __future__ import annotations

import http.client
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ai_missions.kernel import errors
from ai_missions.kernel.errors import ForbiddenError, MissionsError

SERVE_FILE = "serve.json"
#: Set to anything to make the CLI work in-process even when a server runs.
NO_SERVER_ENV = "MISSIONS_NO_SERVER"
ERROR_PREFIX = "Error executing tool "


class ServerUnavailable(MissionsError):
    """The announced server did not take the call (it never received it): the caller may work in-process."""


@dataclass(frozen=True, slots=True)
class RunningServer:
    url: str
    pid: int
    #: The missions it serves (a server may be started for some).
    missions: tuple[str, ...] = ()
    timeout_s: float = 600.0

    def serves(self, mission: str) -> bool:
        return mission in self.missions

    def call(self, tool: str, arguments: dict[str, Any], *, token: str | None) -> Any:
        """The tool's structured result; MissionsError with the server's one-line reason when it refuses."""
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        where = urlsplit(self.url)
        connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=self.timeout_s)
        try:
            connection.request("POST", where.path or "/", body=json.dumps(body), headers=headers)
            answer = connection.getresponse()
            status, data = answer.status, answer.read()
        except ConnectionRefusedError:
            raise ServerUnavailable(f"missions serve at {self.url} refused the connection") from None
        except OSError as exc:
            raise MissionsError(f"missions serve at {self.url} did not answer: {exc}") from None
        finally:
            connection.close()
        if status == 401:
            raise ForbiddenError("missions serve refused the sign-in: run `missions login NAME`")
        if status != 200:
            raise MissionsError(f"missions serve at {self.url} answered HTTP {status}")
        reply = json.loads(data)
        if "error" in reply:
            raise MissionsError(f"missions serve: {reply['error'].get('message')}")
        result = reply["result"]
        if result.get("isError"):
            raise refusal(" ".join(c.get("text", "") for c in result.get("content", [])))
        structured = result.get("structuredContent")
        if structured is None:
            return json.loads(result["content"][0]["text"]) if result.get("content") else None
        if set(structured) == {"result"}:
            return structured["result"]
        return structured


def refusal(text: str) -> MissionsError:
    """The server's ``Error executing tool decide: [ForbiddenError] ...`` as the error it was in the server."""
    if text.startswith(ERROR_PREFIX):
        text = text.split(": ", 1)[-1]
    kind, found, message = text.partition("] ")
    error = getattr(errors, kind.removeprefix("["), None) if found and kind.startswith("[") else None
    if isinstance(error, type) and issubclass(error, MissionsError) and error is not errors.CorruptStoreError:
        return error(message)
    return MissionsError(text)


def running_server(home: Path) -> RunningServer | None:
    """The server announced in ``home``, if its process is alive (and ``MISSIONS_NO_SERVER`` is not set)."""
    if os.environ.get(NO_SERVER_ENV):
        return None
    try:
        announced = json.loads((home / SERVE_FILE).read_text())
        server = RunningServer(
            url=str(announced["url"]), pid=int(announced["pid"]), missions=tuple(announced.get("missions", ()))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(server.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return server
