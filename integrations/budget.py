"""Budget control: each cost centre's budget for the fiscal year, what was spent before the book opened, and the
commitments invoices make against it. A commitment beyond what is available is refused: overrunning a budget is
a controller's decision, taken outside this system."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import Amount, IdempotencyKey, InvoiceId
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, money, to_cents, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError

CostCentre = Annotated[str, Field(min_length=1, max_length=64, description="Cost centre, e.g. CC-4100")]

DDL = """
CREATE TABLE cost_centres (
    cost_centre TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, fiscal_year INTEGER NOT NULL,
    budget_cents INTEGER NOT NULL CHECK (budget_cents > 0), spent_cents INTEGER NOT NULL CHECK (spent_cents >= 0)
) STRICT;
CREATE TABLE budget_commitments (
    commitment_id TEXT PRIMARY KEY, cost_centre TEXT NOT NULL REFERENCES cost_centres (cost_centre),
    invoice_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), committed_at TEXT NOT NULL
) STRICT;
CREATE INDEX budget_commitments_centre ON budget_commitments (cost_centre);
"""
SYSTEM = SimulatedSystem("budget", "ERP budget control", DDL)


class Budget(BaseModel):
    cost_centre: str
    name: str
    owner: str
    fiscal_year: int
    budget: float
    spent: float
    committed: float
    available: float


class Commitment(BaseModel):
    commitment_id: str
    cost_centre: str
    invoice_id: str
    amount: float
    committed_at: str


class BudgetContext(ContextRead):
    cost_centre: str
    budget: Budget | None
    invoice_commitments: list[Commitment] | None


class CommitResult(Replayable):
    commitment: Commitment
    budget: Budget


def _budget_cents(conn: sqlite3.Connection, cost_centre: str) -> tuple[sqlite3.Row, int, int]:
    row = require_row(
        conn, "SELECT * FROM cost_centres WHERE cost_centre = ?", (cost_centre,), "cost centre", cost_centre
    )
    committed = int(
        conn.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM budget_commitments WHERE cost_centre = ?", (cost_centre,)
        ).fetchone()[0]
    )
    return row, committed, row["budget_cents"] - row["spent_cents"] - committed


@SYSTEM.read
def get_budget(conn: sqlite3.Connection, cost_centre: CostCentre) -> Budget:
    """A cost centre's budget, committed and available amounts for the year.

    Budget for the fiscal year, spent before the book opened, committed by invoices, and available."""
    row, committed, available = _budget_cents(conn, cost_centre)
    return from_row(
        Budget,
        row,
        budget=money(row["budget_cents"]),
        spent=money(row["spent_cents"]),
        committed=money(committed),
        available=round(available / 100, 2),
    )


def _commitment(row: sqlite3.Row) -> Commitment:
    return from_row(Commitment, row, amount=money(row["amount_cents"]))


def _invoice_commitments(conn: sqlite3.Connection, invoice_id: str) -> list[Commitment]:
    return [
        _commitment(r)
        for r in conn.execute(
            "SELECT * FROM budget_commitments WHERE invoice_id = ? ORDER BY committed_at, commitment_id", (invoice_id,)
        )
    ]


@SYSTEM.read
def get_budget_context(conn: sqlite3.Connection, cost_centre: CostCentre, invoice_id: InvoiceId) -> BudgetContext:
    """A cost centre's budget and an invoice's commitments, in one read.

    `get_budget` and the invoice's commitments in one call; a part that fails is null under `missing`."""
    invoice_id = require_text(invoice_id, "invoice_id", max_length=64)
    return BudgetContext(
        cost_centre=cost_centre,
        **read_parts(
            {
                "budget": lambda: get_budget(conn, cost_centre),
                "invoice_commitments": lambda: _invoice_commitments(conn, invoice_id),
            }
        ),
    )


@SYSTEM.write(amount="amount")
def commit_budget(
    conn: sqlite3.Connection,
    cost_centre: CostCentre,
    invoice_id: InvoiceId,
    amount: Amount,
    idempotency_key: IdempotencyKey,
) -> CommitResult:
    """Commit an invoice's amount against a cost centre's budget (never beyond what is available).

    Refused beyond the available budget (an overrun is the controller's call, outside this system)."""
    cents = to_cents(amount)
    invoice_id = require_text(invoice_id, "invoice_id", max_length=64)
    _row, _committed, available = _budget_cents(conn, cost_centre)
    if cents > available:
        raise ConflictError(
            f"commitment of {money(cents):.2f} exceeds cost centre {cost_centre}'s available budget "
            f"({available / 100:.2f})"
        )
    commitment_id = next_id(conn, "BC")
    conn.execute(
        "INSERT INTO budget_commitments (commitment_id, cost_centre, invoice_id, amount_cents, committed_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (commitment_id, cost_centre, invoice_id, cents, to_ts(book_now(conn))),
    )
    row = conn.execute("SELECT * FROM budget_commitments WHERE commitment_id = ?", (commitment_id,)).fetchone()
    return CommitResult(commitment=_commitment(row), budget=get_budget(conn, cost_centre))
