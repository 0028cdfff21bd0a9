"""The simulated warranty system (registered under ``ai_missions.systems``): its tables, kept on the local Postgres
server (a schema per sandbox, not a SQLite file), and its tools, each one typed service function. Its MCP server,
its contract (``warranty.json``, the mission reads it), the grant check and the idempotency of ``approve_claim``
come from the declaration."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from ai_missions.integrations.kit import (
    Amount,
    IdempotencyKey,
    PostgresTables,
    Replayable,
    SimulatedSystem,
    book_now,
    money,
    next_id,
    require_row,
    require_text,
    to_cents,
    to_ts,
)
from ai_missions.mission_api import ConflictError

DDL = """
CREATE TABLE products (
    sku TEXT PRIMARY KEY, name TEXT NOT NULL, warranty_months INTEGER NOT NULL CHECK (warranty_months > 0),
    price_cents INTEGER NOT NULL CHECK (price_cents > 0)
) STRICT;
CREATE TABLE claims (
    claim_id TEXT PRIMARY KEY, customer TEXT NOT NULL, sku TEXT NOT NULL REFERENCES products (sku),
    serial TEXT NOT NULL, purchased_at TEXT NOT NULL, filed_at TEXT NOT NULL,
    defect TEXT NOT NULL CHECK (defect IN ('manufacturing', 'accidental')), description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved'))
) STRICT;
CREATE TABLE credits (
    credit_id TEXT PRIMARY KEY, claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), issued_at TEXT NOT NULL
) STRICT;
"""
SYSTEM = SimulatedSystem("warranty", "Warranty claims", DDL, backend=PostgresTables())

ClaimId = Annotated[str, Field(min_length=1, max_length=64, description="Claim id, e.g. WC-1001")]


class Product(BaseModel):
    sku: str
    name: str
    warranty_months: int
    price: float


class Claim(BaseModel):
    claim_id: str
    customer: str
    sku: str
    serial: str
    purchased_at: str
    filed_at: str
    defect: str
    description: str
    status: str


class ClaimContext(BaseModel):
    book_now: str
    claim: Claim
    product: Product
    #: Other claims on the same serial number, approved or not.
    earlier_claims: list[Claim]


class OpenClaims(BaseModel):
    book_now: str
    claims: list[ClaimContext]


class ApproveResult(Replayable):
    claim: Claim
    credit_id: str
    amount: float


def _claim(conn: Any, claim_id: str) -> Claim:
    row = require_row(conn, "SELECT * FROM claims WHERE claim_id = ?", (claim_id,), "claim", claim_id)
    return Claim(**{k: row[k] for k in Claim.model_fields})


def _product(conn: Any, sku: str) -> Product:
    row = require_row(conn, "SELECT * FROM products WHERE sku = ?", (sku,), "product", sku)
    return Product(sku=sku, name=row["name"], warranty_months=row["warranty_months"], price=money(row["price_cents"]))


@SYSTEM.read
def list_open_claims(conn: Any) -> OpenClaims:
    """Every open warranty claim, with its product's warranty and history.

    Open claims with their product and the earlier claims on the same serial (what raises missions)."""
    rows = conn.execute("SELECT claim_id FROM claims WHERE status = 'open' ORDER BY claim_id").fetchall()
    return OpenClaims(book_now=to_ts(book_now(conn)), claims=[get_claim(conn, r["claim_id"]) for r in rows])


@SYSTEM.read
def get_claim(conn: Any, claim_id: ClaimId) -> ClaimContext:
    """A claim with its product and the earlier claims on the same serial number.

    The claim, its product (warranty months, price) and the earlier claims on its serial."""
    claim = _claim(conn, require_text(claim_id, "claim_id", max_length=64))
    earlier = conn.execute(
        "SELECT claim_id FROM claims WHERE serial = ? AND claim_id != ? ORDER BY filed_at", (claim.serial, claim_id)
    )
    return ClaimContext(
        book_now=to_ts(book_now(conn)),
        claim=claim,
        product=_product(conn, claim.sku),
        earlier_claims=[_claim(conn, r["claim_id"]) for r in earlier.fetchall()],
    )


@SYSTEM.write(amount="amount")
def approve_claim(conn: Any, claim_id: ClaimId, amount: Amount, idempotency_key: IdempotencyKey) -> ApproveResult:
    """Approve a claim and issue its credit to the customer.

    Refused for a claim that is not open, or a credit above the product's price."""
    cents = to_cents(amount)
    context = get_claim(conn, claim_id)
    if context.claim.status != "open":
        raise ConflictError(f"claim {claim_id} is {context.claim.status}, not open")
    if cents > to_cents(context.product.price):
        raise ConflictError(f"a credit of {money(cents):.2f} exceeds the product's price {context.product.price}")
    credit_id = next_id(conn, "CR")
    conn.execute(
        "INSERT INTO credits (credit_id, claim_id, amount_cents, issued_at) VALUES (?, ?, ?, ?)",
        (credit_id, claim_id, cents, to_ts(book_now(conn))),
    )
    conn.execute("UPDATE claims SET status = 'approved' WHERE claim_id = ?", (claim_id,))
    return ApproveResult(claim=_claim(conn, claim_id), credit_id=credit_id, amount=money(cents))
