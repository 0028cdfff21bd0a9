"""A local proxy to LangGraph's server for clients that cannot send a header: every request it forwards carries the
signed-in account's missions token (``Authorization: Bearer mst_...``), and nothing a client says about who it is.

LangGraph Studio signs in with its own LangSmith session, which names no account (``langgraph.json`` turns that
sign-in off: ``disable_studio_auth``), and lets no header be set; so Studio is pointed at this proxy
(``missions langgraph-proxy``, ``https://smith.langchain.com/studio/?baseUrl=http://127.0.0.1:2025``) and acts, on
``langgraph dev``, as the account signed in where the proxy runs, with its role of record, asking the one
authorization point as any client does. Whoever can reach the proxy's port acts as that account: it listens on
127.0.0.1 only, and is meant for one person's own machine, while they use it.

Requests and answers pass as they are (streams included, chunk by chunk), except the headers that say who asks
(``Authorization``, ``x-api-key``, Studio's ``x-auth-scheme``: replaced by the token) and the hop-by-hop ones. Written
here rather than taken from a proxy library: it is one route over Starlette and httpx, which the platform already
runs on, and what it must do that a generic proxy does not is replace the identity headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

#: Headers that say who asks: a client's are dropped, the token takes their place.
IDENTITY = frozenset({"authorization", "x-api-key", "x-auth-scheme", "cookie"})
#: Headers of one connection, not of the request or the answer (RFC 9110, 7.6.1), and the length a stream recomputes.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host"}
)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def token_proxy(upstream: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None) -> Starlette:
    """The proxy's ASGI app: every path forwarded to ``upstream`` with ``token``."""
    client = httpx.AsyncClient(base_url=upstream.rstrip("/"), timeout=None, transport=transport)

    async def forward(request: Request) -> StreamingResponse:
        headers = [
            (name, value)
            for name, value in request.headers.raw
            if name.decode("latin-1").lower() not in IDENTITY | HOP_BY_HOP | {"content-length"}
        ]
        headers.append((b"authorization", f"Bearer {token}".encode()))

        async def body() -> AsyncIterator[bytes]:
            async for chunk in request.stream():
                yield chunk

        sent = client.build_request(
            request.method, request.url.path, params=request.query_params, headers=headers, content=body()
        )
        answer = await client.send(sent, stream=True)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"}}
        return StreamingResponse(
            answer.aiter_raw(), status_code=answer.status_code, headers=kept, background=BackgroundTask(answer.aclose)
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Starlette(routes=[Route("/{path:path}", forward, methods=METHODS)], lifespan=lifespan)
