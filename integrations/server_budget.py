"""The budget-control MCP server: cost-centre budgets and the commitments invoices make against them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import budget
from ai_missions.integrations.serving import Amount, IdempotencyKey, SystemServer, main, open_system, tool

CostCentre = Annotated[str, Field(min_length=1, max_length=64, description="Cost centre, e.g. CC-4100")]
InvoiceId = Annotated[str, Field(min_length=1, max_length=64, description="Invoice id, e.g. INV-100123")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The budget server over the book under ``home``."""
    server, db = open_system("budget", home, **settings)

    @tool(server)
    def get_budget(cost_centre: CostCentre) -> budget.Budget:
        """Budget for the fiscal year, spent before the book opened, committed by invoices, and available."""
        return budget.get_budget(db, cost_centre)

    @tool(server)
    def get_budget_context(cost_centre: CostCentre, invoice_id: InvoiceId) -> budget.BudgetContext:
        """`get_budget` and the invoice's commitments in one call; a part that fails is null under `missing`."""
        return budget.get_budget_context(db, cost_centre, invoice_id)

    @tool(server)
    def commit_budget(
        cost_centre: CostCentre, invoice_id: InvoiceId, amount: Amount, idempotency_key: IdempotencyKey
    ) -> budget.CommitResult:
        """Refused beyond the available budget (an overrun is the controller's call, outside this system)."""
        return budget.commit_budget(db, cost_centre, invoice_id, amount, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="budget"))
