"""Payments: authorizations (amount, expiry, status), captures, refunds, fraud assessments, payment holds, and each
customer's payment methods on file (cards by brand and last digits, PayPal, gift cards with their balance).

An authorization's status is ``authorized`` until captured or voided; an uncaptured one past ``expires_at``
(by the book clock) reads as ``expired``. Invariants: capture only an authorized, unexpired authorization, never
beyond its amount and never while a payment hold is active; void only an uncaptured one; refund never more than
what remains of a capture.

Methods on file: an order's payer (``order_payers``) names its customer and the authorization its payment stands
on now; ``authorization_methods`` the method each authorization is on. A gift card's authorization takes its
balance when made and gives it back when voided (a gift card cannot be overdrawn), and a refund to a gift card adds
to it. An order's method changes only while its payment is authorized and not captured (this book captures an order
when it ships), only to a method of the order's own customer, a gift card only with the balance for the amount.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import Amount, IdempotencyKey, OrderId, Reason
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, from_ts, money, to_cents, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, hours_between, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError

AuthorizationId = Annotated[str, Field(min_length=1, max_length=64, description="Authorization id, e.g. AUTH-000123")]
PaymentMethodId = Annotated[
    str, Field(min_length=1, max_length=64, description="A payment method on file, e.g. PM-000123")
]
CustomerId = Annotated[str, Field(min_length=1, max_length=64, description="Customer id, e.g. C-10195")]
CaptureId = Annotated[str, Field(min_length=1, max_length=64, description="Capture id, e.g. CAP-000123")]

DDL = """
CREATE TABLE authorizations (
    authorization_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('authorized', 'captured', 'voided')),
    card_brand TEXT NOT NULL, card_last4 TEXT NOT NULL, authorized_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    voided_at TEXT
) STRICT;
CREATE INDEX authorizations_order ON authorizations (order_id);
CREATE TABLE captures (
    capture_id TEXT PRIMARY KEY, authorization_id TEXT NOT NULL REFERENCES authorizations (authorization_id),
    order_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), captured_at TEXT NOT NULL
) STRICT;
CREATE INDEX captures_order ON captures (order_id);
CREATE TABLE refunds (
    refund_id TEXT PRIMARY KEY, capture_id TEXT NOT NULL REFERENCES captures (capture_id), order_id TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), reason TEXT NOT NULL, refunded_at TEXT NOT NULL
) STRICT;
CREATE INDEX refunds_order ON refunds (order_id);
CREATE TABLE fraud_assessments (
    order_id TEXT PRIMARY KEY, score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100), reasons TEXT NOT NULL,
    assessed_at TEXT NOT NULL, model TEXT NOT NULL
) STRICT;
CREATE TABLE payment_holds (
    hold_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'released')), placed_at TEXT NOT NULL, released_at TEXT
) STRICT;
CREATE INDEX payment_holds_order ON payment_holds (order_id);
CREATE TABLE payment_methods (
    payment_method_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('card', 'paypal', 'gift_card')), brand TEXT, last4 TEXT,
    balance_cents INTEGER CHECK (balance_cents IS NULL OR balance_cents >= 0), added_at TEXT NOT NULL
) STRICT;
CREATE INDEX payment_methods_customer ON payment_methods (customer_id);
CREATE TABLE order_payers (
    order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
    authorization_id TEXT NOT NULL REFERENCES authorizations (authorization_id)
) STRICT;
CREATE TABLE authorization_methods (
    authorization_id TEXT PRIMARY KEY REFERENCES authorizations (authorization_id),
    payment_method_id TEXT NOT NULL REFERENCES payment_methods (payment_method_id)
) STRICT;
CREATE TABLE refund_methods (
    refund_id TEXT PRIMARY KEY REFERENCES refunds (refund_id),
    payment_method_id TEXT NOT NULL REFERENCES payment_methods (payment_method_id)
) STRICT;
"""
SYSTEM = SimulatedSystem("payments", "Payments", DDL)

AuthStatus = Literal["authorized", "captured", "voided", "expired"]
FRAUD_REASONS: dict[str, str] = {
    "new_shipping_address": "Ship-to address not seen before on this payment method",
    "velocity": "Several orders or payment attempts in a short time",
    "mismatched_billing": "Billing address does not match the card issuer's record",
    "high_value": "Order value well above the customer's usual basket",
    "risky_ip": "Order placed from an IP address with a poor reputation (proxy or hosting range)",
    "prior_chargeback": "The customer has a past chargeback",
}
#: Fraud scores at or above this are elevated (the order goes to payment review).
ELEVATED_SCORE = 60


class Authorization(BaseModel):
    authorization_id: str
    order_id: str
    amount: float
    currency: str
    status: AuthStatus
    card_brand: str
    card_last4: str
    authorized_at: str
    expires_at: str
    expires_in_hours: float = Field(description="Hours until expiry by the book clock (negative: expired)")
    captured_amount: float
    capturable_amount: float


class Capture(BaseModel):
    capture_id: str
    authorization_id: str
    amount: float
    captured_at: str
    refunded_amount: float
    refundable_amount: float


class Refund(BaseModel):
    refund_id: str
    capture_id: str
    amount: float
    reason: str
    refunded_at: str


class PaymentHold(BaseModel):
    hold_id: str
    order_id: str
    reason: str
    status: Literal["active", "released"]
    placed_at: str
    released_at: str | None


class Payment(BaseModel):
    """Everything the payment system knows about an order's money."""

    order_id: str
    currency: str
    authorizations: list[Authorization]
    captures: list[Capture] = Field(description="Oldest first")
    refunds: list[Refund]
    holds: list[PaymentHold]
    authorized_amount: float
    captured_amount: float
    refunded_amount: float
    net_captured: float = Field(description="captured_amount - refunded_amount")
    capture_count: int
    hold_active: bool
    payment_method_id: str | None = Field(
        default=None, description="The method the order's payment stands on now (null: none on record)"
    )


MethodKind = Literal["card", "paypal", "gift_card"]


class PaymentMethod(BaseModel):
    """A way a customer pays, as payments keeps it: never a full card number, only the brand and last digits."""

    payment_method_id: str
    customer_id: str
    kind: MethodKind
    brand: str | None = Field(description="A card's brand (visa, mastercard...); null for PayPal and gift cards")
    last4: str | None = Field(description="A card's or gift card's last four digits; null for PayPal")
    balance: float | None = Field(description="A gift card's balance now; null for cards and PayPal")
    label: str = Field(description="How it is named to the customer: 'visa ending in 1234', 'PayPal', ...")


class PaymentMethods(BaseModel):
    customer_id: str
    methods: list[PaymentMethod] = Field(description="Oldest first; empty when payments holds none for the customer")


class PaymentMethodChange(Replayable):
    """An order's payment moved to another of its customer's methods: the old authorization voided, a new one."""

    order_id: str
    previous_method_id: str
    payment_method: PaymentMethod = Field(description="The new method (a gift card's balance after the change)")
    amount: float
    released: Authorization = Field(description="The previous authorization, now voided")
    authorization: Authorization = Field(description="The new authorization, on the new method")


class FraudReason(BaseModel):
    code: str
    description: str


class FraudAssessment(BaseModel):
    order_id: str
    score: int = Field(description="0-100; elevated at 60 and above")
    elevated: bool
    reasons: list[FraudReason]
    reason_codes: list[str]
    assessed_at: str
    model: str


class PaymentHoldResult(Replayable):
    hold: PaymentHold
    action: str


class CaptureResult(Replayable):
    capture: Capture
    authorization: Authorization


class VoidResult(Replayable):
    authorization: Authorization


class RefundResult(Replayable):
    refund: Refund
    capture: Capture


def _auth_row(conn: sqlite3.Connection, authorization_id: str) -> sqlite3.Row:
    return require_row(
        conn,
        "SELECT * FROM authorizations WHERE authorization_id = ?",
        (authorization_id,),
        "authorization",
        authorization_id,
    )


def _capture_row(conn: sqlite3.Connection, capture_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM captures WHERE capture_id = ?", (capture_id,), "capture", capture_id)


def _require_order(conn: sqlite3.Connection, order_id: str) -> None:
    require_row(conn, "SELECT 1 FROM authorizations WHERE order_id = ? LIMIT 1", (order_id,), "order", order_id)


def _sum(conn: sqlite3.Connection, sql: str, key: str) -> int:
    return int(conn.execute(sql, (key,)).fetchone()[0])


def _authorization(conn: sqlite3.Connection, row: sqlite3.Row, now: datetime) -> Authorization:
    captured = _sum(
        conn, "SELECT COALESCE(SUM(amount_cents), 0) FROM captures WHERE authorization_id = ?", row["authorization_id"]
    )
    expires_in = hours_between(from_ts(row["expires_at"]), now)
    status = row["status"]
    if status == "authorized" and expires_in <= 0:
        status = "expired"
    capturable = max(row["amount_cents"] - captured, 0) if status in ("authorized", "captured") else 0
    return from_row(
        Authorization,
        row,
        amount=money(row["amount_cents"]),
        status=status,
        expires_in_hours=expires_in,
        captured_amount=money(captured),
        capturable_amount=money(capturable),
    )


def _capture(conn: sqlite3.Connection, row: sqlite3.Row) -> Capture:
    refunded = _sum(conn, "SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE capture_id = ?", row["capture_id"])
    return from_row(
        Capture,
        row,
        amount=money(row["amount_cents"]),
        refunded_amount=money(refunded),
        refundable_amount=money(row["amount_cents"] - refunded),
    )


def _hold(row: sqlite3.Row) -> PaymentHold:
    return from_row(PaymentHold, row)


def _label(row: sqlite3.Row) -> str:
    if row["kind"] == "card":
        return f"{row['brand'] or 'card'} ending in {row['last4']}"
    if row["kind"] == "gift_card":
        return f"gift card ending in {row['last4']}" if row["last4"] else "gift card"
    return "PayPal"


def _method(row: sqlite3.Row) -> PaymentMethod:
    balance = money(row["balance_cents"]) if row["kind"] == "gift_card" else None
    return from_row(PaymentMethod, row, balance=balance, label=_label(row))


def _method_row(conn: sqlite3.Connection, payment_method_id: str) -> sqlite3.Row:
    return require_row(
        conn,
        "SELECT * FROM payment_methods WHERE payment_method_id = ?",
        (payment_method_id,),
        "payment method",
        payment_method_id,
    )


def _payer(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row | None:
    """The order's customer and the authorization its payment stands on (None: payments holds no payer)."""
    try:
        row: sqlite3.Row | None = conn.execute("SELECT * FROM order_payers WHERE order_id = ?", (order_id,)).fetchone()
    except sqlite3.OperationalError:  # a book written before payments kept methods: none on record
        return None
    return row


def _method_of(conn: sqlite3.Connection, authorization_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT m.* FROM authorization_methods a JOIN payment_methods m USING (payment_method_id) "
        "WHERE a.authorization_id = ?",
        (authorization_id,),
    ).fetchone()
    return row


def _order_method_id(conn: sqlite3.Connection, order_id: str) -> str | None:
    payer = _payer(conn, order_id)
    method = _method_of(conn, payer["authorization_id"]) if payer is not None else None
    return str(method["payment_method_id"]) if method is not None else None


def _owned_method(conn: sqlite3.Connection, order_id: str, payment_method_id: str) -> sqlite3.Row:
    """A method of the order's own customer, or refused (an order whose payer payments does not know has none)."""
    payer = _payer(conn, order_id)
    if payer is None:
        raise ConflictError(f"payments holds no customer for order {order_id}; its payment method cannot be chosen")
    method = _method_row(conn, payment_method_id)
    if method["customer_id"] != payer["customer_id"]:
        raise ConflictError(f"payment method {payment_method_id} is not one of order {order_id}'s customer's")
    return method


def _add_to_balance(conn: sqlite3.Connection, method: sqlite3.Row | None, cents: int) -> None:
    """A gift card's balance moved by ``cents`` (taken when negative: refused below zero, never overdrawn)."""
    if method is None or method["kind"] != "gift_card":
        return
    balance = int(conn.execute(
        "SELECT balance_cents FROM payment_methods WHERE payment_method_id = ?", (method["payment_method_id"],)
    ).fetchone()[0] or 0)  # fmt: skip
    if balance + cents < 0:
        raise ConflictError(
            f"gift card {method['payment_method_id']} has {money(balance):.2f}, not the {money(-cents):.2f} needed"
        )
    conn.execute(
        "UPDATE payment_methods SET balance_cents = ? WHERE payment_method_id = ?",
        (balance + cents, method["payment_method_id"]),
    )


@SYSTEM.read
def list_payment_methods(conn: sqlite3.Connection, customer_id: CustomerId) -> PaymentMethods:
    """A customer's payment methods on file (no full card numbers).

    The customer's payment methods on file: cards (brand, last four digits), PayPal, gift cards with their
    balance; never a full card number. Empty when payments holds none for the customer."""
    customer_id = require_text(customer_id, "customer_id", max_length=64)
    rows = conn.execute(
        "SELECT * FROM payment_methods WHERE customer_id = ? ORDER BY added_at, payment_method_id", (customer_id,)
    ).fetchall()
    return PaymentMethods(customer_id=customer_id, methods=[_method(r) for r in rows])


@SYSTEM.read
def get_payment(conn: sqlite3.Connection, order_id: OrderId) -> Payment:
    """An order's authorizations, captures, refunds and holds.

    Authorizations (status authorized, captured, voided or expired; hours to expiry by the book clock),
    captures (oldest first) with refunded amounts, refunds, holds, and totals: authorized, captured, refunded,
    net captured, capture count, hold active."""
    _require_order(conn, order_id)
    now = book_now(conn)
    auths = [
        _authorization(conn, r, now)
        for r in conn.execute(
            "SELECT * FROM authorizations WHERE order_id = ? ORDER BY authorized_at, authorization_id", (order_id,)
        )
    ]
    captures = [
        _capture(conn, r)
        for r in conn.execute("SELECT * FROM captures WHERE order_id = ? ORDER BY captured_at, capture_id", (order_id,))
    ]
    refunds = [
        from_row(Refund, r, amount=money(r["amount_cents"]))
        for r in conn.execute("SELECT * FROM refunds WHERE order_id = ? ORDER BY refunded_at, refund_id", (order_id,))
    ]
    holds = [
        _hold(r)
        for r in conn.execute("SELECT * FROM payment_holds WHERE order_id = ? ORDER BY placed_at, hold_id", (order_id,))
    ]
    authorized = round(sum(a.amount for a in auths if a.status != "voided"), 2)
    captured = round(sum(c.amount for c in captures), 2)
    refunded = round(sum(r.amount for r in refunds), 2)
    return Payment(
        order_id=order_id,
        currency=auths[0].currency,
        authorizations=auths,
        captures=captures,
        refunds=refunds,
        holds=holds,
        authorized_amount=authorized,
        captured_amount=captured,
        refunded_amount=refunded,
        net_captured=round(captured - refunded, 2),
        capture_count=len(captures),
        hold_active=any(h.status == "active" for h in holds),
        payment_method_id=_order_method_id(conn, order_id),
    )


@SYSTEM.read
def get_fraud_assessment(conn: sqlite3.Connection, order_id: OrderId) -> FraudAssessment:
    """An order's fraud score with reason codes.

    Score 0-100 (elevated from 60) and reason codes such as new_shipping_address, velocity,
    mismatched_billing, high_value, risky_ip, prior_chargeback."""
    row = require_row(
        conn, "SELECT * FROM fraud_assessments WHERE order_id = ?", (order_id,), "fraud assessment for order", order_id
    )
    codes: list[str] = json.loads(row["reasons"])
    return from_row(
        FraudAssessment,
        row,
        elevated=row["score"] >= ELEVATED_SCORE,
        reasons=[FraudReason(code=c, description=FRAUD_REASONS.get(c, c)) for c in codes],
        reason_codes=codes,
    )


# --- writes -----------------------------------------------------------------------------------------------------


class PaymentContext(ContextRead):
    """Everything payments holds about an order, in one read."""

    order_id: str
    payment: Payment | None
    fraud_assessment: FraudAssessment | None


@SYSTEM.read
def get_payment_context(conn: sqlite3.Connection, order_id: OrderId) -> PaymentContext:
    """An order's payment and fraud assessment, in one read.

    `get_payment` and `get_fraud_assessment` in one call; a part that cannot be read is null, with the
    reason under `missing`."""
    return PaymentContext(
        order_id=order_id,
        **read_parts(
            {
                "payment": lambda: get_payment(conn, order_id),
                "fraud_assessment": lambda: get_fraud_assessment(conn, order_id),
            }
        ),
    )


def _active_hold(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM payment_holds WHERE order_id = ? AND status = 'active' ORDER BY placed_at, hold_id LIMIT 1",
        (order_id,),
    ).fetchone()
    return row


@SYSTEM.write
def place_payment_hold(
    conn: sqlite3.Connection, order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey
) -> PaymentHoldResult:
    """Place a payment hold on an order.

    No capture while it is active; refused if one is already active."""
    reason = require_text(reason, "reason", max_length=500)
    _require_order(conn, order_id)
    if _active_hold(conn, order_id) is not None:
        raise ConflictError(f"order {order_id} already has an active payment hold")
    hold_id = next_id(conn, "PH")
    conn.execute(
        "INSERT INTO payment_holds (hold_id, order_id, reason, status, placed_at) VALUES (?, ?, ?, 'active', ?)",
        (hold_id, order_id, reason, to_ts(book_now(conn))),
    )
    row = conn.execute("SELECT * FROM payment_holds WHERE hold_id = ?", (hold_id,)).fetchone()
    return PaymentHoldResult(hold=_hold(row), action="place_payment_hold")


@SYSTEM.write(irreversible=True)
def release_payment_hold(
    conn: sqlite3.Connection, order_id: OrderId, idempotency_key: IdempotencyKey
) -> PaymentHoldResult:
    """Release an order's payment hold.

    Refused when the order has no active payment hold."""
    _require_order(conn, order_id)
    hold = _active_hold(conn, order_id)
    if hold is None:
        raise ConflictError(f"order {order_id} has no active payment hold")
    conn.execute(
        "UPDATE payment_holds SET status = 'released', released_at = ? WHERE hold_id = ?",
        (to_ts(book_now(conn)), hold["hold_id"]),
    )
    row = conn.execute("SELECT * FROM payment_holds WHERE hold_id = ?", (hold["hold_id"],)).fetchone()
    return PaymentHoldResult(hold=_hold(row), action="release_payment_hold")


@SYSTEM.write(amount="amount", irreversible=True)
def capture_payment(
    conn: sqlite3.Connection, authorization_id: AuthorizationId, amount: Amount, idempotency_key: IdempotencyKey
) -> CaptureResult:
    """Capture an authorization (up to its amount).

    Refused on a voided or expired authorization, beyond the uncaptured amount, or under a payment hold."""
    cents = to_cents(amount)
    row = _auth_row(conn, authorization_id)
    now = book_now(conn)
    auth = _authorization(conn, row, now)
    if auth.status in ("voided", "expired"):
        raise ConflictError(f"authorization {authorization_id} is {auth.status}; it cannot be captured")
    if _active_hold(conn, row["order_id"]) is not None:
        raise ConflictError(f"order {row['order_id']} has an active payment hold; release it before capturing")
    remaining = round(auth.capturable_amount * 100)
    if cents > remaining:
        raise ConflictError(
            f"capture of {money(cents):.2f} exceeds what authorization {authorization_id} has left to capture "
            f"({money(remaining):.2f} of {auth.amount:.2f})"
        )
    capture_id = next_id(conn, "CAP")
    conn.execute(
        "INSERT INTO captures (capture_id, authorization_id, order_id, amount_cents, captured_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (capture_id, authorization_id, row["order_id"], cents, to_ts(now)),
    )
    conn.execute("UPDATE authorizations SET status = 'captured' WHERE authorization_id = ?", (authorization_id,))
    return CaptureResult(
        capture=_capture(conn, _capture_row(conn, capture_id)),
        authorization=_authorization(conn, _auth_row(conn, authorization_id), now),
    )


@SYSTEM.write(irreversible=True)
def void_authorization(
    conn: sqlite3.Connection, authorization_id: AuthorizationId, idempotency_key: IdempotencyKey
) -> VoidResult:
    """Void an uncaptured authorization.

    Releases the customer's funds; only an uncaptured, unexpired authorization."""
    row = _auth_row(conn, authorization_id)
    now = book_now(conn)
    auth = _authorization(conn, row, now)
    if auth.status != "authorized":
        raise ConflictError(f"authorization {authorization_id} is {auth.status}; only uncaptured ones can be voided")
    conn.execute(
        "UPDATE authorizations SET status = 'voided', voided_at = ? WHERE authorization_id = ?",
        (to_ts(now), authorization_id),
    )
    _add_to_balance(conn, _method_of(conn, authorization_id), row["amount_cents"])  # a gift card's hold back
    return VoidResult(authorization=_authorization(conn, _auth_row(conn, authorization_id), now))


@SYSTEM.write(amount="amount", irreversible=True)
def refund_payment(
    conn: sqlite3.Connection,
    capture_id: CaptureId,
    amount: Amount,
    reason: Reason,
    idempotency_key: IdempotencyKey,
    payment_method_id: PaymentMethodId | None = None,
) -> RefundResult:
    """Refund a capture (never more than captured).

    Refused beyond what remains unrefunded on the capture. The money goes back to the capture's method, or
    to ``payment_method_id``, another method of the order's customer (a gift card's balance grows)."""
    cents = to_cents(amount)
    reason = require_text(reason, "reason", max_length=500)
    row = _capture_row(conn, capture_id)
    capture = _capture(conn, row)
    remaining = round(capture.refundable_amount * 100)
    if cents > remaining:
        raise ConflictError(
            f"refund of {money(cents):.2f} exceeds what capture {capture_id} has left to refund "
            f"({money(remaining):.2f} of {capture.amount:.2f})"
        )
    chosen = _owned_method(conn, row["order_id"], payment_method_id) if payment_method_id else None
    refund_id = next_id(conn, "RF")
    at = to_ts(book_now(conn))
    conn.execute(
        "INSERT INTO refunds (refund_id, capture_id, order_id, amount_cents, reason, refunded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (refund_id, capture_id, row["order_id"], cents, reason, at),
    )
    if chosen is not None:
        conn.execute("INSERT INTO refund_methods VALUES (?, ?)", (refund_id, chosen["payment_method_id"]))
    _add_to_balance(conn, chosen if chosen is not None else _method_of(conn, row["authorization_id"]), cents)
    return RefundResult(
        refund=Refund(refund_id=refund_id, capture_id=capture_id, amount=money(cents), reason=reason, refunded_at=at),
        capture=_capture(conn, _capture_row(conn, capture_id)),
    )


@SYSTEM.write(amount="amount", irreversible=True)
def charge_payment(
    conn: sqlite3.Connection,
    order_id: OrderId,
    amount: Amount,
    reason: Reason,
    idempotency_key: IdempotencyKey,
    payment_method_id: PaymentMethodId | None = None,
) -> CaptureResult:
    """Charge the order's payment or another of its customer's methods for an agreed amount.

    Charges the order's payment again (a new authorization, captured at once) for an amount the customer
    agreed to, such as a dearer variant's price difference, or ``payment_method_id``, another method of the
    order's customer (a gift card only with the balance); refused without a payment or under a hold."""
    cents = to_cents(amount)
    reason = require_text(reason, "reason", max_length=500)
    first = conn.execute(
        "SELECT * FROM authorizations WHERE order_id = ? ORDER BY authorized_at, authorization_id LIMIT 1",
        (order_id,),
    ).fetchone()
    if first is None:
        raise ConflictError(f"order {order_id} has no payment to charge again")
    if _active_hold(conn, order_id) is not None:
        raise ConflictError(f"order {order_id} has an active payment hold; nothing is charged under it")
    payer = _payer(conn, order_id)
    method: sqlite3.Row | None = None
    if payment_method_id:
        method = _owned_method(conn, order_id, payment_method_id)
    elif payer is not None:
        method = _method_of(conn, payer["authorization_id"])
    now = book_now(conn)
    brand, last4 = (first["card_brand"], first["card_last4"]) if method is None else _card_of(method)
    # a charge's own authorization series (a book's seeded authorizations keep no sequence of their own)
    authorization_id, capture_id = next_id(conn, "AUTH-CHG"), next_id(conn, "CAP")
    conn.execute(
        "INSERT INTO authorizations (authorization_id, order_id, amount_cents, currency, status, card_brand, "
        "card_last4, authorized_at, expires_at) VALUES (?, ?, ?, ?, 'captured', ?, ?, ?, ?)",
        (authorization_id, order_id, cents, first["currency"], brand, last4, to_ts(now), first["expires_at"]),
    )
    conn.execute(
        "INSERT INTO captures (capture_id, authorization_id, order_id, amount_cents, captured_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (capture_id, authorization_id, order_id, cents, to_ts(now)),
    )
    if method is not None:
        conn.execute("INSERT INTO authorization_methods VALUES (?, ?)", (authorization_id, method["payment_method_id"]))
        _add_to_balance(conn, method, -cents)
    return CaptureResult(
        capture=_capture(conn, _capture_row(conn, capture_id)),
        authorization=_authorization(conn, _auth_row(conn, authorization_id), now),
    )


def _card_of(method: sqlite3.Row) -> tuple[str, str]:
    """What an authorization on a method records as its card: a card's brand and digits, else the kind."""
    return (method["brand"] or method["kind"], method["last4"] or "")


@SYSTEM.write(amount="amount")
def change_order_payment(
    conn: sqlite3.Connection,
    order_id: OrderId,
    payment_method_id: PaymentMethodId,
    amount: Amount,
    idempotency_key: IdempotencyKey,
) -> PaymentMethodChange:
    """Move an unshipped order's payment (all of it) to another method of its customer's.

    Moves an order's authorized payment (``amount``: all of it) to another method of the order's own
    customer: the old authorization voided, a new one on the new method. Refused once captured (shipped),
    under a hold, for someone else's method or the one in use, or a gift card without the balance."""
    cents = to_cents(amount)
    _require_order(conn, order_id)
    method = _owned_method(conn, order_id, payment_method_id)
    payer = _payer(conn, order_id)
    assert payer is not None  # _owned_method refuses an order without one
    old = _auth_row(conn, payer["authorization_id"])
    now = book_now(conn)
    auth = _authorization(conn, old, now)
    previous = _method_of(conn, old["authorization_id"])
    if previous is not None and previous["payment_method_id"] == payment_method_id:
        raise ConflictError(f"order {order_id} is already paid with {payment_method_id}")
    if auth.status != "authorized":
        raise ConflictError(
            f"order {order_id}'s payment is {auth.status}; only an order not yet shipped (its payment authorized, "
            "not captured) changes its payment method"
        )
    if _active_hold(conn, order_id) is not None:
        raise ConflictError(f"order {order_id} has an active payment hold; its payment method stays as it is")
    if cents != old["amount_cents"]:
        raise ConflictError(
            f"order {order_id}'s payment is {money(old['amount_cents']):.2f}; it moves whole, not {money(cents):.2f}"
        )
    conn.execute(
        "UPDATE authorizations SET status = 'voided', voided_at = ? WHERE authorization_id = ?",
        (to_ts(now), old["authorization_id"]),
    )
    _add_to_balance(conn, previous, cents)
    _add_to_balance(conn, method, -cents)  # refused (all rolled back) when a gift card's balance is short
    brand, last4 = _card_of(method)
    valid = from_ts(old["expires_at"]) - from_ts(old["authorized_at"])
    authorization_id = next_id(conn, "AUTH-PMC")
    conn.execute(
        "INSERT INTO authorizations (authorization_id, order_id, amount_cents, currency, status, card_brand, "
        "card_last4, authorized_at, expires_at) VALUES (?, ?, ?, ?, 'authorized', ?, ?, ?, ?)",
        (authorization_id, order_id, cents, old["currency"], brand, last4, to_ts(now), to_ts(now + valid)),
    )
    conn.execute("INSERT INTO authorization_methods VALUES (?, ?)", (authorization_id, payment_method_id))
    conn.execute("UPDATE order_payers SET authorization_id = ? WHERE order_id = ?", (authorization_id, order_id))
    return PaymentMethodChange(
        order_id=order_id,
        previous_method_id=previous["payment_method_id"] if previous is not None else "",
        payment_method=_method(_method_row(conn, payment_method_id)),
        amount=money(cents),
        released=_authorization(conn, _auth_row(conn, old["authorization_id"]), now),
        authorization=_authorization(conn, _auth_row(conn, authorization_id), now),
    )
