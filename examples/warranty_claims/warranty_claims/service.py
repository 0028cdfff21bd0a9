"""The simulated warranty system's service functions (what its MCP server calls, and what the eval environment
applies recorded actions through)."""

from __future__ import annotations

import sqlite3

from pydantic import BaseModel

from ai_missions.integrations.kit import (
    book_now,
    idempotent_write,
    money,
    next_id,
    require_row,
    require_text,
    to_cents,
    to_ts,
)
from ai_missions.mission_api import ConflictError


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


class ApproveResult(BaseModel):
    claim: Claim
    credit_id: str
    amount: float
    replayed: bool = False


def _claim(conn: sqlite3.Connection, claim_id: str) -> Claim:
    row = require_row(conn, "SELECT * FROM claims WHERE claim_id = ?", (claim_id,), "claim", claim_id)
    return Claim(**{k: row[k] for k in Claim.model_fields})


def _product(conn: sqlite3.Connection, sku: str) -> Product:
    row = require_row(conn, "SELECT * FROM products WHERE sku = ?", (sku,), "product", sku)
    return Product(sku=sku, name=row["name"], warranty_months=row["warranty_months"], price=money(row["price_cents"]))


def get_claim(conn: sqlite3.Connection, claim_id: str) -> ClaimContext:
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


def list_open_claims(conn: sqlite3.Connection) -> OpenClaims:
    rows = conn.execute("SELECT claim_id FROM claims WHERE status = 'open' ORDER BY claim_id").fetchall()
    return OpenClaims(book_now=to_ts(book_now(conn)), claims=[get_claim(conn, r["claim_id"]) for r in rows])


def approve_claim(conn: sqlite3.Connection, claim_id: str, amount: float, idempotency_key: str) -> ApproveResult:
    """Approve an open claim and credit at most the product's price; an approved claim is not approved again."""
    cents = to_cents(amount)

    def perform() -> ApproveResult:
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

    args = {"claim_id": claim_id, "amount_cents": cents}
    return idempotent_write(conn, "approve_claim", idempotency_key, args, ApproveResult, perform)
