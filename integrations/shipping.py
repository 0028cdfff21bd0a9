"""Shipping: address validation (valid, corrected suggestion, undeliverable), the ship-to it will use for each
order, shipments and tracking. Applying a correction changes the shipping ship-to of record; the ERP keeps the
address as the customer entered it. Shipping keeps its own copy of every order's ship-to (what the label will
carry), so a ship-to change in the ERP reaches the parcel only through ``update_shipment_address``."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

from pydantic import BaseModel, Field

from ai_missions.integrations.addresses import Address, AddressValidation, ValidationStatus, validate
from ai_missions.integrations.arguments import IdempotencyKey, OrderId
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import book_now, from_row, require_row, require_text, to_ts
from ai_missions.kernel.errors import ConflictError

Line = Annotated[str, Field(min_length=1, max_length=200)]

DDL = """
CREATE TABLE order_addresses (
    order_id TEXT PRIMARY KEY, name TEXT NOT NULL, line1 TEXT NOT NULL, line2 TEXT, city TEXT NOT NULL,
    region TEXT NOT NULL, postal_code TEXT NOT NULL, country TEXT NOT NULL,
    validation_status TEXT NOT NULL CHECK (validation_status IN ('valid', 'corrected', 'undeliverable')),
    issues TEXT NOT NULL, suggestion TEXT, validated_at TEXT NOT NULL, corrected_from TEXT
) STRICT;
CREATE TABLE shipments (
    shipment_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, carrier TEXT NOT NULL, service TEXT NOT NULL,
    tracking_number TEXT NOT NULL, status TEXT NOT NULL, from_location TEXT NOT NULL, shipped_at TEXT NOT NULL,
    delivered_at TEXT
) STRICT;
CREATE INDEX shipments_order ON shipments (order_id);
CREATE TABLE tracking_events (
    shipment_id TEXT NOT NULL REFERENCES shipments (shipment_id), seq INTEGER NOT NULL, at TEXT NOT NULL,
    status TEXT NOT NULL, location TEXT NOT NULL, PRIMARY KEY (shipment_id, seq)
) STRICT;
"""
SYSTEM = SimulatedSystem("shipping", "Shipping", DDL)


class OrderAddressValidation(BaseModel):
    """The validation result of an order's ship-to."""

    order_id: str
    status: ValidationStatus
    address: Address = Field(description="The ship-to shipping will use")
    issues: list[str]
    suggestion: Address | None
    has_suggestion: bool
    validated_at: str
    corrected_from: Address | None = Field(default=None, description="The address before an applied correction")


class TrackingEvent(BaseModel):
    at: str
    status: str
    location: str


class Shipment(BaseModel):
    shipment_id: str
    order_id: str
    carrier: str
    service: str
    tracking_number: str
    status: str
    from_location: str
    shipped_at: str
    delivered_at: str | None
    events: list[TrackingEvent]


class ShipmentList(BaseModel):
    order_id: str
    shipped: bool
    shipments: list[Shipment]


class CorrectionResult(Replayable):
    validation: OrderAddressValidation


class ShipmentAddressResult(Replayable):
    """The outcome of a ship-to change in shipping: the address the parcel will now go to, validated."""

    order_id: str
    action: str = "update_shipment_address"
    previous_address: Address
    validation: OrderAddressValidation


def _row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM order_addresses WHERE order_id = ?", (order_id,), "order", order_id)


def _validation(row: sqlite3.Row) -> OrderAddressValidation:
    suggestion = Address(**json.loads(row["suggestion"])) if row["suggestion"] else None
    corrected = Address(**json.loads(row["corrected_from"])) if row["corrected_from"] else None
    return from_row(
        OrderAddressValidation,
        row,
        status=row["validation_status"],
        address=Address.from_row(row),
        issues=json.loads(row["issues"]),
        suggestion=suggestion,
        has_suggestion=suggestion is not None,
        corrected_from=corrected,
    )


@SYSTEM.read
def validate_address(
    name: Line,
    line1: Line,
    city: Line,
    region: Annotated[str, Field(min_length=1, max_length=40, description="State code, e.g. WA")],
    postal_code: Annotated[str, Field(min_length=1, max_length=20)],
    country: Annotated[str, Field(min_length=2, max_length=2)] = "US",
    line2: Annotated[str | None, Field(max_length=200)] = None,
) -> AddressValidation:
    """Validate an address: valid, corrected suggestion, undeliverable.

    Any address; changes nothing. A corrected result carries the suggested address."""
    return validate(
        Address(name=name, line1=line1, line2=line2, city=city, region=region, postal_code=postal_code, country=country)
    )


@SYSTEM.read
def get_address_validation(conn: sqlite3.Connection, order_id: OrderId) -> OrderAddressValidation:
    """The validation result of an order's ship-to.

    Status valid, corrected (with a suggestion) or undeliverable, the issues, and the ship-to in use."""
    return _validation(_row(conn, order_id))


@SYSTEM.read
def list_shipments(conn: sqlite3.Connection, order_id: OrderId) -> ShipmentList:
    """Shipments of an order with tracking events.

    Carrier, tracking number, status and tracking events; `shipped` is false when nothing has left."""
    _row(conn, order_id)
    shipments = []
    for s in conn.execute("SELECT * FROM shipments WHERE order_id = ? ORDER BY shipped_at, shipment_id", (order_id,)):
        events = [
            from_row(TrackingEvent, e)
            for e in conn.execute(
                "SELECT * FROM tracking_events WHERE shipment_id = ? ORDER BY seq", (s["shipment_id"],)
            )
        ]
        shipments.append(from_row(Shipment, s, events=events))
    return ShipmentList(order_id=order_id, shipped=bool(shipments), shipments=shipments)


class ShippingContext(ContextRead):
    """Everything shipping holds about an order, in one read."""

    order_id: str
    address_validation: OrderAddressValidation | None
    shipments: ShipmentList | None


@SYSTEM.read
def get_shipping_context(conn: sqlite3.Connection, order_id: OrderId) -> ShippingContext:
    """An order's ship-to validation and shipments, in one read.

    `get_address_validation` and `list_shipments` in one call; a part that cannot be read is null, with the
    reason under `missing`."""
    return ShippingContext(
        order_id=order_id,
        **read_parts(
            {
                "address_validation": lambda: get_address_validation(conn, order_id),
                "shipments": lambda: list_shipments(conn, order_id),
            }
        ),
    )


def _shipped(conn: sqlite3.Connection, order_id: str) -> bool:
    return conn.execute("SELECT 1 FROM shipments WHERE order_id = ?", (order_id,)).fetchone() is not None


def _store_address(conn: sqlite3.Connection, order_id: str, address: Address, corrected_from: Address | None) -> None:
    """Write ``address`` as the order's ship-to of record, with its fresh validation."""
    result = validate(address)
    conn.execute(
        "UPDATE order_addresses SET name = ?, line1 = ?, line2 = ?, city = ?, region = ?, postal_code = ?, "
        "country = ?, validation_status = ?, issues = ?, suggestion = ?, validated_at = ?, corrected_from = ? "
        "WHERE order_id = ?",
        (
            address.name,
            address.line1,
            address.line2,
            address.city,
            address.region,
            address.postal_code,
            address.country,
            result.status,
            json.dumps(result.issues),
            result.suggestion.model_dump_json(exclude={"fingerprint"}) if result.suggestion else None,
            to_ts(book_now(conn)),
            corrected_from.model_dump_json(exclude={"fingerprint"}) if corrected_from else None,
            order_id,
        ),
    )


@SYSTEM.write
def update_shipment_address(
    conn: sqlite3.Connection, order_id: OrderId, ship_to: Address, idempotency_key: IdempotencyKey
) -> ShipmentAddressResult:
    """Change the ship-to an unshipped order's label will carry (shipping's own copy).

    The ship-to shipping will put on the order's label (its own copy; the ERP's `change_ship_to` does not
    reach it), validated anew; refused once a parcel has shipped."""
    for name in ("name", "line1", "city", "region", "postal_code", "country"):
        require_text(getattr(ship_to, name), f"ship_to.{name}", max_length=200)
    row = _row(conn, order_id)
    if _shipped(conn, order_id):
        raise ConflictError(f"order {order_id} has shipped; its shipment's address can no longer be changed")
    before = _validation(row).address
    _store_address(conn, order_id, ship_to, None)
    return ShipmentAddressResult(
        order_id=order_id, previous_address=before, validation=_validation(_row(conn, order_id))
    )


@SYSTEM.write
def apply_address_correction(
    conn: sqlite3.Connection, order_id: OrderId, idempotency_key: IdempotencyKey
) -> CorrectionResult:
    """Apply the suggested correction to an order's ship-to.

    Refused when there is no suggestion (valid or undeliverable) or the order has shipped."""
    row = _row(conn, order_id)
    status = row["validation_status"]
    if status == "undeliverable":
        raise ConflictError(f"the ship-to of order {order_id} is undeliverable and has no suggested correction")
    if status != "corrected" or not row["suggestion"]:
        raise ConflictError(f"the ship-to of order {order_id} is {status}; there is no correction to apply")
    if _shipped(conn, order_id):
        raise ConflictError(f"order {order_id} has shipped; its address can no longer be corrected")
    before = _validation(row).address
    _store_address(conn, order_id, Address(**json.loads(row["suggestion"])), before)
    return CorrectionResult(validation=_validation(_row(conn, order_id)))
