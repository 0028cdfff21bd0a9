"""The simulated warranty system's MCP server (registered under ``ai_missions.systems``): grants, the write
lookup and structured errors come with :class:`SystemServer`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations.kit import Amount, IdempotencyKey, SystemServer, open_system, tool
from warranty_claims import service

ClaimId = Annotated[str, Field(min_length=1, max_length=64, description="Claim id, e.g. WC-1001")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    server, db = open_system("warranty", home, **settings)

    @tool(server)
    def list_open_claims() -> service.OpenClaims:
        """Open claims with their product and the earlier claims on the same serial (what raises missions)."""
        return service.list_open_claims(db)

    @tool(server)
    def get_claim(claim_id: ClaimId) -> service.ClaimContext:
        """The claim, its product (warranty months, price) and the earlier claims on its serial."""
        return service.get_claim(db, claim_id)

    @tool(server)
    def approve_claim(claim_id: ClaimId, amount: Amount, idempotency_key: IdempotencyKey) -> service.ApproveResult:
        """Refused for a claim that is not open, or a credit above the product's price."""
        return service.approve_claim(db, claim_id, amount, idempotency_key)

    return server
